// Massive activations over many sequences, grouped by (layer, feature dim, token role): in how many
// sequences each occurs and the distribution of its values. This is the model's fingerprint (scan
// over data) and the input-agnostic evidence (stats); intervene reads its means.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "analysis/outlier_features.h"
#include "analysis/progress.h"
#include "analysis/running_stats.h"
#include "analysis/scan.h"
#include "analysis/study_input.h"
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
  // Non-first token positions seen (each sequence's tokens but its first).
  int64_t non_first_positions() const { return non_first_positions_; }
  // Per flagged (layer, dim), the share of non-first positions on which the criterion held.
  FeatureShares feature_shares() const;
  // The kinds of the flagged activations under `rule` (outlier_features.h).
  MassiveKinds kinds(const OutlierFeatureRule& rule) const { return {feature_shares(), rule}; }
  // The first / last layer in which some massive activation that `kinds` counts occurs in at least
  // `min_fraction` of the sequences: where they appear and where they still hold.
  std::optional<int> first_layer(const MassiveKinds& kinds, double min_fraction = 0.5) const;
  std::optional<int> last_layer(const MassiveKinds& kinds, double min_fraction = 0.5) const;
  // The largest ratio to the median seen in each layer, averaged over sequences (how close a model
  // without massive activations comes to the criterion).
  const std::map<int, RunningStats>& top_ratio_by_layer() const { return top_ratio_; }

 private:
  int64_t sequences_ = 0;
  int64_t non_first_positions_ = 0;
  std::map<MassiveKey, MassiveEntry> entries_;
  std::map<int, RunningStats> top_ratio_;
};

// The layers the studies look at by default, from where the massive activations that `kinds`
// counts appear (first_layer): the layer output that profile's Table 1 view shows and intervene
// edits (that layer; 0 when there is none), and the attention layer that decompose studies (the
// next one, the first to read them; clamped to the last layer).
int default_output_layer(const MassiveCensus& census, const MassiveKinds& kinds);
int default_attention_layer(const MassiveCensus& census, const MassiveKinds& kinds, int n_layers);

// Runs every input (text or images, study_input.h) and scans each layer's output.
MassiveCensus take_census(const Model& model, const std::vector<StudyInput>& inputs,
                          const TokenTextFn& text_of, const MassiveCriterion& criterion,
                          const ProgressFn& progress = nullptr);

}  // namespace massact
