// Rotary position embeddings in the rotate-half layout of Hugging Face checkpoints: of the first
// rope.dims dimensions of a head (all of them, or fewer with partial rotary), dimension j pairs
// with j + dims/2 and the pair turns by angle position * inv_freq[j]; the rest pass through.
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
  std::vector<float> cos_, sin_;  // (n_positions, half) from first_position on
};

}  // namespace massact
