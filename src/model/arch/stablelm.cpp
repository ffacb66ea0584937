// StableLM (StableLM-3B-4E1T, StableLM 2): LayerNorm with biases, RoPE over partial_rotary_factor
// of each head (default 0.25), a gated MLP (silu), biases on q, k and v with use_qkv_bias (never
// on o), and with use_parallel_residual attention and MLP in parallel from the one input norm
// (x + attn(ln(x)) + mlp(ln(x)); StableLM 2 12B), and with qk_layernorm each query and key head
// LayerNormed (no bias) with its own weights before RoPE (StableLM 2 12B).
#include "model/arch/arch.h"

namespace massact {

namespace {

// LLaMA's names; a parallel block has no second norm.
TensorNames stablelm_names(bool parallel) {
  TensorNames n = llama_names();
  if (parallel) n.mlp_norm.clear();
  return n;
}

}  // namespace

ModelSpec stablelm_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "stablelm", {.head_dim = ""});
  spec.d_ff = bounded_size(config, "intermediate_size", SpecLimits::width);
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("layer_norm_eps", 1e-5);
  spec.activation = read_activation(config, "hidden_act", "silu");
  spec.qkv_bias = config.boolean("use_qkv_bias", false);
  const bool parallel = config.boolean("use_parallel_residual", false);
  spec.layout = parallel ? BlockLayout::ParallelOneNorm : BlockLayout::PreNorm;
  RopeSpec rope = read_rope(config);
  rope.dims = rotary_dims(config, "partial_rotary_factor", 0.25, spec.head_dim);
  set_rope(spec, rope);
  spec.origin.rope_dims = "partial_rotary_factor";
  spec.tied_embeddings = config.boolean("tie_word_embeddings", false);
  spec.names = stablelm_names(parallel);
  if (config.boolean("qk_layernorm", false)) {
    spec.names.q_norm = "model.layers.{i}.self_attn.q_layernorm.norms.{e}.weight";
    spec.names.k_norm = "model.layers.{i}.self_attn.k_layernorm.norms.{e}.weight";
    set_qk_norm(spec, QkNorm::EachHead);
    spec.qk_norm_bias = false;
  }
  return spec;
}

}  // namespace massact
