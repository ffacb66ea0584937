// Greedy continuation: the first sanity check anyone runs on a new model.
#pragma once

#include <optional>

#include "model/model.h"

namespace massact {

// Appends up to max_new_tokens argmax tokens to `prompt`, stopping after `stop` when given.
// The prompt runs once into a KV cache; each new token then runs alone against the cache.
TokenIds greedy_generate(const Model& model, const TokenIds& prompt, int max_new_tokens,
                         std::optional<int32_t> stop);

}  // namespace massact
