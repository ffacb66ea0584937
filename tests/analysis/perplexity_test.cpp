#include "analysis/perplexity.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "test_paths.h"

namespace massact {
namespace {

TEST(Perplexity, NextTokenNllIsTheCrossEntropyOfTheNextToken) {
  // Two positions scored (T = 3): uniform logits over 4 -> ln 4 each; a confident right guess ->
  // ~0.
  Tensor logits = Tensor::zeros(DType::F32, {3, 4});
  logits.f32()[4 + 2] = 50.0f;  // position 1 predicts token 2
  EXPECT_NEAR(next_token_nll_sum(logits, {0, 1, 2}), std::log(4.0), 1e-6);
  EXPECT_NEAR(next_token_nll_sum(logits, {0, 3, 1}),
              std::log(4.0) + 50.0 + std::log(1 + 3 * std::exp(-50.0)), 1e-4);
}

TEST(Perplexity, WindowsAreNonOverlappingAndTheTailIsDropped) {
  Model model = Model::load(testing::fixture_dir("llama_f32"));
  TokenIds text(100);
  for (size_t i = 0; i < text.size(); ++i) text[i] = int32_t(i * 7 % 200);
  PerplexityResult r = perplexity(model, text, {30, 0, "text"}, Hooks());
  EXPECT_EQ(r.windows, 3);
  EXPECT_EQ(r.scored_tokens, 3 * 29);
  double nll = 0;
  for (int w = 0; w < 3; ++w) {
    TokenIds window(text.begin() + w * 30, text.begin() + (w + 1) * 30);
    nll += next_token_nll_sum(model.forward(window), window);
  }
  EXPECT_NEAR(r.mean_nll, nll / (3 * 29), 1e-9);
  EXPECT_NEAR(r.perplexity, std::exp(r.mean_nll), 1e-9);
  EXPECT_EQ(perplexity(model, text, {30, 2, "text"}, Hooks()).windows, 2);
  EXPECT_THROW(perplexity(model, text, {101, 0, "text"}, Hooks()), InputError);
}

}  // namespace
}  // namespace massact
