// Hook points of the forward pass, named as in TransformerLens so that researchers know them:
//   hook_embed, blocks.{i}.hook_resid_pre, blocks.{i}.attn.hook_q|hook_k|hook_v,
//   blocks.{i}.attn.hook_rot_q|hook_rot_k, blocks.{i}.attn.hook_attn_scores,
//   blocks.{i}.attn.hook_pattern, blocks.{i}.attn.hook_z, blocks.{i}.hook_attn_out,
//   blocks.{i}.hook_resid_mid, blocks.{i}.mlp.hook_post, blocks.{i}.hook_mlp_out,
//   blocks.{i}.hook_resid_post, ln_final.hook_normalized.
// Observers read a hook point; editors change it in place before the forward pass goes on (that is
// how interventions work). A point nobody watches costs one table look-up.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace massact {

enum class HookPoint {
  Embed,       // (T, d_model)
  ResidPre,    // (T, d_model)
  Q,           // (T, n_heads, head_dim), before RoPE
  K,           // (T, n_kv_heads, head_dim), before RoPE
  V,           // (T, n_kv_heads, head_dim)
  RotQ,        // (T, n_heads, head_dim), after RoPE
  RotK,        // (T, n_kv_heads, head_dim), after RoPE
  AttnScores,  // (n_heads, T, T): scaled q.k, -inf where masked
  Pattern,     // (n_heads, T, T): attention probabilities
  Z,           // (T, n_heads, head_dim): probability-weighted values, before the output projection
  AttnOut,     // (T, d_model)
  ResidMid,    // (T, d_model)
  MlpPost,     // (T, d_ff): the MLP's hidden activation
  MlpOut,      // (T, d_model)
  ResidPost,   // (T, d_model): the decoder layer's output, where massive activations are found
  LnFinal,     // (T, d_model)
  Count
};

bool is_layer_hook(HookPoint point);  // everything but Embed and LnFinal
// The TransformerLens name; `layer` is ignored for Embed and LnFinal.
std::string hook_name(HookPoint point, int layer);
// Every hook name of a model with n_layers layers, in forward order.
std::vector<std::string> all_hook_names(int n_layers);

struct HookEvent {
  HookPoint point;
  int layer;  // -1 for Embed and LnFinal
  const std::string& name;
};

using HookObserver = std::function<void(const HookEvent&, const Tensor&)>;
using HookEditor = std::function<void(const HookEvent&, Tensor&)>;

class Hooks {
 public:
  // `pattern` is a glob over hook names ("blocks.*.hook_resid_post", "*hook_pattern").
  void observe(const std::string& pattern, HookObserver observer);
  void edit(const std::string& pattern, HookEditor editor);

  // Resolves the patterns for a model of n_layers layers; the forward pass calls it once.
  void bind(int n_layers) const;
  bool wants(HookPoint point, int layer) const;
  // Editors first, in the order added, then observers. `t` is a float32 tensor the pass owns.
  void fire(HookPoint point, int layer, Tensor& t) const;

 private:
  struct Entry {
    std::string pattern;
    HookEditor editor;  // exactly one of the two is set
    HookObserver observer;
  };
  std::vector<Entry> entries_;
  // Resolved by bind(): for each (point, layer), the indices of the entries whose pattern matches.
  mutable int bound_layers_ = -1;
  mutable std::vector<std::vector<int>> matches_;
  mutable std::vector<std::string> names_;
  size_t slot(HookPoint point, int layer) const;
};

}  // namespace massact
