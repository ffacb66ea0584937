// Qwen3: LLaMA's pre-norm block and names (biases on q, k, v and o only with attention_bias),
// with each query and key head RMS-normed over head_dim before RoPE (QkNorm::PerHead), as
// Gemma-3 does.
#include "model/arch/arch.h"

namespace massact {

ModelSpec qwen3_spec(const JsonFields& config) {
  // Required: without it transformers takes Qwen3Config's default (128), not hidden_size / heads.
  config.positive_integer("head_dim");
  ModelSpec spec = llama_spec(config);
  spec.names.q_norm = "model.layers.{i}.self_attn.q_norm.weight";
  spec.names.k_norm = "model.layers.{i}.self_attn.k_norm.weight";
  set_qk_norm(spec, QkNorm::PerHead);
  // As Qwen2 (qwen2.cpp): released configs say false (and sliding_window null); the window is then
  // not applied.
  if (config.boolean("use_sliding_window", false))
    config.fail("use_sliding_window", "false (Qwen3 sliding-window attention is not supported)");
  return spec;
}

}  // namespace massact
