#include "kernels/gemm_bf16.h"

#include <vector>

#include "core/dtype.h"
#include "core/env_choice.h"
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
  std::vector<Bf16Kernel> kernels = {Bf16Kernel::Widened};
  if (cpu_has_avx512bf16()) kernels.push_back(Bf16Kernel::OneDnn);
  return choice_from_environment("MASSACT_BF16_GEMM", Bf16Kernel::Widened, kernels,
                                 bf16_kernel_name, " on this CPU");
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
