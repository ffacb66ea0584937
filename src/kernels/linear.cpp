#include "kernels/linear.h"

#include <algorithm>

#include "core/dtype.h"
#include "kernels/gemm.h"
#include "kernels/quant_matvec.h"
#include "kernels/threads.h"

namespace massact {

const float* WeightScratch::rows_f32(const Tensor& weight, int64_t begin, int64_t end) {
  const int64_t cols = weight.dim(1);
  if (weight.dtype() == DType::F32) return weight.f32() + begin * cols;
  buffer_.resize(size_t((end - begin) * cols));
  const auto* src = static_cast<const std::byte*>(weight.raw());
  const size_t row_bytes = dtype_row_bytes(weight.dtype(), cols);
#pragma omp parallel for schedule(static) if ((end - begin) * cols >= kMinParallelWork)
  for (int64_t r = begin; r < end; ++r)
    to_f32(weight.dtype(), src + size_t(r) * row_bytes, buffer_.data() + (r - begin) * cols,
           size_t(cols));
  return buffer_.data();
}

namespace {
// y (T, out) += bias (out,), if there is one.
void add_bias(int64_t T, const Tensor& bias, float* y) {
  if (bias.empty()) return;
  const int64_t out = bias.numel();
  Tensor b = bias.dtype() == DType::F32 ? bias : bias.to_f32();
  const float* bv = b.f32();
#pragma omp parallel for schedule(static) if (T * out >= kMinParallelWork)
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < out; ++o) y[t * out + o] += bv[o];
}
}  // namespace

void linear(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
            WeightScratch& scratch) {
  const int64_t out = weight.dim(0), in = weight.dim(1);
  if (T <= kMatvecMaxRows && quant_matvec_supports(weight.dtype())) {
    quant_matvec(x, T, weight, y);
    return add_bias(T, bias, y);
  }
  const int64_t panel =
      weight.dtype() == DType::F32 ? out : std::max<int64_t>(1, kScratchFloats / in);
  for (int64_t first = 0; first < out; first += panel) {
    const int64_t rows = std::min(panel, out - first);
    const float* w = scratch.rows_f32(weight, first, first + rows);
    // y[:, first:first+rows] = x w^T, written in place through y's row stride.
    sgemm(Op::Transpose, T, rows, in, 1.0f, x, in, w, in, 0.0f, y + first, out);
  }
  add_bias(T, bias, y);
}

void linear_group(const float* x, int64_t T, std::initializer_list<LinearPart> parts,
                  WeightScratch& scratch) {
  std::vector<MatvecPart> matvec;
  for (const LinearPart& p : parts)
    if (T <= kMatvecMaxRows && quant_matvec_supports(p.weight->dtype()))
      matvec.push_back({p.weight, p.y});
  if (matvec.size() != parts.size()) {
    for (const LinearPart& p : parts) linear(x, T, *p.weight, *p.bias, p.y, scratch);
    return;
  }
  quant_matvec(x, T, matvec);
  for (const LinearPart& p : parts) add_bias(T, *p.bias, p.y);
}

}  // namespace massact
