#include "model/generate.h"

#include <algorithm>

namespace massact {

TokenIds greedy_generate(const Model& model, const TokenIds& prompt, int max_new_tokens,
                         std::optional<int32_t> stop) {
  const ModelSpec& s = model.spec();
  KvCache cache(s.n_layers, s.n_kv_heads, s.head_dim);
  TokenIds ids = prompt;
  TokenIds step = prompt;  // the tokens not yet in the cache
  for (int n = 0; n < max_new_tokens; ++n) {
    Tensor logits = model.forward(step, cache, LogitRows::Last);  // (1, vocab)
    const float* row = logits.f32();
    const int32_t next = int32_t(std::max_element(row, row + logits.dim(1)) - row);
    ids.push_back(next);
    if (stop && next == *stop) break;
    step = {next};
  }
  return ids;
}

}  // namespace massact
