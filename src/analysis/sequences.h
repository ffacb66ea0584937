// The sequences a study runs on, drawn from a text deterministically.
//
// N windows of T tokens: the text is tokenized once, as a whole, without special tokens; window i
// starts at a position drawn uniformly from [0, n - L] by a mt19937_64 seeded with `seed` (draw i
// is the i-th number of that generator), where L = T - 1 when a BOS token is prepended (as the
// model's tokenizer adds one to every input) and T otherwise. Windows may overlap.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace massact {

struct SequenceDraw {
  int64_t num_seqs = 10;
  int64_t seq_len = 512;
  uint64_t seed = 0;
};

// InputError when the text is shorter than one window.
std::vector<TokenIds> draw_sequences(const TokenIds& text, const SequenceDraw& draw,
                                     std::optional<int32_t> bos, const std::string& text_name);

}  // namespace massact
