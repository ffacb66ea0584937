// Greedy continuation: the first sanity check anyone runs on a new model.
#pragma once

#include <optional>

#include "model/model.h"

namespace massact {

// Appends up to max_new_tokens argmax tokens to `prompt`, stopping after `stop` when given.
// Each step reruns the whole sequence (no KV cache): fine for a sanity check, not for serving.
TokenIds greedy_generate(const Model& model, const TokenIds& prompt, int max_new_tokens,
                         std::optional<int32_t> stop);

}  // namespace massact
