// A checkpoint on disk: a Hugging Face model folder (config.json + *.safetensors, single or
// sharded). It yields the config as JSON and the tensors by name; what they mean is the model
// layer's business.
#pragma once

#include <memory>
#include <string>

#include "io/json_file.h"
#include "io/tensor_source.h"

namespace massact {

struct Checkpoint {
  std::string path;         // the folder as the user named it
  std::string config_path;  // for error messages about config fields
  json config;
  std::unique_ptr<TensorSource> tensors;
};

// InputError when the folder, its config.json or its weights are missing or malformed.
Checkpoint open_checkpoint(const std::string& path);

}  // namespace massact
