// Massive activations apart from outlier features (analysis/outlier_features.h), on the planted
// model with an outlier feature (planted_model.h): dim kOutlierDim is over the criterion on every
// token from layer 0 on, the massive activations (BOS and ".") appear at layer 1. The
// classification must name the outlier feature, and every default must follow the massive
// activations; --include-outlier-features must give back the criterion alone.
#include <gtest/gtest.h>

#include "analysis/attention_mass.h"
#include "analysis/census.h"
#include "analysis/decompose.h"
#include "analysis/intervene.h"
#include "planted_model.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::PlantedModel;

class PlantedOutlier : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    planted_ =
        new PlantedModel(testing::write_planted_model(testing::temp_dir("PlantedOutlier"), true));
    model_ = new Model(Model::load(planted_->dir));
    census_ = new MassiveCensus(
        take_census(*model_, text_inputs(sequences(4)), text_of, MassiveCriterion{}));
  }
  static void TearDownTestSuite() {
    delete census_;
    delete model_;
    delete planted_;
  }

  static std::vector<TokenIds> sequences(int n) { return planted_->sequences(n); }
  static std::string text_of(int32_t id) { return planted_->text_of(id); }
  static MassiveKinds kinds(bool include = false) {
    return census_->kinds(OutlierFeatureRule{0.5, include});
  }

  static PlantedModel* planted_;
  static Model* model_;
  static MassiveCensus* census_;
};
PlantedModel* PlantedOutlier::planted_ = nullptr;
Model* PlantedOutlier::model_ = nullptr;
MassiveCensus* PlantedOutlier::census_ = nullptr;

TEST_F(PlantedOutlier, TheOutlierFeatureIsClassifiedAsSuch) {
  const FeatureShares shares = census_->feature_shares();
  // The outlier dim is flagged on every non-first token of every layer; the massive dim on the
  // two "." of each 39 non-first tokens, from layer 1 on.
  for (int layer = 0; layer < 3; ++layer)
    EXPECT_DOUBLE_EQ(shares.at({layer, PlantedModel::kOutlierDim}), 1.0) << "layer " << layer;
  EXPECT_EQ(shares.count({0, PlantedModel::kDim}), 0u);
  for (int layer = 1; layer < 3; ++layer)
    EXPECT_DOUBLE_EQ(shares.at({layer, PlantedModel::kDim}), 2.0 / 39.0) << "layer " << layer;
  EXPECT_EQ(kinds().outlier_dims(), (std::set<int64_t>{PlantedModel::kOutlierDim}));
  EXPECT_FALSE(kinds().counts(PlantedModel::kOutlierDim));
  EXPECT_TRUE(kinds().counts(PlantedModel::kDim));
  EXPECT_TRUE(kinds(true).counts(PlantedModel::kOutlierDim));
  // The threshold is a share: above the outlier's 1.0, nothing is an outlier feature; below the
  // delimiters' 2/39, the massive dim would be one too.
  EXPECT_TRUE(census_->kinds({1.0, false}).outlier_dims().empty());
  EXPECT_EQ(census_->kinds({0.01, false}).outlier_dims().size(), 2u);
}

TEST_F(PlantedOutlier, EveryDefaultLayerFollowsTheMassiveActivations) {
  EXPECT_EQ(census_->first_layer(kinds()), planted_->massive_layer);
  EXPECT_EQ(census_->last_layer(kinds()), 2);
  EXPECT_EQ(default_output_layer(*census_, kinds()), 1);
  EXPECT_EQ(default_attention_layer(*census_, kinds(), 3), 2);
  // The criterion alone finds the outlier feature first.
  EXPECT_EQ(census_->first_layer(kinds(true)), 0);
  EXPECT_EQ(default_output_layer(*census_, kinds(true)), 0);
  EXPECT_EQ(default_attention_layer(*census_, kinds(true), 3), 1);
  // Calibration means carry the shares, so a means file gives the same answer.
  const MassiveMeans means = MassiveMeans::from_census(*census_);
  EXPECT_EQ(means.first_layer(means.kinds(OutlierFeatureRule{})), 1);
  EXPECT_EQ(means.first_layer(means.kinds({0.5, true})), 0);
}

TEST_F(PlantedOutlier, AttentionSetCHoldsOnlyTheMassiveTokens) {
  AttentionMassResult r = measure_attention_mass(*model_, text_inputs(sequences(2)), text_of,
                                                 MassiveCriterion{}, kinds(), 8, 40);
  EXPECT_EQ(r.heatmap.massive_tokens, (std::vector<int64_t>{0, 9, 25}));
  // Layer 1 reads layer 0's output, which holds only the outlier feature: C is empty there.
  for (const auto& head : r.layers[1]) EXPECT_EQ(head.on_massive.mean(), 0.0);
  for (const auto& head : r.layers[2]) EXPECT_GT(head.on_massive.mean(), 0.0);
  // With the outlier feature counted, every token is in C.
  AttentionMassResult all = measure_attention_mass(*model_, text_inputs(sequences(1)), text_of,
                                                   MassiveCriterion{}, kinds(true), 8, 40);
  EXPECT_EQ(all.heatmap.massive_tokens.size(), 40u);
  for (const auto& head : all.layers[1]) EXPECT_NEAR(head.on_massive.mean(), 1.0, 1e-5);
}

TEST_F(PlantedOutlier, DecompositionAtTheDefaultLayerSeesTheMassiveTokens) {
  const int layer = default_attention_layer(*census_, kinds(), 3);
  Decomposition d = decompose_value_updates(*model_, text_inputs(sequences(2)), layer,
                                            MassiveCriterion{}, kinds(), 8);
  EXPECT_EQ(d.sequences_with_massive, 2);
  Decomposition before = decompose_value_updates(*model_, text_inputs(sequences(2)), layer - 1,
                                                 MassiveCriterion{}, kinds(), 8);
  EXPECT_EQ(before.sequences_with_massive, 0);
}

TEST_F(PlantedOutlier, InterventionEditsTheMassiveActivationsOnly) {
  const MassiveMeans means = MassiveMeans::from_census(*census_);
  TokenIds text;
  for (const auto& s : sequences(3)) text.insert(text.end(), s.begin(), s.end());
  const PerplexityProtocol protocol{40, 0, "planted", std::nullopt};
  auto run = [&](const MassiveKinds& k) {
    return perplexity_with_intervention(
        *model_, text, protocol, {1, Intervention::Zero, MassiveCriterion{}, &means, k}, text_of);
  };
  const InterventionResult massive_only = run(kinds());
  EXPECT_EQ(massive_only.edited, 3 * 3);  // BOS and two "." in each of three windows
  EXPECT_EQ(massive_only.outlier_features_left, 3 * 40);
  const InterventionResult criterion_alone = run(kinds(true));
  EXPECT_EQ(criterion_alone.edited, 3 * 3 + 3 * 40);
  EXPECT_EQ(criterion_alone.outlier_features_left, 0);
}

}  // namespace
}  // namespace massact
