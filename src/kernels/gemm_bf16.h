// The matrix product of `--compute bf16`: bf16 inputs, f32 accumulation, as the paper's own GPU
// runs computed. C (M, N) = A (M, K) B^T, A and B bf16 (B stored (N, K), as linear weights are).
// A product of two bf16 numbers (8 significant bits each) is exact in f32, so the only rounding is
// the f32 summation: every kernel computes the same function up to the summation order.
#pragma once

#include <cstdint>
#include <string>

namespace massact {

enum class Bf16Kernel {
  OneDnn,   // oneDNN's bf16 matmul: vdpbf16ps on CPUs with AVX512-BF16
  Widened,  // A and B widened to f32 (exact) and one SGEMM: f32 FMAs, any CPU
};

// OneDnn where the CPU has AVX512-BF16, else Widened; MASSACT_BF16_GEMM=widened-sgemm chooses
// Widened anywhere (on the Intel Xeon of bench/README.md, oneDNN 2.6's bf16 matmul runs slower
// than its f32 SGEMM). InputError for another value, or onednn-avx512bf16 on a CPU without it.
Bf16Kernel best_bf16_kernel();
std::string bf16_kernel_name(Bf16Kernel kernel);

// ldc: C's row stride in floats. Call OneDnn only where the CPU has AVX512-BF16.
void gemm_bf16(const uint16_t* A, const uint16_t* B, int64_t M, int64_t N, int64_t K, float* C,
               int64_t ldc, Bf16Kernel kernel = best_bf16_kernel());

}  // namespace massact
