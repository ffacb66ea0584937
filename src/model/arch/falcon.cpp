// Falcon: LayerNorm with bias, rotary positions, a plain GELU MLP, tied embeddings, and attention
// and MLP in parallel. The layouts differ as data:
//   - Falcon-7B (multi_query): one KV head; one input_layernorm feeds both sublayers; the fused
//     query_key_value holds all q rows, then k, then v (qkv_groups 1).
//   - Falcon-40B/180B (new_decoder_architecture): num_kv_heads KV heads; ln_attn and ln_mlp; the
//     fused rows come in one group per KV head: its queries, its k, its v (qkv_groups n_kv_heads).
//   - Falcon-RW (neither): multi-head, rows interleaved per head (qkv_groups n_heads), and with
//     parallel_attn false a sequential block (input_layernorm, post_attention_layernorm).
// Positions are rotary, or with alibi (Falcon-RW-1B/7B) an ALiBi bias.
#include "model/arch/arch.h"

namespace massact {

ModelSpec falcon_spec(const JsonFields& config) {
  const bool new_arch = config.boolean("new_decoder_architecture", false);
  const bool multi_query = config.boolean("multi_query", true);
  const bool parallel = config.boolean("parallel_attn", true);
  // Only the new decoder architecture reads num_kv_heads; the others have one KV head or one per
  // head, whatever num_kv_heads says.
  ModelSpec spec =
      read_sizes(config, "falcon",
                 {.n_kv_heads = new_arch ? "num_kv_heads" : "", .default_max_positions = 2048});
  if (!new_arch && multi_query) {
    spec.n_kv_heads = 1;
    spec.origin.n_kv_heads = "multi_query";
  }
  spec.d_ff =
      config.has("ffn_hidden_size") ? config.positive_integer("ffn_hidden_size") : 4 * spec.d_model;
  spec.origin.d_ff = config.has("ffn_hidden_size") ? "ffn_hidden_size" : "hidden_size";

  TensorNames& n = spec.names;
  n.embed = "transformer.word_embeddings.weight";
  n.final_norm = "transformer.ln_f.weight";
  n.lm_head = "lm_head.weight";
  n.qkv = "transformer.h.{i}.self_attention.query_key_value.weight";
  n.o = "transformer.h.{i}.self_attention.dense.weight";
  n.up = "transformer.h.{i}.mlp.dense_h_to_4h.weight";
  n.down = "transformer.h.{i}.mlp.dense_4h_to_h.weight";
  if (new_arch && config.integer("num_ln_in_parallel_attn", 2) == 2) {
    spec.layout = BlockLayout::ParallelTwoNorms;
    n.attn_norm = "transformer.h.{i}.ln_attn.weight";
    n.mlp_norm = "transformer.h.{i}.ln_mlp.weight";
  } else {
    spec.layout = new_arch || parallel ? BlockLayout::ParallelOneNorm : BlockLayout::PreNorm;
    n.attn_norm = "transformer.h.{i}.input_layernorm.weight";
    if (spec.layout == BlockLayout::PreNorm)
      n.mlp_norm = "transformer.h.{i}.post_attention_layernorm.weight";
  }
  spec.qkv_groups = new_arch ? spec.n_kv_heads : (multi_query ? 1 : spec.n_heads);

  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("layer_norm_epsilon", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "activation", "gelu");
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = config.boolean("bias", false);
  if (config.boolean("alibi", false)) {
    // MPT's slopes (bias max 8), but built and applied Falcon's way (see ScoreRule::alibi_bf16).
    spec.positions = Positions::Alibi;
    spec.alibi_bf16 = true;
  } else {
    spec.positions = Positions::Rope;
    RopeSpec rope = read_rope(config);
    rope.dims = spec.head_dim;
    set_rope(spec, rope);
  }
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  return spec;
}

}  // namespace massact
