// The mean value of every massive (layer, dim, token role), measured on calibration sequences and
// kept in a JSON file, so that an intervention can set massive activations to their means. The
// file also keeps, per (layer, dim), in what share of the sequences each key occurred and on what
// share of the non-first positions the criterion held, so that a reader can tell massive
// activations from outlier features (outlier_features.h) and find where they appear, as the census
// that wrote it did.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "analysis/census.h"
#include "io/json_file.h"

namespace massact {

class MassiveMeans {
 public:
  static MassiveMeans from_census(const MassiveCensus& census);
  // InputError naming the file and the field when it is not a means file.
  static MassiveMeans read(const std::string& path);
  // {"schema", "sequences", "means": [{"layer", "dim", "role", "mean", "count", "sequences"}],
  //  "feature_shares": [{"layer", "dim", "non_first_share"}]}
  json to_json() const;

  // The calibration mean of this role at (layer, dim); nullopt when the role was never massive
  // there in calibration. Never a mean of another role: the caller says what it left.
  std::optional<float> lookup(int layer, int64_t dim, TokenRole role) const;
  bool empty() const { return means_.empty(); }
  const FeatureShares& feature_shares() const { return shares_; }
  MassiveKinds kinds(const OutlierFeatureRule& rule) const { return {shares_, rule}; }
  // As MassiveCensus::first_layer: the lowest layer with a key that `kinds` counts, seen in at
  // least half the calibration sequences.
  std::optional<int> first_layer(const MassiveKinds& kinds) const;

 private:
  struct Mean {
    double mean;
    int64_t count;      // occurrences
    int64_t sequences;  // calibration sequences in which it occurred
  };
  int64_t sequences_ = 0;
  std::map<MassiveKey, Mean> means_;
  FeatureShares shares_;
};

}  // namespace massact
