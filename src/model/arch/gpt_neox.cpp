// GPT-NeoX (Pythia): LayerNorm with bias, partial rotary (rotary_pct of each head), a plain GELU
// MLP, biases, and by default the parallel residual x += attn(ln1(x)) + mlp(ln2(x)). Its fused
// query_key_value interleaves heads: for each head, its q, k and v rows (qkv_groups = n_heads).
#include "model/arch/arch.h"

namespace massact {

namespace {

TensorNames gpt_neox_names() {
  TensorNames n;
  n.optional_prefix = "gpt_neox.";
  n.embed = "gpt_neox.embed_in.weight";
  n.final_norm = "gpt_neox.final_layer_norm.weight";
  n.lm_head = "embed_out.weight";
  n.attn_norm = "gpt_neox.layers.{i}.input_layernorm.weight";
  n.qkv = "gpt_neox.layers.{i}.attention.query_key_value.weight";
  n.o = "gpt_neox.layers.{i}.attention.dense.weight";
  n.mlp_norm = "gpt_neox.layers.{i}.post_attention_layernorm.weight";
  n.up = "gpt_neox.layers.{i}.mlp.dense_h_to_4h.weight";
  n.down = "gpt_neox.layers.{i}.mlp.dense_4h_to_h.weight";
  return n;
}

}  // namespace

ModelSpec gpt_neox_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "gpt_neox", {.n_kv_heads = "", .head_dim = ""});
  spec.d_ff = config.positive_integer("intermediate_size");

  spec.layout = config.boolean("use_parallel_residual", true) ? BlockLayout::ParallelTwoNorms
                                                              : BlockLayout::PreNorm;
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("layer_norm_eps", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "hidden_act", "gelu");
  spec.mlp_bias = true;
  spec.qkv_bias = spec.o_bias = config.boolean("attention_bias", true);
  spec.qkv_groups = spec.n_heads;
  spec.positions = Positions::Rope;
  RopeSpec rope;
  rope.theta = config.number("rotary_emb_base", 10000.0);
  if (!(rope.theta > 0)) config.fail("rotary_emb_base", "a positive number");
  rope.dims = rotary_dims(config, "rotary_pct", 0.25, spec.head_dim);
  set_rope(spec, rope);
  spec.origin.rope_dims = "rotary_pct";
  if (config.has("rope_scaling"))
    config.fail("rope_scaling", "null (RoPE scaling is not supported for gpt_neox)");
  spec.tied_embeddings = config.boolean("tie_word_embeddings", false);
  spec.names = gpt_neox_names();
  return spec;
}

}  // namespace massact
