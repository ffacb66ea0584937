// Gemma-3 (model_type "gemma3_text", the text model): Gemma-2's sandwich norms, GeGLU, scaled
// embedding and query_pre_attn_scalar, plus an RMSNorm (scaled by 1 + w) on every query and key
// head before RoPE, and local sliding-window layers interleaved with global ones, each kind
// rotating with its own base: rope_local_base_freq on local layers, rope_theta (and
// rope_scaling, if any) on global ones. Soft-capping is off in released configs but read if set.
#include "model/arch/arch.h"

namespace massact {

namespace {

// Which layers slide: the config's layer_types list (newer transformers), else every layer but
// each sliding_window_pattern-th (transformers 4.50: sliding unless (i + 1) % pattern == 0).
std::vector<bool> sliding_layers(const JsonFields& config, int64_t n_layers) {
  std::vector<bool> sliding(static_cast<size_t>(n_layers));
  if (config.has("layer_types")) {
    const json& types = config.raw("layer_types");
    if (!types.is_array() || int64_t(types.size()) != n_layers)
      config.fail("layer_types", "a list with one entry per layer");
    for (size_t i = 0; i < sliding.size(); ++i) {
      if (types[i] != "sliding_attention" && types[i] != "full_attention")
        config.fail("layer_types", "entries \"sliding_attention\" or \"full_attention\"");
      sliding[i] = types[i] == "sliding_attention";
    }
    return sliding;
  }
  const int64_t pattern =
      config.has("sliding_window_pattern") ? config.positive_integer("sliding_window_pattern") : 6;
  for (size_t i = 0; i < sliding.size(); ++i) sliding[i] = (int64_t(i) + 1) % pattern != 0;
  return sliding;
}

}  // namespace

ModelSpec gemma3_spec(const JsonFields& config) {
  ModelSpec spec = gemma2_shape(config);
  RopeSpec global = spec.layers[0].rope;  // rope_theta and rope_scaling, as LLaMA reads them
  if (!config.has("rope_theta")) global.theta = 1000000.0;  // Gemma3TextConfig's default
  spec.names.q_norm = "model.layers.{i}.self_attn.q_norm.weight";
  spec.names.k_norm = "model.layers.{i}.self_attn.k_norm.weight";
  set_qk_norm(spec, QkNorm::PerHead);

  RopeSpec local;
  local.theta = config.number("rope_local_base_freq", 10000.0);
  if (!(local.theta > 0)) config.fail("rope_local_base_freq", "a positive number");
  local.dims = spec.head_dim;

  const int64_t window = config.positive_integer("sliding_window");
  const std::vector<bool> sliding = sliding_layers(config, spec.n_layers);
  for (size_t i = 0; i < sliding.size(); ++i) {
    spec.layers[i].window = sliding[i] ? window : 0;
    spec.layers[i].rope = sliding[i] ? local : global;
  }
  return spec;
}

}  // namespace massact
