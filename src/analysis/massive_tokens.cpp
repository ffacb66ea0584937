#include "analysis/massive_tokens.h"

#include <algorithm>

namespace massact {

void MassiveTokens::attach(Hooks& hooks) {
  hooks.observe("blocks.*.hook_resid_post", [this](const HookEvent& e, const Tensor& x) {
    ScanResult found;
    found.criterion = criterion_;
    scan_layer(x, e.layer, found);
    std::fill(massive_.begin(), massive_.end(), 0);
    for (const auto& a : found.massive)
      if (kinds_.counts(a.dim)) massive_[size_t(a.token)] = 1;
  });
}

bool MassiveTokens::any() const {
  return std::any_of(massive_.begin(), massive_.end(), [](char m) { return m; });
}

}  // namespace massact
