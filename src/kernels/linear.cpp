#include "kernels/linear.h"

#include <cblas.h>

#include "core/dtype.h"
#include "kernels/threads.h"

namespace massact {

const float* WeightScratch::f32(const Tensor& weight) {
  if (weight.dtype() == DType::F32) return weight.f32();
  buffer_.resize(size_t(weight.numel()));
  const int64_t rows = weight.dim(0), cols = weight.numel() / rows;
  const auto* src = static_cast<const std::byte*>(weight.raw());
  const size_t row_bytes = size_t(cols) * dtype_size(weight.dtype());
#pragma omp parallel for schedule(static) if (weight.numel() >= kMinParallelWork)
  for (int64_t r = 0; r < rows; ++r)
    to_f32(weight.dtype(), src + size_t(r) * row_bytes, buffer_.data() + r * cols, size_t(cols));
  return buffer_.data();
}

void linear(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
            WeightScratch& scratch) {
  const int64_t out = weight.dim(0), in = weight.dim(1);
  const float* w = scratch.f32(weight);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(T), int(out), int(in), 1.0f, x, int(in),
              w, int(in), 0.0f, y, int(out));
  if (bias.empty()) return;
  Tensor b = bias.dtype() == DType::F32 ? bias : bias.to_f32();
  const float* bv = b.f32();
#pragma omp parallel for schedule(static) if (T * out >= kMinParallelWork)
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < out; ++o) y[t * out + o] += bv[o];
}

}  // namespace massact
