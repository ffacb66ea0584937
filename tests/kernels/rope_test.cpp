// RoPE's two pairings: interleaved pairs (2j, 2j + 1), as Cohere and GPT-J rotate, are the
// rotate-half pairs (j, j + dims/2) of LLaMA with a head's dimensions reordered; the same products
// and sums make the two agree bit for bit.
#include "kernels/rope.h"

#include <gtest/gtest.h>

#include <vector>

namespace massact {
namespace {

TEST(Rope, InterleavedPairsAreRotateHalfOnReorderedDimensions) {
  const int64_t T = 5, heads = 3, hd = 8, dims = 6;  // partial: the last 2 dimensions pass through
  RopeSpec halves{.theta = 100.0, .dims = dims};
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

}  // namespace
}  // namespace massact
