// Phi-3 (Phi-3, Phi-3.5, Phi-4-mini): LLaMA's pre-RMSNorm block with q, k and v fused in one
// qkv_proj and the gate and up projections in one gate_up_proj (gate rows first), RoPE over
// partial_rotary_factor of each head (default all of it), optionally with LongRoPE scaling
// (rope_scaling type "longrope", or "su" in older configs), and a sliding window where the
// config sets one. The window is applied as transformers >= 4.48 and llama.cpp do (4.44 applies
// it only in its flash-attention path).
#include <cmath>

#include "core/error.h"
#include "model/arch/arch.h"

namespace massact {

namespace {

TensorNames phi3_names() {
  TensorNames n;
  n.embed = "model.embed_tokens.weight";
  n.final_norm = "model.norm.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "model.layers.{i}.input_layernorm.weight";
  n.qkv = "model.layers.{i}.self_attn.qkv_proj.weight";
  n.o = "model.layers.{i}.self_attn.o_proj.weight";
  n.mlp_norm = "model.layers.{i}.post_attention_layernorm.weight";
  n.gate_up = "model.layers.{i}.mlp.gate_up_proj.weight";
  n.down = "model.layers.{i}.mlp.down_proj.weight";
  return n;
}

// rope_scaling's short_factor or long_factor: rope.dims / 2 positive numbers.
std::vector<float> longrope_factors(const JsonFields& scaling, const std::string& key,
                                    int64_t count) {
  const json& list = scaling.raw(key);
  const std::string expected =
      str_cat("a list of ", count, " positive numbers (one per rotary frequency)");
  if (!list.is_array() || int64_t(list.size()) != count) scaling.fail(key, expected);
  std::vector<float> factors;
  for (const json& v : list) {
    if (!v.is_number() || !(v.get<double>() > 0)) scaling.fail(key, expected);
    factors.push_back(v.get<float>());  // transformers holds them as a float32 tensor
  }
  return factors;
}

// The factors, and cos and sin scaled by rope_scaling.attention_factor if given, else as
// transformers computes it (longrope_attention_factor).
void read_longrope(const JsonFields& config, const JsonFields& scaling, int64_t max_positions,
                   RopeSpec& rope) {
  rope.scaling = RopeScaling::LongRope;
  rope.short_factors = longrope_factors(scaling, "short_factor", rope.dims / 2);
  rope.long_factors = longrope_factors(scaling, "long_factor", rope.dims / 2);
  // Newer configs may keep it inside rope_scaling.
  const JsonFields& where = config.has("original_max_position_embeddings") ? config : scaling;
  rope.original_max_positions =
      bounded_size(where, "original_max_position_embeddings", SpecLimits::positions);
  const double factor = scaling.number(
      "attention_factor", longrope_attention_factor(max_positions, rope.original_max_positions));
  if (!(factor > 0)) scaling.fail("attention_factor", "a positive number");
  rope.attention_factor = float(factor);  // a float32 product with cos and sin, as transformers
}

RopeSpec phi3_rope(const JsonFields& config, int64_t head_dim, int64_t max_positions) {
  RopeSpec rope;
  rope.theta = config.number("rope_theta", 10000.0);
  if (!(rope.theta > 0)) config.fail("rope_theta", "a positive number");
  rope.dims = rotary_dims(config, "partial_rotary_factor", 1.0, head_dim);
  if (!config.has("rope_scaling")) return rope;
  const JsonFields scaling = config.object("rope_scaling");
  const std::string key = scaling.has("rope_type") ? "rope_type" : "type";
  const std::string type = scaling.string(key);
  if (type == "longrope" || type == "su")
    read_longrope(config, scaling, max_positions, rope);
  else if (type != "default")
    scaling.fail(key, "\"longrope\", \"su\" or \"default\"");
  return rope;
}

}  // namespace

double longrope_attention_factor(int64_t max_positions, int64_t original_max_positions) {
  const double scale = double(max_positions) / double(original_max_positions);
  if (scale <= 1.0) return 1.0;
  return std::sqrt(1 + std::log(scale) / std::log(double(original_max_positions)));
}

ModelSpec phi3_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "phi3", {.head_dim = "", .default_max_positions = 4096});
  spec.d_ff = bounded_size(config, "intermediate_size", SpecLimits::width);
  spec.norm_eps = config.number("rms_norm_eps", 1e-5);
  spec.activation = read_activation(config, "hidden_act", "silu");
  set_rope(spec, phi3_rope(config, spec.head_dim, spec.max_positions));
  spec.origin.rope_dims = "partial_rotary_factor";
  if (config.has("sliding_window"))
    set_window(spec, bounded_size(config, "sliding_window", SpecLimits::positions));
  spec.tied_embeddings = config.boolean("tie_word_embeddings", false);
  spec.names = phi3_names();
  return spec;
}

}  // namespace massact
