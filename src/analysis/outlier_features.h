// Massive activations versus outlier features. The paper's criterion (scan.h) flags any activation
// that is large against the layer's median; the paper separates two things it can flag: a massive
// activation sits on a few tokens (the first token, a delimiter), while an outlier feature is a
// feature dim that is large on most tokens. We measure, per (layer, dim), the share of non-first
// token positions on which the criterion holds; a dim whose share is above `min_share` in some
// layer is an outlier feature, and its flagged activations, in every layer, are not counted as
// massive activations by the studies' defaults (where they appear, which tokens attention's set C
// holds, what an intervention edits).
//
// The default 0.5 ("most tokens"): on Gemma 3 270M (Q4_K_M, 256-token windows of WikiText-2,
// TinyShakespeare, TinyStories and tests/real_model/sample_text.txt) dim 400 is over the criterion
// on 80-93% of the non-first positions at layer 1 (5-6% at layer 0, where it sits on " " and
// " and", 30-48% at layer 3), while the massive dim 163 is on at most 0.2% of them in any layer.
// A model whose massive activations sit on every delimiter (the planted model, or models with
// massive activations on "." and "\n") reaches the delimiters' share of the text, 5-15% of prose,
// so a lower default would call those outlier features. Classifying by the dim's largest share over
// layers, not layer by layer, keeps dim 400's layer-0 activations (5%, like a delimiter's share)
// with the feature they belong to.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>

namespace massact {

// (layer, dim) -> the share of non-first token positions on which the criterion holds there.
using FeatureShares = std::map<std::pair<int, int64_t>, double>;

struct OutlierFeatureRule {
  double min_share = 0.5;  // a dim above this share in some layer is an outlier feature
  bool include = false;    // count outlier features as massive activations (the criterion alone)
};

class MassiveKinds {
 public:
  MassiveKinds() = default;  // no outlier features known: every flagged activation counts
  MassiveKinds(const FeatureShares& shares, const OutlierFeatureRule& rule);

  // Whether a flagged activation in this dim counts as a massive activation.
  bool counts(int64_t dim) const { return include_ || outlier_dims_.count(dim) == 0; }
  bool is_outlier_feature(int64_t dim) const { return outlier_dims_.count(dim) != 0; }
  const std::set<int64_t>& outlier_dims() const { return outlier_dims_; }

 private:
  std::set<int64_t> outlier_dims_;
  bool include_ = false;
};

}  // namespace massact
