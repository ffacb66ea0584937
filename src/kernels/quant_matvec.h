// y = x W^T for a few rows of x (decode's one token, small batches) and a block-quantized or
// 16-bit W read as it is stored: each block is widened in registers and multiplied into x at once,
// instead of widening the whole matrix to f32 for a GEMM of a few rows (kernels/linear.h), which
// for one row costs writing and reading back four bytes per weight.
//
// The result is the f32 dot product of x with the dequantized weights (core/quantized.h), summed
// in another order: within gamma(in) * sum |x_i w_i| of the exact value (of the bf16-rounded
// values under round_bf16).
#pragma once

#include <cstdint>
#include <span>

#include "core/tensor.h"
#include "kernels/isa.h"

namespace massact {

// linear() takes this path for at most this many rows of x, on CPUs with AVX2 at least; above it,
// or with the plain C++ kernels, widening a panel and one GEMM is faster (bench/README.md).
inline constexpr int64_t kMatvecMaxRows = 8;

// Whether a weight of this type with rows of `in` elements has vector kernels: Q4_K, Q5_0, Q6_K
// and Q8_0 (what Q4_K_M files hold), and BF16 and F16 (checkpoints as published) when `in` is a
// multiple of 16.
bool quant_matvec_supports(DType type, int64_t in);

// x: (T, in) row-major f32. weight: (out, in), quant_matvec_supports. y: (T, out). Threads over the
// output columns. isa: which kernels; Scalar widens one row of W at a time and takes plain dot
// products (the fallback, and the reference the vector kernels are tested against). round_bf16:
// --compute bf16's product (kernels/linear.h): x and each widened weight rounded to bf16 first.
void quant_matvec(const float* x, int64_t T, const Tensor& weight, float* y, Isa isa = kernel_isa(),
                  bool round_bf16 = false);

// Several weights times the same x (q, k and v; gate and up), each into its own y, in one
// parallel region: the threads meet once instead of once per weight. Each y is exactly what
// quant_matvec(x, T, weight, y, isa, round_bf16) writes.
struct MatvecPart {
  const Tensor* weight;  // (out, in), quant_matvec_supports
  float* y;              // (T, out)
};
void quant_matvec(const float* x, int64_t T, std::span<const MatvecPart> parts,
                  Isa isa = kernel_isa(), bool round_bf16 = false);

// The vector kernels (quant_matvec_avx2.cpp, quant_matvec_avx512.cpp): y[t * ldy + r] = row r of
// w (rows of row_bytes bytes, in elements) . row t of x, for r < rows and t < T. False for a type
// without a kernel. Call only with an isa <= host_isa().
bool quant_dot_rows_avx2(DType type, const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in,
                         const float* x, int64_t T, float* y, int64_t ldy, bool round_bf16);
bool quant_dot_rows_avx512(DType type, const uint8_t* w, int64_t row_bytes, int64_t rows,
                           int64_t in, const float* x, int64_t T, float* y, int64_t ldy,
                           bool round_bf16);

}  // namespace massact
