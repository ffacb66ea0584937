// Where attention goes (Section 4): per layer and head, the probability mass that queries put on
// the tokens carrying massive activations, on the first token, and on everything else, and the
// mass on the tokens of each role (token_roles.h: in an image the class token, the registers and
// the patches), averaged over queries past a burn-in position and over sequences or images. Also
// the head-averaged attention logits and probabilities of the first sequence, for heatmaps.
#pragma once

#include <array>
#include <vector>

#include "analysis/census.h"
#include "analysis/running_stats.h"

namespace massact {

struct HeadMass {
  RunningStats on_massive;  // sum of p over massive tokens (C)
  RunningStats on_first;    // p of token 0
  RunningStats on_rest;     // 1 - the mass on C and token 0
  // p summed over the tokens of each role; a role absent from an input adds nothing
  std::array<RunningStats, kNumTokenRoles> on_role;
};

struct AttentionHeatmap {
  int64_t tokens = 0;  // n: the first n tokens of the first sequence
  std::vector<std::vector<float>>
      logits;  // [layer] (n, n) head-averaged scaled q.k; NaN where masked
  std::vector<std::vector<float>> probs;  // [layer] (n, n) head-averaged probabilities
  std::vector<int64_t> massive_tokens;    // tokens in C at the last layer
};

struct AttentionMassResult {
  int64_t burn_in = 0;
  std::vector<std::vector<HeadMass>> layers;  // [layer][head]
  AttentionHeatmap heatmap;
};

AttentionMassResult measure_attention_mass(
    const Model& model, const std::vector<StudyInput>& inputs, const TokenTextFn& text_of,
    const MassiveCriterion& criterion, const MassiveKinds& kinds, int64_t burn_in,
    int64_t heatmap_tokens, const ProgressFn& progress = nullptr);

}  // namespace massact
