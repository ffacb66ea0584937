// Per layer, the largest magnitudes of the layer output and its median, over many sequences: the
// paper's Figure 2 (top-1/2/3 and median per layer) and Table 1 (top-1..top-K of one layer).
#pragma once

#include <map>
#include <vector>

#include "analysis/census.h"
#include "analysis/running_stats.h"
#include "analysis/token_roles.h"

namespace massact {

struct RankProfile {
  RunningStats magnitude;                                  // the k-th largest |activation|
  std::map<std::pair<TokenRole, int64_t>, int64_t> where;  // (role, dim) -> sequences it was there
};

struct LayerProfile {
  std::vector<RankProfile> top;  // top[0] is the largest
  RunningStats median;
};

class MagnitudeProfile {
 public:
  MagnitudeProfile(int n_layers, int top_k);
  // x: (T, d), one layer output of one sequence with the roles of its tokens.
  void add_top(int layer, const Tensor& x, const std::vector<TokenRole>& roles);
  // The layer's median |activation| in one sequence, as the scan measured it.
  void add_median(int layer, float median) { layers_[size_t(layer)].median.add(median); }
  const std::vector<LayerProfile>& layers() const { return layers_; }
  int top_k() const { return top_k_; }

 private:
  int top_k_;
  std::vector<LayerProfile> layers_;
};

MagnitudeProfile profile_magnitudes(const Model& model, const std::vector<StudyInput>& inputs,
                                    const TokenTextFn& text_of, int top_k,
                                    const MassiveCriterion& criterion, MassiveCensus& census,
                                    const ProgressFn& progress = nullptr);

}  // namespace massact
