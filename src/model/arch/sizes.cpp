// The sizes every family's config.json states, under the family's own key names.
#include <cmath>

#include "model/arch/arch.h"

namespace massact {

ModelSpec read_sizes(const JsonFields& config, const std::string& family, const SizeKeys& keys) {
  ModelSpec spec;
  spec.family = family;
  spec.d_model = config.positive_integer(keys.d_model);
  spec.n_layers = config.positive_integer(keys.n_layers);
  spec.n_heads = config.positive_integer(keys.n_heads);
  const bool kv_stated = !keys.n_kv_heads.empty() && config.has(keys.n_kv_heads);
  spec.n_kv_heads = kv_stated ? config.positive_integer(keys.n_kv_heads) : spec.n_heads;
  if (spec.n_heads % spec.n_kv_heads != 0)
    config.fail(keys.n_kv_heads, "a divisor of " + keys.n_heads);
  const bool head_dim_stated = !keys.head_dim.empty() && config.has(keys.head_dim);
  if (!head_dim_stated && spec.d_model % spec.n_heads != 0)
    config.fail(keys.n_heads, "a divisor of " + keys.d_model);
  spec.head_dim =
      head_dim_stated ? config.positive_integer(keys.head_dim) : spec.d_model / spec.n_heads;
  spec.embed_dim = spec.d_model;
  spec.attn_scale = 1.0 / std::sqrt(double(spec.head_dim));
  spec.vocab_size = config.positive_integer("vocab_size");
  spec.max_positions = config.has(keys.max_positions) || keys.default_max_positions == 0
                           ? config.positive_integer(keys.max_positions)
                           : keys.default_max_positions;
  spec.sliding_window.assign(size_t(spec.n_layers), 0);
  spec.bos_token_id = optional_token_id(config, "bos_token_id");
  spec.eos_token_id = optional_token_id(config, "eos_token_id");
  return spec;
}

}  // namespace massact
