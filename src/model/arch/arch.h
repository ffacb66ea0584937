// config.json -> ModelSpec, one family per file. The registry maps a config's model_type to its
// family; a type it does not know is an InputError that lists the supported ones.
#pragma once

#include <string>
#include <vector>

#include "io/gguf.h"
#include "io/json_file.h"
#include "io/tensor_source.h"
#include "model/model_spec.h"

namespace massact {

ModelSpec spec_from_config(const json& config, const std::string& config_path);
std::vector<std::string> supported_model_types();

// Fields that several families read alike (llama.cpp): rope_theta and rope_scaling; a token id or
// a list of them (the first is taken).
RopeSpec read_rope(const JsonFields& config);
std::optional<int32_t> optional_token_id(const JsonFields& config, const std::string& key);
// An activation by its Hugging Face name (hidden_act, activation_function, ...).
Activation read_activation(const JsonFields& config, const std::string& key,
                           const std::string& fallback);
// LLaMA's sizes, RoPE, names and token ids without its SiLU check: the base of Gemma and Mixtral.
ModelSpec llama_shape(const JsonFields& config);
// How a family's config.json names its sizes; an empty name: the family has no such key.
struct SizeKeys {
  std::string d_model = "hidden_size";
  std::string n_layers = "num_hidden_layers";
  std::string n_heads = "num_attention_heads";
  std::string n_kv_heads = "num_key_value_heads";  // absent: one KV head per head
  std::string head_dim = "head_dim";               // absent: d_model / n_heads
  std::string max_positions = "max_position_embeddings";
  std::string vocab_size = "vocab_size";  // empty: no vocabulary (a vision transformer)
  int64_t default_max_positions = 0;      // when max_positions is absent; 0: it is required
};
// A size field: a positive integer no larger than `limit` (one of SpecLimits).
int64_t bounded_size(const JsonFields& config, const std::string& key, int64_t limit);
// As transformers: int(head_dim * fraction) leading dimensions of each head rotate, the fraction
// (config field `key`, `fallback` when absent) in (0, 1] and giving an even, positive count.
int64_t rotary_dims(const JsonFields& config, const std::string& key, double fallback,
                    int64_t head_dim);
// The spec's sizes (d_model, layers, heads and KV heads, each dividing the next, head_dim,
// vocab_size, max positions, each within SpecLimits), embed_dim = d_model, attn_scale =
// 1/sqrt(head_dim), no sliding window, the special token ids, and the spec's origin (the file and
// these key names): what every family reads alike, under its own key names.
ModelSpec read_sizes(const JsonFields& config, const std::string& family,
                     const SizeKeys& keys = {});

// LongRoPE's (Phi-3's) scale on cos and sin when a file does not state it, as transformers:
// sqrt(1 + ln(s) / ln(original)) with s = max_positions / original when s > 1, else 1.
double longrope_attention_factor(int64_t max_positions, int64_t original_max_positions);

// Gemma-2 without its window pattern: the base of Gemma-3.
ModelSpec gemma2_shape(const JsonFields& config);

// The families (arch/*.cpp).
ModelSpec llama_spec(const JsonFields& config);
ModelSpec mistral_spec(const JsonFields& config);
ModelSpec qwen2_spec(const JsonFields& config);
ModelSpec gpt2_spec(const JsonFields& config);
ModelSpec gpt_neox_spec(const JsonFields& config);
ModelSpec phi_spec(const JsonFields& config);
ModelSpec opt_spec(const JsonFields& config);
ModelSpec gemma_spec(const JsonFields& config);
ModelSpec gemma2_spec(const JsonFields& config);
ModelSpec gemma3_spec(const JsonFields& config);
ModelSpec falcon_spec(const JsonFields& config);
ModelSpec mpt_spec(const JsonFields& config);
ModelSpec mixtral_spec(const JsonFields& config);
ModelSpec olmo2_spec(const JsonFields& config);
ModelSpec qwen3_spec(const JsonFields& config);
ModelSpec cohere_spec(const JsonFields& config);
ModelSpec bloom_spec(const JsonFields& config);
ModelSpec mistral3_spec(const JsonFields& config);
ModelSpec phi3_spec(const JsonFields& config);
ModelSpec starcoder2_spec(const JsonFields& config);
ModelSpec stablelm_spec(const JsonFields& config);
ModelSpec qwen3_moe_spec(const JsonFields& config);
// The Hugging Face LLaMA layout's tensor names (model.layers.{i}.self_attn.q_proj, mlp.gate_proj,
// ...), which many families share in whole or in part.
TensorNames llama_names();

ModelSpec vit_spec(const JsonFields& config);
ModelSpec vit_mae_spec(const JsonFields& config);
ModelSpec clip_vision_spec(const JsonFields& config);
ModelSpec clip_spec(const JsonFields& config);
ModelSpec dinov2_spec(const JsonFields& config);
ModelSpec dinov2_with_registers_spec(const JsonFields& config);

// What every vision transformer's config.json states alike: the sizes (no vocabulary, no
// max_position_embeddings: the positions are those of the trained patch grid), image_size,
// patch_size, num_channels, LayerNorm with bias and eps layer_norm_eps, non-causal layers, biases
// on q, k, v (qkv_bias), o and a plain MLP of hidden_act.
ModelSpec vision_shape(const JsonFields& config, const std::string& family);

}  // namespace massact

namespace massact {

// GGUF metadata (general.architecture and its "<arch>.*" keys) -> ModelSpec with the file's
// tensor names (token_embd.weight, blk.{i}.attn_q.weight, ...); `tensors` answers what the keys
// leave out (vocabulary size, tied output). InputError naming the file and key, or listing the
// supported architectures. arch/gguf.cpp.
ModelSpec spec_from_gguf(const GgufFile& gguf, const TensorSource& tensors);
std::vector<std::string> supported_gguf_architectures();

}  // namespace massact
