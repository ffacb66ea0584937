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
    // Position 0 (a text's first token, an image's class token) is not counted.
    const bool first = key.role == TokenRole::First || key.role == TokenRole::Cls;
    if (!first && non_first_positions_ > 0)
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

MassiveCensus take_census(const Model& model, const std::vector<StudyInput>& inputs,
                          const TokenTextFn& text_of, const MassiveCriterion& criterion,
                          const ProgressFn& progress) {
  MassiveCensus census;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Hooks hooks;
    MassiveScan scan(criterion);
    scan.attach(hooks);
    run_input(model, inputs[i], hooks);
    census.add_sequence(scan.result(), input_roles(model, inputs[i], text_of));
    if (progress) progress(int64_t(i + 1), int64_t(inputs.size()));
  }
  return census;
}

}  // namespace massact
