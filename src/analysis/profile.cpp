#include "analysis/profile.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace massact {

MagnitudeProfile::MagnitudeProfile(int n_layers, int top_k)
    : top_k_(top_k), layers_(size_t(n_layers)) {
  for (auto& layer : layers_) layer.top.resize(size_t(top_k));
}

void MagnitudeProfile::add_top(int layer, const Tensor& x, const std::vector<TokenRole>& roles) {
  const int64_t n = x.numel(), d = x.dim(1);
  const float* v = x.f32();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  auto larger = [v](int64_t a, int64_t b) { return std::fabs(v[a]) > std::fabs(v[b]); };
  const int64_t k = std::min<int64_t>(top_k_, n);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), larger);
  LayerProfile& p = layers_[size_t(layer)];
  for (int64_t r = 0; r < k; ++r) {
    const int64_t i = order[size_t(r)];
    p.top[size_t(r)].magnitude.add(std::fabs(v[i]));
    ++p.top[size_t(r)].where[{roles[size_t(i / d)], i % d}];
  }
}

MagnitudeProfile profile_magnitudes(const Model& model, const std::vector<StudyInput>& inputs,
                                    const TokenTextFn& text_of, int top_k,
                                    const MassiveCriterion& criterion, MassiveCensus& census,
                                    const ProgressFn& progress) {
  MagnitudeProfile profile(int(model.spec().n_layers), std::max(top_k, 3));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::vector<TokenRole> roles = input_roles(model, inputs[i], text_of);
    Hooks hooks;
    MassiveScan scan(criterion);
    scan.attach(hooks);
    hooks.observe("blocks.*.hook_resid_post",
                  [&](const HookEvent& e, const Tensor& x) { profile.add_top(e.layer, x, roles); });
    run_input(model, inputs[i], hooks);
    for (const auto& layer : scan.result().layers)
      profile.add_median(layer.layer, layer.median_abs);
    census.add_sequence(scan.result(), roles);
    if (progress) progress(int64_t(i + 1), int64_t(inputs.size()));
  }
  return profile;
}

}  // namespace massact
