#include "analysis/perplexity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "float_bounds.h"
#include "test_paths.h"

namespace massact {
namespace {

// The reference: sum over t < T - 1 of -log softmax(logits[t])[ids[t + 1]], from whole logits.
double nll_sum_of_logits(const Tensor& logits, const TokenIds& ids) {
  const int64_t T = logits.dim(0), V = logits.dim(1);
  double total = 0.0;
  for (int64_t t = 0; t < T - 1; ++t) {
    const float* row = logits.f32() + t * V;
    const double max = *std::max_element(row, row + V);
    double sum = 0.0;
    for (int64_t j = 0; j < V; ++j) sum += std::exp(double(row[j]) - max);
    total += std::log(sum) + max - double(row[ids[size_t(t + 1)]]);
  }
  return total;
}

TEST(Perplexity, TheReferenceIsTheCrossEntropyOfTheNextToken) {
  // Two positions scored (T = 3): uniform logits over 4 -> ln 4 each; a confident right guess ->
  // ~0.
  Tensor logits = Tensor::zeros(DType::F32, {3, 4});
  logits.f32()[4 + 2] = 50.0f;  // position 1 predicts token 2
  EXPECT_NEAR(nll_sum_of_logits(logits, {0, 1, 2}), std::log(4.0), 1e-6);
  EXPECT_NEAR(nll_sum_of_logits(logits, {0, 3, 1}),
              std::log(4.0) + 50.0 + std::log(1 + 3 * std::exp(-50.0)), 1e-4);
}

// How far a next-token NLL of `ids` may move between two paths that differ only in the shape of
// the unembedding GEMMs (OPT's projection out, the lm_head): everything up to the final norm runs
// the same calls, so its output h is the same bits in both. Each logit z_j = W_j . h' + b_j may
// differ by dot_disagreement (plus what a differing h' carries through W), Gemma-2's soft-cap
// c tanh(z / c) is 1-Lipschitz and rounds three times on each side (division, tanhf within 2 ulp,
// product: 4 u c), and -log softmax(z)[y] = logsumexp(z) - z_y moves by at most twice the largest
// change of a logit. The double sums over the vocabulary add V 2^-53 per term, counted twice.
double nll_disagreement(const Model& model, const TokenIds& ids) {
  const ModelSpec& s = model.spec();
  const ModelWeights& w = model.weights();
  Tensor normalized;  // (T, d_model)
  Hooks hooks;
  hooks.observe("ln_final.hook_normalized",
                [&](const HookEvent&, const Tensor& t) { normalized = t.to_f32(); });
  model.forward(ids, hooks, LogitRows::None);

  const int64_t T = normalized.dim(0), d = s.d_model, e = s.embed_dim, V = s.vocab_size;
  const Tensor project = w.project_out.empty() ? Tensor() : w.project_out.to_f32();  // (e, d)
  const Tensor head = w.lm_head.to_f32();                                            // (V, e)
  const Tensor bias = w.lm_head_bias.empty() ? Tensor() : w.lm_head_bias.to_f32();   // (V,)
  double worst = 0.0;
  for (int64_t t = 0; t < T; ++t) {
    const float* h = normalized.f32() + t * d;
    std::vector<double> x(static_cast<size_t>(e)),
        x_error(static_cast<size_t>(e), 0.0);  // h' and how far it may move
    for (int64_t i = 0; i < e; ++i) {
      if (project.empty()) {
        x[size_t(i)] = h[i];
        continue;
      }
      double abs_sum = 0.0;
      for (int64_t k = 0; k < d; ++k) {
        x[size_t(i)] += double(project.f32()[i * d + k]) * h[k];
        abs_sum += std::fabs(double(project.f32()[i * d + k]) * h[k]);
      }
      x_error[size_t(i)] = testing::dot_disagreement(d, abs_sum);
    }
    for (int64_t j = 0; j < V; ++j) {
      const float* row = head.f32() + j * e;
      double abs_sum = bias.empty() ? 0.0 : std::fabs(bias.f32()[j]), carried = 0.0;
      for (int64_t i = 0; i < e; ++i) {
        abs_sum += std::fabs(row[i] * x[size_t(i)]);
        carried += std::fabs(row[i]) * x_error[size_t(i)];
      }
      double z_error = testing::dot_disagreement(e, abs_sum) + carried;
      if (s.final_softcap > 0) z_error += 8.0 * testing::kUnitRoundoffF32 * s.final_softcap;
      worst = std::max(worst, z_error);
    }
  }
  return 2.0 * worst + 2.0 * double(V) * 0x1p-53;
}

// Model::next_token_nll streams the vocabulary through panels with a running log-sum-exp; it must
// give what the whole logits give, whatever the panel width (one entry, a width that leaves a
// ragged last panel, the whole vocabulary), with an lm_head bias (phi), a final soft-cap (gemma2)
// and a projection out (opt with project_in/out). A panel changes the shape of the lm_head GEMM,
// so the two may differ by nll_disagreement; a log-sum-exp that lost or double-counted a panel
// would be off by O(1).
TEST(Perplexity, StreamedNllEqualsTheWholeLogits) {
  for (const char* fixture : {"llama_f32", "phi_f32", "gemma2_f32", "opt_project_postln_f32"}) {
    Model model = Model::load(testing::fixture_dir(fixture));
    TokenIds ids(20);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = int32_t(i * 37 % model.spec().vocab_size);
    std::vector<double> per_token(ids.size() - 1);
    double want = 0.0;
    const Tensor logits = model.forward(ids);
    for (size_t t = 0; t + 1 < ids.size(); ++t) {
      const Tensor row_pair = logits.rows(int64_t(t), int64_t(t) + 2);
      per_token[t] = nll_sum_of_logits(row_pair, {ids[t], ids[t + 1]});
      want += per_token[t];
    }
    const double bound = nll_disagreement(model, ids);
    ASSERT_LT(bound, 1e-3) << fixture << ": a bound this loose would not catch a lost panel";
    for (int64_t panel : {int64_t(1), int64_t(7), int64_t(0), model.spec().vocab_size}) {
      const std::vector<double> got = model.next_token_nll(ids, Hooks(), panel);
      ASSERT_EQ(got.size(), per_token.size());
      for (size_t t = 0; t < got.size(); ++t)
        EXPECT_NEAR(got[t], per_token[t], bound) << fixture << " panel " << panel << " t " << t;
    }
  }
}

TEST(Perplexity, WindowsAreNonOverlappingAndTheTailIsDropped) {
  Model model = Model::load(testing::fixture_dir("llama_f32"));
  TokenIds text(100);
  for (size_t i = 0; i < text.size(); ++i) text[i] = int32_t(i * 7 % 200);
  PerplexityResult r = perplexity(model, text, {30, 0, "text", std::nullopt}, Hooks());
  EXPECT_EQ(r.windows, 3);
  EXPECT_EQ(r.scored_tokens, 3 * 29);
  // Each window scored from its whole logits: the streamed NLL of a token may differ from it by
  // that window's nll_disagreement, and so may their means.
  double nll = 0, bound = 0;
  for (int w = 0; w < 3; ++w) {
    TokenIds window(text.begin() + w * 30, text.begin() + (w + 1) * 30);
    nll += nll_sum_of_logits(model.forward(window), window);
    bound = std::max(bound, nll_disagreement(model, window));
  }
  EXPECT_NEAR(r.mean_nll, nll / (3 * 29), bound);
  EXPECT_DOUBLE_EQ(r.perplexity, std::exp(r.mean_nll));
  EXPECT_EQ(perplexity(model, text, {30, 2, "text", std::nullopt}, Hooks()).windows, 2);
  EXPECT_THROW(perplexity(model, text, {101, 0, "text", std::nullopt}, Hooks()), InputError);
}

// With bos_per_window every window is BOS and seq_len - 1 text tokens, scored at every position
// but the first.
TEST(Perplexity, BosPerWindowStartsEveryWindowWithIt) {
  Model model = Model::load(testing::fixture_dir("llama_f32"));
  TokenIds text(100);
  for (size_t i = 0; i < text.size(); ++i) text[i] = int32_t(3 + i * 7 % 200);
  PerplexityResult r = perplexity(model, text, {30, 0, "text", 1}, Hooks());
  EXPECT_EQ(r.windows, 3);  // 100 / 29
  EXPECT_EQ(r.scored_tokens, 3 * 29);
  double nll = 0, bound = 0;
  for (int w = 0; w < 3; ++w) {
    TokenIds window{1};
    window.insert(window.end(), text.begin() + w * 29, text.begin() + (w + 1) * 29);
    nll += nll_sum_of_logits(model.forward(window), window);
    bound = std::max(bound, nll_disagreement(model, window));
  }
  EXPECT_NEAR(r.mean_nll, nll / (3 * 29), bound);
}

}  // namespace
}  // namespace massact
