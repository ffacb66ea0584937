// GPT-2: learned positions, pre-LayerNorm blocks with biases everywhere, a plain gelu_new MLP, tied
// embeddings. Its Conv1D layers store weights as (in, out) and q, k, v as one c_attn tensor; the
// loader transposes and splits them (linear_transposed, qkv_groups 1: all q rows, then k, then v).
#include "model/arch/arch.h"

namespace massact {

namespace {

TensorNames gpt2_names() {
  TensorNames n;
  // The original checkpoints (openai-community/gpt2) were saved without "transformer.".
  n.optional_prefix = "transformer.";
  n.embed = "transformer.wte.weight";
  n.pos_embed = "transformer.wpe.weight";
  n.final_norm = "transformer.ln_f.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "transformer.h.{i}.ln_1.weight";
  n.qkv = "transformer.h.{i}.attn.c_attn.weight";
  n.o = "transformer.h.{i}.attn.c_proj.weight";
  n.mlp_norm = "transformer.h.{i}.ln_2.weight";
  n.up = "transformer.h.{i}.mlp.c_fc.weight";
  n.down = "transformer.h.{i}.mlp.c_proj.weight";
  return n;
}

}  // namespace

ModelSpec gpt2_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "gpt2",
                              {.d_model = "n_embd",
                               .n_layers = "n_layer",
                               .n_heads = "n_head",
                               .n_kv_heads = "",
                               .head_dim = "",
                               .max_positions = "n_positions"});
  spec.d_ff = config.has("n_inner") ? config.positive_integer("n_inner") : 4 * spec.d_model;
  spec.origin.d_ff = config.has("n_inner") ? "n_inner" : "n_embd";

  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("layer_norm_epsilon", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "activation_function", "gelu_new");
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = true;
  spec.positions = Positions::Learned;
  spec.linear_transposed = true;
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  spec.names = gpt2_names();

  if (!config.boolean("scale_attn_weights", true))
    config.fail("scale_attn_weights", "true (unscaled attention is not supported)");
  if (config.boolean("scale_attn_by_inverse_layer_idx", false))
    config.fail("scale_attn_by_inverse_layer_idx", "false (per-layer scaling is not supported)");
  return spec;
}

}  // namespace massact
