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

// Widened, measured the faster on the one AVX512-BF16 CPU we have (an Intel Xeon without AMX,
// bench/README.md: oneDNN 2.6's bf16 matmul ran below its own f32 SGEMM there);
// MASSACT_BF16_GEMM=onednn-avx512bf16 chooses OneDnn where the CPU has AVX512-BF16, to measure it
// on another CPU. InputError for another value, or onednn-avx512bf16 on a CPU without it.
Bf16Kernel best_bf16_kernel();
bool cpu_has_avx512bf16();  // whether OneDnn may be called
std::string bf16_kernel_name(Bf16Kernel kernel);

// ldc: C's row stride in floats. Call OneDnn only where the CPU has AVX512-BF16.
void gemm_bf16(const uint16_t* A, const uint16_t* B, int64_t M, int64_t N, int64_t K, float* C,
               int64_t ldc, Bf16Kernel kernel = best_bf16_kernel());

}  // namespace massact
