// The forward pass against Hugging Face transformers, on the committed fixtures that
// tests/reference/make_fixtures.py made: every layer's output, attention probabilities, the final
// norm and the logits, within 1e-4 (f32 compute; bf16 fixtures were referenced in f32 from the same
// bf16 weights, so the same bound holds).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "io/json_file.h"
#include "io/safetensors.h"
#include "model/generate.h"
#include "model/model.h"
#include "test_paths.h"
#include "tokenizer/tokenizer.h"

namespace massact {
namespace {

constexpr float kTolerance = 1e-4f;

float max_abs_diff(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.shape(), want.shape());
  if (got.shape() != want.shape()) return INFINITY;
  Tensor w = want.to_f32();
  float worst = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i)
    worst = std::max(worst, std::fabs(got.f32()[i] - w.f32()[i]));
  return worst;
}

TokenIds reference_ids(const SafetensorsFile& ref) {
  Tensor ids = ref.get("input_ids");
  const auto* p = static_cast<const int64_t*>(ids.raw());
  return TokenIds(p, p + ids.numel());
}

class ReferenceParity : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceParity, HiddenStatesPatternsAndLogitsMatchTransformers) {
  const std::string dir = testing::fixture_dir(GetParam());
  Model model = Model::load(dir);
  SafetensorsFile ref = SafetensorsFile::open(dir + "/reference.safetensors");

  std::map<std::string, Tensor> seen;
  Hooks hooks;
  for (const char* pattern : {"hook_embed", "blocks.*.hook_resid_post",
                              "blocks.*.attn.hook_pattern", "ln_final.hook_normalized"})
    hooks.observe(pattern,
                  [&seen](const HookEvent& e, const Tensor& t) { seen[e.name] = t.to_f32(); });
  Tensor logits = model.forward(reference_ids(ref), hooks, LogitRows::All);

  float worst = 0.0f;  // recorded in the test report (--gtest_output=json:...)
  auto diff = [&worst](const Tensor& got, const Tensor& want) {
    worst = std::max(worst, max_abs_diff(got, want));
    return max_abs_diff(got, want);
  };
  EXPECT_LE(diff(seen.at("hook_embed"), ref.get("embed")), kTolerance);
  for (int i = 0; i < model.spec().n_layers; ++i) {
    const std::string layer = std::to_string(i);
    EXPECT_LE(diff(seen.at("blocks." + layer + ".hook_resid_post"), ref.get("resid_post." + layer)),
              kTolerance)
        << "layer " << i;
    EXPECT_LE(diff(seen.at("blocks." + layer + ".attn.hook_pattern"), ref.get("pattern." + layer)),
              kTolerance)
        << "layer " << i;
  }
  EXPECT_LE(diff(seen.at("ln_final.hook_normalized"), ref.get("ln_final")), kTolerance);
  EXPECT_LE(diff(logits, ref.get("logits")), kTolerance);
  RecordProperty("max_abs_error", std::to_string(worst));
}

TEST_P(ReferenceParity, TokenizerGivesTheReferenceIds) {
  const std::string dir = testing::fixture_dir(GetParam());
  auto tokenizer = load_tokenizer(dir);
  json info = read_json_file(dir + "/reference.json");
  EXPECT_EQ(tokenizer->encode(info["prompt"].get<std::string>()),
            info["input_ids"].get<TokenIds>());
}

TEST_P(ReferenceParity, GreedyContinuationMatchesTransformers) {
  const std::string dir = testing::fixture_dir(GetParam());
  Model model = Model::load(dir);
  json greedy = read_json_file(dir + "/reference.json")["greedy"];
  TokenIds prompt = greedy["prompt_ids"].get<TokenIds>();
  TokenIds want = greedy["new_ids"].get<TokenIds>();
  TokenIds all = greedy_generate(model, prompt, int(want.size()), std::nullopt);
  EXPECT_EQ(TokenIds(all.begin() + int64_t(prompt.size()), all.end()), want);
}

// Hooks that only observe must not change the numbers: the instrumented pass equals the hook-free
// one bit for bit as long as nobody watches the attention pattern, whose heads then go through the
// materialized steps instead of the streamed kernel (tests/kernels/attention_test.cpp bounds the
// difference of the two); the hook-free pass matches transformers' logits as the watched one does.
TEST_P(ReferenceParity, ObservingDoesNotChangeTheResult) {
  const std::string dir = testing::fixture_dir(GetParam());
  Model model = Model::load(dir);
  SafetensorsFile ref = SafetensorsFile::open(dir + "/reference.safetensors");
  const TokenIds ids = reference_ids(ref);
  Hooks streamed;  // every point but the attention scores and pattern
  for (const char* pattern :
       {"hook_embed", "*.hook_resid_*", "*.attn.hook_q", "*.attn.hook_k", "*.attn.hook_v",
        "*.attn.hook_rot_*", "*.attn.hook_z", "*.hook_attn_out", "*.mlp.*", "*.hook_mlp_out",
        "ln_final.hook_normalized"})
    streamed.observe(pattern, [](const HookEvent&, const Tensor&) {});
  Tensor plain = model.forward(ids, LogitRows::All);
  Tensor watched = model.forward(ids, streamed, LogitRows::All);
  EXPECT_EQ(max_abs_diff(plain, watched), 0.0f);
  EXPECT_LE(max_abs_diff(plain, ref.get("logits")), kTolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ReferenceParity,
    ::testing::Values("llama_f32", "llama3_bf16", "llama_linear_sharded", "mistral_f32",
                      "qwen2_f32", "qwen2_bf16", "gpt2_f32", "pythia_parallel_f32",
                      "pythia_sequential_f32", "phi_f32", "phi_bf16", "opt_f32", "gemma3_f32",
                      "opt_project_postln_f32", "gemma_f32", "gemma2_f32", "falcon_f32",
                      "falcon_newarch_f32", "falcon_alibi_f32", "mpt_f32", "mixtral_f32",
                      "olmo2_f32", "qwen3_f32", "phi3_f32", "starcoder2_f32", "stablelm_f32",
                      "stablelm_parallel_f32", "stablelm_qknorm_f32", "qwen3moe_f32",
                      "qwen3moe_plain_f32", "cohere_f32", "bloom_f32", "mistral3_f32"));

}  // namespace
}  // namespace massact
