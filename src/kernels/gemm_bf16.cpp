#include "kernels/gemm_bf16.h"

#include <cstdlib>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/onednn_matmul.h"
#include "kernels/threads.h"

namespace massact {

namespace {

// n bf16 numbers widened to f32, exactly, into out: a buffer kept from call to call, so that the
// products of a forward pass do not fault in and zero fresh pages each time.
const float* widen(const uint16_t* src, int64_t n, std::vector<float>& out) {
  out.resize(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = bf16_to_f32(src[i]);
  return out.data();
}

}  // namespace

bool cpu_has_avx512bf16() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

namespace {
Bf16Kernel bf16_kernel_from_environment() {
  const char* env = std::getenv("MASSACT_BF16_GEMM");
  if (env == nullptr) return Bf16Kernel::Widened;
  if (env == bf16_kernel_name(Bf16Kernel::Widened)) return Bf16Kernel::Widened;
  const std::string onednn = bf16_kernel_name(Bf16Kernel::OneDnn);
  if (env == onednn && cpu_has_avx512bf16()) return Bf16Kernel::OneDnn;
  throw InputError("environment variable MASSACT_BF16_GEMM: expected " +
                   bf16_kernel_name(Bf16Kernel::Widened) +
                   (cpu_has_avx512bf16() ? " or " + onednn : "") + " on this CPU, got '" +
                   std::string(env).substr(0, 40) + "'");
}
}  // namespace

Bf16Kernel best_bf16_kernel() {
  static const Bf16Kernel kernel = bf16_kernel_from_environment();
  return kernel;
}

std::string bf16_kernel_name(Bf16Kernel kernel) {
  return kernel == Bf16Kernel::OneDnn ? "onednn-avx512bf16" : "widened-sgemm";
}

void gemm_bf16(const uint16_t* A, const uint16_t* B, int64_t M, int64_t N, int64_t K, float* C,
               int64_t ldc, Bf16Kernel kernel) {
  if (kernel == Bf16Kernel::OneDnn) {
    return onednn_matmul({MatmulType::Bf16, MatmulWeights::Rows, M, N, K, ldc}, A, B, C);
  }
  static thread_local std::vector<float> a, b;
  sgemm(Op::Transpose, M, N, K, 1.0f, widen(A, M * K, a), K, widen(B, N * K, b), K, 0.0f, C, ldc);
}

}  // namespace massact
