// Perplexity by the official code's protocol: the text is tokenized as a whole, cut into
// non-overlapping windows of seq_len tokens (a short tail is dropped), and in every window every
// position but the first is scored (it predicts the next token). The tokenizer's BOS rule applies
// once, to the whole text: the first window starts with BOS and no later window gets one. With
// `bos_per_window`, every window is that BOS followed by seq_len - 1 tokens of the text (tokenized
// without special tokens): each window is one input, as the tokenizer would encode it (intervene.h
// says why the intervention needs this).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "analysis/progress.h"
#include "model/model.h"

namespace massact {

struct PerplexityProtocol {
  int64_t seq_len = 4096;
  int64_t max_windows = 0;                // 0: all windows
  std::string text_name;                  // what error messages call the text (its file)
  std::optional<int32_t> bos_per_window;  // unset: the official code's windows
};

struct PerplexityResult {
  double perplexity;
  double mean_nll;  // nats per scored token
  int64_t text_tokens;
  int64_t windows;       // evaluated
  int64_t text_windows;  // in the text: windows < text_windows when max_windows cut them
  int64_t scored_tokens;
};

// How many windows a text of text_tokens tokens holds, and how many of them the protocol takes
// (at most max_windows). InputError when the text is shorter than one window.
int64_t text_windows(const PerplexityProtocol& protocol, int64_t text_tokens);
int64_t perplexity_windows(const PerplexityProtocol& protocol, int64_t text_tokens);

// The hooks for one evaluation window (an intervention that depends on the window's tokens).
using WindowHooksFn = std::function<Hooks(const TokenIds& window)>;

// InputError when the text is shorter than one window.
PerplexityResult perplexity(const Model& model, const TokenIds& text,
                            const PerplexityProtocol& protocol, const WindowHooksFn& hooks_for,
                            const ProgressFn& progress = nullptr);
PerplexityResult perplexity(const Model& model, const TokenIds& text,
                            const PerplexityProtocol& protocol, const Hooks& hooks,
                            const ProgressFn& progress = nullptr);

}  // namespace massact
