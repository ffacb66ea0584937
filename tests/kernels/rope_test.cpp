// RoPE tables: interleaved pairs (2j, 2j + 1), as Cohere and GPT-J rotate, are the rotate-half
// pairs (j, j + dims/2) of LLaMA with a head's dimensions reordered, and LongRoPE (Phi-3) picks its
// short or long factors by the length of the sequence the table serves and scales cos and sin by
// its attention factor.
#include "kernels/rope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace massact {
namespace {

// The same products and sums make the two pairings agree bit for bit.
TEST(Rope, InterleavedPairsAreRotateHalfOnReorderedDimensions) {
  const int64_t T = 5, heads = 3, hd = 8, dims = 6;  // partial: the last 2 dimensions pass through
  RopeSpec halves;
  halves.theta = 100.0;
  halves.dims = dims;
  RopeSpec pairs = halves;
  pairs.interleaved = true;
  // Interleaved dimension 2j is rotate-half dimension j, 2j + 1 is j + dims/2; the rest stay.
  std::vector<int64_t> as_halves(static_cast<size_t>(hd));
  for (int64_t j = 0; j < dims / 2; ++j) {
    as_halves[size_t(2 * j)] = j;
    as_halves[size_t(2 * j + 1)] = j + dims / 2;
  }
  for (int64_t i = dims; i < hd; ++i) as_halves[size_t(i)] = i;

  std::vector<float> x(size_t(T * heads * hd)), y(x.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = float(int(i * 7 % 23) - 11) / 8.0f;
  for (int64_t row = 0; row < T * heads; ++row)
    for (int64_t i = 0; i < hd; ++i)
      y[size_t(row * hd + as_halves[size_t(i)])] = x[size_t(row * hd + i)];
  RopeTable(pairs, T, 3).apply(x.data(), T, heads, hd);
  RopeTable(halves, T, 3).apply(y.data(), T, heads, hd);
  for (int64_t row = 0; row < T * heads; ++row)
    for (int64_t i = 0; i < hd; ++i)
      ASSERT_EQ(x[size_t(row * hd + i)], y[size_t(row * hd + as_halves[size_t(i)])])
          << "row " << row << " dimension " << i;
  // And the rotation did something: position 3 onward turns every rotary pair.
  EXPECT_NE(x[0], float(int(0) - 11) / 8.0f);
}

RopeSpec longrope() {
  RopeSpec r;
  r.theta = 10000.0;
  r.dims = 4;
  r.scaling = RopeScaling::LongRope;
  r.original_max_positions = 8;
  r.short_factors = {1.0f, 2.0f};
  r.long_factors = {3.0f, 5.0f};
  r.attention_factor = 1.5f;
  return r;
}

// inv_freq[j] = 1 / (factor[j] * theta^(2j / dims)), each a few float32 roundings away from the
// exact value: a relative bound of 8 ulp (2^-20) covers them and tells the two lists apart.
TEST(Rope, LongRopeFactorsFollowTheSequenceLength) {
  const RopeSpec r = longrope();
  for (const int64_t length : {int64_t(8), int64_t(9)}) {
    const std::vector<float>& factors = length > 8 ? r.long_factors : r.short_factors;
    const std::vector<float> inv = rope_inverse_frequencies(r, length);
    ASSERT_EQ(inv.size(), 2u);
    for (size_t j = 0; j < 2; ++j) {
      const double want = 1.0 / (factors[j] * std::pow(10000.0, 2.0 * double(j) / 4.0));
      EXPECT_NEAR(inv[j], want, want * std::ldexp(1.0, -20)) << "length " << length << " j " << j;
    }
  }
}

// A table for positions 6..8 serves a sequence of 9 tokens: the long factors, for every row; the
// pair (1, 0) turns into 1.5 (cos a, sin a), within float32 rounding of cos, sin and the products
// (a few ulp of 1.5, far under 1e-6).
TEST(Rope, LongRopeTableUsesTheLongFactorsAndScales) {
  const RopeSpec r = longrope();
  const RopeTable table(r, 3, 6);
  const std::vector<float> inv = rope_inverse_frequencies(r, 9);
  float x[3][4] = {};  // (T = 3, 1 head, 4 dims); dimension 0 pairs with dimension 2
  for (auto& row : x) row[0] = 1.0f;
  table.apply(&x[0][0], 3, 1, 4);
  for (int64_t t = 0; t < 3; ++t) {
    const double angle = double(float(6 + t) * inv[0]);
    EXPECT_NEAR(x[t][0], 1.5 * std::cos(angle), 1e-6) << t;
    EXPECT_NEAR(x[t][2], 1.5 * std::sin(angle), 1e-6) << t;
    EXPECT_EQ(x[t][1], 0.0f);
    EXPECT_EQ(x[t][3], 0.0f);
  }
}

}  // namespace
}  // namespace massact
