// config.json -> ModelSpec, one family per file. The registry maps a config's model_type to its
// family; a type it does not know is an InputError that lists the supported ones.
#pragma once

#include <string>
#include <vector>

#include "io/json_file.h"
#include "model/model_spec.h"

namespace massact {

ModelSpec spec_from_config(const json& config, const std::string& config_path);
std::vector<std::string> supported_model_types();

// The families (arch/*.cpp).
ModelSpec llama_spec(const JsonFields& config);
ModelSpec mistral_spec(const JsonFields& config);
ModelSpec qwen2_spec(const JsonFields& config);

}  // namespace massact
