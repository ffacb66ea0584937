#include "model/model_spec.h"

namespace massact {

std::string layer_tensor_name(const std::string& pattern, int64_t layer) {
  std::string name = pattern;
  auto pos = name.find("{i}");
  if (pos != std::string::npos) name.replace(pos, 3, std::to_string(layer));
  return name;
}

}  // namespace massact
