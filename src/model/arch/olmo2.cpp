// OLMo-2: LLaMA's sizes, names, RoPE and SwiGLU MLP, in a block without input norms: each
// sublayer's output is RMS-normed before the residual add (post_attention_layernorm,
// post_feedforward_layernorm: BlockLayout::OutputNorm), and the q and k projections are RMS-normed
// over their full width, all heads at once, before RoPE (QkNorm::FullWidth).
#include "model/arch/arch.h"

namespace massact {

ModelSpec olmo2_spec(const JsonFields& config) {
  ModelSpec spec = llama_spec(config);
  spec.norm_eps = config.number("rms_norm_eps", 1e-5);  // Olmo2Config's default, not LLaMA's
  spec.layout = BlockLayout::OutputNorm;
  TensorNames& n = spec.names;
  n.attn_norm = n.mlp_norm = "";
  n.post_attn_norm = "model.layers.{i}.post_attention_layernorm.weight";
  n.post_mlp_norm = "model.layers.{i}.post_feedforward_layernorm.weight";
  n.q_norm = "model.layers.{i}.self_attn.q_norm.weight";
  n.k_norm = "model.layers.{i}.self_attn.k_norm.weight";
  set_qk_norm(spec, QkNorm::FullWidth);
  // OLMo-3 (model_type olmo3) adds sliding-window layers; an olmo2 config that states a window
  // asks for something transformers' Olmo2 does not do.
  if (config.has("sliding_window"))
    config.fail("sliding_window", "absent (OLMo-2 has no sliding-window attention)");
  return spec;
}

}  // namespace massact
