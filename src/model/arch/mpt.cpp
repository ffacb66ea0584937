// MPT: ALiBi instead of positions, LayerNorm without bias, no biases anywhere, a plain GELU MLP,
// q/k/v optionally clamped (attn_config.clip_qkv), tied embeddings. The fused Wqkv holds all q
// rows, then k, then v (qkv_groups 1).
#include "model/arch/arch.h"

namespace massact {

ModelSpec mpt_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "mpt",
                              {.d_model = "d_model",
                               .n_layers = "n_layers",
                               .n_heads = "n_heads",
                               .n_kv_heads = "",
                               .head_dim = "",
                               .max_positions = "max_seq_len"});
  const int64_t expansion = config.has("expansion_ratio")
                                ? bounded_size(config, "expansion_ratio", SpecLimits::width)
                                : 4;
  spec.d_ff = expansion * spec.d_model;  // both at most 2^20: no overflow
  spec.origin.d_ff = "expansion_ratio";

  spec.norm = NormKind::LayerNorm;
  spec.norm_eps = config.number("layer_norm_epsilon", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = Activation::GeluExact;
  spec.positions = Positions::Alibi;
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  if (!config.boolean("no_bias", true))
    config.fail("no_bias", "true (MPT with biases is not supported)");

  if (config.has("attn_config")) {
    JsonFields attn = config.object("attn_config");
    if (!attn.boolean("alibi", true))
      attn.fail("alibi", "true (MPT without ALiBi is not supported)");
    if (attn.boolean("qk_ln", false))
      attn.fail("qk_ln", "false (query/key LayerNorms are not supported)");
    spec.alibi_bias_max = attn.number("alibi_bias_max", 8.0);
    if (attn.has("clip_qkv")) spec.clip_qkv = attn.number("clip_qkv");
    if (attn.has("softmax_scale")) spec.attn_scale = attn.number("softmax_scale");
    if (spec.clip_qkv < 0) attn.fail("clip_qkv", "a positive number or null");
  }

  TensorNames& n = spec.names;
  n.embed = "transformer.wte.weight";
  n.final_norm = "transformer.norm_f.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "transformer.blocks.{i}.norm_1.weight";
  n.qkv = "transformer.blocks.{i}.attn.Wqkv.weight";
  n.o = "transformer.blocks.{i}.attn.out_proj.weight";
  n.mlp_norm = "transformer.blocks.{i}.norm_2.weight";
  n.up = "transformer.blocks.{i}.ffn.up_proj.weight";
  n.down = "transformer.blocks.{i}.ffn.down_proj.weight";
  return spec;
}

}  // namespace massact
