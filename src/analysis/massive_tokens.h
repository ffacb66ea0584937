// Which tokens of a sequence carry massive activations, as the forward pass goes: a hook consumer
// that scans each layer's output, so that at layer l it knows the tokens massive in the output of
// layer l - 1, the residual stream that attention at layer l reads. (Tokens massive only in some
// earlier layer do not count: a feature dim that is large on every token for a few early layers, as
// in Gemma 3, would otherwise put every token in C for the rest of the model.) Only the massive
// activations that `kinds` counts put a token in C: an outlier feature (outlier_features.h), large
// on most tokens, would put most tokens there.
#pragma once

#include <utility>
#include <vector>

#include "analysis/outlier_features.h"
#include "analysis/scan.h"
#include "model/hooks.h"

namespace massact {

class MassiveTokens {
 public:
  MassiveTokens(MassiveCriterion criterion, MassiveKinds kinds, int64_t T)
      : criterion_(criterion), kinds_(std::move(kinds)), massive_(size_t(T), 0) {}
  void attach(Hooks& hooks);
  bool is_massive(int64_t token) const { return massive_[size_t(token)] != 0; }
  bool any() const;

 private:
  MassiveCriterion criterion_;
  MassiveKinds kinds_;
  std::vector<char> massive_;
};

}  // namespace massact
