#include "analysis/sequences.h"

#include <random>

#include "core/error.h"

namespace massact {

std::vector<TokenIds> draw_sequences(const TokenIds& text, const SequenceDraw& draw,
                                     std::optional<int32_t> bos, const std::string& text_name) {
  const int64_t body = draw.seq_len - (bos ? 1 : 0);  // text tokens per window
  const int64_t n = int64_t(text.size());
  if (body < 1 || n < body)
    throw_input_error("--text-file ", text_name, ": ", n,
                      " tokens, fewer than one window of --seq-len ", draw.seq_len);
  std::mt19937_64 rng(draw.seed);
  std::uniform_int_distribution<int64_t> start(0, n - body);
  std::vector<TokenIds> sequences;
  for (int64_t i = 0; i < draw.num_seqs; ++i) {
    const int64_t s = start(rng);
    TokenIds seq;
    seq.reserve(size_t(draw.seq_len));
    if (bos) seq.push_back(*bos);
    seq.insert(seq.end(), text.begin() + s, text.begin() + s + body);
    sequences.push_back(std::move(seq));
  }
  return sequences;
}

}  // namespace massact
