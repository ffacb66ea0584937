#include "io/checkpoint.h"

#include <filesystem>

#include "core/error.h"

namespace massact {

namespace fs = std::filesystem;

Checkpoint open_checkpoint(const std::string& path) {
  if (!fs::is_directory(path))
    throw_input_error(path,
                      ": expected a Hugging Face model folder (config.json and *.safetensors)");
  Checkpoint ckpt;
  ckpt.path = path;
  ckpt.config_path = (fs::path(path) / "config.json").string();
  if (!fs::exists(ckpt.config_path)) throw_input_error(ckpt.config_path, ": missing");
  ckpt.config = read_json_file(ckpt.config_path);
  if (!ckpt.config.is_object()) throw_input_error(ckpt.config_path, ": expected a JSON object");

  fs::path index = fs::path(path) / "model.safetensors.index.json";
  fs::path single = fs::path(path) / "model.safetensors";
  if (fs::exists(index))
    ckpt.tensors = SafetensorsSource::sharded(index.string());
  else if (fs::exists(single))
    ckpt.tensors = SafetensorsSource::single(single.string());
  else
    throw_input_error(path, ": no model.safetensors or model.safetensors.index.json");
  return ckpt;
}

}  // namespace massact
