// GGUF checkpoints against the Hugging Face fixtures they were converted from
// (tests/reference/make_gguf_fixtures.py: llama.cpp's convert_hf_to_gguf.py, --outtype f32 and
// q8_0). The same weights must give the same numbers as the safetensors fixture's reference:
//  - F32: every layer's output, attention probabilities, final norm and logits within 1e-4, the
//    bound of the safetensors parity tests. This holds only if the loader undoes llama.cpp's q/k
//    row permutation for LLaMA, keeps Qwen2's and Gemma-3's rows, and reads Gemma's stored 1 + w
//    norms with offset 0.
//  - Q8_0: each weight is rounded to within half a step of its 32-block's max/127, about 0.4% of
//    the block's largest weight at worst. Through these random models that perturbs each layer's
//    output by 2-4% of its largest entry (measured: llama 2.5%, qwen2 2.0%, gemma3 3.8%); the bound
//    is 10% of the reference's largest entry per layer, so a wrong layout or a misread block
//    (errors of order 100%) cannot pass while honest rounding does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "io/safetensors.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

struct Case {
  std::string gguf;     // under tests/fixtures/gguf/
  std::string fixture;  // the Hugging Face fixture it was converted from
  bool quantized;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.gguf;
}

float max_abs(const Tensor& t) {
  float m = 0.0f;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, std::fabs(t.f32()[i]));
  return m;
}

float max_abs_diff(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.shape(), want.shape());
  if (got.shape() != want.shape()) return INFINITY;
  float worst = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i)
    worst = std::max(worst, std::fabs(got.f32()[i] - want.f32()[i]));
  return worst;
}

class GgufParity : public ::testing::TestWithParam<Case> {};

TEST_P(GgufParity, HiddenStatesMatchTheSafetensorsFixture) {
  const Case& c = GetParam();
  Model model = Model::load(testing::fixture_dir("gguf") + "/" + c.gguf);
  SafetensorsFile ref =
      SafetensorsFile::open(testing::fixture_dir(c.fixture) + "/reference.safetensors");
  Tensor ids_tensor = ref.get("input_ids");
  const auto* p = static_cast<const int64_t*>(ids_tensor.raw());
  const TokenIds ids(p, p + ids_tensor.numel());

  std::map<std::string, Tensor> seen;
  Hooks hooks;
  for (const char* pattern :
       {"blocks.*.hook_resid_post", "blocks.*.attn.hook_pattern", "ln_final.hook_normalized"})
    hooks.observe(pattern,
                  [&seen](const HookEvent& e, const Tensor& t) { seen[e.name] = t.to_f32(); });
  Tensor logits = model.forward(ids, hooks, LogitRows::All);

  // F32: the absolute bound of the safetensors tests; Q8_0: 10% of the reference's scale.
  auto check = [&](const Tensor& got, const std::string& ref_name) {
    const Tensor want = ref.get(ref_name).to_f32();
    const float bound = c.quantized ? 0.1f * max_abs(want) : 1e-4f;
    const float diff = max_abs_diff(got, want);
    EXPECT_LE(diff, bound) << ref_name;
    RecordProperty(ref_name, std::to_string(diff));
  };
  for (int i = 0; i < model.spec().n_layers; ++i) {
    const std::string layer = std::to_string(i);
    check(seen.at("blocks." + layer + ".hook_resid_post"), "resid_post." + layer);
    check(seen.at("blocks." + layer + ".attn.hook_pattern"), "pattern." + layer);
  }
  check(seen.at("ln_final.hook_normalized"), "ln_final");
  check(logits, "logits");
}

INSTANTIATE_TEST_SUITE_P(Converted, GgufParity,
                         ::testing::Values(Case{"llama.f32.gguf", "llama_f32", false},
                                           Case{"llama.q8_0.gguf", "llama_f32", true},
                                           Case{"qwen2.f32.gguf", "qwen2_f32", false},
                                           Case{"qwen2.q8_0.gguf", "qwen2_f32", true},
                                           Case{"gemma3.f32.gguf", "gemma3_f32", false},
                                           Case{"gemma3.q8_0.gguf", "gemma3_f32", true}));

// What the GGUF metadata says, read into the spec as llama.cpp reads it.
TEST(GgufSpec, Gemma3LayersSlideFiveToOneWithTheirOwnRopeBase) {
  Model model = Model::load(testing::fixture_dir("gguf") + "/gemma3.f32.gguf");
  const ModelSpec& s = model.spec();
  EXPECT_EQ(s.family, "gemma3");
  EXPECT_EQ(s.sliding_window, (std::vector<int64_t>{8, 8, 8, 8, 8, 0}));
  ASSERT_TRUE(s.sliding_rope.has_value());
  EXPECT_EQ(s.sliding_rope->theta, 10000.0);
  EXPECT_EQ(s.rope.theta, 1000000.0);
  EXPECT_EQ(s.norm_weight_offset, 0.0);
  EXPECT_TRUE(s.tied_embeddings);
  EXPECT_EQ(model.weight_dtype(), "F32");
  EXPECT_EQ(Model::load(testing::fixture_dir("gguf") + "/gemma3.q8_0.gguf").weight_dtype(),
            "F32+Q8_0");
}

TEST(GgufSpec, LlamaRowsArePutBackInRotateHalfOrder) {
  EXPECT_TRUE(
      Model::load(testing::fixture_dir("gguf") + "/llama.f32.gguf").spec().qk_rows_pairwise);
  EXPECT_FALSE(
      Model::load(testing::fixture_dir("gguf") + "/qwen2.f32.gguf").spec().qk_rows_pairwise);
}

}  // namespace
}  // namespace massact
