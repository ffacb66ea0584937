// Both GEMM backends compute C = alpha A op(B) + beta C on row-major matrices with row strides
// wider than the rows (a head's columns inside a packed matrix): each entry within the rounding of
// one float32 dot product of its exact value, and nothing outside C's columns written.
#include "kernels/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "float_bounds.h"

namespace massact {
namespace {

class Gemm : public ::testing::TestWithParam<GemmBackend> {
 protected:
  void SetUp() override { set_gemm_backend(GetParam()); }
  void TearDown() override { set_gemm_backend(GemmBackend::OneDnn); }
};

void check_product(Op op_b, int64_t M, int64_t N, int64_t K) {
  const int64_t lda = K + 3, ldb = (op_b == Op::Transpose ? K : N) + 5, ldc = N + 2;
  const int64_t b_rows = op_b == Op::Transpose ? N : K;
  std::mt19937 rng(uint32_t(M * 1000 + N * 10 + K));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> a(size_t(M * lda)), b(size_t(b_rows * ldb)), c(size_t(M * ldc));
  for (auto& v : a) v = normal(rng);
  for (auto& v : b) v = normal(rng);
  for (auto& v : c) v = normal(rng);
  const std::vector<float> c0 = c;
  const float alpha = 0.75f, beta = -0.5f;
  sgemm(op_b, M, N, K, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);

  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t at = size_t(i * ldc + j);
      if (j >= N) {
        ASSERT_EQ(c[at], c0[at]) << "column " << j << " lies outside C and was written";
        continue;
      }
      double exact = 0.0, abs_sum = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const double bkj = op_b == Op::Transpose ? b[size_t(j * ldb + k)] : b[size_t(k * ldb + j)];
        exact += double(a[size_t(i * lda + k)]) * bkj;
        abs_sum += std::fabs(double(a[size_t(i * lda + k)]) * bkj);
      }
      exact = alpha * exact + beta * double(c0[at]);
      // alpha and beta add two roundings to the K of the dot product.
      const double bound = testing::gamma_f32(K + 2) * (alpha * abs_sum + std::fabs(beta * c0[at]));
      ASSERT_NEAR(c[at], exact, bound) << "C[" << i << ", " << j << "]";
    }
}

TEST_P(Gemm, ProductOfStridedMatrices) {
  for (Op op : {Op::None, Op::Transpose}) {
    check_product(op, 1, 300, 64);   // one token: a matrix-vector product
    check_product(op, 37, 19, 129);  // ragged shapes that no kernel tiles evenly
    check_product(op, 128, 96, 640);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Gemm,
                         ::testing::Values(GemmBackend::OneDnn, GemmBackend::OpenBlas),
                         [](const auto& info) { return gemm_backend_name(info.param); });

}  // namespace
}  // namespace massact
