// The paper's criterion for massive activations, applied to each layer's output
// (blocks.{i}.hook_resid_post): an activation is massive when its magnitude is above
// `min_magnitude` and above `min_ratio` times the median magnitude of that layer's whole output
// (all tokens, all dims). The scan streams: it reduces each layer while the forward pass runs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "model/hooks.h"

namespace massact {

struct MassiveCriterion {
  double min_magnitude = 100.0;
  double min_ratio = 1000.0;
};

struct MassiveActivation {
  int layer;
  int64_t token;
  int64_t dim;
  float value;
  double ratio;  // |value| / median |activation| of the layer
};

struct LayerMagnitudes {
  int layer;
  float median_abs;  // the lower middle value, as torch.median
  float max_abs;
  int64_t max_token, max_dim;
  int64_t non_finite;  // NaN or inf values: left out of the median and the criterion
};

struct ScanResult {
  MassiveCriterion criterion;
  std::vector<LayerMagnitudes> layers;
  std::vector<MassiveActivation> massive;  // by layer, then token, then dim
};

// The criterion on one layer's output x: (T, d). Appends to `result`.
void scan_layer(const Tensor& x, int layer, ScanResult& result);

// A hook consumer: attach() before the forward pass, read result() after.
class MassiveScan {
 public:
  explicit MassiveScan(MassiveCriterion criterion) { result_.criterion = criterion; }
  void attach(Hooks& hooks);
  const ScanResult& result() const { return result_; }

 private:
  ScanResult result_;
};

}  // namespace massact
