// linear() widens non-f32 weights a panel of rows at a time; the panels must tile the output
// exactly, whatever the dtype and wherever the panel boundaries fall.
#include "kernels/linear.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/dtype.h"
#include "float_bounds.h"

namespace massact {
namespace {

// A (rows, cols) bf16 weight with random values, and the same values as f32.
std::pair<Tensor, Tensor> random_weight(int64_t rows, int64_t cols, uint64_t seed) {
  Tensor bf16 = Tensor::zeros(DType::BF16, {rows, cols});
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  auto* bits = static_cast<uint16_t*>(bf16.raw_mut());
  for (int64_t i = 0; i < bf16.numel(); ++i) bits[i] = f32_to_bf16(normal(rng));
  return {bf16, bf16.to_f32()};
}

TEST(Linear, WidenedPanelsGiveTheProductOfTheWholeMatrix) {
  // in = 8 makes a panel kScratchFloats / 8 rows long; 2.5 panels put the last boundary mid-way.
  constexpr int64_t T = 3, in = 8;
  const int64_t out = kScratchFloats / in * 5 / 2;
  const auto [bf16, f32] = random_weight(out, in, 7);
  Tensor bias = Tensor::zeros(DType::F32, {out});
  for (int64_t o = 0; o < out; ++o) bias.f32()[o] = float(o % 13) - 6.0f;
  std::vector<float> x(T * in);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(float(i));

  std::vector<float> widened(size_t(T * out)), direct(size_t(T * out));
  WeightScratch scratch;
  linear(x.data(), T, bf16, bias, widened.data(), scratch);
  linear(x.data(), T, f32, bias, direct.data(), scratch);
  // Same numbers through the same BLAS in other GEMM shapes: apart by at most the rounding of two
  // summation orders, and a panel written to the wrong columns would be off by O(1).
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < out; ++o) {
      double abs_sum = std::fabs(bias.f32()[o]);
      for (int64_t i = 0; i < in; ++i)
        abs_sum += std::fabs(x[size_t(t * in + i)] * f32.f32()[o * in + i]);
      const size_t at = size_t(t * out + o);
      ASSERT_NEAR(widened[at], direct[at], testing::dot_disagreement(in, abs_sum))
          << "row " << t << " column " << o;
    }
}

TEST(Linear, RowsOfAWidenedWeightAreThoseAsked) {
  const auto [bf16, f32] = random_weight(10, 4, 3);
  WeightScratch scratch;
  const float* rows = scratch.rows_f32(bf16, 6, 9);
  for (int64_t i = 0; i < 3 * 4; ++i) EXPECT_EQ(rows[i], f32.f32()[6 * 4 + i]);
  EXPECT_EQ(scratch.rows_f32(f32, 2, 3), f32.f32() + 2 * 4);  // f32: the tensor's own memory
}

// x W^T + b by the definition, in double, and the bound on how far an f32 product may be from it.
struct Exact {
  std::vector<double> value, bound;
};
Exact exact_linear(const std::vector<float>& x, int64_t T, const Tensor& w, const Tensor& b) {
  const int64_t out = w.dim(0), in = w.dim(1);
  Exact e{std::vector<double>(size_t(T * out)), std::vector<double>(size_t(T * out))};
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < out; ++o) {
      double sum = b.f32()[o], abs_sum = std::fabs(b.f32()[o]);
      for (int64_t i = 0; i < in; ++i) {
        const double p = double(x[size_t(t * in + i)]) * w.f32()[o * in + i];
        sum += p;
        abs_sum += std::fabs(p);
      }
      e.value[size_t(t * out + o)] = sum;
      e.bound[size_t(t * out + o)] = testing::dot_disagreement(in, abs_sum);
    }
  return e;
}

TEST(Linear, GroupOfWidenedWeightsGivesEachPartsProduct) {
  // Three bf16 weights of different widths (q, k, v) and more rows of x than the matrix-vector
  // path takes: each part's product, with its own bias, lands in its own y.
  constexpr int64_t T = 11, in = 16;
  const int64_t outs[] = {24, 8, 8};
  std::vector<std::pair<Tensor, Tensor>> weights;
  std::vector<Tensor> biases;
  for (int64_t p = 0; p < 3; ++p) {
    weights.push_back(random_weight(outs[p], in, 20 + uint64_t(p)));
    biases.push_back(Tensor::zeros(DType::F32, {outs[p]}));
    for (int64_t o = 0; o < outs[p]; ++o) biases.back().f32()[o] = float(p * 10 + o % 5);
  }
  std::vector<float> x(T * in);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(float(i) * 0.37f);

  std::vector<std::vector<float>> y;
  for (int64_t out : outs) y.emplace_back(size_t(T * out), -1.0f);
  WeightScratch scratch;
  linear_group(x.data(), T,
               {{&weights[0].first, &biases[0], y[0].data()},
                {&weights[1].first, &biases[1], y[1].data()},
                {&weights[2].first, &biases[2], y[2].data()}},
               scratch);
  for (size_t p = 0; p < 3; ++p) {
    const Exact e = exact_linear(x, T, weights[p].second, biases[p]);
    for (size_t i = 0; i < e.value.size(); ++i)
      ASSERT_NEAR(y[p][i], e.value[i], e.bound[i]) << "part " << p << " element " << i;
  }
}

TEST(Linear, TallyCountsEachCallAndItsMultiplyAddsOnce) {
  const auto [bf16, f32] = random_weight(5, 4, 9);
  const Tensor none;
  std::vector<float> x(3 * 4, 0.5f), y(3 * 5), z(3 * 5);
  WeightScratch scratch;
  reset_linear_tally();
  linear(x.data(), 3, f32, none, y.data(), scratch);
  linear_group(x.data(), 3, {{&bf16, &none, y.data()}, {&f32, &none, z.data()}}, scratch);
  const LinearTally tally = linear_tally();
  EXPECT_EQ(tally.calls, 2);
  EXPECT_EQ(tally.multiply_adds, 3 * 5 * 4 + 2 * (3 * 5 * 4));
  reset_linear_tally();
  EXPECT_EQ(linear_tally().calls, 0);
}

}  // namespace
}  // namespace massact
