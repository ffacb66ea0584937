// Rotary position embeddings: of the first rope.dims dimensions of a head (all of them, or fewer
// with partial rotary), pair j turns by angle position * inv_freq[j]; the rest pass through. Pair j
// is dimensions j and j + dims/2 (the rotate-half layout of Hugging Face's LLaMA), or with
// rope.interleaved 2j and 2j + 1 (GPT-J, Cohere).
#pragma once

#include <vector>

#include "model/model_spec.h"

namespace massact {

// inv_freq[j] for j < rope.dims/2, with the spec's scaling (linear, llama3, longrope) applied;
// LongRoPE's factors are the short or the long ones by `sequence_length` (cached tokens included).
std::vector<float> rope_inverse_frequencies(const RopeSpec& rope, int64_t sequence_length = 0);

class RopeTable {
 public:
  // Positions first_position .. first_position + n_positions - 1, in a sequence of
  // first_position + n_positions tokens (which picks LongRoPE's factors).
  RopeTable(const RopeSpec& rope, int64_t n_positions, int64_t first_position = 0);
  // Rotates x: (T, n_heads, head_dim) in place; token t sits at position first_position + t.
  void apply(float* x, int64_t T, int64_t n_heads, int64_t head_dim) const;

 private:
  int64_t half_;
  int64_t stride_;  // pair j: dimensions j * stride_ and j * stride_ + offset_
  int64_t offset_;
  std::vector<float> cos_, sin_;  // (n_positions, half) from first_position on
};

}  // namespace massact
