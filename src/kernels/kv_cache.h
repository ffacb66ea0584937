// The keys and values of the tokens run so far, one pair of growing buffers per layer, so that the
// next tokens attend to them without running the earlier tokens again (generate's decoding loop).
// A pass appends its tokens' rows to every layer, then commits them: length() counts the tokens
// whose rows every layer holds, which is where the next pass's positions start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace massact {

class KvCache {
 public:
  KvCache(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim);

  int64_t length() const { return length_; }
  // Appends T rows of k and v, each (T, n_kv_heads, head_dim), after the committed ones of
  // `layer`; layer's keys() and values() then hold (length() + T, n_kv_heads, head_dim).
  void append(int layer, const float* k, const float* v, int64_t T);
  const float* keys(int layer) const { return keys_[size_t(layer)].data(); }
  const float* values(int layer) const { return values_[size_t(layer)].data(); }
  // After every layer has appended the same T rows.
  void commit(int64_t T);

 private:
  int64_t row_;  // n_kv_heads * head_dim floats per token
  int64_t length_ = 0;
  std::vector<std::vector<float>> keys_, values_;  // per layer: (tokens, n_kv_heads, head_dim)
};

}  // namespace massact
