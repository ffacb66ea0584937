// The packed path of linear()'s GEMM (kernels/packed_linear.h): each entry within the rounding of
// one f32 dot product of its exact value, nothing outside y's columns written, panels that tile
// the output; and for quantized and 16-bit weights, linear() agrees with the widened path within
// the disagreement of two such dot products.
#include "kernels/packed_linear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <vector>

#include "core/error.h"
#include "float_bounds.h"
#include "kernels/gemm.h"
#include "kernels/linear.h"
#include "kernels/quant_matvec.h"
#include "random_weights.h"

namespace massact {
namespace {

using testing::random_rows;
using testing::random_weight;

// y = x W^T with y's row stride out + 3, against the double product.
void check_product(int64_t T, int64_t in, int64_t out) {
  const std::vector<float> x = random_rows(T, in, uint64_t(T + in)),
                           w = random_rows(out, in, uint64_t(out));
  const int64_t ldy = out + 3;
  std::vector<float> y(size_t(T * ldy), -7.0f);
  PackScratch scratch;
  const WeightRows rows = [&](int64_t begin, int64_t end, float* dst) {
    std::copy(w.begin() + begin * in, w.begin() + end * in, dst);
  };
  packed_linear(x.data(), T, in, out, rows, y.data(), ldy, scratch);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < ldy; ++o) {
      const float got = y[size_t(t * ldy + o)];
      if (o >= out) {
        ASSERT_EQ(got, -7.0f) << "column " << o << " lies outside y and was written";
        continue;
      }
      double exact = 0.0, abs_sum = 0.0;
      for (int64_t i = 0; i < in; ++i) {
        const double p = double(x[size_t(t * in + i)]) * w[size_t(o * in + i)];
        exact += p;
        abs_sum += std::fabs(p);
      }
      ASSERT_NEAR(got, exact, testing::gamma_f32(in) * abs_sum)
          << "T " << T << " in " << in << " out " << out << ": y[" << t << ", " << o << "]";
    }
}

TEST(PackedLinear, ProductOfThePackedWeights) {
  check_product(9, 100, 70);    // ragged: no block of 16 k or 64 n filled
  check_product(33, 640, 130);  // Gemma 3's width
  check_product(64, 17, 1);
  // in = 64 makes a panel 32768 rows long; 2 panels and a bit put the last boundary off a block.
  check_product(3, 64, (kScratchFloats / 64) * 2 + 100);
}

// On the oneDNN backend, whichever one an earlier test (or MASSACT_GEMM) left.
class PackedPath : public ::testing::Test {
 protected:
  void SetUp() override {
    backend_ = gemm_backend();
    set_gemm_backend(GemmBackend::OneDnn);
  }
  void TearDown() override {
    set_prefill_gemm(default_prefill_gemm());
    set_gemm_backend(backend_);
  }

 private:
  GemmBackend backend_ = GemmBackend::OneDnn;
};

// The same weights through both paths of linear(), above the matrix-vector rows.
TEST_F(PackedPath, LinearAgreesWithWideningForQuantizedWeights) {
  constexpr int64_t T = 40, in = 512, out = 200;
  for (DType type : {DType::BF16, DType::Q8_0, DType::Q4_K, DType::F16}) {
    const Tensor w = random_weight(type, out, in, 3), wf = w.to_f32();
    Tensor bias = Tensor::zeros(DType::F32, {out});
    for (int64_t o = 0; o < out; ++o) bias.f32()[o] = 0.5f * float(o % 9) - 2.0f;
    const std::vector<float> x = random_rows(T, in, 4);
    std::vector<float> widened(size_t(T * out)), packed(size_t(T * out));
    WeightScratch scratch;
    set_prefill_gemm(PrefillGemm::Widened);
    linear(x.data(), T, w, bias, widened.data(), scratch);
    set_prefill_gemm(PrefillGemm::Packed);
    ASSERT_TRUE(linear_packs());
    linear(x.data(), T, w, bias, packed.data(), scratch);
    for (int64_t t = 0; t < T; ++t)
      for (int64_t o = 0; o < out; ++o) {
        double abs_sum = std::fabs(bias.f32()[o]);
        for (int64_t i = 0; i < in; ++i)
          abs_sum += std::fabs(double(x[size_t(t * in + i)]) * wf.f32()[o * in + i]);
        const size_t at = size_t(t * out + o);
        ASSERT_NEAR(packed[at], widened[at], testing::dot_disagreement(in, abs_sum))
            << dtype_name(type) << " y[" << t << ", " << o << "]";
      }
  }
}

TEST_F(PackedPath, OnlyOnTheOneDnnBackend) {
  set_prefill_gemm(PrefillGemm::Packed);
  EXPECT_TRUE(linear_packs());
  set_gemm_backend(GemmBackend::OpenBlas);
  EXPECT_FALSE(linear_packs());
  set_prefill_gemm(PrefillGemm::Widened);
  EXPECT_FALSE(linear_packs());
}

TEST_F(PackedPath, TheEnvironmentChoosesAndABadValueIsRefused) {
  const char* before = std::getenv("MASSACT_PREFILL_GEMM");
  const std::string saved = before == nullptr ? "" : before;
  setenv("MASSACT_PREFILL_GEMM", "packed", 1);
  EXPECT_EQ(default_prefill_gemm(), PrefillGemm::Packed);
  setenv("MASSACT_PREFILL_GEMM", "widened", 1);
  EXPECT_EQ(default_prefill_gemm(), PrefillGemm::Widened);
  setenv("MASSACT_PREFILL_GEMM", "fast", 1);
  try {
    default_prefill_gemm();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "environment variable MASSACT_PREFILL_GEMM: expected widened or packed, got "
                 "'fast'");
  }
  if (before == nullptr)
    unsetenv("MASSACT_PREFILL_GEMM");
  else
    setenv("MASSACT_PREFILL_GEMM", saved.c_str(), 1);
}

}  // namespace
}  // namespace massact
