#include "analysis/scan.h"

#include <gtest/gtest.h>

#include <cmath>

namespace massact {
namespace {

// A (T, d) layer output of small values with planted large ones.
Tensor layer_output(int64_t T, int64_t d,
                    std::vector<std::tuple<int64_t, int64_t, float>> planted) {
  Tensor x = Tensor::zeros(DType::F32, {T, d});
  for (int64_t i = 0; i < T * d; ++i) x.f32()[i] = (i % 7 - 3) * 0.05f;  // |x| <= 0.15, median 0.1
  for (auto [t, j, v] : planted) x.f32()[t * d + j] = v;
  return x;
}

TEST(Scan, FindsExactlyThePlantedActivations) {
  ScanResult r;
  scan_layer(layer_output(16, 64, {{0, 7, 500.0f}, {5, 7, -800.0f}, {5, 30, 90.0f}}), 2, r);
  ASSERT_EQ(r.massive.size(), 2u);  // 90 is below the magnitude floor of 100
  EXPECT_EQ(r.massive[0].layer, 2);
  EXPECT_EQ(r.massive[0].token, 0);
  EXPECT_EQ(r.massive[0].dim, 7);
  EXPECT_FLOAT_EQ(r.massive[0].value, 500.0f);
  EXPECT_EQ(r.massive[1].token, 5);
  EXPECT_FLOAT_EQ(r.massive[1].value, -800.0f);
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_FLOAT_EQ(r.layers[0].median_abs, 0.1f);
  EXPECT_NEAR(r.massive[1].ratio, 8000.0, 1e-2);
  EXPECT_EQ(r.layers[0].max_token, 5);
  EXPECT_EQ(r.layers[0].max_dim, 7);
}

// Large but not 1000x the median: the ratio half of the criterion rejects it.
TEST(Scan, RatioCriterionRejectsLargeValuesInALoudLayer) {
  ScanResult r;
  Tensor x = layer_output(8, 32, {{1, 3, 150.0f}});
  for (int64_t i = 0; i < x.numel(); ++i)
    if (x.f32()[i] != 150.0f) x.f32()[i] = 1.0f;  // median 1: 150 is only 150x
  scan_layer(x, 0, r);
  EXPECT_TRUE(r.massive.empty());
  r = ScanResult{};
  r.criterion.min_ratio = 100;
  scan_layer(x, 0, r);
  EXPECT_EQ(r.massive.size(), 1u);
}

TEST(Scan, ObserverScansEveryLayerOutput) {
  Hooks hooks;
  MassiveScan scan(MassiveCriterion{});
  scan.attach(hooks);
  hooks.bind(3);
  for (int layer = 0; layer < 3; ++layer) {
    Tensor x = layer_output(4, 16, {{0, 1, layer == 1 ? 1000.0f : 1.0f}});
    EXPECT_FALSE(hooks.wants(HookPoint::ResidMid, layer));
    ASSERT_TRUE(hooks.wants(HookPoint::ResidPost, layer));
    hooks.fire(HookPoint::ResidPost, layer, x);
  }
  EXPECT_EQ(scan.result().layers.size(), 3u);
  ASSERT_EQ(scan.result().massive.size(), 1u);
  EXPECT_EQ(scan.result().massive[0].layer, 1);
}

// NaN or inf (an overflowing model) is counted, not silently folded into the median or the rows.
TEST(Scan, NonFiniteValuesAreCountedAndLeftOut) {
  ScanResult r;
  Tensor x = layer_output(8, 32, {{0, 1, 700.0f}, {2, 2, NAN}, {3, 3, INFINITY}});
  scan_layer(x, 0, r);
  EXPECT_EQ(r.layers[0].non_finite, 2);
  EXPECT_FLOAT_EQ(r.layers[0].max_abs, 700.0f);
  ASSERT_EQ(r.massive.size(), 1u);
  EXPECT_EQ(r.massive[0].token, 0);
}

}  // namespace
}  // namespace massact
