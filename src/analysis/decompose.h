// The paper's Eq. 2 (Section 4.2): at layer L, each head's output for query q splits into the value
// update from the massive-activation tokens C and the update from the rest:
//   z_q = sum_{i in C} p_qi v_i + sum_{i not in C} p_qi v_i = u_C(q) + u_rest(q).
// If u_C(q) is nearly the same vector for every query and input, massive activations implement a
// fixed attention bias. We measure how alike the u_C are (mean pairwise cosine over queries and
// sequences) and their size against u_rest, then test the claim: replace every u_C by one fixed
// vector (its calibration mean) and compare perplexity with the original and with u_C removed.
#pragma once

#include <vector>

#include "analysis/census.h"
#include "analysis/perplexity.h"
#include "analysis/running_stats.h"

namespace massact {

struct HeadUpdates {
  RunningStats norm_massive;     // ||u_C(q)||
  RunningStats norm_rest;        // ||u_rest(q)||
  std::vector<double> sum;       // sum of u_C(q): (head_dim,)
  std::vector<double> unit_sum;  // sum of u_C(q) / ||u_C(q)|| over nonzero u_C: (head_dim,)
  int64_t units = 0;

  // Mean of cos(u_C(a), u_C(b)) over all pairs a != b: (||sum of units||^2 - n) / (n (n - 1)).
  double mean_pairwise_cosine() const;
  std::vector<float> mean() const;  // the mean u_C(q): the fixed bias this head would implement
};

struct Decomposition {
  int layer = 0;
  int64_t burn_in = 0;
  int64_t sequences = 0;
  int64_t sequences_with_massive = 0;  // sequences in which C was not empty at this layer
  std::vector<HeadUpdates> heads;
};

// Over text sequences or images (study_input.h).
Decomposition decompose_value_updates(const Model& model, const std::vector<StudyInput>& inputs,
                                      int layer, const MassiveCriterion& criterion,
                                      const MassiveKinds& kinds, int64_t burn_in,
                                      const ProgressFn& progress = nullptr);

enum class ValueUpdateEdit { None, Fixed, Removed };
const char* value_update_edit_name(ValueUpdateEdit edit);

// Perplexity with every query's u_C at `layer` kept, replaced by fixed[head] (head_dim each), or
// removed. Queries that see no massive token are left alone.
PerplexityResult perplexity_with_value_update_edit(
    const Model& model, const TokenIds& text, const PerplexityProtocol& protocol, int layer,
    ValueUpdateEdit edit, const MassiveCriterion& criterion, const MassiveKinds& kinds,
    const std::vector<std::vector<float>>& fixed, const ProgressFn& progress = nullptr);

}  // namespace massact
