// Phi (Phi-1, Phi-1.5, Phi-2): attention and MLP in parallel from one LayerNorm, partial rotary
// (partial_rotary_factor of each head), a plain gelu_new MLP, biases everywhere, lm_head included.
#include "model/arch/arch.h"

namespace massact {

namespace {

TensorNames phi_names() {
  TensorNames n;
  n.embed = "model.embed_tokens.weight";
  n.final_norm = "model.final_layernorm.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "model.layers.{i}.input_layernorm.weight";
  n.q = "model.layers.{i}.self_attn.q_proj.weight";
  n.k = "model.layers.{i}.self_attn.k_proj.weight";
  n.v = "model.layers.{i}.self_attn.v_proj.weight";
  n.o = "model.layers.{i}.self_attn.dense.weight";
  n.up = "model.layers.{i}.mlp.fc1.weight";
  n.down = "model.layers.{i}.mlp.fc2.weight";
  return n;
}

}  // namespace

ModelSpec phi_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "phi", {.head_dim = ""});
  spec.d_ff = config.positive_integer("intermediate_size");

  spec.layout = BlockLayout::ParallelOneNorm;
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("layer_norm_eps", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "hidden_act", "gelu_new");
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = spec.lm_head_bias = true;
  spec.positions = Positions::Rope;
  RopeSpec rope = read_rope(config);
  rope.dims = rotary_dims(config, "partial_rotary_factor", 0.5, spec.head_dim);
  set_rope(spec, rope);
  spec.origin.rope_dims = "partial_rotary_factor";
  spec.tied_embeddings = config.boolean("tie_word_embeddings", false);
  spec.names = phi_names();
  if (config.boolean("qk_layernorm", false))
    config.fail("qk_layernorm", "false (query/key LayerNorms are not supported)");
  return spec;
}

}  // namespace massact
