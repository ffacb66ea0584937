#include "kernels/gemm.h"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <stdexcept>

#include "core/env_choice.h"

namespace massact {

namespace {
std::atomic<GemmBackend>& current() {
  static std::atomic<GemmBackend> backend{default_gemm_backend()};
  return backend;
}
}  // namespace

GemmBackend default_gemm_backend() {
  return choice_from_environment("MASSACT_GEMM", GemmBackend::OneDnn,
                                 {GemmBackend::OneDnn, GemmBackend::OpenBlas}, gemm_backend_name);
}

void set_gemm_backend(GemmBackend backend) {
  current() = backend;
}

GemmBackend gemm_backend() {
  return current();
}

std::string gemm_backend_name(GemmBackend backend) {
  return backend == GemmBackend::OneDnn ? "onednn" : "openblas";
}

void sgemm(Op op_b, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
           const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  const bool transpose = op_b == Op::Transpose;
  if (current() == GemmBackend::OpenBlas) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transpose ? CblasTrans : CblasNoTrans, int(M), int(N),
                int(K), alpha, A, int(lda), B, int(ldb), beta, C, int(ldc));
    return;
  }
  // dnnl_sgemm takes row-major matrices, as cblas with CblasRowMajor does.
  const dnnl_status_t status =
      dnnl_sgemm('N', transpose ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  if (status != dnnl_success)
    throw std::logic_error("dnnl_sgemm failed with status " + std::to_string(int(status)));
}

}  // namespace massact
