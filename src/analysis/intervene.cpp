#include "analysis/intervene.h"

namespace massact {

const char* intervention_name(Intervention mode) {
  switch (mode) {
    case Intervention::None:
      return "original";
    case Intervention::Zero:
      return "zero";
    case Intervention::Mean:
      return "mean";
  }
  return "?";
}

int64_t EditCounts::left_without_mean() const {
  int64_t n = 0;
  for (const auto& [key, count] : without_mean) n += count;
  return n;
}

void edit_massive_activations(Tensor& x, const InterventionSetup& setup,
                              const std::vector<TokenRole>& roles, EditCounts& counts) {
  ScanResult found;
  found.criterion = setup.criterion;
  scan_layer(x, setup.layer, found);
  const int64_t d = x.dim(1);
  for (const auto& a : found.massive) {
    if (!setup.kinds.counts(a.dim)) {
      ++counts.outlier_features_left;
      continue;
    }
    float& value = x.f32()[a.token * d + a.dim];
    const TokenRole role = roles[size_t(a.token)];
    if (setup.mode == Intervention::Zero) {
      value = 0.0f;
    } else if (auto mean = setup.means->lookup(setup.layer, a.dim, role)) {
      value = *mean;
    } else {
      ++counts.without_mean[{setup.layer, a.dim, role}];
      continue;
    }
    ++counts.edited;
  }
}

InterventionResult perplexity_with_intervention(const Model& model, const TokenIds& eval_text,
                                                const PerplexityProtocol& protocol,
                                                const InterventionSetup& setup,
                                                const TokenTextFn& text_of,
                                                const ProgressFn& progress) {
  InterventionResult result;
  auto hooks_for = [&](const TokenIds& window) {
    Hooks hooks;
    if (setup.mode == Intervention::None) return hooks;
    const std::string point = "blocks." + std::to_string(setup.layer) + ".hook_resid_post";
    hooks.edit(point, [&, roles = token_roles(window, text_of)](const HookEvent&, Tensor& x) {
      edit_massive_activations(x, setup, roles, result);
    });
    return hooks;
  };
  result.perplexity = perplexity(model, eval_text, protocol, hooks_for, progress);
  return result;
}

std::vector<TokenIds> calibration_windows(const TokenIds& text, const SequenceDraw& draw,
                                          const PerplexityProtocol& protocol,
                                          const std::string& text_name) {
  return draw_sequences(text, draw, protocol.bos_per_window, text_name);
}

TokenIds hold_out_calibration_text(TokenIds& eval_text) {
  const size_t keep = size_t(double(eval_text.size()) * (1 - kHeldOutFraction));
  TokenIds held_out(eval_text.begin() + int64_t(keep), eval_text.end());
  eval_text.resize(keep);
  return held_out;
}

}  // namespace massact
