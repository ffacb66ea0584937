// BLOOM: ALiBi instead of positions (the same slopes as MPT's, added after the 1/sqrt(head_dim)
// scale), a LayerNorm with bias on the word embeddings, pre-LayerNorm sequential blocks, biases
// everywhere, a plain MLP of 4 x hidden with the tanh GELU, tied embeddings. The fused
// query_key_value is interleaved per head (q, k, v of head 0, then of head 1, ...: qkv_groups
// n_heads). Released configs spell the sizes n_embed / num_attention_heads, transformers' own
// hidden_size / n_head.
#include "model/arch/arch.h"

namespace massact {

namespace {

// The first of `keys` the config has (the last one when none, so that the error names it).
std::string spelled(const JsonFields& config, std::initializer_list<std::string> keys) {
  for (const std::string& key : keys)
    if (config.has(key)) return key;
  return *(keys.end() - 1);
}

}  // namespace

ModelSpec bloom_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "bloom",
                              {.d_model = spelled(config, {"n_embed", "hidden_size"}),
                               .n_layers = spelled(config, {"num_hidden_layers", "n_layer"}),
                               .n_heads = spelled(config, {"num_attention_heads", "n_head"}),
                               .n_kv_heads = "",
                               .head_dim = "",
                               .max_positions = "seq_length",
                               .default_max_positions = 2048});
  spec.d_ff = 4 * spec.d_model;  // d_model at most 2^20: no overflow
  spec.origin.d_ff = spec.origin.d_model;
  if (config.boolean("apply_residual_connection_post_layernorm", false))
    config.fail("apply_residual_connection_post_layernorm",
                "false (residuals taken after the norm are not supported)");

  spec.embed_norm = true;
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("layer_norm_epsilon", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = Activation::GeluTanh;
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = true;
  spec.positions = Positions::Alibi;
  spec.qkv_groups = spec.n_heads;
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);

  TensorNames& n = spec.names;
  n.optional_prefix = "transformer.";  // absent where a checkpoint was saved from BloomModel
  n.embed = "transformer.word_embeddings.weight";
  n.embed_norm = "transformer.word_embeddings_layernorm.weight";
  n.final_norm = "transformer.ln_f.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "transformer.h.{i}.input_layernorm.weight";
  n.qkv = "transformer.h.{i}.self_attention.query_key_value.weight";
  n.o = "transformer.h.{i}.self_attention.dense.weight";
  n.mlp_norm = "transformer.h.{i}.post_attention_layernorm.weight";
  n.up = "transformer.h.{i}.mlp.dense_h_to_4h.weight";
  n.down = "transformer.h.{i}.mlp.dense_4h_to_h.weight";
  return spec;
}

}  // namespace massact
