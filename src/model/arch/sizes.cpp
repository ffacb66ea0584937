// The sizes every family's config.json states, under the family's own key names.
#include <cmath>

#include "model/arch/arch.h"

namespace massact {

int64_t bounded_size(const JsonFields& config, const std::string& key, int64_t limit) {
  const int64_t value = config.positive_integer(key);
  if (value > limit) config.fail(key, "a positive integer at most " + std::to_string(limit));
  return value;
}

ModelSpec read_sizes(const JsonFields& config, const std::string& family, const SizeKeys& keys) {
  ModelSpec spec;
  spec.family = family;
  // Bounded as they are read: the layer count sizes per-layer tables below, and families
  // multiply the width (4 * d_model) before validate_spec sees it.
  spec.d_model = bounded_size(config, keys.d_model, SpecLimits::width);
  spec.n_layers = bounded_size(config, keys.n_layers, SpecLimits::layers);
  spec.n_heads = bounded_size(config, keys.n_heads, SpecLimits::width);
  const bool kv_stated = !keys.n_kv_heads.empty() && config.has(keys.n_kv_heads);
  spec.n_kv_heads =
      kv_stated ? bounded_size(config, keys.n_kv_heads, SpecLimits::width) : spec.n_heads;
  if (spec.n_heads % spec.n_kv_heads != 0)
    config.fail(keys.n_kv_heads, "a divisor of " + keys.n_heads);
  const bool head_dim_stated = !keys.head_dim.empty() && config.has(keys.head_dim);
  if (!head_dim_stated && spec.d_model % spec.n_heads != 0)
    config.fail(keys.n_heads, "a divisor of " + keys.d_model);
  spec.head_dim = head_dim_stated ? bounded_size(config, keys.head_dim, SpecLimits::width)
                                  : spec.d_model / spec.n_heads;
  spec.embed_dim = spec.d_model;
  spec.attn_scale = 1.0 / std::sqrt(double(spec.head_dim));
  if (!keys.vocab_size.empty())
    spec.vocab_size = bounded_size(config, keys.vocab_size, SpecLimits::vocab);
  spec.max_positions = config.has(keys.max_positions) || keys.default_max_positions == 0
                           ? bounded_size(config, keys.max_positions, SpecLimits::positions)
                           : keys.default_max_positions;
  spec.layers.assign(size_t(spec.n_layers), LayerSpec{});
  spec.bos_token_id = optional_token_id(config, "bos_token_id");
  spec.eos_token_id = optional_token_id(config, "eos_token_id");

  SpecOrigin& o = spec.origin;
  o.file = config.where();
  o.d_model = o.embed_dim = keys.d_model;
  o.n_layers = keys.n_layers;
  o.n_heads = keys.n_heads;
  o.n_kv_heads = kv_stated ? keys.n_kv_heads : keys.n_heads;
  o.head_dim = o.rope_dims = head_dim_stated ? keys.head_dim : keys.d_model;
  o.max_positions = keys.max_positions;
  return spec;
}

}  // namespace massact
