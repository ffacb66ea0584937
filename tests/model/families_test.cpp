// The model families beyond LLaMA as data: each fixture's config parses to the spec its family
// documents, fires exactly the hook points hooks.h promises for its block layout, and a config that
// is missing a family's required field or asks for an unsupported variant is an InputError naming
// the field. (Numerical parity with transformers: reference_parity_test.cpp.)
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "model/arch/arch.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

ModelSpec fixture_spec(const std::string& name) {
  const std::string path = testing::fixture_dir(name) + "/config.json";
  return spec_from_config(read_json_file(path), path);
}

TEST(FamilySpecs, Gpt2HasLearnedPositionsAndTransposedFusedWeights) {
  ModelSpec s = fixture_spec("gpt2_f32");
  EXPECT_EQ(s.positions, Positions::Learned);
  EXPECT_EQ(s.position_offset, 0);
  EXPECT_TRUE(s.linear_transposed);
  EXPECT_EQ(s.qkv_groups, 1);
  EXPECT_EQ(s.norm, NormKind::LayerNorm);
  EXPECT_TRUE(s.norm_bias && s.qkv_bias && s.o_bias && s.mlp_bias && s.tied_embeddings);
  EXPECT_EQ(s.activation, Activation::GeluTanh);
  EXPECT_EQ(s.d_ff, 64);
}

TEST(FamilySpecs, PythiaLayoutsAndPartialRotary) {
  ModelSpec parallel = fixture_spec("pythia_parallel_f32");
  EXPECT_EQ(parallel.layout, BlockLayout::ParallelTwoNorms);
  EXPECT_EQ(parallel.layers[1].rope.dims, 2);  // head_dim 8 * rotary_pct 0.25
  EXPECT_EQ(parallel.qkv_groups, parallel.n_heads);
  ModelSpec sequential = fixture_spec("pythia_sequential_f32");
  EXPECT_EQ(sequential.layout, BlockLayout::PreNorm);
  EXPECT_EQ(sequential.layers[1].rope.dims, 4);
}

TEST(FamilySpecs, PhiIsParallelWithOneNormAndAnLmHeadBias) {
  ModelSpec s = fixture_spec("phi_f32");
  EXPECT_EQ(s.layout, BlockLayout::ParallelOneNorm);
  EXPECT_EQ(s.layers[1].rope.dims, 4);
  EXPECT_TRUE(s.lm_head_bias);
  EXPECT_FALSE(s.tied_embeddings);
}

TEST(FamilySpecs, OptVariants) {
  ModelSpec pre = fixture_spec("opt_f32");
  EXPECT_EQ(pre.position_offset, 2);
  EXPECT_EQ(pre.embed_dim, pre.d_model);
  EXPECT_EQ(pre.layout, BlockLayout::PreNorm);
  EXPECT_TRUE(pre.final_norm);
  EXPECT_EQ(pre.activation, Activation::ReLU);
  ModelSpec post = fixture_spec("opt_project_postln_f32");
  EXPECT_EQ(post.embed_dim, 16);
  EXPECT_EQ(post.layout, BlockLayout::PostNorm);
  EXPECT_FALSE(post.final_norm);
}

TEST(FamilySpecs, GemmaAndGemma2) {
  ModelSpec g = fixture_spec("gemma_f32");
  EXPECT_EQ(g.norm_weight_offset, 1.0);
  EXPECT_DOUBLE_EQ(g.embed_scale, std::sqrt(32.0));
  EXPECT_EQ(g.activation, Activation::GeluTanh);
  EXPECT_TRUE(g.tied_embeddings);
  ModelSpec g2 = fixture_spec("gemma2_f32");
  EXPECT_DOUBLE_EQ(g2.attn_scale, 0.25);  // query_pre_attn_scalar 16, not head_dim 8
  EXPECT_EQ(g2.attn_softcap, 1.0);
  EXPECT_EQ(g2.final_softcap, 2.0);
  EXPECT_EQ(g2.layout, BlockLayout::Sandwich);
  EXPECT_EQ(g2.layers[0].window, 8);
  EXPECT_EQ(g2.layers[1].window, 0);
}

TEST(FamilySpecs, FalconLayouts) {
  ModelSpec mq = fixture_spec("falcon_f32");
  EXPECT_EQ(mq.n_kv_heads, 1);
  EXPECT_EQ(mq.qkv_groups, 1);
  EXPECT_EQ(mq.layout, BlockLayout::ParallelOneNorm);
  ModelSpec grouped = fixture_spec("falcon_newarch_f32");
  EXPECT_EQ(grouped.n_kv_heads, 2);
  EXPECT_EQ(grouped.qkv_groups, 2);
  EXPECT_EQ(grouped.layout, BlockLayout::ParallelTwoNorms);
  ModelSpec rw = fixture_spec("falcon_alibi_f32");
  EXPECT_EQ(rw.positions, Positions::Alibi);
  EXPECT_TRUE(rw.alibi_bf16);
  EXPECT_EQ(rw.n_kv_heads, 4);
  EXPECT_EQ(rw.qkv_groups, 4);
  EXPECT_EQ(rw.layout, BlockLayout::PreNorm);
  EXPECT_EQ(rw.d_ff, 256);
  EXPECT_TRUE(rw.qkv_bias && rw.o_bias && rw.mlp_bias);
}

TEST(FamilySpecs, MptAndMixtral) {
  ModelSpec mpt = fixture_spec("mpt_f32");
  EXPECT_EQ(mpt.positions, Positions::Alibi);
  EXPECT_EQ(mpt.clip_qkv, 0.5);
  EXPECT_FALSE(mpt.norm_bias);
  EXPECT_EQ(mpt.d_ff, 128);
  ModelSpec moe = fixture_spec("mixtral_f32");
  EXPECT_EQ(moe.n_experts, 4);
  EXPECT_EQ(moe.experts_per_token, 2);
}

// OLMo-2: no input norms, each sublayer's output normed, q and k normed over their full width.
TEST(FamilySpecs, Olmo2NormsOutputsAndFullWidthQueriesAndKeys) {
  ModelSpec s = fixture_spec("olmo2_f32");
  EXPECT_EQ(s.layout, BlockLayout::OutputNorm);
  EXPECT_EQ(s.names.attn_norm, "");
  EXPECT_EQ(s.names.post_mlp_norm, "model.layers.{i}.post_feedforward_layernorm.weight");
  for (const LayerSpec& layer : s.layers) EXPECT_EQ(layer.qk_norm, QkNorm::FullWidth);
  EXPECT_EQ(s.layers[0].rope.theta, 500000.0);
  EXPECT_DOUBLE_EQ(s.norm_eps, 1e-6);
  EXPECT_FALSE(s.tied_embeddings);
}

// Qwen3: LLaMA's pre-norm block with a per-head q/k norm, head_dim as stated (16, not 32 / 4).
TEST(FamilySpecs, Qwen3NormsEachQueryAndKeyHead) {
  ModelSpec s = fixture_spec("qwen3_f32");
  EXPECT_EQ(s.layout, BlockLayout::PreNorm);
  EXPECT_EQ(s.head_dim, 16);
  for (const LayerSpec& layer : s.layers) {
    EXPECT_EQ(layer.qk_norm, QkNorm::PerHead);
    EXPECT_EQ(layer.window, 0);
  }
  EXPECT_FALSE(s.qkv_bias);
  EXPECT_TRUE(s.tied_embeddings);
}

// ---- hook points per layout ----

class FamilyHooks : public ::testing::TestWithParam<std::string> {};

TEST_P(FamilyHooks, FiresExactlyTheDocumentedPointsInOrder) {
  Model model = Model::load(testing::fixture_dir(GetParam()));
  const ModelSpec& s = model.spec();
  std::vector<std::string> order;
  std::map<std::string, Shape> shapes;
  Hooks hooks;
  hooks.observe("*", [&](const HookEvent& e, const Tensor& t) {
    order.push_back(e.name);
    shapes[e.name] = t.shape();
  });
  const TokenIds ids = {1, 5, 9, 13, 17};
  model.forward(ids, hooks, LogitRows::None);
  EXPECT_EQ(order, all_hook_names(s));
  const bool parallel =
      s.layout == BlockLayout::ParallelOneNorm || s.layout == BlockLayout::ParallelTwoNorms;
  EXPECT_EQ(shapes.count("blocks.0.hook_resid_mid"), parallel ? 0u : 1u);
  EXPECT_EQ(shapes.count("blocks.0.attn.hook_rot_q"), s.positions == Positions::Rope ? 1u : 0u);
  EXPECT_EQ(shapes["hook_embed"], (Shape{5, s.d_model}));
  EXPECT_EQ(shapes["blocks.0.attn.hook_k"], (Shape{5, s.n_kv_heads, s.head_dim}));
  EXPECT_EQ(shapes["ln_final.hook_normalized"], (Shape{5, s.d_model}));
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, FamilyHooks,
    ::testing::Values("gpt2_f32", "pythia_parallel_f32", "phi_f32", "opt_project_postln_f32",
                      "gemma2_f32", "falcon_newarch_f32", "falcon_alibi_f32", "mpt_f32",
                      "mixtral_f32", "olmo2_f32", "qwen3_f32", "phi3_f32", "starcoder2_f32",
                      "stablelm_f32", "stablelm_parallel_f32", "stablelm_qknorm_f32",
                      "qwen3moe_f32", "cohere_f32", "bloom_f32", "mistral3_f32"));

// Mixtral: the router's logits and each token's k distinct experts, best first.
TEST(FamilyHooks, MixtureOfExpertsExposesRouterAndChoice) {
  Model model = Model::load(testing::fixture_dir("mixtral_f32"));
  Tensor logits, choice;
  Hooks hooks;
  hooks.observe("blocks.1.mlp.hook_router_logits",
                [&](const HookEvent&, const Tensor& t) { logits = t.to_f32(); });
  hooks.observe("blocks.1.mlp.hook_expert_choice",
                [&](const HookEvent&, const Tensor& t) { choice = t.to_f32(); });
  model.forward({1, 5, 9, 13, 17, 21}, hooks, LogitRows::None);
  ASSERT_EQ(logits.shape(), (Shape{6, 4}));
  ASSERT_EQ(choice.shape(), (Shape{6, 2}));
  for (int64_t t = 0; t < 6; ++t) {
    const float* row = logits.f32() + t * 4;
    const int first = int(choice.f32()[t * 2]), second = int(choice.f32()[t * 2 + 1]);
    EXPECT_NE(first, second);
    for (int e = 0; e < 4; ++e) {
      EXPECT_GE(row[first], row[e]) << "token " << t;
      if (e != first) {
        EXPECT_GE(row[second], row[e]) << "token " << t;
      }
    }
  }
}

// ---- checkpoints and configs ----

// The original GPT-2 checkpoints name tensors without "transformer."; they load the same.
TEST(FamilyCheckpoints, Gpt2WithoutTheTransformerPrefix) {
  const std::string src_dir = testing::fixture_dir("gpt2_f32");
  const std::string dir = testing::temp_dir();
  std::filesystem::copy_file(src_dir + "/config.json", dir + "/config.json");
  SafetensorsFile src = SafetensorsFile::open(src_dir + "/model.safetensors");
  NamedTensors renamed;
  for (const auto& info : src.tensors()) {
    std::string name = info.name;
    if (name.starts_with("transformer.")) name = name.substr(12);
    renamed.emplace_back(name, src.get(info.name));
  }
  write_safetensors(dir + "/model.safetensors", renamed);
  const TokenIds ids = {1, 7, 42, 99};
  Tensor a = Model::load(src_dir).forward(ids);
  Tensor b = Model::load(dir).forward(ids);
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.f32()[i], b.f32()[i]);
}

std::string config_error(const json& config) {
  try {
    spec_from_config(config, "/m/config.json");
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError for " << config.dump();
  return "";
}

// Each family's required fields: leaving one out names it and the config file.
TEST(FamilyConfigs, MissingRequiredFieldIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"gpt2_f32", "n_embd"},
      {"pythia_parallel_f32", "intermediate_size"},
      {"phi_f32", "hidden_size"},
      {"opt_f32", "ffn_dim"},
      {"gemma_f32", "head_dim"},
      {"gemma2_f32", "query_pre_attn_scalar"},
      {"falcon_f32", "hidden_size"},
      {"mpt_f32", "d_model"},
      {"mixtral_f32", "num_local_experts"}};
  for (const auto& [fixture, field] : cases) {
    json c = read_json_file(testing::fixture_dir(fixture) + "/config.json");
    c.erase(field);
    const std::string msg = config_error(c);
    EXPECT_NE(msg.find("/m/config.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'" + field + "'"), std::string::npos) << fixture << ": " << msg;
  }
}

TEST(FamilyConfigs, UnsupportedVariantsAreNamed) {
  json mpt = read_json_file(testing::fixture_dir("mpt_f32") + "/config.json");
  mpt["attn_config"]["qk_ln"] = true;
  EXPECT_NE(config_error(mpt).find("field 'attn_config.qk_ln'"), std::string::npos);
  json gpt2 = read_json_file(testing::fixture_dir("gpt2_f32") + "/config.json");
  gpt2["activation_function"] = "mish";
  EXPECT_NE(config_error(gpt2).find("field 'activation_function'"), std::string::npos);
  json unknown = gpt2;
  unknown["model_type"] = "t5";
  const std::string msg = config_error(unknown);
  for (const char* type : {"gpt2", "gpt_neox", "phi", "opt", "gemma2", "falcon", "mpt", "mixtral"})
    EXPECT_NE(msg.find(type), std::string::npos) << msg;
}

}  // namespace
}  // namespace massact
