// config.json -> ModelSpec: the fixtures parse to what their configs say, and every malformed or
// unsupported config is an InputError that names the config file and the field. Also the weight
// check that follows: tensors missing or misshapen relative to the config.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "model/arch/arch.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

const std::string kConfigPath = "/models/tiny-llama/config.json";

// A small, valid LLaMA config; each test breaks one thing.
json llama_config() {
  return json::parse(R"({
    "model_type": "llama",
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "vocab_size": 256,
    "max_position_embeddings": 128,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "hidden_act": "silu",
    "bos_token_id": 1,
    "eos_token_id": 2
  })");
}

// spec_from_config expecting an InputError; returns its message (empty, with a failure, otherwise).
std::string config_error(const json& config, const std::string& path = kConfigPath) {
  try {
    spec_from_config(config, path);
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError for config " << config.dump();
  return "";
}

// The error for `config`, which must name config.json and the field; returned for more checks.
std::string field_error(const json& config, const std::string& field) {
  std::string msg = config_error(config);
  EXPECT_CONTAINS(msg, kConfigPath);
  EXPECT_CONTAINS(msg, "field '" + field + "'");
  return msg;
}

std::string load_error(const std::string& model_dir) {
  try {
    Model::load(model_dir);
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError loading " << model_dir;
  return "";
}

TEST(ConfigErrors, BaseConfigIsValid) {
  ModelSpec s = spec_from_config(llama_config(), kConfigPath);
  EXPECT_EQ(s.d_model, 64);
  EXPECT_EQ(s.head_dim, 16);
}

TEST(ConfigErrors, ConfigNotAnObject) {
  std::string msg = config_error(json::array({1, 2}));
  EXPECT_CONTAINS(msg, kConfigPath);
  EXPECT_CONTAINS(msg, "expected a JSON object");
}

TEST(ConfigErrors, MissingModelType) {
  json c = llama_config();
  c.erase("model_type");
  std::string msg = field_error(c, "model_type");
  EXPECT_CONTAINS(msg, "missing");
}

TEST(ConfigErrors, UnsupportedModelTypeListsTheSupportedOnes) {
  json c = llama_config();
  c["model_type"] = "gpt_bigcode";
  std::string msg = field_error(c, "model_type");
  EXPECT_CONTAINS(msg, "gpt_bigcode");
  EXPECT_CONTAINS(msg, "llama");
  EXPECT_CONTAINS(msg, "mistral");
  EXPECT_CONTAINS(msg, "qwen2");
  EXPECT_EQ(supported_model_types(), (std::vector<std::string>{"llama",
                                                               "mistral",
                                                               "qwen2",
                                                               "gpt2",
                                                               "gpt_neox",
                                                               "phi",
                                                               "opt",
                                                               "gemma",
                                                               "gemma2",
                                                               "gemma3_text",
                                                               "falcon",
                                                               "mpt",
                                                               "mixtral",
                                                               "olmo2",
                                                               "qwen3",
                                                               "cohere",
                                                               "bloom",
                                                               "mistral3",
                                                               "phi3",
                                                               "starcoder2",
                                                               "stablelm",
                                                               "qwen3_moe",
                                                               "vit",
                                                               "vit_mae",
                                                               "clip_vision_model",
                                                               "clip",
                                                               "dinov2",
                                                               "dinov2_with_registers"}));
}

TEST(ConfigErrors, MissingHiddenSize) {
  json c = llama_config();
  c.erase("hidden_size");
  std::string msg = field_error(c, "hidden_size");
  EXPECT_CONTAINS(msg, "positive integer");
  EXPECT_CONTAINS(msg, "missing");
}

TEST(ConfigErrors, HiddenSizeAsAString) {
  json c = llama_config();
  c["hidden_size"] = "64";
  std::string msg = field_error(c, "hidden_size");
  EXPECT_CONTAINS(msg, "positive integer");
  EXPECT_CONTAINS(msg, "\"64\"");
}

TEST(ConfigErrors, HiddenSizeZeroOrFractional) {
  json c = llama_config();
  c["hidden_size"] = 0;
  field_error(c, "hidden_size");
  c["hidden_size"] = 64.5;
  field_error(c, "hidden_size");
}

TEST(ConfigErrors, KeyValueHeadsNotDividingAttentionHeads) {
  json c = llama_config();
  c["num_key_value_heads"] = 3;
  std::string msg = field_error(c, "num_key_value_heads");
  EXPECT_CONTAINS(msg, "divisor of num_attention_heads");

  c["num_key_value_heads"] = 8;  // more KV heads than query heads
  msg = config_error(c);
  EXPECT_CONTAINS(msg, "field 'num_key_value_heads'");
}

TEST(ConfigErrors, AttentionHeadsNotDividingHiddenSize) {
  json c = llama_config();
  c["num_attention_heads"] = 6;
  c["num_key_value_heads"] = 3;
  std::string msg = field_error(c, "num_attention_heads");
  EXPECT_CONTAINS(msg, "divisor of hidden_size");
}

TEST(ConfigErrors, OddHeadDim) {
  json c = llama_config();
  c["head_dim"] = 15;
  std::string msg = field_error(c, "head_dim");
  EXPECT_CONTAINS(msg, "even");
}

TEST(ConfigErrors, RopeScalingUnknownType) {
  json c = llama_config();
  c["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  std::string msg = field_error(c, "rope_scaling.rope_type");
  EXPECT_CONTAINS(msg, "\"yarn\"");
  EXPECT_CONTAINS(msg, "\"linear\", \"llama3\" or \"default\"");

  // The older spelling of the field.
  c["rope_scaling"] = {{"type", "yarn"}, {"factor", 4.0}};
  msg = field_error(c, "rope_scaling.type");
  EXPECT_CONTAINS(msg, "\"yarn\"");
}

TEST(ConfigErrors, RopeScalingWithoutAType) {
  json c = llama_config();
  c["rope_scaling"] = {{"factor", 4.0}};
  field_error(c, "rope_scaling.type");
}

TEST(ConfigErrors, RopeScalingNotAnObject) {
  json c = llama_config();
  c["rope_scaling"] = "linear";
  std::string msg = field_error(c, "rope_scaling");
  EXPECT_CONTAINS(msg, "an object");
}

TEST(ConfigErrors, Llama3RopeScalingMissingLowFreqFactor) {
  json c = llama_config();
  c["rope_scaling"] = {{"rope_type", "llama3"},
                       {"factor", 8.0},
                       {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  std::string msg = field_error(c, "rope_scaling.low_freq_factor");
  EXPECT_CONTAINS(msg, "a number");
  EXPECT_CONTAINS(msg, "missing");
}

TEST(ConfigErrors, Llama3RopeScalingFactorsOutOfOrder) {
  json c = llama_config();
  c["rope_scaling"] = {{"rope_type", "llama3"},
                       {"factor", 8.0},
                       {"low_freq_factor", 4.0},
                       {"high_freq_factor", 1.0},
                       {"original_max_position_embeddings", 8192}};
  field_error(c, "rope_scaling.high_freq_factor");
}

TEST(ConfigErrors, Llama3RopeScalingParses) {
  json c = llama_config();
  c["rope_scaling"] = {{"rope_type", "llama3"},
                       {"factor", 8.0},
                       {"low_freq_factor", 1.0},
                       {"high_freq_factor", 4.0},
                       {"original_max_position_embeddings", 8192}};
  ModelSpec s = spec_from_config(c, kConfigPath);
  for (const LayerSpec& layer : s.layers) {
    EXPECT_EQ(layer.rope.scaling, RopeScaling::Llama3);
    EXPECT_EQ(layer.rope.factor, 8.0);
    EXPECT_EQ(layer.rope.low_freq_factor, 1.0);
    EXPECT_EQ(layer.rope.high_freq_factor, 4.0);
    EXPECT_EQ(layer.rope.original_max_positions, 8192);
  }
}

TEST(ConfigErrors, LinearRopeScalingWithNonPositiveFactor) {
  json c = llama_config();
  c["rope_scaling"] = {{"type", "linear"}, {"factor", 0.0}};
  std::string msg = field_error(c, "rope_scaling.factor");
  EXPECT_CONTAINS(msg, "positive");
}

TEST(ConfigErrors, HiddenActGelu) {
  json c = llama_config();
  c["hidden_act"] = "gelu";
  std::string msg = field_error(c, "hidden_act");
  EXPECT_CONTAINS(msg, "\"silu\"");
  EXPECT_CONTAINS(msg, "\"gelu\"");
}

TEST(ConfigErrors, MlpBiasUnsupported) {
  json c = llama_config();
  c["mlp_bias"] = true;
  field_error(c, "mlp_bias");
}

TEST(ConfigErrors, Qwen2WithSlidingWindowOn) {
  json c = llama_config();
  c["model_type"] = "qwen2";
  c["sliding_window"] = 8;
  c["use_sliding_window"] = true;
  std::string msg = field_error(c, "use_sliding_window");
  EXPECT_CONTAINS(msg, "false");
}

TEST(ConfigErrors, MistralSlidingWindowNotPositive) {
  json c = llama_config();
  c["model_type"] = "mistral";
  c["sliding_window"] = 0;
  field_error(c, "sliding_window");
  // null means no window, as in Mistral v0.2+ configs.
  c["sliding_window"] = nullptr;
  ModelSpec s = spec_from_config(c, kConfigPath);
  EXPECT_EQ(s.layers.size(), 2u);
  for (const LayerSpec& layer : s.layers) EXPECT_EQ(layer.window, 0);
}

TEST(ConfigErrors, BooleanFieldNotABoolean) {
  json c = llama_config();
  c["tie_word_embeddings"] = "yes";
  std::string msg = field_error(c, "tie_word_embeddings");
  EXPECT_CONTAINS(msg, "true or false");
}

TEST(ConfigErrors, TokenIdNotAnInteger) {
  json c = llama_config();
  c["eos_token_id"] = "</s>";
  field_error(c, "eos_token_id");
}

TEST(ConfigErrors, EosTokenIdListTakesTheFirst) {
  json c = llama_config();
  c["eos_token_id"] = {128001, 128009};
  c["vocab_size"] = 128256;
  ModelSpec s = spec_from_config(c, kConfigPath);
  ASSERT_TRUE(s.eos_token_id.has_value());
  EXPECT_EQ(*s.eos_token_id, 128001);
}

// A token id beyond int32 must not wrap around into a valid-looking id.
TEST(ConfigErrors, TokenIdOutOfRange) {
  json c = llama_config();
  c["eos_token_id"] = 4294967298ll;  // 2^32 + 2: wraps to 2 in an int32
  field_error(c, "eos_token_id");
}

// A context length below 1 must be rejected here: scan and perplexity size their windows from it.
TEST(ConfigErrors, MaxPositionEmbeddingsNotPositive) {
  json c = llama_config();
  c["max_position_embeddings"] = -1;
  field_error(c, "max_position_embeddings");
  c["max_position_embeddings"] = 0;
  field_error(c, "max_position_embeddings");
}

// rope_theta <= 0 gives NaN or infinite rotation frequencies: silently wrong numbers.
TEST(ConfigErrors, RopeThetaNotPositive) {
  json c = llama_config();
  c["rope_theta"] = 0.0;
  field_error(c, "rope_theta");
}

// ---- sizes checked against their bounds and against each other ----

json read_fixture_config(const std::string& name) {
  return read_json_file(massact::testing::fixture_dir(name) + "/config.json");
}

// A rotary fraction above 1 once rotated dimensions past the end of each head (a heap overflow in
// the RoPE kernel): both families' fractions must lie in (0, 1].
TEST(ConfigErrors, RotaryFractionAboveOne) {
  json neox = read_fixture_config("pythia_parallel_f32");
  neox["rotary_pct"] = 1.5;
  EXPECT_CONTAINS(field_error(neox, "rotary_pct"), "a fraction in (0, 1]");
  json phi = read_fixture_config("phi_f32");
  phi["partial_rotary_factor"] = 2.0;
  EXPECT_CONTAINS(field_error(phi, "partial_rotary_factor"), "a fraction in (0, 1]");
  for (double bad : {0.0, -0.5, 1e300}) {
    phi["partial_rotary_factor"] = bad;
    field_error(phi, "partial_rotary_factor");
  }
  phi["partial_rotary_factor"] = 1.0;  // the whole head: allowed
  EXPECT_EQ(spec_from_config(phi, kConfigPath).layers[0].rope.dims, 8);
}

// Qwen3Config's head_dim default (128) is not hidden_size / heads: the field is required. A window
// (use_sliding_window) is refused as for Qwen2.
TEST(ConfigErrors, Qwen3NeedsHeadDimAndRefusesSlidingWindows) {
  json c = read_fixture_config("qwen3_f32");
  c.erase("head_dim");
  field_error(c, "head_dim");
  c = read_fixture_config("qwen3_f32");
  c["use_sliding_window"] = true;
  field_error(c, "use_sliding_window");
}

// OLMo-2 has no sliding window; a config that states one (as OLMo-3's do) is refused.
TEST(ConfigErrors, Olmo2RefusesASlidingWindow) {
  json c = read_fixture_config("olmo2_f32");
  c["sliding_window"] = 8;
  field_error(c, "sliding_window");
}

TEST(ConfigErrors, CohereLogitScaleMustBePositive) {
  json c = read_fixture_config("cohere_f32");
  c["logit_scale"] = 0.0;
  field_error(c, "logit_scale");
  c["logit_scale"] = "0.25";
  field_error(c, "logit_scale");
}

// Cohere's config leaves out what transformers defaults: tied embeddings, logit_scale 0.0625.
TEST(ConfigErrors, CohereDefaults) {
  json c = read_fixture_config("cohere_f32");
  c.erase("logit_scale");
  c.erase("use_qk_norm");
  const ModelSpec s = spec_from_config(c, kConfigPath);
  EXPECT_EQ(s.logit_scale, 0.0625);
  EXPECT_TRUE(s.tied_embeddings);
  EXPECT_EQ(s.layers[0].qk_norm, QkNorm::None);
  EXPECT_TRUE(s.layers[0].rope.interleaved);
  EXPECT_EQ(s.layout, BlockLayout::ParallelOneNorm);
}

TEST(ConfigErrors, BloomRefusesResidualsAfterTheNorm) {
  json c = read_fixture_config("bloom_f32");
  c["apply_residual_connection_post_layernorm"] = true;
  field_error(c, "apply_residual_connection_post_layernorm");
}

// BLOOM's released configs spell the width n_embed and the heads num_attention_heads.
TEST(ConfigErrors, BloomReadsTheReleasedSpellings) {
  json c = read_fixture_config("bloom_f32");
  c["n_embed"] = c["hidden_size"];
  c["num_attention_heads"] = c["n_head"];
  c.erase("hidden_size");
  c.erase("n_head");
  const ModelSpec s = spec_from_config(c, kConfigPath);
  EXPECT_EQ(s.d_model, 48);
  EXPECT_EQ(s.n_heads, 6);
  EXPECT_EQ(s.d_ff, 192);
  EXPECT_TRUE(s.embed_norm);
  c.erase("n_embed");
  field_error(c, "hidden_size");
}

// Mistral 3: the text model's fields are named under text_config; Ministral-3's YaRN text model
// is refused.
TEST(ConfigErrors, Mistral3ReadsItsTextConfig) {
  json c = read_fixture_config("mistral3_f32");
  const ModelSpec s = spec_from_config(c, kConfigPath);
  EXPECT_EQ(s.family, "mistral3");
  EXPECT_EQ(s.head_dim, 16);
  EXPECT_EQ(s.names.embed, "language_model.model.embed_tokens.weight");
  EXPECT_EQ(s.bos_token_id, 1);  // from the top level: text_config leaves out Mistral's defaults
  c["text_config"]["model_type"] = "ministral3";
  field_error(c, "text_config.model_type");
  c = read_fixture_config("mistral3_f32");
  c["text_config"].erase("hidden_size");
  field_error(c, "text_config.hidden_size");
  c.erase("text_config");
  field_error(c, "text_config");
}

// Phi-3's LongRoPE: one positive factor per rotary frequency in each list, a known scaling type,
// and original_max_position_embeddings (at the top level, or inside rope_scaling).
TEST(ConfigErrors, Phi3LongRope) {
  const json fixture = read_fixture_config("phi3_f32");
  json c = fixture;
  c["rope_scaling"]["short_factor"] = {1.0, 2.0};
  EXPECT_CONTAINS(field_error(c, "rope_scaling.short_factor"), "a list of 4 positive numbers");
  c = fixture;
  c["rope_scaling"]["long_factor"][1] = -1.0;
  field_error(c, "rope_scaling.long_factor");
  c = fixture;
  c["rope_scaling"]["type"] = "yarn";
  field_error(c, "rope_scaling.type");
  c = fixture;
  c.erase("original_max_position_embeddings");
  field_error(c, "rope_scaling.original_max_position_embeddings");
  c["rope_scaling"]["original_max_position_embeddings"] = 32;
  EXPECT_EQ(spec_from_config(c, kConfigPath).layers[0].rope,
            spec_from_config(fixture, kConfigPath).layers[0].rope);
  c = fixture;
  c["sliding_window"] = 0;
  field_error(c, "sliding_window");
  // Phi-4-mini rotates part of each head: the lists then have one factor per rotated pair.
  c = fixture;
  c["partial_rotary_factor"] = 0.5;
  EXPECT_CONTAINS(field_error(c, "rope_scaling.short_factor"), "a list of 2 positive numbers");
  c["rope_scaling"]["short_factor"] = {1.0, 2.0};
  c["rope_scaling"]["long_factor"] = {3.0, 4.0};
  EXPECT_EQ(spec_from_config(c, kConfigPath).layers[0].rope.dims, 4);
}

// StarCoder2: use_bias switches every projection's bias; norm_epsilon and the window are checked.
TEST(ConfigErrors, Starcoder2Fields) {
  const json fixture = read_fixture_config("starcoder2_f32");
  json c = fixture;
  c["use_bias"] = false;
  const ModelSpec s = spec_from_config(c, kConfigPath);
  EXPECT_FALSE(s.qkv_bias || s.o_bias || s.mlp_bias);
  EXPECT_TRUE(s.norm_bias);
  c["sliding_window"] = 16;
  EXPECT_EQ(spec_from_config(c, kConfigPath).layers[1].window, 16);
  c["sliding_window"] = -1;
  field_error(c, "sliding_window");
  c = fixture;
  c["use_bias"] = "yes";
  field_error(c, "use_bias");
  c = fixture;
  c["norm_epsilon"] = "small";
  field_error(c, "norm_epsilon");
}

// StableLM: the rotary fraction, the residual layout and qk_layernorm are read from their fields;
// a missing per-head norm is named when the weights load.
TEST(ConfigErrors, StablelmFields) {
  const json fixture = read_fixture_config("stablelm_f32");
  json c = fixture;
  c["partial_rotary_factor"] = 0.1;  // 0.8 of a dimension
  field_error(c, "partial_rotary_factor");
  c = fixture;
  c["use_parallel_residual"] = 1;
  field_error(c, "use_parallel_residual");
  c = fixture;
  c["qk_layernorm"] = "yes";
  field_error(c, "qk_layernorm");
  c = fixture;
  c["layer_norm_eps"] = "small";
  field_error(c, "layer_norm_eps");
}

// Qwen3-MoE: expert counts and widths are checked, norm_topk_prob decides the renormalization
// (false when absent, as Qwen3MoeConfig), and dense layers among the sparse ones are refused.
TEST(ConfigErrors, Qwen3MoeFields) {
  const json fixture = read_fixture_config("qwen3moe_f32");
  EXPECT_TRUE(spec_from_config(fixture, kConfigPath).moe_renormalize);
  json c = fixture;
  c.erase("norm_topk_prob");
  EXPECT_FALSE(spec_from_config(c, kConfigPath).moe_renormalize);
  c = fixture;
  c["num_experts_per_tok"] = 5;
  field_error(c, "num_experts_per_tok");
  c = fixture;
  c.erase("moe_intermediate_size");
  field_error(c, "moe_intermediate_size");
  c = fixture;
  c["mlp_only_layers"] = {1};
  field_error(c, "mlp_only_layers");
  c = fixture;
  c["decoder_sparse_step"] = 2;
  field_error(c, "decoder_sparse_step");
  c = fixture;
  c["num_experts"] = 0;
  field_error(c, "num_experts");
}

TEST(ConfigErrors, RotaryFractionAboveOneIsRefusedBeforeTheForwardPass) {
  const std::string dir = massact::testing::temp_dir() + "/pythia";
  fs::copy(massact::testing::fixture_dir("pythia_parallel_f32"), dir);
  json c = read_fixture_config("pythia_parallel_f32");
  c["rotary_pct"] = 1.5;
  std::ofstream(dir + "/config.json") << c.dump(2);
  const std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir + "/config.json");
  EXPECT_CONTAINS(msg, "field 'rotary_pct'");
}

// Sizes past SpecLimits are refused as they are read, before anything is allocated or multiplied
// from them (2^62 once overflowed n_heads * head_dim; 3e8 layers allocated 2.3 GB first).
TEST(ConfigErrors, SizesBeyondTheirLimits) {
  const int64_t huge = int64_t(1) << 62;
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, int64_t>>{{"head_dim", huge},
                                                    {"num_hidden_layers", 300000000},
                                                    {"num_hidden_layers", int64_t(1) << 31},
                                                    {"num_hidden_layers", 1000000000000000},
                                                    {"hidden_size", huge},
                                                    {"num_attention_heads", huge},
                                                    {"vocab_size", int64_t(1) << 40},
                                                    {"max_position_embeddings", huge},
                                                    {"intermediate_size", huge}}) {
    json c = llama_config();
    c[key] = value;
    EXPECT_CONTAINS(field_error(c, key), "at most") << key << " = " << value;
  }
}

TEST(ConfigErrors, DerivedWidthsCannotOverflow) {
  json gpt2 = read_fixture_config("gpt2_f32");
  gpt2["n_embd"] = int64_t(1) << 62;  // 4 * n_embd would overflow
  field_error(gpt2, "n_embd");
  json mpt = read_fixture_config("mpt_f32");
  mpt["expansion_ratio"] = int64_t(1) << 62;
  field_error(mpt, "expansion_ratio");
  mpt["expansion_ratio"] = -4;
  field_error(mpt, "expansion_ratio");
  json opt = read_fixture_config("opt_f32");
  opt["word_embed_proj_dim"] = int64_t(1) << 40;
  field_error(opt, "word_embed_proj_dim");
}

TEST(ConfigErrors, ExpertCounts) {
  json c = read_fixture_config("mixtral_f32");
  c["num_experts_per_tok"] = c["num_local_experts"].get<int64_t>() + 1;
  field_error(c, "num_experts_per_tok");
  c = read_fixture_config("mixtral_f32");
  c["num_local_experts"] = int64_t(1) << 40;
  EXPECT_CONTAINS(field_error(c, "num_local_experts"), "at most 4096");
}

TEST(ConfigErrors, SlidingWindowBeyondItsLimit) {
  json c = llama_config();
  c["model_type"] = "mistral";
  c["sliding_window"] = int64_t(1) << 40;
  field_error(c, "sliding_window");
}

// The checks on the assembled spec, whatever family filled it; each names SpecOrigin's field.
ModelSpec valid_spec() {
  ModelSpec s = spec_from_config(llama_config(), kConfigPath);
  s.origin.rope_dims = "rotary_pct";
  return s;
}

std::string spec_error(const ModelSpec& s) {
  try {
    validate_spec(s);
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), kConfigPath);
    return e.what();
  }
  ADD_FAILURE() << "validate_spec accepted the spec";
  return "";
}

TEST(ValidateSpec, RotaryDimensionsWithinTheHead) {
  ModelSpec s = valid_spec();
  validate_spec(s);
  s.layers[0].rope.dims = s.head_dim + 2;
  EXPECT_CONTAINS(spec_error(s),
                  "field 'rotary_pct': expected an even number of rotary "
                  "dimensions from 2 to the head size (16), got 18");
  s.layers[0].rope.dims = 5;
  spec_error(s);
  s = valid_spec();
  s.layers[1].rope.dims = 0;  // every layer's RoPE is checked, not only the first
  spec_error(s);
}

TEST(ValidateSpec, HeadsAndGroupsDivide) {
  ModelSpec s = valid_spec();
  s.n_kv_heads = 3;
  EXPECT_CONTAINS(spec_error(s), "field 'num_key_value_heads'");
  s = valid_spec();
  s.qkv_groups = 4;  // does not divide the 2 KV heads: families derive it, so a bug
  EXPECT_THROW(validate_spec(s), std::logic_error);
}

TEST(ValidateSpec, ExpertsPerTokenAmongTheExperts) {
  ModelSpec s = valid_spec();
  s.n_experts = 4;
  s.experts_per_token = 5;
  EXPECT_CONTAINS(spec_error(s),
                  "field 'num_experts_per_tok': expected a positive integer at most 4");
}

TEST(ValidateSpec, OneLayerSpecPerLayer) {
  ModelSpec s = valid_spec();
  s.layers[1].window = -1;
  EXPECT_CONTAINS(spec_error(s), "field 'sliding_window'");
  s = valid_spec();
  s.layers.pop_back();  // a family that forgot a layer: a bug, not bad input
  EXPECT_THROW(validate_spec(s), std::logic_error);
}

// A family names exactly the block norms its layout's recipe uses: a norm named but unused (as
// Gemma-2's output norms would be in a parallel block) or used but unnamed is a family bug.
TEST(ValidateSpec, BlockNormsAreExactlyThoseTheLayoutUses) {
  ModelSpec s = valid_spec();
  s.names.post_attn_norm = "model.layers.{i}.post_attention_norm.weight";
  EXPECT_THROW(validate_spec(s), std::logic_error);
  s = valid_spec();
  s.layout = BlockLayout::ParallelOneNorm;  // keeps LLaMA's mlp_norm name, which it never loads
  EXPECT_THROW(validate_spec(s), std::logic_error);
  s.names.mlp_norm = "";
  validate_spec(s);
  s.layout = BlockLayout::Sandwich;  // needs output norms nobody named
  EXPECT_THROW(validate_spec(s), std::logic_error);
}

// The same for LayerScales: named exactly when the layout scales its sublayers (DINOv2).
TEST(ValidateSpec, LayerScalesAreExactlyThoseTheLayoutUses) {
  ModelSpec s = valid_spec();
  s.layout = BlockLayout::PreNormLayerScale;  // needs LayerScales nobody named
  EXPECT_THROW(validate_spec(s), std::logic_error);
  s.names.attn_layer_scale = "layer.{i}.layer_scale1.lambda1";
  s.names.mlp_layer_scale = "layer.{i}.layer_scale2.lambda1";
  validate_spec(s);
  s.layout = BlockLayout::PreNorm;  // named but never loaded
  EXPECT_THROW(validate_spec(s), std::logic_error);
}

// An encoder layer attends to every token; a sliding window (counted back from the query) on one
// is refused rather than computed as something else.
TEST(ValidateSpec, NonCausalLayersHaveNoWindow) {
  ModelSpec s = valid_spec();
  s.layers[1].causal = false;
  validate_spec(s);
  s.layers[1].window = 16;
  EXPECT_CONTAINS(spec_error(s), "non-causal");
}

// A q/k norm the family gave no tensor names for is a family bug. It is of the block norms' kind:
// an RMSNorm (Gemma-3, Qwen3, OLMo-2) or a LayerNorm (Cohere, StableLM 2).
TEST(ValidateSpec, QkNormNeedsNames) {
  ModelSpec s = valid_spec();
  s.layers[0].qk_norm = QkNorm::PerHead;
  EXPECT_THROW(validate_spec(s), std::logic_error);
  s.names.q_norm = s.names.k_norm = "q_norm.{i}";
  s.norm = NormKind::RMSNorm;
  validate_spec(s);
  s.norm = NormKind::LayerNorm;
  validate_spec(s);
}

// ---- the committed fixtures ----

TEST(ConfigFixtures, LlamaF32ParsesToItsConfig) {
  const std::string path = massact::testing::fixture_dir("llama_f32") + "/config.json";
  json c = read_json_file(path);
  ModelSpec s = spec_from_config(c, path);
  EXPECT_EQ(s.family, "llama");
  EXPECT_EQ(s.d_model, 64);
  EXPECT_EQ(s.n_layers, 3);
  EXPECT_EQ(s.n_heads, 4);
  EXPECT_EQ(s.n_kv_heads, 2);
  EXPECT_EQ(s.head_dim, 16);
  EXPECT_EQ(s.d_ff, 128);
  EXPECT_EQ(s.vocab_size, 256);
  EXPECT_EQ(s.max_positions, 128);
  EXPECT_DOUBLE_EQ(s.norm_eps, 1e-5);
  EXPECT_EQ(s.layers[2].rope.theta, 10000.0);
  EXPECT_EQ(s.layers[2].rope.scaling, RopeScaling::None);  // "rope_scaling": null
  EXPECT_FALSE(s.qkv_bias);
  EXPECT_FALSE(s.o_bias);
  EXPECT_FALSE(s.tied_embeddings);
  ASSERT_EQ(s.layers.size(), 3u);
  EXPECT_EQ(s.layers[0], s.layers[2]);
  EXPECT_EQ(s.layers[0].window, 0);
  EXPECT_EQ(s.layers[0].qk_norm, QkNorm::None);
  ASSERT_TRUE(s.bos_token_id.has_value());
  ASSERT_TRUE(s.eos_token_id.has_value());
  EXPECT_EQ(*s.bos_token_id, 1);
  EXPECT_EQ(*s.eos_token_id, 2);
  EXPECT_EQ(s.names.q, "model.layers.{i}.self_attn.q_proj.weight");
  // The values match the file field by field.
  EXPECT_EQ(s.d_model, c["hidden_size"].get<int64_t>());
  EXPECT_EQ(s.n_layers, c["num_hidden_layers"].get<int64_t>());
  EXPECT_EQ(s.d_ff, c["intermediate_size"].get<int64_t>());
}

// transformers' LongRoPE: the factors as listed, cos and sin scaled by
// sqrt(1 + ln(64 / 32) / ln 32) (max_position_embeddings 64, original 32), as a float32.
TEST(ConfigFixtures, Phi3HasLongRopeAndItsWindow) {
  const ModelSpec s = spec_from_config(read_fixture_config("phi3_f32"), kConfigPath);
  for (const LayerSpec& layer : s.layers) {
    EXPECT_EQ(layer.window, 56);
    EXPECT_EQ(layer.rope.scaling, RopeScaling::LongRope);
    EXPECT_EQ(layer.rope.dims, 8);
    EXPECT_EQ(layer.rope.original_max_positions, 32);
    EXPECT_EQ(layer.rope.short_factors, (std::vector<float>{1.0f, 1.25f, 1.5f, 2.0f}));
    EXPECT_EQ(layer.rope.long_factors, (std::vector<float>{1.0f, 2.0f, 4.0f, 8.0f}));
    EXPECT_EQ(layer.rope.attention_factor, float(std::sqrt(1 + std::log(2.0) / std::log(32.0))));
  }
  EXPECT_EQ(s.names.gate_up, "model.layers.{i}.mlp.gate_up_proj.weight");
  EXPECT_EQ(s.names.qkv, "model.layers.{i}.self_attn.qkv_proj.weight");
}

TEST(ConfigFixtures, MistralHasItsSlidingWindowInEveryLayer) {
  json c = read_fixture_config("mistral_f32");
  ModelSpec s = spec_from_config(c, "mistral_f32/config.json");
  EXPECT_EQ(s.family, "mistral");
  ASSERT_EQ(s.n_layers, c["num_hidden_layers"].get<int64_t>());
  ASSERT_EQ(s.layers.size(), size_t(s.n_layers));
  for (const LayerSpec& layer : s.layers) EXPECT_EQ(layer.window, 8);
  EXPECT_EQ(s.head_dim, 16);
  EXPECT_FALSE(s.qkv_bias);
}

TEST(ConfigFixtures, Qwen2IgnoresSlidingWindowWhenUseSlidingWindowIsFalse) {
  json c = read_fixture_config("qwen2_f32");
  ASSERT_EQ(c["sliding_window"], 8);
  ASSERT_EQ(c["use_sliding_window"], false);
  ModelSpec s = spec_from_config(c, "qwen2_f32/config.json");
  EXPECT_EQ(s.family, "qwen2");
  ASSERT_EQ(s.layers.size(), size_t(c["num_hidden_layers"].get<int64_t>()));
  for (const LayerSpec& layer : s.layers) EXPECT_EQ(layer.window, 0);
  EXPECT_TRUE(s.qkv_bias);
  EXPECT_FALSE(s.o_bias);
}

TEST(ConfigFixtures, ShardedLlamaHasLinearRopeScaling) {
  json c = read_fixture_config("llama_linear_sharded");
  ModelSpec s = spec_from_config(c, "llama_linear_sharded/config.json");
  EXPECT_EQ(s.layers[0].rope.scaling, RopeScaling::Linear);
  EXPECT_EQ(s.layers[0].rope.factor, 2.0);
}

// ---- weights against the config ----

// A copy of the llama_f32 fixture, all but the files named in `skip`.
std::string copy_fixture(const std::string& name, const std::vector<std::string>& skip = {}) {
  const std::string dir = massact::testing::temp_dir() + "/" + name;
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(massact::testing::fixture_dir(name))) {
    const std::string file = entry.path().filename();
    if (std::find(skip.begin(), skip.end(), file) == skip.end())
      fs::copy_file(entry.path(), dir + "/" + file);
  }
  return dir;
}

TEST(WeightsAgainstConfig, FixtureLoads) {
  const std::string dir = copy_fixture("llama_f32");
  Model m = Model::load(dir);
  EXPECT_EQ(m.spec().n_layers, 3);
  EXPECT_EQ(m.weight_dtype(), "F32");
}

TEST(WeightsAgainstConfig, HiddenSizeMismatchNamesTheTensorAndExpectedShape) {
  const std::string dir = copy_fixture("llama_f32");
  json c = read_json_file(dir + "/config.json");
  c["hidden_size"] = 32;  // head_dim 8; the stored tensors are 64 wide
  {
    std::ofstream out(dir + "/config.json");
    out << c.dump(2);
  }
  std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir);
  EXPECT_CONTAINS(msg, "tensor 'model.embed_tokens.weight'");
  EXPECT_CONTAINS(msg, "shape (256, 64)");
  EXPECT_CONTAINS(msg, "expected (256, 32)");
  EXPECT_CONTAINS(msg, "config.json");
}

TEST(WeightsAgainstConfig, IntermediateSizeMismatchNamesTheLayerTensor) {
  const std::string dir = copy_fixture("llama_f32");
  json c = read_json_file(dir + "/config.json");
  c["intermediate_size"] = 96;
  {
    std::ofstream out(dir + "/config.json");
    out << c.dump(2);
  }
  std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir);
  EXPECT_CONTAINS(msg, "tensor 'model.layers.0.mlp.gate_proj.weight'");
  EXPECT_CONTAINS(msg, "expected (96, 64)");
}

// A copy of `fixture` whose model.safetensors lacks tensor `missing`; the load error names both.
void expect_missing_tensor_named(const std::string& fixture, const std::string& missing) {
  const std::string dir = copy_fixture(fixture, {"model.safetensors"});
  SafetensorsFile src =
      SafetensorsFile::open(massact::testing::fixture_dir(fixture) + "/model.safetensors");
  ASSERT_NE(src.find(missing), nullptr);
  NamedTensors kept;
  for (const auto& info : src.tensors())
    if (info.name != missing) kept.emplace_back(info.name, src.get(info.name));
  ASSERT_EQ(kept.size() + 1, src.tensors().size());
  write_safetensors(dir + "/model.safetensors", kept, src.metadata());

  std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir + "/model.safetensors");
  EXPECT_CONTAINS(msg, "missing tensor '" + missing + "'");
}

TEST(WeightsAgainstConfig, MissingTensorIsNamed) {
  expect_missing_tensor_named("llama_f32", "model.layers.1.mlp.up_proj.weight");
}

// StableLM's qk_layernorm keeps one weight per head: a missing head is named.
TEST(WeightsAgainstConfig, MissingPerHeadNormIsNamed) {
  expect_missing_tensor_named("stablelm_qknorm_f32",
                              "model.layers.1.self_attn.k_layernorm.norms.1.weight");
}

TEST(WeightsAgainstConfig, NonFloatWeightIsRejected) {
  const std::string norm = "model.norm.weight";
  const std::string dir = copy_fixture("llama_f32", {"model.safetensors"});
  SafetensorsFile src =
      SafetensorsFile::open(massact::testing::fixture_dir("llama_f32") + "/model.safetensors");
  NamedTensors kept;
  for (const auto& info : src.tensors())
    kept.emplace_back(
        info.name, info.name == norm ? Tensor::zeros(DType::I32, info.shape) : src.get(info.name));
  write_safetensors(dir + "/model.safetensors", kept);

  std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir);
  EXPECT_CONTAINS(msg, "tensor '" + norm + "'");
  EXPECT_CONTAINS(msg, "dtype I32");
}

// safetensors does not require aligned tensors: a 1-byte tensor first puts every float weight at an
// odd address. The model must still load and give the same logits, bit for bit.
TEST(WeightsAgainstConfig, MisalignedWeightsGiveTheSameLogits) {
  const std::string dir = copy_fixture("llama_f32", {"model.safetensors"});
  SafetensorsFile src =
      SafetensorsFile::open(massact::testing::fixture_dir("llama_f32") + "/model.safetensors");
  NamedTensors tensors;
  tensors.emplace_back("aaa_padding", Tensor::zeros(DType::U8, {1}));
  for (const auto& info : src.tensors()) tensors.emplace_back(info.name, src.get(info.name));
  write_safetensors(dir + "/model.safetensors", tensors);
  SafetensorsFile written = SafetensorsFile::open(dir + "/model.safetensors");
  ASSERT_EQ(written.find("model.embed_tokens.weight")->begin % 4, 1u);

  Model reference = Model::load(massact::testing::fixture_dir("llama_f32"));
  Model misaligned = Model::load(dir);
  const TokenIds ids = {1, 17, 42, 99, 200, 3};
  Tensor a = reference.forward(ids);
  Tensor b = misaligned.forward(ids);
  ASSERT_EQ(a.shape(), b.shape());
  ASSERT_EQ(a.shape(), (Shape{6, 256}));
  int64_t differing = 0;
  for (int64_t i = 0; i < a.numel(); ++i) differing += a.f32()[i] != b.f32()[i];
  EXPECT_EQ(differing, 0);
}

TEST(WeightsAgainstConfig, FolderWithoutWeights) {
  const std::string dir = copy_fixture("llama_f32", {"model.safetensors"});
  std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir);
  EXPECT_CONTAINS(msg, "no model.safetensors");
}

TEST(WeightsAgainstConfig, FolderWithoutConfig) {
  const std::string dir = copy_fixture("llama_f32", {"config.json"});
  std::string msg = load_error(dir);
  EXPECT_CONTAINS(msg, dir + "/config.json");
  EXPECT_CONTAINS(msg, "missing");
}

}  // namespace
}  // namespace massact
