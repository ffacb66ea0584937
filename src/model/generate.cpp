#include "model/generate.h"

#include <algorithm>

namespace massact {

TokenIds greedy_generate(const Model& model, const TokenIds& prompt, int max_new_tokens,
                         std::optional<int32_t> stop) {
  TokenIds ids = prompt;
  for (int step = 0; step < max_new_tokens; ++step) {
    Tensor logits = model.forward(ids, LogitRows::Last);  // (1, vocab)
    const float* row = logits.f32();
    const int32_t next = int32_t(std::max_element(row, row + logits.dim(1)) - row);
    ids.push_back(next);
    if (stop && next == *stop) break;
  }
  return ids;
}

}  // namespace massact
