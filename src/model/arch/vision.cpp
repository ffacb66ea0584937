// What the vision transformers' config.json files state alike (vit, clip_vision_model, dinov2):
// an encoder of pre-LayerNorm blocks over [class, registers..., patches], without a vocabulary.
#include <map>

#include "model/arch/arch.h"

namespace massact {

namespace {
// id2label ({"0": "cat", "1": "dog"}) as a list indexed by class id; every id from 0 to n - 1
// exactly once.
std::vector<std::string> read_labels(const JsonFields& config) {
  if (!config.has("id2label")) return {};
  const JsonFields labels = config.object("id2label");
  std::map<int64_t, std::string> by_id;
  for (const auto& [key, value] : config.raw("id2label").items()) {
    const bool numeric =
        !key.empty() && key.size() < 10 && key.find_first_not_of("0123456789") == std::string::npos;
    if (!numeric || !value.is_string())
      labels.fail(key, "a class id (0, 1, ...) naming its label as a string");
    by_id[std::stoll(key)] = value.get<std::string>();
  }
  std::vector<std::string> out;
  for (const auto& [id, label] : by_id) {
    if (id != int64_t(out.size()))
      labels.fail(std::to_string(out.size()), "a label (ids 0 to n - 1)");
    out.push_back(label);
  }
  return out;
}
}  // namespace

ModelSpec vision_shape(const JsonFields& config, const std::string& family) {
  ModelSpec spec = read_sizes(config, family,
                              {.n_kv_heads = "",
                               .head_dim = "",
                               .max_positions = "",
                               .vocab_size = "",
                               .default_max_positions = 1});
  VisionSpec v;
  v.image_size = bounded_size(config, "image_size", SpecLimits::width);
  v.patch_size = bounded_size(config, "patch_size", SpecLimits::width);
  v.channels = config.integer("num_channels", 3);
  v.labels = read_labels(config);
  const int64_t side = v.image_size / v.patch_size;  // validate_spec: patch_size <= image_size
  spec.max_positions = 1 + side * side;
  spec.vision = v;
  spec.positions = Positions::Learned;
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "hidden_act", "gelu");
  spec.mlp_bias = spec.o_bias = true;
  spec.qkv_bias = config.boolean("qkv_bias", true);
  for (LayerSpec& layer : spec.layers) layer.causal = false;
  return spec;
}

}  // namespace massact
