#include <utility>

#include "core/error.h"
#include "model/arch/arch.h"

namespace massact {

namespace {
using SpecBuilder = ModelSpec (*)(const JsonFields&);
const std::vector<std::pair<std::string, SpecBuilder>>& families() {
  static const std::vector<std::pair<std::string, SpecBuilder>> table = {
      {"llama", llama_spec},
      {"mistral", mistral_spec},
      {"qwen2", qwen2_spec},
      {"gpt2", gpt2_spec},
      {"gpt_neox", gpt_neox_spec},
      {"phi", phi_spec},
      {"opt", opt_spec},
      {"gemma", gemma_spec},
      {"gemma2", gemma2_spec},
      {"gemma3_text", gemma3_spec},
      {"falcon", falcon_spec},
      {"mpt", mpt_spec},
      {"mixtral", mixtral_spec},
      {"olmo2", olmo2_spec},
      {"qwen3", qwen3_spec},
      {"cohere", cohere_spec},
      {"bloom", bloom_spec},
      {"mistral3", mistral3_spec},
      {"phi3", phi3_spec},
      {"starcoder2", starcoder2_spec},
      {"stablelm", stablelm_spec},
      {"qwen3_moe", qwen3_moe_spec},
      {"vit", vit_spec},
      {"vit_mae", vit_mae_spec},
      {"clip_vision_model", clip_vision_spec},
      {"clip", clip_spec},
      {"dinov2", dinov2_spec},
      {"dinov2_with_registers", dinov2_with_registers_spec}};
  return table;
}
}  // namespace

std::vector<std::string> supported_model_types() {
  std::vector<std::string> names;
  for (const auto& [name, builder] : families()) names.push_back(name);
  return names;
}

ModelSpec spec_from_config(const json& config, const std::string& config_path) {
  JsonFields fields(config, config_path);
  std::string type = fields.string("model_type");
  for (const auto& [name, builder] : families())
    if (name == type) {
      ModelSpec spec = builder(fields);
      validate_spec(spec);
      return spec;
    }
  std::string supported;
  for (const auto& name : supported_model_types())
    supported += (supported.empty() ? "" : ", ") + name;
  fields.fail("model_type", "a supported model type (" + supported + ")");
}

}  // namespace massact
