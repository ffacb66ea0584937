// The real trained model in ../shared/data (stories260K, TinyStories): its authors documented its
// greedy continuation of "Once upon a time"; a correct forward pass and tokenizer reproduce it.
#include <gtest/gtest.h>

#include <fstream>

#include "analysis/perplexity.h"
#include "model/generate.h"
#include "model/model.h"
#include "test_paths.h"
#include "tokenizer/tokenizer.h"

namespace massact {
namespace {

std::string stories_dir() {
  return testing::shared_data_dir() + "/models/stories260K";
}

TEST(Stories260K, GreedyContinuationIsTheDocumentedOne) {
  MASSACT_REQUIRE_SHARED_DATA();
  Model model = Model::load(stories_dir());
  auto tokenizer = load_tokenizer(stories_dir());
  TokenIds prompt = tokenizer->encode("Once upon a time");
  ASSERT_EQ(prompt.front(), 1) << "the prompt starts with <s>";
  TokenIds all = greedy_generate(model, prompt, 40, model.spec().eos_token_id);
  const std::string text = tokenizer->decode(all);
  EXPECT_NE(
      text.find(
          "Once upon a time, there was a little girl named Lily. She loved to play outside in the "
          "park. One day, she saw a big, red ball"),
      std::string::npos)
      << text;
}

// transformers 4.44.2 (LlamaForCausalLM, eager, f32) scores the same text by the same protocol
// (windows of 256, every position but the first) at 1.757924 nats per token; massact must agree.
// (Higher than the authors' validation loss of 1.297: the sample's curly quotes fall back to
// bytes.)
TEST(Stories260K, PerplexityMatchesTransformers) {
  MASSACT_REQUIRE_SHARED_DATA();
  Model model = Model::load(stories_dir());
  auto tokenizer = load_tokenizer(stories_dir());
  std::ifstream in(testing::shared_data_dir() + "/text/tinystories_sample.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  PerplexityResult r = perplexity(model, tokenizer->encode(text),
                                  {256, 0, "tinystories_sample.txt", std::nullopt}, Hooks());
  EXPECT_EQ(r.text_tokens, 1883);
  EXPECT_EQ(r.windows, 7);
  EXPECT_NEAR(r.mean_nll, 1.757924, 1e-5);
}

}  // namespace
}  // namespace massact
