#include "analysis/decompose.h"

#include <cmath>

#include "analysis/massive_tokens.h"

namespace massact {

double HeadUpdates::mean_pairwise_cosine() const {
  if (units < 2) return NAN;
  double sq = 0.0;
  for (double s : unit_sum) sq += s * s;
  return (sq - double(units)) / (double(units) * double(units - 1));
}

std::vector<float> HeadUpdates::mean() const {
  std::vector<float> m(sum.size(), 0.0f);
  if (norm_massive.count() == 0) return m;
  for (size_t i = 0; i < sum.size(); ++i) m[i] = float(sum[i] / double(norm_massive.count()));
  return m;
}

namespace {

// The tensors of one layer that Eq. 2 needs, copied as the pass goes by.
struct LayerCapture {
  Tensor v;            // (T, n_kv_heads, head_dim)
  Tensor pattern;      // (n_heads, T, T)
  bool causal = true;  // query q sees keys 0..q; else (an encoder) every key

  void attach(Hooks& hooks, int layer) {
    const std::string prefix = "blocks." + std::to_string(layer) + ".attn.";
    hooks.observe(prefix + "hook_v", [this](const HookEvent&, const Tensor& t) { v = t.to_f32(); });
    hooks.observe(prefix + "hook_pattern",
                  [this](const HookEvent&, const Tensor& t) { pattern = t.to_f32(); });
  }

  // u_C(q) and u_rest(q) of head h, each (head_dim,). Returns whether query q sees a token of C.
  bool updates(const MassiveTokens& massive, int64_t h, int64_t q, float* u_c,
               float* u_rest) const {
    const int64_t T = pattern.dim(1), kv_heads = v.dim(1), hd = v.dim(2);
    const int64_t kv = h / (pattern.dim(0) / kv_heads);
    std::fill(u_c, u_c + hd, 0.0f);
    std::fill(u_rest, u_rest + hd, 0.0f);
    bool sees_massive = false;
    const float* p = pattern.f32() + (h * T + q) * T;
    for (int64_t i = 0, keys = causal ? q + 1 : T; i < keys; ++i) {
      const float* vi = v.f32() + (i * kv_heads + kv) * hd;
      float* u = massive.is_massive(i) ? u_c : u_rest;
      sees_massive |= massive.is_massive(i);
      for (int64_t j = 0; j < hd; ++j) u[j] += p[i] * vi[j];
    }
    return sees_massive;
  }
};

double norm(const std::vector<float>& u) {
  double s = 0.0;
  for (float x : u) s += double(x) * x;
  return std::sqrt(s);
}

}  // namespace

Decomposition decompose_value_updates(const Model& model, const std::vector<StudyInput>& inputs,
                                      int layer, const MassiveCriterion& criterion,
                                      const MassiveKinds& kinds, int64_t burn_in,
                                      const ProgressFn& progress) {
  const ModelSpec& s = model.spec();
  Decomposition result;
  result.layer = layer;
  result.burn_in = burn_in;
  result.heads.resize(size_t(s.n_heads));
  for (auto& head : result.heads) {
    head.sum.assign(size_t(s.head_dim), 0.0);
    head.unit_sum.assign(size_t(s.head_dim), 0.0);
  }
  std::vector<float> u_c(size_t(s.head_dim)), u_rest(size_t(s.head_dim));
  for (size_t n = 0; n < inputs.size(); ++n) {
    const int64_t T = input_length(model, inputs[n]);
    Hooks hooks;
    // The output of layer L - 1 decides C: the scan of layer L's own output comes after its
    // attention.
    MassiveTokens massive(criterion, kinds, T);
    massive.attach(hooks);
    LayerCapture capture;
    capture.causal = s.layers[size_t(layer)].causal;
    capture.attach(hooks, layer);
    bool any_massive = false;
    hooks.observe("blocks." + std::to_string(layer) + ".attn.hook_z",
                  [&](const HookEvent&, const Tensor&) {
                    any_massive = massive.any();
                    for (int64_t h = 0; h < s.n_heads; ++h)
                      for (int64_t q = std::min(burn_in, T - 1); q < T; ++q) {
                        HeadUpdates& head = result.heads[size_t(h)];
                        capture.updates(massive, h, q, u_c.data(), u_rest.data());
                        const double nc = norm(u_c);
                        head.norm_massive.add(nc);
                        head.norm_rest.add(norm(u_rest));
                        for (size_t j = 0; j < u_c.size(); ++j) head.sum[j] += u_c[j];
                        if (nc == 0.0) continue;
                        for (size_t j = 0; j < u_c.size(); ++j) head.unit_sum[j] += u_c[j] / nc;
                        ++head.units;
                      }
                  });
    run_input(model, inputs[n], hooks);
    ++result.sequences;
    if (any_massive) ++result.sequences_with_massive;
    if (progress) progress(int64_t(n + 1), int64_t(inputs.size()));
  }
  return result;
}

const char* value_update_edit_name(ValueUpdateEdit edit) {
  switch (edit) {
    case ValueUpdateEdit::None:
      return "original";
    case ValueUpdateEdit::Fixed:
      return "fixed";
    case ValueUpdateEdit::Removed:
      return "removed";
  }
  return "?";
}

PerplexityResult perplexity_with_value_update_edit(
    const Model& model, const TokenIds& text, const PerplexityProtocol& protocol, int layer,
    ValueUpdateEdit edit, const MassiveCriterion& criterion, const MassiveKinds& kinds,
    const std::vector<std::vector<float>>& fixed, const ProgressFn& progress) {
  const ModelSpec& s = model.spec();
  // State of the window being run; hooks_for builds fresh hooks that point into it.
  std::unique_ptr<MassiveTokens> massive;
  LayerCapture capture;
  std::vector<float> u_c(size_t(s.head_dim)), u_rest(size_t(s.head_dim));
  auto hooks_for = [&](const TokenIds& window) {
    Hooks hooks;
    if (edit == ValueUpdateEdit::None) return hooks;
    massive = std::make_unique<MassiveTokens>(criterion, kinds, int64_t(window.size()));
    massive->attach(hooks);
    capture.attach(hooks, layer);
    hooks.edit(
        "blocks." + std::to_string(layer) + ".attn.hook_z", [&](const HookEvent&, Tensor& z) {
          const int64_t T = z.dim(0), H = z.dim(1), hd = z.dim(2);
          for (int64_t q = 0; q < T; ++q)
            for (int64_t h = 0; h < H; ++h) {
              if (!capture.updates(*massive, h, q, u_c.data(), u_rest.data())) continue;
              float* out = z.f32() + (q * H + h) * hd;
              for (int64_t j = 0; j < hd; ++j)
                out[j] = u_rest[size_t(j)] +
                         (edit == ValueUpdateEdit::Fixed ? fixed[size_t(h)][size_t(j)] : 0.0f);
            }
        });
    return hooks;
  };
  return perplexity(model, text, protocol, hooks_for, progress);
}

}  // namespace massact
