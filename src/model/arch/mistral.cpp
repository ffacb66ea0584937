// Mistral: LLaMA's shape, with sliding-window attention in every layer when the config sets one.
#include "model/arch/arch.h"

namespace massact {

ModelSpec mistral_spec(const JsonFields& config) {
  ModelSpec spec = llama_spec(config);
  if (config.has("sliding_window")) set_window(spec, config.positive_integer("sliding_window"));
  return spec;
}

}  // namespace massact
