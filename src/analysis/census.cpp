#include "analysis/census.h"

#include <algorithm>
#include <set>

namespace massact {

void MassiveCensus::add_sequence(const ScanResult& scan, const std::vector<TokenRole>& roles) {
  ++sequences_;
  non_first_positions_ += int64_t(roles.size()) - 1;
  std::set<MassiveKey> seen;
  for (const auto& a : scan.massive) {
    MassiveKey key{a.layer, a.dim, roles[size_t(a.token)]};
    MassiveEntry& entry = entries_[key];
    entry.values.add(a.value);
    entry.ratios.add(a.ratio);
    if (seen.insert(key).second) ++entry.sequences;
  }
  for (const auto& layer : scan.layers)
    top_ratio_[layer.layer].add(layer.max_abs / layer.median_abs);
}

FeatureShares MassiveCensus::feature_shares() const {
  FeatureShares shares;
  for (const auto& [key, entry] : entries_) {
    double& share = shares[{key.layer, key.dim}];  // every flagged (layer, dim) gets a row
    if (key.role != TokenRole::First && non_first_positions_ > 0)
      share += double(entry.values.count()) / double(non_first_positions_);
  }
  return shares;
}

namespace {
// Layers that hold some counted key in at least min_fraction of the sequences, in order.
std::set<int> common_layers(const std::map<MassiveKey, MassiveEntry>& entries, int64_t sequences,
                            const MassiveKinds& kinds, double min_fraction) {
  std::set<int> layers;
  for (const auto& [key, entry] : entries)
    if (kinds.counts(key.dim) && double(entry.sequences) >= min_fraction * double(sequences))
      layers.insert(key.layer);
  return layers;
}
}  // namespace

std::optional<int> MassiveCensus::first_layer(const MassiveKinds& kinds,
                                              double min_fraction) const {
  auto layers = common_layers(entries_, sequences_, kinds, min_fraction);
  return layers.empty() ? std::nullopt : std::optional<int>(*layers.begin());
}

std::optional<int> MassiveCensus::last_layer(const MassiveKinds& kinds, double min_fraction) const {
  auto layers = common_layers(entries_, sequences_, kinds, min_fraction);
  return layers.empty() ? std::nullopt : std::optional<int>(*layers.rbegin());
}

int default_output_layer(const MassiveCensus& census, const MassiveKinds& kinds) {
  return census.first_layer(kinds).value_or(0);
}

int default_attention_layer(const MassiveCensus& census, const MassiveKinds& kinds, int n_layers) {
  const std::optional<int> first = census.first_layer(kinds);
  return first ? std::min(*first + 1, n_layers - 1) : 0;
}

MassiveCensus take_census(const Model& model, const std::vector<TokenIds>& sequences,
                          const TokenTextFn& text_of, const MassiveCriterion& criterion,
                          const ProgressFn& progress) {
  MassiveCensus census;
  for (size_t i = 0; i < sequences.size(); ++i) {
    Hooks hooks;
    MassiveScan scan(criterion);
    scan.attach(hooks);
    model.forward(sequences[i], hooks, LogitRows::None);
    census.add_sequence(scan.result(), token_roles(sequences[i], text_of));
    if (progress) progress(int64_t(i + 1), int64_t(sequences.size()));
  }
  return census;
}

}  // namespace massact
