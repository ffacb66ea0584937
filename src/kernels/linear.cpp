#include "kernels/linear.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "core/dtype.h"
#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"
#include "kernels/packed_linear.h"
#include "kernels/quant_matvec.h"
#include "kernels/threads.h"

namespace massact {

namespace {
// src (n floats) rounded to bf16 into out (n elements).
const uint16_t* rounded_into(const float* src, int64_t n, std::vector<uint16_t>& out) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = f32_to_bf16(src[i]);
  return out.data();
}

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

std::atomic<Compute>& current_compute() {
  static std::atomic<Compute> mode{Compute::F32};
  return mode;
}

// Whether linear() takes the matrix-vector path (kernels/quant_matvec.h): a few rows of x, a
// weight type with kernels, and vector kernels for this CPU (the plain C++ fallback runs at half
// the speed of widening + GEMM: bench/README.md).
bool takes_matvec(int64_t T, const Tensor& weight) {
  return T <= kMatvecMaxRows && kernel_isa() != Isa::Scalar &&
         quant_matvec_supports(weight.dtype(), weight.dim(1));
}

// The running totals behind linear_tally(), and the clock that adds one call to them.
struct Totals {
  std::atomic<int64_t> calls{0}, multiply_adds{0}, nanoseconds{0};
};
Totals& totals() {
  static Totals t;
  return t;
}

class Tallied {
 public:
  explicit Tallied(int64_t multiply_adds) : multiply_adds_(multiply_adds) {}
  ~Tallied() {
    const auto took = std::chrono::steady_clock::now() - start_;
    totals().calls += 1;
    totals().multiply_adds += multiply_adds_;
    totals().nanoseconds += std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
  }

 private:
  int64_t multiply_adds_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// linear() under --compute bf16: x and each weight panel rounded to bf16, then gemm_bf16.
void linear_bf16(const float* x, int64_t T, const Tensor& weight, float* y,
                 WeightScratch& scratch) {
  const int64_t out = weight.dim(0), in = weight.dim(1);
  const uint16_t* xb = scratch.rounded_bf16(x, T * in);
  const int64_t panel = std::max<int64_t>(1, kScratchFloats / in);
  for (int64_t first = 0; first < out; first += panel) {
    const int64_t rows = std::min(panel, out - first);
    gemm_bf16(xb, scratch.rows_bf16(weight, first, first + rows), T, rows, in, y + first, out);
  }
}
}  // namespace

void widen_rows(const Tensor& weight, int64_t begin, int64_t end, float* dst) {
  const int64_t cols = weight.dim(1);
  const auto* src = static_cast<const std::byte*>(weight.raw());
  const size_t row_bytes = dtype_row_bytes(weight.dtype(), cols);
  for (int64_t r = begin; r < end; ++r)
    to_f32(weight.dtype(), src + size_t(r) * row_bytes, dst + (r - begin) * cols, size_t(cols));
}

const float* WeightScratch::rows_f32(const Tensor& weight, int64_t begin, int64_t end) {
  const int64_t cols = weight.dim(1);
  if (weight.dtype() == DType::F32) return weight.f32() + begin * cols;
  buffer_.resize(size_t((end - begin) * cols));
#pragma omp parallel for schedule(static) if ((end - begin) * cols >= kMinParallelWork)
  for (int64_t r = begin; r < end; ++r)
    widen_rows(weight, r, r + 1, buffer_.data() + (r - begin) * cols);
  return buffer_.data();
}

void set_compute(Compute mode) {
  current_compute() = mode;
}

Compute compute_mode() {
  return current_compute();
}

std::string compute_name(Compute mode) {
  return mode == Compute::F32 ? "f32" : "bf16";
}

const uint16_t* WeightScratch::rows_bf16(const Tensor& weight, int64_t begin, int64_t end) {
  const int64_t cols = weight.dim(1);
  if (weight.dtype() == DType::BF16)
    return static_cast<const uint16_t*>(weight.raw()) + begin * cols;
  const float* widened = rows_f32(weight, begin, end);
  weight_bf16_.resize(size_t((end - begin) * cols));
  return rounded_into(widened, (end - begin) * cols, weight_bf16_);
}

const uint16_t* WeightScratch::rounded_bf16(const float* x, int64_t n) {
  x_bf16_.resize(size_t(n));
  return rounded_into(x, n, x_bf16_);
}

namespace {
// linear() without the tally, so that linear_group() counts its parts once.
void linear_product(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
                    WeightScratch& scratch) {
  const int64_t out = weight.dim(0), in = weight.dim(1);
  const bool bf16 = compute_mode() == Compute::Bf16;
  if (takes_matvec(T, weight)) {
    quant_matvec(x, T, weight, y, kernel_isa(), bf16);
    return add_bias(T, bias, y);
  }
  if (bf16) {
    linear_bf16(x, T, weight, y, scratch);
    return add_bias(T, bias, y);
  }
  if (weight.dtype() != DType::F32 && linear_packs()) {
    packed_linear(
        x, T, in, out,
        [&weight](int64_t b, int64_t e, float* dst) { widen_rows(weight, b, e, dst); }, y, out,
        scratch.packed());
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
}  // namespace

void linear(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
            WeightScratch& scratch) {
  const Tallied tally(T * weight.dim(0) * weight.dim(1));
  linear_product(x, T, weight, bias, y, scratch);
}

void linear_group(const float* x, int64_t T, std::initializer_list<LinearPart> parts,
                  WeightScratch& scratch) {
  int64_t multiply_adds = 0;
  for (const LinearPart& p : parts) multiply_adds += T * p.weight->dim(0) * p.weight->dim(1);
  const Tallied tally(multiply_adds);
  std::vector<MatvecPart> matvec;
  for (const LinearPart& p : parts)
    if (takes_matvec(T, *p.weight)) matvec.push_back({p.weight, p.y});
  if (matvec.size() != parts.size()) {
    for (const LinearPart& p : parts) linear_product(x, T, *p.weight, *p.bias, p.y, scratch);
    return;
  }
  quant_matvec(x, T, matvec, kernel_isa(), compute_mode() == Compute::Bf16);
  for (const LinearPart& p : parts) add_bias(T, *p.bias, p.y);
}

LinearTally linear_tally() {
  return {totals().calls.load(), totals().multiply_adds.load(),
          double(totals().nanoseconds.load()) * 1e-9};
}

void reset_linear_tally() {
  totals().calls = 0;
  totals().multiply_adds = 0;
  totals().nanoseconds = 0;
}

}  // namespace massact
