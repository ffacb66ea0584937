#include "kernels/kv_cache.h"

#include <stdexcept>
#include <string>

namespace massact {

KvCache::KvCache(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim)
    : row_(n_kv_heads * head_dim), keys_(size_t(n_layers)), values_(size_t(n_layers)) {}

void KvCache::append(int layer, const float* k, const float* v, int64_t T) {
  std::vector<float>& keys = keys_.at(size_t(layer));
  std::vector<float>& values = values_.at(size_t(layer));
  // A pass that failed half-way leaves rows past length(); the next pass overwrites them.
  keys.resize(size_t(length_ * row_));
  values.resize(size_t(length_ * row_));
  keys.insert(keys.end(), k, k + T * row_);
  values.insert(values.end(), v, v + T * row_);
}

void KvCache::commit(int64_t T) {
  for (size_t layer = 0; layer < keys_.size(); ++layer)
    if (int64_t(keys_[layer].size()) != (length_ + T) * row_)
      throw std::logic_error("KvCache::commit: layer " + std::to_string(layer) +
                             " did not append " + std::to_string(T) + " rows");
  length_ += T;
}

}  // namespace massact
