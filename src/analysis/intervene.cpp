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
      ScanResult found;
      found.criterion = setup.criterion;
      scan_layer(x, setup.layer, found);
      const int64_t d = x.dim(1);
      for (const auto& a : found.massive) {
        float& value = x.f32()[a.token * d + a.dim];
        if (setup.mode == Intervention::Zero) {
          value = 0.0f;
        } else if (auto mean = setup.means->lookup(setup.layer, a.dim, roles[size_t(a.token)])) {
          value = *mean;
        } else {
          ++result.without_mean;
          continue;
        }
        ++result.edited;
      }
    });
    return hooks;
  };
  result.perplexity = perplexity(model, eval_text, protocol, hooks_for, progress);
  return result;
}

}  // namespace massact
