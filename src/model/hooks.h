// Hook points of the forward pass, named as in TransformerLens so that researchers know them:
//   hook_embed, blocks.{i}.hook_resid_pre, blocks.{i}.attn.hook_q|hook_k|hook_v,
//   blocks.{i}.attn.hook_rot_q|hook_rot_k, blocks.{i}.attn.hook_attn_scores,
//   blocks.{i}.attn.hook_pattern, blocks.{i}.attn.hook_z, blocks.{i}.hook_attn_out,
//   blocks.{i}.hook_resid_mid, blocks.{i}.mlp.hook_post, blocks.{i}.hook_mlp_out,
//   blocks.{i}.hook_resid_post, ln_final.hook_normalized, and in mixture-of-experts models
//   blocks.{i}.mlp.hook_router_logits and blocks.{i}.mlp.hook_expert_choice.
// Which points a model fires depends on its spec (all_hook_names(spec)), and is read off the
// block layout's recipe (block.h) rather than listed here:
//   - parallel blocks (attention and MLP read the same stream and add to it together: Phi, Falcon,
//     Pythia) have no hook_resid_mid;
//   - hook_rot_q|hook_rot_k exist only with rotary positions (not with learned ones or ALiBi);
//   - mixture-of-experts MLPs have router logits and expert choices instead of mlp.hook_post;
//   - hook_embed is the stream entering block 0: token embedding times the family's scale
//     (Gemma), projected in (OPT-350m), plus learned positions (GPT-2, OPT);
//   - ln_final.hook_normalized is the stream itself where a family has no final norm (OPT-350m);
//   - hook_attn_out|hook_mlp_out are what is added to the stream (after the output norms of
//     Gemma-2, -3 and OLMo-2);
//     with OPT-350m's norms after the residual add, hook_resid_mid|post are after those norms.
// Observers read a hook point; editors change it in place before the forward pass goes on (that is
// how interventions work). A point nobody watches costs one table look-up.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/model_spec.h"

namespace massact {

enum class HookPoint {
  Embed,       // (T, d_model)
  ResidPre,    // (T, d_model)
  Q,           // (T, n_heads, head_dim), the projection (before any q-norm and RoPE)
  K,           // (T, n_kv_heads, head_dim), the projection (before k-norm and RoPE)
  V,           // (T, n_kv_heads, head_dim)
  RotQ,        // (T, n_heads, head_dim), after RoPE
  RotK,        // (T, n_kv_heads, head_dim), after RoPE
  AttnScores,  // (n_heads, T, T): scaled q.k (+ ALiBi bias, soft-capped), -inf where masked
  Pattern,     // (n_heads, T, T): attention probabilities
  Z,           // (T, n_heads, head_dim): probability-weighted values, before the output projection
  AttnOut,     // (T, d_model)
  ResidMid,    // (T, d_model)
  RouterLogits,  // (T, n_experts): MoE router logits, before the softmax
  ExpertChoice,  // (T, experts_per_token): the chosen experts' ids (as floats), best first
  MlpPost,       // (T, d_ff): the MLP's hidden activation
  MlpOut,        // (T, d_model)
  ResidPost,     // (T, d_model): the decoder layer's output, where massive activations are found
  LnFinal,       // (T, d_model)
  Count
};

bool is_layer_hook(HookPoint point);  // everything but Embed and LnFinal
// The TransformerLens name; `layer` is ignored for Embed and LnFinal.
std::string hook_name(HookPoint point, int layer);
// Every hook name there is, for n_layers layers, in forward order (a given model fires a subset).
std::vector<std::string> all_hook_names(int n_layers);
// Whether a model of this spec fires the point (see above), and all the names it fires, in order.
bool model_fires(const ModelSpec& spec, HookPoint point);
std::vector<std::string> all_hook_names(const ModelSpec& spec);

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
