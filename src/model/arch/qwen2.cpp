// Qwen2: LLaMA's shape with biases on the q, k and v projections (not on o).
#include "model/arch/arch.h"

namespace massact {

ModelSpec qwen2_spec(const JsonFields& config) {
  ModelSpec spec = llama_spec(config);
  spec.qkv_bias = true;
  spec.o_bias = false;
  // Qwen2 checkpoints ship with use_sliding_window false; transformers applies the window only in
  // its flash-attention path, so a config that asks for it has no single reference behaviour.
  if (config.boolean("use_sliding_window", false))
    config.fail("use_sliding_window", "false (Qwen2 sliding-window attention is not supported)");
  return spec;
}

}  // namespace massact
