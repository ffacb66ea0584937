#include "analysis/outlier_features.h"

namespace massact {

MassiveKinds::MassiveKinds(const FeatureShares& shares, const OutlierFeatureRule& rule)
    : include_(rule.include) {
  for (const auto& [where, share] : shares)
    if (share > rule.min_share) outlier_dims_.insert(where.second);
}

}  // namespace massact
