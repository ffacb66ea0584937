// --compute bf16: the bf16 GEMM kernels and linear() in bf16 mode against the exact product of the
// bf16-rounded inputs. Products of two bf16 numbers are exact in f32, so a kernel's only error is
// its f32 summation: within gamma(K) * sum |a b| of the exact value, whatever the order or the
// instruction (vdpbf16ps adds each exact product with one rounding, and flushes results below
// 2^-126, which adds at most K * 2^-126).
#include "kernels/gemm_bf16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "float_bounds.h"
#include "kernels/linear.h"
#include "kernels/quant_matvec.h"

namespace massact {
namespace {

std::vector<uint16_t> random_bf16(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.5f);
  std::vector<uint16_t> out(static_cast<size_t>(n));
  for (uint16_t& v : out) v = f32_to_bf16(normal(rng));
  return out;
}

double flush_allowance(int64_t K) {
  return double(K) * 0x1p-126;
}

class GemmBf16 : public ::testing::TestWithParam<Bf16Kernel> {};

TEST_P(GemmBf16, IsTheExactProductOfTheBf16InputsSummedInF32) {
  const Bf16Kernel kernel = GetParam();
  if (kernel == Bf16Kernel::OneDnn && !cpu_has_avx512bf16())
    GTEST_SKIP() << "this CPU has no AVX512-BF16";
  // K odd (vdpbf16ps takes pairs), C written with a row stride wider than N.
  constexpr int64_t M = 5, N = 70, K = 301, ldc = 80;
  const std::vector<uint16_t> a = random_bf16(M * K, 1), b = random_bf16(N * K, 2);
  std::vector<float> c(size_t(M * ldc), -7.0f);
  gemm_bf16(a.data(), b.data(), M, N, K, c.data(), ldc, kernel);
  for (int64_t m = 0; m < M; ++m) {
    for (int64_t n = 0; n < N; ++n) {
      double exact = 0.0, abs_sum = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const double p =
            double(bf16_to_f32(a[size_t(m * K + k)])) * bf16_to_f32(b[size_t(n * K + k)]);
        exact += p;
        abs_sum += std::fabs(p);
      }
      ASSERT_NEAR(c[size_t(m * ldc + n)], exact,
                  testing::gamma_f32(K) * abs_sum + flush_allowance(K))
          << bf16_kernel_name(kernel) << " row " << m << " column " << n;
    }
    for (int64_t n = N; n < ldc; ++n) ASSERT_EQ(c[size_t(m * ldc + n)], -7.0f) << "past N";
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, GemmBf16,
                         ::testing::Values(Bf16Kernel::OneDnn, Bf16Kernel::Widened),
                         [](const ::testing::TestParamInfo<Bf16Kernel>& info) {
                           return info.param == Bf16Kernel::OneDnn ? "OneDnn" : "Widened";
                         });

// Sets the compute mode for one test and restores f32 after it.
struct ComputeMode {
  explicit ComputeMode(Compute mode) { set_compute(mode); }
  ~ComputeMode() { set_compute(Compute::F32); }
};

// linear() in bf16 mode rounds x and the dequantized weights to bf16 and sums exact products, on
// the matrix-vector path (a few rows of x) and the GEMM path alike: within gamma(in + 1) of the
// exact value with the bias. Rounding x alone moves a product by up to 2^-9 of its size, far more
// than the bound, so an f32 product would fail.
TEST(GemmBf16Linear, RoundsInputsToBf16) {
  const ComputeMode bf16(Compute::Bf16);
  constexpr int64_t out = 48, in = 256;
  Tensor weight = Tensor::zeros(DType::Q8_0, {out, in});
  std::mt19937_64 rng(3);
  auto* bytes = static_cast<uint8_t*>(weight.raw_mut());
  for (size_t i = 0; i < weight.nbytes(); ++i) bytes[i] = uint8_t(rng());
  for (size_t blk = 0; blk < weight.nbytes() / 34; ++blk) {
    const uint16_t d = f32_to_f16(0.01f + 0.001f * float(blk % 7));  // Q8_0's scale, 3 bits
    std::memcpy(bytes + blk * 34, &d, 2);
  }
  const Tensor wf = weight.to_f32();
  Tensor bias = Tensor::zeros(DType::F32, {out});
  for (int64_t o = 0; o < out; ++o) bias.f32()[o] = 0.1f * float(o % 3);
  WeightScratch scratch;
  for (int64_t T : {int64_t(1), int64_t(6), kMatvecMaxRows + 3}) {
    std::vector<float> x(size_t(T * in));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = std::sin(0.37f * float(i)) + 0.001f * float(i % 11);
    std::vector<float> y(size_t(T * out));
    linear(x.data(), T, weight, bias, y.data(), scratch);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t o = 0; o < out; ++o) {
        double exact = bias.f32()[o], abs_sum = std::fabs(bias.f32()[o]);
        for (int64_t i = 0; i < in; ++i) {
          const double p = double(bf16_to_f32(f32_to_bf16(x[size_t(t * in + i)]))) *
                           bf16_to_f32(f32_to_bf16(wf.f32()[o * in + i]));
          exact += p;
          abs_sum += std::fabs(p);
        }
        ASSERT_NEAR(y[size_t(t * out + o)], exact,
                    testing::gamma_f32(in + 1) * abs_sum + flush_allowance(in))
            << "T " << T << " row " << t << " column " << o;
      }
  }
}

}  // namespace
}  // namespace massact
