// Massive activations over many sequences, grouped by (layer, feature dim, token role): in how many
// sequences each occurs and the distribution of its values. This is the model's fingerprint (scan
// over data) and the input-agnostic evidence (stats); intervene reads its means.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "analysis/progress.h"
#include "analysis/running_stats.h"
#include "analysis/scan.h"
#include "analysis/token_roles.h"
#include "model/model.h"

namespace massact {

struct MassiveKey {
  int layer;
  int64_t dim;
  TokenRole role;
  auto operator<=>(const MassiveKey&) const = default;
};

struct MassiveEntry {
  int64_t sequences = 0;  // sequences in which it occurs at least once
  RunningStats values;    // every occurrence
  RunningStats ratios;    // |value| / median of the layer
};

class MassiveCensus {
 public:
  void add_sequence(const ScanResult& scan, const std::vector<TokenRole>& roles);

  int64_t sequences() const { return sequences_; }
  const std::map<MassiveKey, MassiveEntry>& entries() const { return entries_; }
  // The first / last layer in which some massive activation occurs in at least `min_fraction` of
  // the sequences: where they appear and where they still hold.
  std::optional<int> first_layer(double min_fraction = 0.5) const;
  std::optional<int> last_layer(double min_fraction = 0.5) const;
  // The largest ratio to the median seen in each layer, averaged over sequences (how close a model
  // without massive activations comes to the criterion).
  const std::map<int, RunningStats>& top_ratio_by_layer() const { return top_ratio_; }

 private:
  int64_t sequences_ = 0;
  std::map<MassiveKey, MassiveEntry> entries_;
  std::map<int, RunningStats> top_ratio_;
};

using TokenTextFn = std::function<std::string(int32_t)>;

// Runs every sequence and scans each layer's output.
MassiveCensus take_census(const Model& model, const std::vector<TokenIds>& sequences,
                          const TokenTextFn& text_of, const MassiveCriterion& criterion,
                          const ProgressFn& progress = nullptr);

}  // namespace massact
