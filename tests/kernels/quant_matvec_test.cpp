// The block-quantized matrix-vector products against the f32 dot product of x with the
// dequantized weights (core/quantized.h, itself proven bit-exact against the gguf package), for
// every instruction set this CPU executes: the fallbacks are run explicitly, so an AVX-512
// machine tests the AVX2 and plain C++ kernels too.
#include "kernels/quant_matvec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/quantized.h"
#include "float_bounds.h"
#include "kernels/linear.h"
#include "random_weights.h"

namespace massact {
namespace {

using testing::random_rows;
using testing::random_weight;

struct Case {
  DType type;
  Isa isa;
};

class QuantMatvec : public ::testing::TestWithParam<Case> {};

// Under round_bf16 (--compute bf16) the exact value is that of x and the dequantized weights
// rounded to bf16; their products are exact in f32, so the same bound holds.
TEST_P(QuantMatvec, IsTheDotProductWithTheDequantizedWeights) {
  const auto [type, isa] = GetParam();
  if (isa > host_isa()) GTEST_SKIP() << "this CPU has no " << isa_name(isa);
  // 70 output rows: two full tasks of 32 and a short one; 512 columns: 2 super-blocks of 256,
  // 16 blocks of 32.
  constexpr int64_t out = 70, in = 512;
  const Tensor w = random_weight(type, out, in, 11);
  const Tensor wf = w.to_f32();  // dequantize(): the reference weights
  for (bool round_bf16 : {false, true})
    for (int64_t T : {1, 2, 3, 4, 5, 8}) {
      const std::vector<float> x = random_rows(T, in, 100 + uint64_t(T));
      std::vector<float> y(size_t(T * out), std::nanf(""));
      quant_matvec(x.data(), T, w, y.data(), isa, round_bf16);
      const auto rounded = [round_bf16](float v) {
        return double(round_bf16 ? bf16_to_f32(f32_to_bf16(v)) : v);
      };
      for (int64_t t = 0; t < T; ++t)
        for (int64_t o = 0; o < out; ++o) {
          double exact = 0.0, abs_sum = 0.0;
          for (int64_t i = 0; i < in; ++i) {
            // Products of two floats are exact in double; the double sum's error is far below
            // the bound.
            const double p = rounded(x[size_t(t * in + i)]) * rounded(wf.f32()[o * in + i]);
            exact += p;
            abs_sum += std::fabs(p);
          }
          // One f32 evaluation, in any order, against the exact value: gamma(in) * sum |x w|.
          ASSERT_NEAR(y[size_t(t * out + o)], exact, testing::gamma_f32(in) * abs_sum)
              << "bf16 " << round_bf16 << " T " << T << " row " << t << " column " << o;
        }
    }
}

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (DType type : {DType::Q8_0, DType::Q5_0, DType::Q4_K, DType::Q6_K, DType::BF16, DType::F16})
    for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) cases.push_back({type, isa});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(TypesAndIsas, QuantMatvec, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(dtype_name(info.param.type)) + "_" +
                                  isa_name(info.param.isa);
                         });

TEST(QuantMatvecPaths, OnlyTheFormatsWithKernels) {
  for (DType t : {DType::Q4_K, DType::Q5_0, DType::Q6_K, DType::Q8_0, DType::BF16, DType::F16})
    EXPECT_TRUE(quant_matvec_supports(t, 256)) << dtype_name(t);
  for (DType t : {DType::F32, DType::Q4_0, DType::Q5_K, DType::IQ4_XS})
    EXPECT_FALSE(quant_matvec_supports(t, 256)) << dtype_name(t);
  // 16-bit rows in runs of 16 only.
  EXPECT_FALSE(quant_matvec_supports(DType::BF16, 40));
  const Tensor bf16 = Tensor::zeros(DType::BF16, {4, 40});
  float x[40] = {}, y[4];
  EXPECT_THROW(quant_matvec(x, 1, bf16, y, Isa::Scalar), std::logic_error);
}

// linear() takes the matrix-vector path up to kMatvecMaxRows rows of x and widening + GEMM above:
// the same rows through both agree within two f32 evaluations of the dot product and the bias.
TEST(QuantMatvecPaths, LinearAgreesAcrossTheTwoPaths) {
  constexpr int64_t out = 40, in = 256, T = kMatvecMaxRows + 1;
  const Tensor w = random_weight(DType::Q4_K, out, in, 5);
  const Tensor wf = w.to_f32();
  Tensor bias = Tensor::zeros(DType::F32, {out});
  for (int64_t o = 0; o < out; ++o) bias.f32()[o] = 0.25f * float(o % 7) - 0.75f;
  const std::vector<float> x = random_rows(T, in, 9);
  std::vector<float> gemm(size_t(T * out)), matvec(size_t(kMatvecMaxRows * out));
  WeightScratch scratch;
  linear(x.data(), T, w, bias, gemm.data(), scratch);
  linear(x.data(), kMatvecMaxRows, w, bias, matvec.data(), scratch);
  for (int64_t t = 0; t < kMatvecMaxRows; ++t)
    for (int64_t o = 0; o < out; ++o) {
      double abs_sum = std::fabs(bias.f32()[o]);
      for (int64_t i = 0; i < in; ++i)
        abs_sum += std::fabs(double(x[size_t(t * in + i)]) * wf.f32()[o * in + i]);
      const size_t at = size_t(t * out + o);
      ASSERT_NEAR(matvec[at], gemm[at], testing::dot_disagreement(in, abs_sum))
          << "row " << t << " column " << o;
    }
}

// q, k and v (or gate and up) in one group write exactly what three linear() calls write: the
// same kernels on the same rows, on the matrix-vector path and on the GEMM path, and with a weight
// of a type without a kernel in the group.
TEST(QuantMatvecPaths, AGroupIsItsProductsOneByOne) {
  constexpr int64_t in = 256;
  const Tensor q = random_weight(DType::Q4_K, 70, in, 21),
               k = random_weight(DType::Q8_0, 33, in, 22);
  const Tensor v_quant = random_weight(DType::Q6_K, 40, in, 23), v_f32 = v_quant.to_f32();
  Tensor bias = Tensor::zeros(DType::F32, {33});
  for (int64_t o = 0; o < 33; ++o) bias.f32()[o] = 0.5f * float(o % 5);
  const Tensor none;
  WeightScratch scratch;
  for (const Tensor* v : {&v_quant, &v_f32})
    for (int64_t T : {int64_t(1), kMatvecMaxRows + 1}) {
      const std::vector<float> x = random_rows(T, in, 31);
      std::vector<float> yq(size_t(T * 70)), yk(size_t(T * 33)), yv(size_t(T * 40));
      linear_group(x.data(), T,
                   {{&q, &none, yq.data()}, {&k, &bias, yk.data()}, {v, &none, yv.data()}},
                   scratch);
      std::vector<float> eq(yq.size()), ek(yk.size()), ev(yv.size());
      linear(x.data(), T, q, none, eq.data(), scratch);
      linear(x.data(), T, k, bias, ek.data(), scratch);
      linear(x.data(), T, *v, none, ev.data(), scratch);
      EXPECT_EQ(yq, eq) << "T " << T;
      EXPECT_EQ(yk, ek) << "T " << T;
      EXPECT_EQ(yv, ev) << "T " << T;
    }
}

}  // namespace
}  // namespace massact
