// exp_shifted's exponentials are within the header's derived bound of the exact ones over the
// whole range a softmax feeds them, 0 below it; row_max and the returned sum are what they say.
#include "kernels/softmax_exp.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "float_bounds.h"

namespace massact {
namespace {

TEST(SoftmaxExp, EveryExponentialIsWithinTheDerivedBound) {
  // A dense sweep of [-87, 0] (every reduction interval and its ends), the points where n changes,
  // and 0 and the smallest magnitudes.
  std::vector<float> x;
  for (int i = 0; i <= 2'000'000; ++i) x.push_back(-87.0f * float(i) / 2'000'000.0f);
  for (int n = 0; n <= 125; ++n) {
    const float edge = -(float(n) + 0.5f) * 0.693147181f;
    for (float at : {std::nextafter(edge, 0.0f), edge, std::nextafter(edge, -1.0f)})
      x.push_back(at);
  }
  for (float tiny : {-1e-30f, -1e-7f, -0.0f}) x.push_back(tiny);
  std::vector<float> out(x.size());
  exp_shifted(x.data(), int64_t(x.size()), 0.0f, out.data());
  double worst = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double want = std::exp(double(x[i]));
    worst = std::max(worst, std::fabs(out[i] - want) / want);
    ASSERT_LE(std::fabs(out[i] - want), kSoftmaxExpError * want) << "x = " << x[i];
  }
  EXPECT_GT(worst, 0.0);  // the sweep did reach inexact results
}

TEST(SoftmaxExp, ShiftsByTheMaximumAndFlushesBelowTheRange) {
  const float m = 3.5f;
  const std::vector<float> x = {3.5f, 2.0f, -80.0f, -83.6f, -84.0f, -200.0f};
  std::vector<float> out(x.size());
  exp_shifted(x.data(), int64_t(x.size()), m, out.data());
  for (size_t i = 0; i < x.size(); ++i) {
    const float shifted = x[i] - m;
    if (shifted < -87.0f) {
      EXPECT_EQ(out[i], 0.0f) << x[i];
      continue;
    }
    const double want = std::exp(double(shifted));
    EXPECT_LE(std::fabs(out[i] - want), kSoftmaxExpError * want) << x[i];
  }
  EXPECT_EQ(out[0], 1.0f);  // exp(0)
}

TEST(SoftmaxExp, ANanScoreIsNotHidden) {
  const std::vector<float> x = {0.0f, std::nanf(""), -1.0f};
  std::vector<float> out(x.size());
  const float sum = exp_shifted(x.data(), int64_t(x.size()), 0.0f, out.data());
  EXPECT_TRUE(std::isnan(out[1]));
  EXPECT_TRUE(std::isnan(sum));
  EXPECT_EQ(out[0], 1.0f);
}

TEST(SoftmaxExp, SumAndMaximumOfARow) {
  std::mt19937 gen(3);
  std::normal_distribution<float> normal(0.0f, 4.0f);
  for (int64_t n : {1, 7, 16, 33, 1000}) {
    std::vector<float> x(static_cast<size_t>(n)), out;
    for (float& v : x) v = normal(gen);
    const float m = row_max(x.data(), n);
    EXPECT_EQ(m, *std::max_element(x.begin(), x.end())) << n;
    // In place, as the streamed attention calls it.
    out = x;
    const float sum = exp_shifted(out.data(), n, m, out.data());
    double exact = 0.0;
    for (float v : out) exact += v;
    // The outputs are positive: any order of n - 1 additions is within gamma(n - 1) of the sum.
    EXPECT_NEAR(sum, exact, testing::gamma_f32(n) * exact) << n;
  }
}

}  // namespace
}  // namespace massact
