// GGUF metadata -> ModelSpec under the same checks as config.json (validate_spec): sizes beyond
// SpecLimits and rotary dimensions beyond the head are InputErrors naming the file and the key,
// raised before anything is sized from them.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

// A copy of fixture gguf/NAME whose uint32 metadata value `key` is `value` (the key's bytes are
// followed by its 4-byte type, GGUF_TYPE_UINT32 = 4, then the value).
std::string with_uint32(const std::string& name, const std::string& key, uint32_t value) {
  std::ifstream in(testing::fixture_dir("gguf") + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string b = bytes.str();
  const size_t at = b.find(key);
  EXPECT_NE(at, std::string::npos) << key;
  uint32_t type = 0;
  std::memcpy(&type, b.data() + at + key.size(), 4);
  EXPECT_EQ(type, 4u) << key << " is not a uint32";
  std::memcpy(b.data() + at + key.size() + 4, &value, 4);
  const std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << b;
  return path;
}

// A copy of fixture gguf/NAME in which metadata key `key` is renamed to a key of the same length
// that no reader asks for (its last character replaced): the key is then missing.
std::string without_key(const std::string& name, const std::string& key) {
  std::ifstream in(testing::fixture_dir("gguf") + "/" + name, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string b = bytes.str();
  const size_t at = b.find(key);
  EXPECT_NE(at, std::string::npos) << key;
  b[at + key.size() - 1] = '~';
  const std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << b;
  return path;
}

std::string load_error(const std::string& path) {
  try {
    Model::load(path);
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), path);
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << path;
  return "";
}

// 2^31 - 1 layers once asked for a 16 GiB per-layer table before anything else was checked.
TEST(GgufSpecErrors, BlockCountBeyondTheLayerLimit) {
  const std::string path = with_uint32("llama.f32.gguf", "llama.block_count", 0x7fffffff);
  EXPECT_CONTAINS(load_error(path),
                  "key 'llama.block_count': expected a positive integer at most 4096, got "
                  "2147483647");
}

TEST(GgufSpecErrors, WidthsBeyondTheirLimit) {
  for (const std::string key :
       {"llama.embedding_length", "llama.attention.head_count", "llama.feed_forward_length"}) {
    const std::string path = with_uint32("llama.f32.gguf", key, 0x7fffffff);
    EXPECT_CONTAINS(load_error(path), "key '" + key + "': expected a positive integer at most");
  }
}

TEST(GgufSpecErrors, RotaryDimensionsBeyondTheHead) {
  // Phi-2's fixture: head size 8, 4 rotary dimensions.
  const std::string path = with_uint32("phi.f32.gguf", "phi2.rope.dimension_count", 12);
  EXPECT_CONTAINS(load_error(path), "key 'phi2.rope.dimension_count'");
}

TEST(GgufSpecErrors, KeyValueHeadsMustDivideTheHeads) {
  const std::string path = with_uint32("llama.f32.gguf", "llama.attention.head_count_kv", 3);
  EXPECT_CONTAINS(load_error(path), "key 'llama.attention.head_count_kv'");
}

// Phi-3's LongRoPE: the original context length is required with the factor tensors, and each
// factor tensor holds one factor per rotary frequency.
TEST(GgufSpecErrors, Phi3LongRopeKeysAndFactors) {
  const std::string key = "phi3.rope.scaling.original_context_length";
  EXPECT_CONTAINS(load_error(without_key("phi3.f32.gguf", key)), "key '" + key + "'");
  EXPECT_CONTAINS(load_error(with_uint32("phi3.f32.gguf", key, 0)), "key '" + key + "'");
  // Rotating 4 of the 8 dimensions leaves the 4 stored factors a pair too many.
  EXPECT_CONTAINS(load_error(with_uint32("phi3.f32.gguf", "phi3.rope.dimension_count", 4)),
                  "tensor 'rope_factors_long.weight': shape (4,), expected (2,)");
}

// StarCoder2's LayerNorm epsilon is required (its converter always writes it).
TEST(GgufSpecErrors, Starcoder2NeedsItsLayerNormEpsilon) {
  const std::string key = "starcoder2.attention.layer_norm_epsilon";
  EXPECT_CONTAINS(load_error(without_key("starcoder2.f32.gguf", key)), "key '" + key + "'");
}

// StableLM: its LayerNorm epsilon is required, and rope.dimension_count must fit the head.
TEST(GgufSpecErrors, StablelmKeys) {
  const std::string key = "stablelm.attention.layer_norm_epsilon";
  EXPECT_CONTAINS(load_error(without_key("stablelm.f32.gguf", key)), "key '" + key + "'");
  EXPECT_CONTAINS(load_error(with_uint32("stablelm.f32.gguf", "stablelm.rope.dimension_count", 3)),
                  "key 'stablelm.rope.dimension_count'");
}

// Qwen3-MoE: the expert keys are required, and no more experts may be used than there are.
TEST(GgufSpecErrors, Qwen3MoeExpertKeys) {
  for (const std::string key : {"qwen3moe.expert_count", "qwen3moe.expert_used_count",
                                "qwen3moe.expert_feed_forward_length"})
    EXPECT_CONTAINS(load_error(without_key("qwen3moe.f32.gguf", key)), "key '" + key + "'");
  EXPECT_CONTAINS(load_error(with_uint32("qwen3moe.f32.gguf", "qwen3moe.expert_used_count", 5)),
                  "key 'qwen3moe.expert_used_count'");
}

}  // namespace
}  // namespace massact
