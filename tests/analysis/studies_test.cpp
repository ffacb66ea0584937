// Every study on a model with known, planted massive activations (planted_model.h): each must find
// exactly what was planted, and the interventions must behave as the paper says they do.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "analysis/attention_mass.h"
#include "analysis/census.h"
#include "analysis/decompose.h"
#include "analysis/intervene.h"
#include "analysis/massive_tokens.h"
#include "analysis/profile.h"
#include "analysis/sequences.h"
#include "core/error.h"
#include "planted_model.h"
#include "test_paths.h"

namespace massact {
namespace {

class PlantedStudies : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    planted_ = new testing::PlantedModel(
        testing::write_planted_model(testing::temp_dir("PlantedStudies")));
    model_ = new Model(Model::load(planted_->dir));
  }
  static void TearDownTestSuite() {
    delete model_;
    delete planted_;
  }

  static std::vector<TokenIds> sequences(int n) { return planted_->sequences(n); }
  static std::string text_of(int32_t id) { return planted_->text_of(id); }

  static testing::PlantedModel* planted_;
  static Model* model_;
};
testing::PlantedModel* PlantedStudies::planted_ = nullptr;
Model* PlantedStudies::model_ = nullptr;

TEST_F(PlantedStudies, ScanFindsExactlyThePlantedActivations) {
  const TokenIds ids = sequences(1)[0];
  Hooks hooks;
  MassiveScan scan(MassiveCriterion{});
  scan.attach(hooks);
  model_->forward(ids, hooks, LogitRows::None);
  std::set<std::tuple<int, int64_t, int64_t>> found, planted;
  for (const auto& a : scan.result().massive) found.insert({a.layer, a.token, a.dim});
  for (int layer = 0; layer < 3; ++layer)
    for (int64_t t = 0; t < int64_t(ids.size()); ++t)
      if (ids[size_t(t)] == planted_->bos || ids[size_t(t)] == planted_->period)
        planted.insert({layer, t, testing::PlantedModel::kDim});
  EXPECT_EQ(found, planted);
  // Layer 0's output holds exactly the values the weights imply.
  for (const auto& a : scan.result().massive) {
    if (a.layer == 0) {
      EXPECT_NEAR(a.value, a.token == 0 ? planted_->bos_value : planted_->period_value, 1e-2);
    }
  }
}

TEST_F(PlantedStudies, CensusGroupsByRoleAndStatsReturnThePlantedValues) {
  MassiveCensus census =
      take_census(*model_, text_inputs(sequences(6)), text_of, MassiveCriterion{});
  const MassiveKinds kinds = census.kinds(OutlierFeatureRule{});
  EXPECT_TRUE(kinds.outlier_dims().empty());  // two "." in 39 tokens: a few tokens, not most
  EXPECT_EQ(census.first_layer(kinds), 0);
  EXPECT_EQ(census.last_layer(kinds), 2);
  const auto& e = census.entries();
  const MassiveEntry& first = e.at({0, testing::PlantedModel::kDim, TokenRole::First});
  const MassiveEntry& first_delim =
      e.at({0, testing::PlantedModel::kDim, TokenRole::FirstDelimiter});
  const MassiveEntry& later_delim = e.at({0, testing::PlantedModel::kDim, TokenRole::Delimiter});
  EXPECT_EQ(first.sequences, 6);
  EXPECT_EQ(first_delim.sequences, 6);
  EXPECT_EQ(later_delim.sequences, 6);
  // Input-agnostic by construction: the same value in every sequence.
  EXPECT_NEAR(first.values.mean(), planted_->bos_value, 1e-2);
  EXPECT_NEAR(first.values.stddev(), 0.0, 1e-3);
  EXPECT_NEAR(first_delim.values.mean(), planted_->period_value, 1e-2);
  EXPECT_EQ(e.size(), 3u * 3u);  // three roles in each of the three layers, one dim
}

TEST_F(PlantedStudies, ProfileRanksThePlantedValuesFirst) {
  MassiveCensus census;
  MagnitudeProfile profile = profile_magnitudes(*model_, text_inputs(sequences(4)), text_of, 5,
                                                MassiveCriterion{}, census);
  const LayerProfile& layer0 = profile.layers()[0];
  const float big = std::max(std::fabs(planted_->bos_value), std::fabs(planted_->period_value));
  EXPECT_NEAR(layer0.top[0].magnitude.mean(), big, 1e-2);
  // Three planted activations per sequence (BOS, two "."), then a cliff down to ordinary values.
  EXPECT_GT(layer0.top[2].magnitude.mean(), 100.0);
  EXPECT_LT(layer0.top[3].magnitude.mean(), 10.0);
  EXPECT_LT(layer0.median.mean(), 1.0);
  EXPECT_EQ(census.first_layer(census.kinds(OutlierFeatureRule{})), 0);
}

TEST_F(PlantedStudies, ZeroingHurtsAndSettingToTheMeanRestores) {
  MassiveCensus census =
      take_census(*model_, text_inputs(sequences(4)), text_of, MassiveCriterion{});
  MassiveMeans means = MassiveMeans::from_census(census);
  TokenIds text;
  for (const auto& s : sequences(6)) text.insert(text.end(), s.begin(), s.end());
  PerplexityProtocol protocol{40, 0, "planted", std::nullopt};
  auto run = [&](Intervention mode) {
    return perplexity_with_intervention(*model_, text, protocol,
                                        {0, mode, MassiveCriterion{}, &means, {}}, text_of);
  };
  InterventionResult original = run(Intervention::None), zero = run(Intervention::Zero),
                     mean = run(Intervention::Mean);
  EXPECT_EQ(original.edited, 0);
  EXPECT_EQ(zero.edited, 6 * 3);  // BOS and two "." in each of six windows
  EXPECT_EQ(mean.edited, 6 * 3);
  EXPECT_GT(std::fabs(zero.perplexity.mean_nll - original.perplexity.mean_nll), 1e-3);
  EXPECT_NEAR(mean.perplexity.mean_nll, original.perplexity.mean_nll, 1e-6);
}

// Calibration on sequences with one "." each has no mean for the role "delimiter" (a later "."):
// such activations are left as they were and counted per (layer, dim, role), not given the mean
// of another role.
TEST_F(PlantedStudies, ARoleWithoutACalibrationMeanIsReportedNotReplaced) {
  std::vector<TokenIds> calibration = sequences(4);
  for (auto& s : calibration) s[25] = 10;  // keep only the first "."
  MassiveMeans means = MassiveMeans::from_census(
      take_census(*model_, text_inputs(calibration), text_of, MassiveCriterion{}));
  ASSERT_FALSE(means.lookup(0, testing::PlantedModel::kDim, TokenRole::Delimiter).has_value());
  TokenIds text;
  for (const auto& s : sequences(6)) text.insert(text.end(), s.begin(), s.end());
  PerplexityProtocol protocol{40, 0, "planted", std::nullopt};
  auto run = [&](Intervention mode) {
    return perplexity_with_intervention(*model_, text, protocol,
                                        {0, mode, MassiveCriterion{}, &means, {}}, text_of);
  };
  const InterventionResult original = run(Intervention::None), mean = run(Intervention::Mean);
  EXPECT_EQ(mean.edited, 6 * 2);  // BOS and the first "." of each window
  const std::map<MassiveKey, int64_t> left{
      {{0, testing::PlantedModel::kDim, TokenRole::Delimiter}, 6}};
  EXPECT_EQ(mean.without_mean, left);
  EXPECT_EQ(mean.left_without_mean(), 6);
  // The edited ones get their own role's mean, which is their value (input-agnostic), and the
  // left ones keep theirs: the model is unchanged up to the float32 rounding of the mean.
  EXPECT_NEAR(mean.perplexity.mean_nll, original.perplexity.mean_nll, 1e-6);
}

TEST_F(PlantedStudies, MeansFileRoundTrips) {
  MassiveMeans means = MassiveMeans::from_census(
      take_census(*model_, text_inputs(sequences(3)), text_of, MassiveCriterion{}));
  const std::string path = testing::temp_dir() + "/means.json";
  std::ofstream(path) << means.to_json().dump();
  MassiveMeans back = MassiveMeans::read(path);
  EXPECT_NEAR(*back.lookup(0, testing::PlantedModel::kDim, TokenRole::First), planted_->bos_value,
              1e-2);
  // A role never massive there has no mean: no other role's mean stands in for it.
  EXPECT_FALSE(back.lookup(0, testing::PlantedModel::kDim, TokenRole::Word).has_value());
  EXPECT_FALSE(back.lookup(0, 3, TokenRole::First).has_value());
  EXPECT_EQ(back.first_layer(back.kinds(OutlierFeatureRule{})), 0);
  EXPECT_EQ(back.feature_shares(), means.feature_shares());
}

TEST_F(PlantedStudies, AttentionMassCountsThePlantedTokens) {
  AttentionMassResult r = measure_attention_mass(*model_, text_inputs(sequences(2)), text_of,
                                                 MassiveCriterion{}, {}, 8, 12);
  EXPECT_EQ(r.heatmap.massive_tokens, (std::vector<int64_t>{0, 9, 25}));
  // Layer 0 sees no massive token yet (they appear in its output); later layers do.
  EXPECT_EQ(r.layers[0][0].on_massive.mean(), 0.0);
  for (int layer = 1; layer < 3; ++layer)
    for (const auto& head : r.layers[size_t(layer)]) {
      EXPECT_GT(head.on_massive.mean(), 0.0);
      EXPECT_NEAR(head.on_massive.mean() + head.on_rest.mean(), 1.0, 1e-5);  // token 0 is in C
    }
  ASSERT_EQ(r.heatmap.probs.size(), 3u);
  EXPECT_EQ(r.heatmap.probs[0].size(), 144u);
  EXPECT_TRUE(std::isnan(r.heatmap.logits[0][1]));  // query 0 cannot see key 1
}

TEST_F(PlantedStudies, DecompositionAndImplicitBiasTest) {
  Decomposition d =
      decompose_value_updates(*model_, text_inputs(sequences(3)), 1, MassiveCriterion{}, {}, 8);
  EXPECT_EQ(d.sequences_with_massive, 3);
  for (const auto& head : d.heads) {
    EXPECT_GT(head.units, 0);
    EXPECT_LE(head.mean_pairwise_cosine(), 1.0 + 1e-9);
    EXPECT_GT(head.norm_massive.mean(), 0.0);
  }
  TokenIds text;
  for (const auto& s : sequences(4)) text.insert(text.end(), s.begin(), s.end());
  PerplexityProtocol protocol{40, 0, "planted", std::nullopt};
  std::vector<std::vector<float>> fixed;
  for (const auto& head : d.heads) fixed.push_back(head.mean());
  auto run = [&](ValueUpdateEdit edit) {
    return perplexity_with_value_update_edit(*model_, text, protocol, 1, edit, MassiveCriterion{},
                                             {}, fixed)
        .mean_nll;
  };
  const double plain = perplexity(*model_, text, protocol, Hooks()).mean_nll;
  EXPECT_NEAR(run(ValueUpdateEdit::None), plain, 1e-12);
  EXPECT_GT(std::fabs(run(ValueUpdateEdit::Removed) - plain), 1e-4);
  EXPECT_NE(run(ValueUpdateEdit::Fixed), run(ValueUpdateEdit::Removed));
}

// With every u_C equal, the mean pairwise cosine is 1; with two opposite directions, it is below 0.
TEST(HeadUpdates, MeanPairwiseCosine) {
  HeadUpdates same;
  same.unit_sum = {3.0, 0.0};
  same.units = 3;
  EXPECT_NEAR(same.mean_pairwise_cosine(), 1.0, 1e-12);
  HeadUpdates opposite;
  opposite.unit_sum = {0.0, 0.0};  // (1,0) and (-1,0)
  opposite.units = 2;
  EXPECT_NEAR(opposite.mean_pairwise_cosine(), -1.0, 1e-12);
}

TEST(Sequences, DrawIsDeterministicAndStartsWithBos) {
  TokenIds text(1000);
  for (size_t i = 0; i < text.size(); ++i) text[i] = int32_t(i);
  auto a = draw_sequences(text, {5, 64, 7}, 1, "t"), b = draw_sequences(text, {5, 64, 7}, 1, "t");
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 5u);
  for (const auto& s : a) {
    EXPECT_EQ(s.size(), 64u);
    EXPECT_EQ(s[0], 1);
    EXPECT_EQ(s[2], s[1] + 1);  // a contiguous window of the text
  }
  EXPECT_NE(draw_sequences(text, {5, 64, 8}, 1, "t"), a);
  EXPECT_THROW(draw_sequences(text, {1, 2000, 0}, 1, "t"), InputError);
}

// C at layer l is what is massive in layer l - 1's output, not in any earlier layer.
TEST(MassiveTokens, HoldsTheTokensMassiveInThePreviousLayerOutput) {
  Hooks hooks;
  MassiveTokens massive(MassiveCriterion{}, {}, 4);
  massive.attach(hooks);
  hooks.bind(2);
  auto output_with_massive_token = [](int64_t token) {
    Tensor x = Tensor::zeros(DType::F32, {4, 8});
    std::fill(x.f32(), x.f32() + x.numel(), 0.01f);
    x.f32()[token * 8 + 3] = 500.0f;
    return x;
  };
  EXPECT_FALSE(massive.any());
  Tensor x0 = output_with_massive_token(1);
  hooks.fire(HookPoint::ResidPost, 0, x0);
  EXPECT_TRUE(massive.is_massive(1));
  Tensor x1 = output_with_massive_token(2);
  hooks.fire(HookPoint::ResidPost, 1, x1);
  EXPECT_FALSE(massive.is_massive(1));
  EXPECT_TRUE(massive.is_massive(2));
}

TEST(TokenRoles, FirstFirstDelimiterDelimiterWord) {
  auto text_of = [](int32_t id) -> std::string {
    switch (id) {
      case 1:
        return "<s>";
      case 2:
        return ".";
      case 3:
        return "\n";
      default:
        return " word";
    }
  };
  auto roles = token_roles({1, 5, 2, 5, 3, 2}, text_of);
  EXPECT_EQ(roles,
            (std::vector<TokenRole>{TokenRole::First, TokenRole::Word, TokenRole::FirstDelimiter,
                                    TokenRole::Word, TokenRole::Delimiter, TokenRole::Delimiter}));
  EXPECT_TRUE(is_delimiter_text(" ."));
  EXPECT_TRUE(is_delimiter_text("\n\n"));
  EXPECT_FALSE(is_delimiter_text(".."));
  EXPECT_FALSE(is_delimiter_text(","));
}

}  // namespace
}  // namespace massact
