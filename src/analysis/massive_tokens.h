// Which tokens of a sequence carry massive activations, as the forward pass goes: a hook consumer
// that scans each layer's output, so that at layer l it knows the tokens massive in layers < l (the
// ones that attention at layer l sees through the residual stream).
#pragma once

#include <vector>

#include "analysis/scan.h"
#include "model/hooks.h"

namespace massact {

class MassiveTokens {
 public:
  MassiveTokens(MassiveCriterion criterion, int64_t T)
      : criterion_(criterion), massive_(size_t(T), 0) {}
  void attach(Hooks& hooks);
  bool is_massive(int64_t token) const { return massive_[size_t(token)] != 0; }
  bool any() const;

 private:
  MassiveCriterion criterion_;
  std::vector<char> massive_;
};

}  // namespace massact
