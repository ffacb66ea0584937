#include "analysis/census.h"

#include <set>

namespace massact {

void MassiveCensus::add_sequence(const ScanResult& scan, const std::vector<TokenRole>& roles) {
  ++sequences_;
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

namespace {
// Layers that hold some key in at least min_fraction of the sequences, in order.
std::set<int> common_layers(const std::map<MassiveKey, MassiveEntry>& entries, int64_t sequences,
                            double min_fraction) {
  std::set<int> layers;
  for (const auto& [key, entry] : entries)
    if (double(entry.sequences) >= min_fraction * double(sequences)) layers.insert(key.layer);
  return layers;
}
}  // namespace

std::optional<int> MassiveCensus::first_layer(double min_fraction) const {
  auto layers = common_layers(entries_, sequences_, min_fraction);
  return layers.empty() ? std::nullopt : std::optional<int>(*layers.begin());
}

std::optional<int> MassiveCensus::last_layer(double min_fraction) const {
  auto layers = common_layers(entries_, sequences_, min_fraction);
  return layers.empty() ? std::nullopt : std::optional<int>(*layers.rbegin());
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
