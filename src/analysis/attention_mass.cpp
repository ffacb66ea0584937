#include "analysis/attention_mass.h"

#include <cmath>

#include "analysis/massive_tokens.h"

namespace massact {

namespace {

// Adds one input's pattern (H, T, T) of a layer to the per-head statistics. Every key is read:
// a causal layer's masked keys hold probability 0, an encoder's all count.
void add_pattern(const Tensor& pattern, const MassiveTokens& massive,
                 const std::vector<TokenRole>& roles, int64_t burn_in,
                 std::vector<HeadMass>& heads) {
  const int64_t H = pattern.dim(0), T = pattern.dim(1);
  std::array<bool, kNumTokenRoles> present{};
  for (TokenRole role : roles) present[size_t(role)] = true;
  for (int64_t h = 0; h < H; ++h)
    for (int64_t q = burn_in; q < T; ++q) {
      const float* p = pattern.f32() + (h * T + q) * T;
      double on_massive = 0.0;
      std::array<double, kNumTokenRoles> on_role{};
      for (int64_t k = 0; k < T; ++k) {
        if (massive.is_massive(k)) on_massive += p[k];
        on_role[size_t(roles[size_t(k)])] += p[k];
      }
      const double on_first = p[0];
      HeadMass& head = heads[size_t(h)];
      head.on_massive.add(on_massive);
      head.on_first.add(on_first);
      head.on_rest.add(1.0 - on_massive - (massive.is_massive(0) ? 0.0 : on_first));
      for (size_t r = 0; r < on_role.size(); ++r)
        if (present[r]) head.on_role[r].add(on_role[r]);
    }
}

// The head average of the top-left (n, n) block of an (H, T, T) tensor; -inf (masked) becomes NaN.
std::vector<float> head_average(const Tensor& t, int64_t n) {
  const int64_t H = t.dim(0), T = t.dim(1);
  std::vector<float> out(size_t(n * n), 0.0f);
  for (int64_t h = 0; h < H; ++h)
    for (int64_t q = 0; q < n; ++q)
      for (int64_t k = 0; k < n; ++k)
        out[size_t(q * n + k)] += t.f32()[(h * T + q) * T + k] / float(H);
  for (float& v : out)
    if (std::isinf(v)) v = NAN;
  return out;
}

}  // namespace

AttentionMassResult measure_attention_mass(const Model& model,
                                           const std::vector<StudyInput>& inputs,
                                           const TokenTextFn& text_of,
                                           const MassiveCriterion& criterion,
                                           const MassiveKinds& kinds, int64_t burn_in,
                                           int64_t heatmap_tokens, const ProgressFn& progress) {
  const ModelSpec& s = model.spec();
  AttentionMassResult result;
  result.burn_in = burn_in;
  result.layers.assign(size_t(s.n_layers), std::vector<HeadMass>(size_t(s.n_heads)));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int64_t T = input_length(model, inputs[i]);
    const std::vector<TokenRole> roles = input_roles(model, inputs[i], text_of);
    Hooks hooks;
    MassiveTokens massive(criterion, kinds, T);
    massive.attach(hooks);
    hooks.observe("blocks.*.attn.hook_pattern", [&](const HookEvent& e, const Tensor& p) {
      add_pattern(p, massive, roles, std::min(burn_in, T - 1), result.layers[size_t(e.layer)]);
    });
    AttentionHeatmap& map = result.heatmap;
    if (i == 0) {
      map.tokens = std::min(heatmap_tokens, T);
      hooks.observe("blocks.*.attn.hook_attn_scores", [&](const HookEvent&, const Tensor& t) {
        map.logits.push_back(head_average(t, map.tokens));
      });
      hooks.observe("blocks.*.attn.hook_pattern", [&](const HookEvent&, const Tensor& t) {
        map.probs.push_back(head_average(t, map.tokens));
      });
    }
    run_input(model, inputs[i], hooks);
    if (i == 0)
      for (int64_t t = 0; t < T; ++t)
        if (massive.is_massive(t)) map.massive_tokens.push_back(t);
    if (progress) progress(int64_t(i + 1), int64_t(inputs.size()));
  }
  return result;
}

}  // namespace massact
