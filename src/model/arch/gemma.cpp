// Gemma: LLaMA's shape with a GeGLU MLP (gelu_pytorch_tanh), RMSNorm scaled by (1 + w), the
// embedding multiplied by sqrt(hidden_size), and tied embeddings.
// Gemma-2 adds, as data: scores scaled by query_pre_attn_scalar^-0.5, soft-capping of attention
// scores and of the logits, a norm on each sublayer's output (post_attention_layernorm,
// post_feedforward_layernorm; the MLP's input norm is pre_feedforward_layernorm), and a sliding
// window on even layers.
#include <cmath>

#include "model/arch/arch.h"

namespace massact {

ModelSpec gemma_spec(const JsonFields& config) {
  // Required: without it transformers takes GemmaConfig's default (256), not hidden_size / heads.
  config.positive_integer("head_dim");
  ModelSpec spec = llama_shape(config);
  // transformers uses hidden_activation and, when that is null, gelu_pytorch_tanh, whatever
  // hidden_act says (the first Gemma configs said "gelu" there).
  spec.activation = read_activation(config, "hidden_activation", "gelu_pytorch_tanh");
  spec.norm_weight_offset = 1.0;
  spec.embed_scale = std::sqrt(double(spec.d_model));
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  return spec;
}

ModelSpec gemma2_shape(const JsonFields& config) {
  ModelSpec spec = gemma_spec(config);
  const double scalar = config.number("query_pre_attn_scalar");
  if (!(scalar > 0)) config.fail("query_pre_attn_scalar", "a positive number");
  spec.attn_scale = 1.0 / std::sqrt(scalar);
  if (config.has("attn_logit_softcapping"))
    spec.attn_softcap = config.number("attn_logit_softcapping");
  if (config.has("final_logit_softcapping"))
    spec.final_softcap = config.number("final_logit_softcapping");
  if (spec.attn_softcap < 0) config.fail("attn_logit_softcapping", "a positive number or null");
  if (spec.final_softcap < 0) config.fail("final_logit_softcapping", "a positive number or null");
  spec.layout = BlockLayout::Sandwich;
  spec.names.post_attn_norm = "model.layers.{i}.post_attention_layernorm.weight";
  spec.names.mlp_norm = "model.layers.{i}.pre_feedforward_layernorm.weight";
  spec.names.post_mlp_norm = "model.layers.{i}.post_feedforward_layernorm.weight";
  return spec;
}

ModelSpec gemma2_spec(const JsonFields& config) {
  ModelSpec spec = gemma2_shape(config);
  const int64_t window = config.positive_integer("sliding_window");
  for (int64_t i = 0; i < spec.n_layers; i += 2) spec.layers[size_t(i)].window = window;
  return spec;
}

}  // namespace massact
