#include "model/model_spec.h"

#include <algorithm>
#include <stdexcept>

#include "core/error.h"
#include "model/block.h"

namespace massact {

namespace {
void replace(std::string& s, const std::string& key, int64_t value) {
  auto pos = s.find(key);
  if (pos != std::string::npos) s.replace(pos, key.size(), std::to_string(value));
}
// validate_spec's checks, each naming the file and the field as SpecOrigin spells them.
class SpecCheck {
 public:
  explicit SpecCheck(const ModelSpec& spec) : origin_(spec.origin) {}

  [[noreturn]] void fail(const std::string& key, const std::string& expected,
                         const std::string& got) const {
    throw_input_error(origin_.file, ": ", origin_.noun, " '", key, "': expected ", expected,
                      ", got ", got);
  }
  void in_range(int64_t value, int64_t low, int64_t high, const std::string& key) const {
    if (value >= low && value <= high) return;
    fail(key,
         low == 1 ? str_cat("a positive integer at most ", high)
                  : str_cat("an integer from ", low, " to ", high),
         std::to_string(value));
  }
  void divides(int64_t divisor, const std::string& divisor_key, int64_t n,
               const std::string& n_key) const {
    if (n % divisor != 0)
      fail(divisor_key, str_cat("a divisor of ", n_key, " (", n, ")"), std::to_string(divisor));
  }
  // Rotary dimensions: pairs within the head (RoPE reads dimension j and j + dims / 2).
  void rope_dims(const RopeSpec& rope, int64_t head_dim) const {
    if (rope.dims < 2 || rope.dims > head_dim || rope.dims % 2 != 0)
      fail(origin_.rope_dims,
           str_cat("an even number of rotary dimensions from 2 to the head size (", head_dim, ")"),
           str_cat(rope.dims, " rotary dimensions"));
  }

 private:
  const SpecOrigin& origin_;
};

// The layout's recipe decides which block norms (LayerScales) exist; a family names exactly those,
// so that none it names goes unused (as Gemma-2's output norms would in a parallel block).
template <typename Which, typename Name>
void check_named(const std::vector<Which>& used_ones, Name name, const char* what) {
  for (size_t k = 0; k < size_t(Which::Count); ++k) {
    const bool used = std::find(used_ones.begin(), used_ones.end(), Which(k)) != used_ones.end();
    if (used == name(Which(k)).empty())
      throw std::logic_error(
          str_cat("validate_spec: block ", what, " ", k,
                  used ? " has no tensor name" : " is named but unused by the layout"));
  }
}

// A square image of whole patches, a few channels and registers: sizes that keep the position
// table and a patch's (C * p * p) width inside SpecLimits.
void validate_vision(const VisionSpec& v, const SpecCheck& check) {
  check.in_range(v.image_size, 1, SpecLimits::width, "image_size");
  check.in_range(v.patch_size, 1, v.image_size, "patch_size");
  check.in_range(v.channels, 1, 4, "num_channels");
  check.in_range(v.n_registers, 0, SpecLimits::width, "num_register_tokens");
}

}  // namespace

void validate_spec(const ModelSpec& s) {
  const SpecOrigin& o = s.origin;
  const SpecCheck check(s);
  check.in_range(s.n_layers, 1, SpecLimits::layers, o.n_layers);
  check.in_range(s.d_model, 1, SpecLimits::width, o.d_model);
  check.in_range(s.embed_dim, 1, SpecLimits::width, o.embed_dim);
  check.in_range(s.n_heads, 1, SpecLimits::width, o.n_heads);
  check.in_range(s.n_kv_heads, 1, s.n_heads, o.n_kv_heads);
  check.divides(s.n_kv_heads, o.n_kv_heads, s.n_heads, o.n_heads);
  // A fused q/k/v tensor is split in qkv_groups groups of whole query and key/value heads; the
  // families derive the groups from the heads, so a mismatch is a bug.
  if (s.qkv_groups < 1 || s.n_kv_heads % s.qkv_groups != 0)
    throw std::logic_error(
        str_cat("validate_spec: ", s.qkv_groups, " qkv groups for ", s.n_kv_heads, " KV heads"));
  check.in_range(s.head_dim, 1, SpecLimits::width, o.head_dim);
  check.in_range(s.d_ff, 1, SpecLimits::width, o.d_ff);
  if (s.vision)
    validate_vision(*s.vision, check);
  else
    check.in_range(s.vocab_size, 1, SpecLimits::vocab, o.vocab_size);
  check.in_range(s.max_positions, 1, SpecLimits::positions, o.max_positions);
  if (s.n_experts > 0) {
    check.in_range(s.n_experts, 1, SpecLimits::experts, o.n_experts);
    check.in_range(s.experts_per_token, 1, s.n_experts, o.experts_per_token);
  }
  const BlockPlan plan = plan_block(s);
  check_named(
      plan.norms, [&](BlockNorm k) { return norm_name(s.names, k); }, "norm");
  check_named(
      plan.scales, [&](BlockScale k) { return scale_name(s.names, k); }, "LayerScale");
  // The forward pass indexes the layers' specs by layer; a family that fills them wrongly is a bug.
  if (int64_t(s.layers.size()) != s.n_layers)
    throw std::logic_error(
        str_cat("validate_spec: ", s.layers.size(), " layer specs for ", s.n_layers, " layers"));
  for (const LayerSpec& layer : s.layers) {
    check.in_range(layer.window, 0, SpecLimits::positions, o.sliding_window);
    if (s.positions == Positions::Rope) check.rope_dims(layer.rope, s.head_dim);
    // The RoPE table reads one LongRoPE factor per rotary frequency; the families check the
    // lists against the file, so a mismatch here is a bug.
    const RopeSpec& r = layer.rope;
    if (r.scaling == RopeScaling::LongRope && (r.short_factors.size() * 2 != size_t(r.dims) ||
                                               r.long_factors.size() * 2 != size_t(r.dims)))
      throw std::logic_error("validate_spec: LongRoPE factors are not one per rotary frequency");
    // A q/k norm (of the block norms' kind) has the family's tensor names.
    if (layer.qk_norm != QkNorm::None && (s.names.q_norm.empty() || s.names.k_norm.empty()))
      throw std::logic_error("validate_spec: a q/k norm without tensor names");
    // The kernel's window counts back from the query: an all-to-all layer has none.
    if (!layer.causal && layer.window != 0)
      throw_input_error(o.file, ": a non-causal (encoder) layer with a sliding window of ",
                        layer.window, ": not supported, an encoder layer attends to every token");
  }
}

void set_rope(ModelSpec& spec, const RopeSpec& rope) {
  for (LayerSpec& layer : spec.layers) layer.rope = rope;
}

void set_window(ModelSpec& spec, int64_t window) {
  for (LayerSpec& layer : spec.layers) layer.window = window;
}

void set_qk_norm(ModelSpec& spec, QkNorm kind) {
  for (LayerSpec& layer : spec.layers) layer.qk_norm = kind;
}

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
