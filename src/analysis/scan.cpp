#include "analysis/scan.h"

#include <algorithm>
#include <cmath>

namespace massact {

void scan_layer(const Tensor& x, int layer, ScanResult& result) {
  const int64_t T = x.dim(0), d = x.dim(1);
  const float* v = x.f32();
  std::vector<float> magnitudes;
  magnitudes.reserve(size_t(x.numel()));
  LayerMagnitudes stats{layer, NAN, NAN, 0, 0, 0};
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float m = std::fabs(v[i]);
    if (!std::isfinite(m)) {
      ++stats.non_finite;
      continue;
    }
    magnitudes.push_back(m);
    if (!(m <= stats.max_abs)) {  // also true while max_abs is still NaN
      stats.max_abs = m;
      stats.max_token = i / d;
      stats.max_dim = i % d;
    }
  }
  if (!magnitudes.empty()) {
    auto middle = magnitudes.begin() + int64_t(magnitudes.size() - 1) / 2;
    std::nth_element(magnitudes.begin(), middle, magnitudes.end());
    stats.median_abs = *middle;
  }
  result.layers.push_back(stats);
  if (magnitudes.empty()) return;

  const double threshold = std::max(result.criterion.min_magnitude,
                                    result.criterion.min_ratio * double(stats.median_abs));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < d; ++j) {
      const float value = v[t * d + j];
      if (std::isfinite(value) && std::fabs(value) > threshold)
        result.massive.push_back({layer, t, j, value, std::fabs(value) / double(stats.median_abs)});
    }
}

void MassiveScan::attach(Hooks& hooks) {
  hooks.observe("blocks.*.hook_resid_post",
                [this](const HookEvent& e, const Tensor& x) { scan_layer(x, e.layer, result_); });
}

}  // namespace massact
