// The mean value of every massive (layer, dim, token role), measured on calibration sequences and
// kept in a JSON file, so that an intervention can set massive activations to their means.
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
  json to_json() const;  // {"schema": ..., "means": [{"layer", "dim", "role", "mean", "count"}]}

  // The mean for this role; when the role was never massive there in calibration, the mean over
  // all roles of (layer, dim); nullopt when (layer, dim) was never massive.
  std::optional<float> lookup(int layer, int64_t dim, TokenRole role) const;
  bool empty() const { return means_.empty(); }
  std::optional<int> first_layer() const;  // the lowest layer with a mean

 private:
  void add(const MassiveKey& key, double mean, int64_t count);
  std::map<MassiveKey, std::pair<double, int64_t>> means_;  // mean, occurrences
  std::map<std::pair<int, int64_t>, std::pair<double, int64_t>> any_role_;
};

}  // namespace massact
