// Cohere (Command-R): LLaMA's sizes and names with attention and MLP in parallel from one
// LayerNorm without bias, RoPE on interleaved pairs (2j, 2j + 1), the logits scaled by
// logit_scale, tied embeddings; with use_qk_norm (Command-R+) each query and key head
// LayerNormed over head_dim with its own weights (QkNorm::EachHead) before RoPE.
#include "model/arch/arch.h"

namespace massact {

ModelSpec cohere_spec(const JsonFields& config) {
  ModelSpec spec = llama_shape(config);
  spec.layout = BlockLayout::ParallelOneNorm;
  spec.names.mlp_norm = "";
  spec.norm = NormKind::LayerNorm;
  spec.norm_eps = config.number("layer_norm_eps", 1e-5);
  spec.activation = read_activation(config, "hidden_act", "silu");
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  spec.logit_scale = config.number("logit_scale", 0.0625);
  if (!(spec.logit_scale > 0)) config.fail("logit_scale", "a positive number");
  for (LayerSpec& layer : spec.layers) layer.rope.interleaved = true;
  if (config.boolean("use_qk_norm", false)) {
    spec.names.q_norm = "model.layers.{i}.self_attn.q_norm.weight";
    spec.names.k_norm = "model.layers.{i}.self_attn.k_norm.weight";
    set_qk_norm(spec, QkNorm::EachHead);
  }
  return spec;
}

}  // namespace massact
