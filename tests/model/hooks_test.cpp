#include "model/hooks.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

TEST(Hooks, NamesFollowTransformerLens) {
  EXPECT_EQ(hook_name(HookPoint::Embed, -1), "hook_embed");
  EXPECT_EQ(hook_name(HookPoint::ResidPost, 3), "blocks.3.hook_resid_post");
  EXPECT_EQ(hook_name(HookPoint::Pattern, 0), "blocks.0.attn.hook_pattern");
  EXPECT_EQ(hook_name(HookPoint::MlpPost, 1), "blocks.1.mlp.hook_post");
  EXPECT_EQ(hook_name(HookPoint::LnFinal, -1), "ln_final.hook_normalized");
  EXPECT_EQ(all_hook_names(2).size(), 2u + 2 * (size_t(HookPoint::Count) - 2));
}

TEST(Hooks, GlobsSelectPoints) {
  Hooks hooks;
  hooks.observe("blocks.1.*", [](const HookEvent&, const Tensor&) {});
  hooks.bind(3);
  EXPECT_TRUE(hooks.wants(HookPoint::ResidPost, 1));
  EXPECT_TRUE(hooks.wants(HookPoint::Q, 1));
  EXPECT_FALSE(hooks.wants(HookPoint::ResidPost, 0));
  EXPECT_FALSE(hooks.wants(HookPoint::Embed, -1));
}

// Every hook point fires once per layer, in forward order, with the documented shapes.
TEST(Hooks, EveryPointFiresWithItsShape) {
  Model model = Model::load(testing::fixture_dir("llama_f32"));
  const ModelSpec& s = model.spec();
  const int64_t T = 5;
  std::vector<std::string> order;
  std::map<std::string, Shape> shapes;
  Hooks hooks;
  hooks.observe("*", [&](const HookEvent& e, const Tensor& t) {
    order.push_back(e.name);
    shapes[e.name] = t.shape();
  });
  model.forward({1, 2, 3, 4, 5}, hooks, LogitRows::None);
  EXPECT_EQ(order, all_hook_names(s));
  EXPECT_EQ(shapes["hook_embed"], (Shape{T, s.d_model}));
  EXPECT_EQ(shapes["blocks.0.attn.hook_q"], (Shape{T, s.n_heads, s.head_dim}));
  EXPECT_EQ(shapes["blocks.0.attn.hook_k"], (Shape{T, s.n_kv_heads, s.head_dim}));
  EXPECT_EQ(shapes["blocks.0.attn.hook_pattern"], (Shape{s.n_heads, T, T}));
  EXPECT_EQ(shapes["blocks.0.mlp.hook_post"], (Shape{T, s.d_ff}));
  EXPECT_EQ(shapes["blocks.1.hook_resid_post"], (Shape{T, s.d_model}));
}

// An editor changes the pass: zeroing the last layer's output leaves logits equal to those of the
// final norm of zeros (the norm of zero is zero, so every logit is 0).
TEST(Hooks, EditorsChangeTheForwardPass) {
  Model model = Model::load(testing::fixture_dir("llama_f32"));
  const int last = int(model.spec().n_layers) - 1;
  Hooks hooks;
  hooks.edit("blocks." + std::to_string(last) + ".hook_resid_post",
             [](const HookEvent&, Tensor& x) { std::fill(x.f32(), x.f32() + x.numel(), 0.0f); });
  Tensor edited = model.forward({1, 2, 3}, hooks, LogitRows::All);
  Tensor plain = model.forward({1, 2, 3}, LogitRows::All);
  float max_edited = 0, max_plain = 0;
  for (int64_t i = 0; i < edited.numel(); ++i) {
    max_edited = std::max(max_edited, std::fabs(edited.f32()[i]));
    max_plain = std::max(max_plain, std::fabs(plain.f32()[i]));
  }
  EXPECT_EQ(max_edited, 0.0f);
  EXPECT_GT(max_plain, 0.1f);
}

}  // namespace
}  // namespace massact
