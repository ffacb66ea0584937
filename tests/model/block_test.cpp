// The block recipes (block.h): what each layout records is what the loader loads and the hooks
// fire, so the record is pinned here layout by layout; the fixtures' parity tests pin the numbers.
#include "model/block.h"

#include <gtest/gtest.h>

namespace massact {
namespace {

ModelSpec spec_with(BlockLayout layout) {
  ModelSpec s;
  s.layout = layout;
  s.positions = Positions::Rope;
  return s;
}

TEST(BlockRecipes, EachLayoutUsesItsNorms) {
  using N = BlockNorm;
  const std::vector<std::pair<BlockLayout, std::vector<N>>> cases = {
      {BlockLayout::PreNorm, {N::Attn, N::Mlp}},
      {BlockLayout::PreNormLayerScale, {N::Attn, N::Mlp}},
      {BlockLayout::PostNorm, {N::Attn, N::Mlp}},
      {BlockLayout::Sandwich, {N::Attn, N::PostAttn, N::Mlp, N::PostMlp}},
      {BlockLayout::OutputNorm, {N::PostAttn, N::PostMlp}},
      {BlockLayout::ParallelOneNorm, {N::Attn}},
      {BlockLayout::ParallelTwoNorms, {N::Attn, N::Mlp}}};
  for (const auto& [layout, norms] : cases)
    EXPECT_EQ(plan_block(spec_with(layout)).norms, norms) << int(layout);
}

// Only DINOv2's layout scales its sublayers' outputs, attention's first; the loader loads exactly
// these (d_model,) weights.
TEST(BlockRecipes, OnlyTheLayerScaleLayoutUsesLayerScales) {
  EXPECT_EQ(plan_block(spec_with(BlockLayout::PreNormLayerScale)).scales,
            (std::vector<BlockScale>{BlockScale::Attn, BlockScale::Mlp}));
  for (BlockLayout layout :
       {BlockLayout::PreNorm, BlockLayout::PostNorm, BlockLayout::Sandwich, BlockLayout::OutputNorm,
        BlockLayout::ParallelOneNorm, BlockLayout::ParallelTwoNorms})
    EXPECT_TRUE(plan_block(spec_with(layout)).scales.empty()) << int(layout);
}

// Sequential layouts have a resid_mid between the sublayers; parallel ones do not. Every block
// starts at resid_pre and ends at resid_post, with the attention's points before the MLP's.
TEST(BlockRecipes, PointsInFiringOrder) {
  using P = HookPoint;
  const std::vector<P> sequential = {
      P::ResidPre, P::Q, P::K,       P::V,        P::RotQ,    P::RotK,   P::AttnScores,
      P::Pattern,  P::Z, P::AttnOut, P::ResidMid, P::MlpPost, P::MlpOut, P::ResidPost};
  std::vector<P> parallel = sequential;
  parallel.erase(parallel.begin() + 10);  // no ResidMid
  for (BlockLayout layout : {BlockLayout::PreNorm, BlockLayout::PreNormLayerScale,
                             BlockLayout::PostNorm, BlockLayout::Sandwich, BlockLayout::OutputNorm})
    EXPECT_EQ(plan_block(spec_with(layout)).points, sequential) << int(layout);
  for (BlockLayout layout : {BlockLayout::ParallelOneNorm, BlockLayout::ParallelTwoNorms})
    EXPECT_EQ(plan_block(spec_with(layout)).points, parallel) << int(layout);

  ModelSpec moe = spec_with(BlockLayout::PreNorm);
  moe.n_experts = 4;
  moe.positions = Positions::Alibi;
  const std::vector<P> moe_points = {
      P::ResidPre,     P::Q,      P::K,        P::V,        P::AttnScores,
      P::Pattern,      P::Z,      P::AttnOut,  P::ResidMid, P::RouterLogits,
      P::ExpertChoice, P::MlpOut, P::ResidPost};
  EXPECT_EQ(plan_block(moe).points, moe_points);
}

}  // namespace
}  // namespace massact
