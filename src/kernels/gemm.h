// The matrix product that every linear layer and attention head runs: row-major float32 GEMM,
// C (M, N) = alpha A (M, K) op(B) + beta C, op(B) = B (K, N) or B^T with B stored (N, K).
//
// Two backends, because a BLAS's speed is only as good as its CPU detection: Debian's OpenBLAS
// 0.3.21 does not know recent Xeons and falls back to SSE kernels (a fifth of the speed of its
// AVX-512 kernels there; bench/README.md has the numbers), while oneDNN's JIT chooses its kernels
// from the CPU's instruction-set features. oneDNN is the default; OpenBLAS is kept for comparison
// (`massact --gemm openblas`, `massact bench gemm`; MASSACT_GEMM=openblas runs a whole process,
// the test suite included, on it).
#pragma once

#include <cstdint>
#include <string>

namespace massact {

enum class GemmBackend { OneDnn, OpenBlas };

// MASSACT_GEMM's choice, oneDNN when unset; InputError for another value.
GemmBackend default_gemm_backend();
void set_gemm_backend(GemmBackend backend);
GemmBackend gemm_backend();
std::string gemm_backend_name(GemmBackend backend);

enum class Op { None, Transpose };

// lda, ldb, ldc: row strides in floats, so that a head's columns of a packed (T, heads * hd)
// matrix can be read and written in place.
void sgemm(Op op_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

}  // namespace massact
