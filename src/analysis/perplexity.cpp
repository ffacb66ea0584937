#include "analysis/perplexity.h"

#include <cmath>

#include "core/error.h"

namespace massact {

PerplexityResult perplexity(const Model& model, const TokenIds& text,
                            const PerplexityProtocol& protocol, const Hooks& hooks,
                            const ProgressFn& progress) {
  return perplexity(
      model, text, protocol, [&hooks](const TokenIds&) { return hooks; }, progress);
}

namespace {
int64_t text_tokens_per_window(const PerplexityProtocol& protocol) {
  return protocol.seq_len - (protocol.bos_per_window ? 1 : 0);
}
}  // namespace

int64_t text_windows(const PerplexityProtocol& protocol, int64_t text_tokens) {
  const int64_t L = protocol.seq_len;
  if (L < 2) throw_input_error("--seq-len: expected at least 2 tokens, got ", L);
  const int64_t windows = text_tokens / text_tokens_per_window(protocol);
  if (windows == 0)
    throw_input_error("--text-file ", protocol.text_name, ": the text has ", text_tokens,
                      " tokens, fewer than one window of --seq-len ", L);
  return windows;
}

int64_t perplexity_windows(const PerplexityProtocol& protocol, int64_t text_tokens) {
  const int64_t windows = text_windows(protocol, text_tokens);
  return protocol.max_windows > 0 ? std::min(windows, protocol.max_windows) : windows;
}

PerplexityResult perplexity(const Model& model, const TokenIds& text,
                            const PerplexityProtocol& protocol, const WindowHooksFn& hooks_for,
                            const ProgressFn& progress) {
  const int64_t n = int64_t(text.size()), L = protocol.seq_len;
  const int64_t windows = perplexity_windows(protocol, n);
  const std::optional<int32_t> bos = protocol.bos_per_window;
  const int64_t body = text_tokens_per_window(protocol);

  double nll = 0.0;
  for (int64_t w = 0; w < windows; ++w) {
    TokenIds window;
    window.reserve(size_t(L));
    if (bos) window.push_back(*bos);
    window.insert(window.end(), text.begin() + w * body, text.begin() + (w + 1) * body);
    for (double x : model.next_token_nll(window, hooks_for(window))) nll += x;
    if (progress) progress(w + 1, windows);
  }
  PerplexityResult r;
  r.text_tokens = n;
  r.windows = windows;
  r.text_windows = text_windows(protocol, n);
  r.scored_tokens = windows * (L - 1);
  r.mean_nll = nll / double(r.scored_tokens);
  r.perplexity = std::exp(r.mean_nll);
  return r;
}

}  // namespace massact
