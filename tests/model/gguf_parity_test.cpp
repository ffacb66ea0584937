// GGUF checkpoints against the Hugging Face fixtures they were converted from
// (tests/reference/make_gguf_fixtures.py: llama.cpp's convert_hf_to_gguf.py, --outtype f32 and
// q8_0). The same weights must give the same numbers as the safetensors fixture's reference:
//  - F32: every layer's output, attention probabilities, final norm and logits within 1e-4, the
//    bound of the safetensors parity tests. This holds only if the loader undoes llama.cpp's q/k
//    row permutation for LLaMA, keeps the rows of the others, reads Gemma's stored 1 + w norms
//    with offset 0, feeds Falcon-40B-style attention from attn_norm_2, reads OLMo-2's full-width
//    and Qwen3's per-head q/k norms, splits Phi-3's fused gate/up rows and reads its LongRoPE
//    factors from their tensors, reads StableLM's stacked per-head q/k LayerNorm weights and
//    Qwen3-MoE's stacked experts, takes Phi-2's, GPT-2's and Falcon's MLP width from the
//    weights, and evaluates Falcon's GELU exactly (the tanh form is off by 1e-3); Command-R rotates
//    interleaved pairs in Hugging Face's row order and scales its logits, BLOOM norms its
//    embedding, MPT clamps q, k and v.
//  - Q8_0: each weight is rounded to within half a step of its 32-block's max/127, about 0.4% of
//    the block's largest weight at worst. Through these random models that perturbs each layer's
//    output by 0.4-4% of its largest entry (measured, worst layer output / worst of all checked:
//    llama 2.5% / 3.1%, qwen2 2.0% / 2.6%, gemma3 3.8% / 4.2%, phi 1.3% / 1.4%, gpt2 1.0% / 1.4%,
//    falcon 1.1% / 1.3%, falcon_newarch 1.0% / 1.7%, pythia_parallel 1.4% / 1.8%,
//    pythia_sequential 1.1% / 1.6%, olmo2 2.5% / 2.6%, qwen3 1.9% / 3.1%, cohere 1.2% / 1.7%,
//    bloom 0.4% / 0.4%, mpt 1.9% / 2.2%, mistral3 1.2% / 1.8%, phi3 1.2% / 2.0%,
//    starcoder2 1.1% / 1.2%, stablelm 1.4% / 2.4%, stablelm_parallel 1.5% / 1.5%,
//    stablelm_qknorm 1.2% / 2.0%, qwen3moe 1.3% / 2.6%); the bound is 10% of the reference's
//    largest entry per checked tensor, so a wrong layout or a misread block (errors of order 100%)
//    cannot pass while honest rounding does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "io/gguf.h"
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

// Each Hugging Face fixture "<name>_f32" converted to <name>.f32.gguf and <name>.q8_0.gguf.
std::vector<Case> converted(std::initializer_list<std::string> fixtures) {
  std::vector<Case> cases;
  for (const std::string& fixture : fixtures) {
    const std::string name = fixture.substr(0, fixture.rfind("_f32"));
    cases.push_back({name + ".f32.gguf", fixture, false});
    cases.push_back({name + ".q8_0.gguf", fixture, true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Converted, GgufParity,
                         ::testing::ValuesIn(converted({"llama_f32",
                                                        "qwen2_f32",
                                                        "gemma3_f32",
                                                        "phi_f32",
                                                        "gpt2_f32",
                                                        "falcon_f32",
                                                        "falcon_newarch_f32",
                                                        "pythia_parallel_f32",
                                                        "pythia_sequential_f32",
                                                        "olmo2_f32",
                                                        "qwen3_f32",
                                                        "phi3_f32",
                                                        "starcoder2_f32",
                                                        "stablelm_f32",
                                                        "stablelm_parallel_f32",
                                                        "stablelm_qknorm_f32",
                                                        "qwen3moe_f32",
                                                        "cohere_f32",
                                                        "bloom_f32",
                                                        "mpt_f32",
                                                        "mistral3_f32"})));

// The spec read from the GGUF means the model the Hugging Face family file builds from the
// config.json it was converted from. Left out: what only says how the file stores it (names,
// fused-row grouping, LLaMA's pairwise rows, Gemma's stored 1 + w), the family's name, and the
// context length where nothing depends on it (Falcon's converter writes 2048 for every model).
TEST_P(GgufParity, SpecMeansTheHuggingFaceFamilysModel) {
  const Case& c = GetParam();
  const ModelSpec g = Model::load(testing::fixture_dir("gguf") + "/" + c.gguf).spec();
  const ModelSpec h = Model::load(testing::fixture_dir(c.fixture)).spec();
  EXPECT_EQ(g.n_layers, h.n_layers);
  EXPECT_EQ(g.d_model, h.d_model);
  EXPECT_EQ(g.n_heads, h.n_heads);
  EXPECT_EQ(g.n_kv_heads, h.n_kv_heads);
  EXPECT_EQ(g.head_dim, h.head_dim);
  EXPECT_EQ(g.d_ff, h.d_ff);
  EXPECT_EQ(g.vocab_size, h.vocab_size);
  EXPECT_EQ(g.embed_dim, h.embed_dim);
  EXPECT_EQ(g.embed_scale, h.embed_scale);
  EXPECT_EQ(g.layout, h.layout);
  EXPECT_EQ(g.norm, h.norm);
  EXPECT_FLOAT_EQ(float(g.norm_eps), float(h.norm_eps));  // GGUF stores it as float32
  EXPECT_EQ(g.norm_bias, h.norm_bias);
  EXPECT_EQ(g.qk_norm_bias, h.qk_norm_bias);
  EXPECT_EQ(g.mlp, h.mlp);
  EXPECT_EQ(g.activation, h.activation);
  EXPECT_EQ(g.mlp_bias, h.mlp_bias);
  EXPECT_EQ(g.n_experts, h.n_experts);
  EXPECT_EQ(g.experts_per_token, h.experts_per_token);
  EXPECT_EQ(g.moe_renormalize, h.moe_renormalize);
  EXPECT_EQ(g.positions, h.positions);
  if (g.positions == Positions::Learned) {
    EXPECT_EQ(g.max_positions, h.max_positions);
  }
  EXPECT_EQ(g.layers, h.layers);  // windows, RoPE, q/k norms and causality, layer by layer
  EXPECT_EQ(g.attn_scale, h.attn_scale);
  EXPECT_EQ(g.qkv_bias, h.qkv_bias);
  EXPECT_EQ(g.o_bias, h.o_bias);
  EXPECT_EQ(g.tied_embeddings, h.tied_embeddings);
  EXPECT_EQ(g.lm_head_bias, h.lm_head_bias);
  EXPECT_FLOAT_EQ(float(g.logit_scale), float(h.logit_scale));  // float32 in GGUF
  EXPECT_EQ(g.embed_norm, h.embed_norm);
  EXPECT_FLOAT_EQ(float(g.alibi_bias_max), float(h.alibi_bias_max));
  EXPECT_FLOAT_EQ(float(g.clip_qkv), float(h.clip_qkv));
  EXPECT_EQ(g.bos_token_id, h.bos_token_id);
  EXPECT_EQ(g.eos_token_id, h.eos_token_id);
}

// What the GGUF metadata says, read into the spec as llama.cpp reads it.
TEST(GgufSpec, Gemma3LayersSlideFiveToOneWithTheirOwnRopeBase) {
  Model model = Model::load(testing::fixture_dir("gguf") + "/gemma3.f32.gguf");
  const ModelSpec& s = model.spec();
  EXPECT_EQ(s.family, "gemma3");
  ASSERT_EQ(s.layers.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const bool sliding = i < 5;
    EXPECT_EQ(s.layers[i].window, sliding ? 8 : 0) << "layer " << i;
    EXPECT_EQ(s.layers[i].rope.theta, sliding ? 10000.0 : 1000000.0) << "layer " << i;
    EXPECT_EQ(s.layers[i].qk_norm, QkNorm::PerHead) << "layer " << i;
  }
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

std::string gguf_path(const std::string& name) {
  return testing::fixture_dir("gguf") + "/" + name;
}

// phi2.feed_forward_length: the converter writes 4 * embedding_length (128); the model's is 64.
TEST(GgufSpec, Phi2RotatesPartOfEachHeadAndTakesItsMlpWidthFromTheWeights) {
  EXPECT_EQ(GgufFile::open(gguf_path("phi.f32.gguf")).unsigned_integer("phi2.feed_forward_length"),
            128u);
  const ModelSpec s = Model::load(gguf_path("phi.f32.gguf")).spec();
  EXPECT_EQ(s.family, "phi2");
  EXPECT_EQ(s.head_dim, 8);
  EXPECT_EQ(s.layers[0].rope.dims, 4);  // phi2.rope.dimension_count: partial_rotary_factor 0.5
  EXPECT_FALSE(s.qk_rows_pairwise);
  EXPECT_EQ(s.d_ff, 64);
  EXPECT_EQ(s.layout, BlockLayout::ParallelOneNorm);
  EXPECT_TRUE(s.lm_head_bias);
  EXPECT_FALSE(s.tied_embeddings);
  EXPECT_EQ(s.names.qkv, "");  // this converter keeps q, k and v apart
}

TEST(GgufSpec, Gpt2HasLearnedPositionsAndFusedUntransposedQkv) {
  const Model model = Model::load(gguf_path("gpt2.q8_0.gguf"));
  const ModelSpec& s = model.spec();
  EXPECT_EQ(s.family, "gpt2");
  EXPECT_EQ(s.positions, Positions::Learned);
  EXPECT_EQ(s.max_positions, 64);  // gpt2.context_length = the rows of position_embd
  EXPECT_EQ(s.names.qkv, "blk.{i}.attn_qkv.weight");
  EXPECT_EQ(s.qkv_groups, 1);
  EXPECT_FALSE(s.linear_transposed);  // the converter transposed the Conv1D weights
  EXPECT_TRUE(s.tied_embeddings);     // no output.weight
  EXPECT_EQ(model.weight_dtype(), "F32+Q8_0");
}

TEST(GgufSpec, FalconMultiQueryHasOneKvHeadAndOneNorm) {
  const ModelSpec s = Model::load(gguf_path("falcon.f32.gguf")).spec();
  EXPECT_EQ(s.family, "falcon");
  EXPECT_EQ(s.n_kv_heads, 1);
  EXPECT_EQ(s.qkv_groups, 1);  // regrouped at conversion ("jploski")
  EXPECT_EQ(s.layout, BlockLayout::ParallelOneNorm);
  EXPECT_EQ(s.activation, Activation::GeluExact);
  EXPECT_FALSE(s.qkv_bias);
  EXPECT_EQ(s.layers[0].rope.dims, s.head_dim);
}

// llama.cpp names ln_mlp attn_norm and ln_attn attn_norm_2: swapped, the parity test fails.
TEST(GgufSpec, FalconNewArchitectureFeedsAttentionFromAttnNorm2) {
  const ModelSpec s = Model::load(gguf_path("falcon_newarch.f32.gguf")).spec();
  EXPECT_EQ(s.n_kv_heads, 2);
  EXPECT_EQ(s.qkv_groups, 1);
  EXPECT_EQ(s.layout, BlockLayout::ParallelTwoNorms);
  EXPECT_EQ(s.names.attn_norm, "blk.{i}.attn_norm_2.weight");
  EXPECT_EQ(s.names.mlp_norm, "blk.{i}.attn_norm.weight");
}

// gptneox.use_parallel_residual picks the block; rope.dimension_count is rotary_pct of a head.
TEST(GgufSpec, GptNeoxReadsItsResidualLayoutAndPartialRotary) {
  const ModelSpec parallel = Model::load(gguf_path("pythia_parallel.f32.gguf")).spec();
  const ModelSpec sequential = Model::load(gguf_path("pythia_sequential.f32.gguf")).spec();
  EXPECT_EQ(parallel.family, "gptneox");
  EXPECT_EQ(parallel.layout, BlockLayout::ParallelTwoNorms);
  EXPECT_EQ(sequential.layout, BlockLayout::PreNorm);
  EXPECT_EQ(parallel.layers[0].rope.dims, 2);  // rotary_pct 0.25 of 8
  EXPECT_EQ(parallel.qkv_groups, 1);           // per-head rows regrouped at conversion
  EXPECT_TRUE(parallel.qkv_bias);
}

// A copy of fixture `name` with the first `from` after byte `after` replaced by `to` (same length).
std::string damaged(const std::string& name, const std::string& after, const std::string& from,
                    const std::string& to) {
  std::ifstream in(gguf_path(name), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string b = bytes.str();
  const size_t at = b.find(from, b.find(after));
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(from.size(), to.size());
  b.replace(at, from.size(), to);
  const std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << b;
  return path;
}

std::string load_error(const std::string& path) {
  try {
    Model::load(path);
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), path);
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return "";
}

// Command-R+: rows in Hugging Face's order (interleaved RoPE needs no reordering), each q/k head
// LayerNormed with its own weights, stored (heads, head_dim).
TEST(GgufSpec, CommandRRotatesInterleavedPairsAndScalesItsLogits) {
  const ModelSpec s = Model::load(gguf_path("cohere.f32.gguf")).spec();
  EXPECT_EQ(s.family, "command-r");
  EXPECT_EQ(s.layout, BlockLayout::ParallelOneNorm);
  EXPECT_EQ(s.norm, NormKind::LayerNorm);
  EXPECT_FALSE(s.norm_bias);
  EXPECT_FALSE(s.qk_rows_pairwise);
  EXPECT_TRUE(s.layers[0].rope.interleaved);
  EXPECT_EQ(s.layers[0].qk_norm, QkNorm::EachHead);
  EXPECT_EQ(s.logit_scale, 0.25);
  EXPECT_TRUE(s.tied_embeddings);
}

// llama.cpp requires command-r.logit_scale; without it the logits would be off by 1 / scale.
TEST(GgufSpec, CommandRWithoutLogitScaleNamesTheKey) {
  const std::string path =
      damaged("cohere.f32.gguf", "command-r.logit_scale", "logit_scale", "logit_scalf");
  EXPECT_CONTAINS(load_error(path), "key 'command-r.logit_scale': missing");
}

// BLOOM: the converter regroups the per-head fused rows into q, k, v blocks.
TEST(GgufSpec, BloomNormsItsEmbeddingAndHasAlibi) {
  const ModelSpec s = Model::load(gguf_path("bloom.f32.gguf")).spec();
  EXPECT_EQ(s.family, "bloom");
  EXPECT_TRUE(s.embed_norm);
  EXPECT_EQ(s.names.embed_norm, "token_embd_norm.weight");
  EXPECT_EQ(s.positions, Positions::Alibi);
  EXPECT_EQ(s.qkv_groups, 1);
  EXPECT_EQ(s.n_heads, 6);
  EXPECT_EQ(s.activation, Activation::GeluTanh);
  EXPECT_TRUE(s.norm_bias && s.qkv_bias && s.o_bias && s.mlp_bias);
}

TEST(GgufSpec, BloomWithoutItsEmbeddingNormNamesTheTensor) {
  const std::string path =
      damaged("bloom.f32.gguf", "token_embd_norm.weight", "token_embd_norm", "token_embd_morm");
  EXPECT_CONTAINS(load_error(path), "token_embd_norm.weight");
}

// mpt.feed_forward_length is 4 * embedding_length whatever expansion_ratio says: the width comes
// from the weights; the clamp and the ALiBi maximum from their keys.
TEST(GgufSpec, MptReadsItsAlibiMaximumAndClamp) {
  const ModelSpec s = Model::load(gguf_path("mpt.f32.gguf")).spec();
  EXPECT_EQ(s.family, "mpt");
  EXPECT_EQ(s.positions, Positions::Alibi);
  EXPECT_EQ(s.alibi_bias_max, 8.0);
  EXPECT_EQ(s.clip_qkv, 0.5);
  EXPECT_FALSE(s.norm_bias);
  EXPECT_EQ(s.activation, Activation::GeluExact);
}

TEST(GgufSpec, MptWithoutItsAlibiMaximumNamesTheKey) {
  const std::string path =
      damaged("mpt.f32.gguf", "mpt.attention.max_alibi_bias", "max_alibi_bias", "max_alibi_bia_");
  EXPECT_CONTAINS(load_error(path), "key 'mpt.attention.max_alibi_bias': missing");
}

// Mistral 3's text model, written as LLaMA under its own name: rows reordered pairwise, heads of
// attention.key_length (16) wider than embedding_length / head_count (8).
TEST(GgufSpec, Mistral3IsALlamaLayout) {
  const ModelSpec s = Model::load(gguf_path("mistral3.f32.gguf")).spec();
  EXPECT_EQ(s.family, "mistral3");
  EXPECT_TRUE(s.qk_rows_pairwise);
  EXPECT_EQ(s.head_dim, 16);
  EXPECT_EQ(s.layout, BlockLayout::PreNorm);
  EXPECT_EQ(s.layers[0].rope.theta, 1e9);
  EXPECT_FALSE(s.tied_embeddings);
}

TEST(GgufSpec, Mistral3WithoutItsWidthNamesTheKey) {
  const std::string path = damaged("mistral3.f32.gguf", "mistral3.embedding_length",
                                   "embedding_length", "embedding_lengtx");
  EXPECT_CONTAINS(load_error(path), "key 'mistral3.embedding_length': missing");
}

TEST(GgufSpec, MissingLayerNormEpsilonNamesTheKey) {
  const std::string path = damaged("gpt2.f32.gguf", "gpt2.attention.layer_norm_epsilon",
                                   "layer_norm_epsilon", "layer_norm_epsilom");
  EXPECT_CONTAINS(load_error(path), "key 'gpt2.attention.layer_norm_epsilon': missing");
}

TEST(GgufSpec, FalconWithAnotherQkvLayoutNamesTheKey) {
  const std::string path =
      damaged("falcon.f32.gguf", "falcon.tensor_data_layout", "jploski", "jploskj");
  EXPECT_CONTAINS(load_error(path), "key 'falcon.tensor_data_layout'");
}

TEST(GgufSpec, FalconWithoutFusedQkvNamesTheTensor) {
  const std::string path =
      damaged("falcon.f32.gguf", "blk.0.attn_qkv.weight", "blk.0.attn_qkv", "blk.0.attn_qkw");
  EXPECT_CONTAINS(load_error(path), "tensor 'blk.0.attn_qkv.weight': missing");
}

}  // namespace
}  // namespace massact
