// generate's KV cache against running the whole sequence again, on every family's fixture:
// prompts long enough to cross the sliding windows (mistral, gemma2/3) and ALiBi's and learned
// positions' offsets (falcon_alibi, mpt, gpt2, opt).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "model/generate.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

KvCache empty_cache(const Model& model) {
  const ModelSpec& s = model.spec();
  return KvCache(s.n_layers, s.n_kv_heads, s.head_dim);
}

TokenIds some_ids(const Model& model, size_t n) {
  TokenIds ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = int32_t((i * 37 + 11) % size_t(model.spec().vocab_size));
  return ids;
}

// Without the cache, each step reruns the whole sequence: the behaviour generate had before it.
TokenIds recomputed_generate(const Model& model, const TokenIds& prompt, int max_new_tokens) {
  TokenIds ids = prompt;
  for (int step = 0; step < max_new_tokens; ++step) {
    Tensor logits = model.forward(ids, LogitRows::Last);
    const float* row = logits.f32();
    ids.push_back(int32_t(std::max_element(row, row + logits.dim(1)) - row));
  }
  return ids;
}

class KvCacheParity : public ::testing::TestWithParam<std::string> {};

// A prompt run into an empty cache is the plain forward pass: the same GEMMs and the same
// streamed attention, its keys and values read from the cache instead of the pass's buffers.
TEST_P(KvCacheParity, PromptThroughTheCacheIsTheForwardPass) {
  Model model = Model::load(testing::fixture_dir(GetParam()));
  const TokenIds ids = some_ids(model, 20);
  KvCache cache = empty_cache(model);
  const Tensor cached = model.forward(ids, cache, LogitRows::All);
  const Tensor plain = model.forward(ids, LogitRows::All);
  EXPECT_EQ(cache.length(), 20);
  ASSERT_EQ(cached.shape(), plain.shape());
  EXPECT_TRUE(std::equal(cached.f32(), cached.f32() + cached.numel(), plain.f32()));
}

// Each cached step's argmax is the recomputed pass's: the steps run one-row GEMMs where the
// recomputed pass runs whole-sequence ones, so the logits differ by summation order, but on these
// fixtures the top two logits lie far further apart than that.
TEST_P(KvCacheParity, GreedyIdsEqualRecomputingEveryStep) {
  Model model = Model::load(testing::fixture_dir(GetParam()));
  const TokenIds prompt = some_ids(model, 9);
  EXPECT_EQ(greedy_generate(model, prompt, 24, std::nullopt),
            recomputed_generate(model, prompt, 24));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, KvCacheParity,
                         ::testing::Values("llama_f32", "llama3_bf16", "mistral_f32", "qwen2_f32",
                                           "gpt2_f32", "pythia_parallel_f32", "phi_f32", "opt_f32",
                                           "opt_project_postln_f32", "gemma_f32", "gemma2_f32",
                                           "gemma3_f32", "falcon_f32", "falcon_alibi_f32",
                                           "mpt_f32", "mixtral_f32", "olmo2_f32", "qwen3_f32",
                                           "phi3_f32", "starcoder2_f32", "stablelm_f32",
                                           "stablelm_parallel_f32", "stablelm_qknorm_f32",
                                           "qwen3moe_f32", "qwen3moe_plain_f32", "cohere_f32",
                                           "bloom_f32", "mistral3_f32"));

// Learned positions end: a cached step past the last one is bad input, as a long prompt is.
TEST(KvCache, StepPastTheLearnedPositionsIsBadInput) {
  Model model = Model::load(testing::fixture_dir("gpt2_f32"));
  const int64_t n = model.spec().max_positions;
  KvCache cache = empty_cache(model);
  model.forward(some_ids(model, size_t(n)), cache, LogitRows::Last);
  EXPECT_THROW(model.forward({1}, cache, LogitRows::Last), InputError);
  EXPECT_EQ(cache.length(), n);
}

}  // namespace
}  // namespace massact
