#include "model/model_spec.h"

namespace massact {

namespace {
void replace(std::string& s, const std::string& key, int64_t value) {
  auto pos = s.find(key);
  if (pos != std::string::npos) s.replace(pos, key.size(), std::to_string(value));
}
}  // namespace

std::string layer_tensor_name(const std::string& pattern, int64_t layer, int64_t expert) {
  std::string name = pattern;
  replace(name, "{i}", layer);
  if (expert >= 0) replace(name, "{e}", expert);
  return name;
}

std::string bias_name(const std::string& weight_name) {
  const std::string suffix = ".weight";
  if (weight_name.ends_with(suffix))
    return weight_name.substr(0, weight_name.size() - suffix.size()) + ".bias";
  return weight_name + ".bias";
}

}  // namespace massact
