#include "analysis/perplexity.h"

#include <cmath>

#include "core/error.h"
#include "kernels/threads.h"

namespace massact {

double next_token_nll_sum(const Tensor& logits, const TokenIds& ids) {
  const int64_t T = logits.dim(0), V = logits.dim(1);
  double total = 0.0;
#pragma omp parallel for reduction(+ : total) schedule(static) if (T * V >= kMinParallelWork)
  for (int64_t t = 0; t < T - 1; ++t) {
    const float* row = logits.f32() + t * V;
    float max = row[0];
    for (int64_t j = 1; j < V; ++j) max = std::max(max, row[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < V; ++j) sum += std::exp(double(row[j] - max));
    total += std::log(sum) + double(max) - double(row[ids[size_t(t + 1)]]);
  }
  return total;
}

PerplexityResult perplexity(const Model& model, const TokenIds& text,
                            const PerplexityProtocol& protocol, const Hooks& hooks,
                            const ProgressFn& progress) {
  return perplexity(
      model, text, protocol, [&hooks](const TokenIds&) { return hooks; }, progress);
}

PerplexityResult perplexity(const Model& model, const TokenIds& text,
                            const PerplexityProtocol& protocol, const WindowHooksFn& hooks_for,
                            const ProgressFn& progress) {
  const int64_t n = int64_t(text.size()), L = protocol.seq_len;
  if (L < 2) throw_input_error("--seq-len: expected at least 2 tokens, got ", L);
  int64_t windows = n / L;
  if (windows == 0)
    throw_input_error("--text-file ", protocol.text_name, ": the text has ", n,
                      " tokens, fewer than one window of --seq-len ", L);
  if (protocol.max_windows > 0) windows = std::min(windows, protocol.max_windows);

  double nll = 0.0;
  for (int64_t w = 0; w < windows; ++w) {
    TokenIds window(text.begin() + w * L, text.begin() + (w + 1) * L);
    nll += next_token_nll_sum(model.forward(window, hooks_for(window), LogitRows::All), window);
    if (progress) progress(w + 1, windows);
  }
  PerplexityResult r;
  r.text_tokens = n;
  r.windows = windows;
  r.scored_tokens = windows * (L - 1);
  r.mean_nll = nll / double(r.scored_tokens);
  r.perplexity = std::exp(r.mean_nll);
  return r;
}

}  // namespace massact
