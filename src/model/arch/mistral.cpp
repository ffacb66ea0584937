// Mistral: LLaMA's shape, with sliding-window attention in every layer when the config sets one.
#include "model/arch/arch.h"

namespace massact {

ModelSpec mistral_spec(const JsonFields& config) {
  ModelSpec spec = llama_spec(config);
  if (config.has("sliding_window")) {
    int64_t window = config.positive_integer("sliding_window");
    spec.sliding_window.assign(spec.n_layers, window);
  }
  return spec;
}

}  // namespace massact
