// The tokenizer.model checks that stand between a hostile file and libsentencepiece: a real
// precompiled_charsmap (nmt_nfkc, from the library's own trainer) passes and normalizes; every
// corruption of its trie is either refused with an InputError or harmless to encode with.
#include "tokenizer/sentencepiece_model_check.h"

#include <gtest/gtest.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"
#include "test_paths.h"
#include "tokenizer/sentencepiece_tokenizer.h"

namespace massact {
namespace {

// Trains a small unigram model with the nmt_nfkc normalization rules (their charsmap is the
// library's built-in one, about 240 KB) and returns the serialized model.
std::string trained_nfkc_model(const std::string& dir) {
  {
    std::ofstream text(dir + "/text.txt");
    for (int i = 0; i < 100; ++i)
      text << "Hello world, caf\xC3\xA9 number " << i << ". The quick brown fox jumps.\n";
  }
  const auto status = sentencepiece::SentencePieceTrainer::Train(
      "--input=" + dir + "/text.txt --model_prefix=" + dir +
      "/nfkc --vocab_size=60 --hard_vocab_limit=false --model_type=unigram "
      "--normalization_rule_name=nmt_nfkc --minloglevel=2");
  EXPECT_TRUE(status.ok()) << status.ToString();
  std::ifstream in(dir + "/nfkc.model", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Where the charsmap blob starts in the serialized model: normalizer_spec writes its name
// (field 1) and then precompiled_charsmap (field 2, a varint length, the bytes).
size_t charsmap_offset(const std::string& model, uint32_t& length) {
  const std::string name = std::string("\x0a\x08", 2) + "nmt_nfkc" + "\x12";
  size_t at = model.find(name);
  if (at == std::string::npos) return at;
  at += name.size();
  length = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<unsigned char>(model[at++]);
    length |= uint32_t(byte & 0x7F) << shift;
    if (byte < 0x80) break;
  }
  return at;
}

std::string encode_with(const std::string& model, const std::string& path,
                        const std::string& text) {
  std::ofstream(path, std::ios::binary) << model;
  SentencePieceTokenizer tokenizer(path, SpecialTokenRules{});
  return tokenizer.decode(tokenizer.encode(text, false));
}

TEST(SentencePieceModelCheck, RealCharsmapPassesAndNormalizes) {
  const std::string dir = testing::temp_dir();
  const std::string model = trained_nfkc_model(dir);
  EXPECT_NO_THROW(check_sentencepiece_model(model, "nfkc.model"));
  // NFKC folds fullwidth letters (U+FF48 ...) to ASCII, which the trained pieces cover.
  EXPECT_EQ(encode_with(model, dir + "/t.model",
                        "\xEF\xBD\x88\xEF\xBD\x85\xEF\xBD\x8C\xEF\xBD\x8C\xEF\xBD\x8F"),
            "hello");
}

TEST(SentencePieceModelCheck, TrieSizePastTheBlobIsRefused) {
  const std::string dir = testing::temp_dir();
  std::string model = trained_nfkc_model(dir);
  uint32_t length = 0;
  const size_t at = charsmap_offset(model, length);
  ASSERT_NE(at, std::string::npos);
  const uint32_t too_big = length;  // the trie cannot be the whole blob: its size header is in it
  std::memcpy(model.data() + at, &too_big, 4);
  try {
    check_sentencepiece_model(model, "nfkc.model");
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(),
                    "nfkc.model: field 'normalizer_spec': precompiled_charsmap: trie size");
  }
}

// Random 32-bit values written over trie units: each corrupt model is refused, or encodes
// without touching memory outside the blob (run under ASan by the sanitizer build).
TEST(SentencePieceModelCheck, CorruptTrieUnitsAreRefusedOrHarmless) {
  const std::string dir = testing::temp_dir();
  const std::string model = trained_nfkc_model(dir);
  uint32_t length = 0;
  const size_t at = charsmap_offset(model, length);
  ASSERT_NE(at, std::string::npos);
  uint32_t trie_bytes = 0;
  std::memcpy(&trie_bytes, model.data() + at, 4);
  std::mt19937 random(11);
  int refused = 0;
  for (int trial = 0; trial < 100; ++trial) {
    std::string corrupt = model;
    for (int k = 0; k < 4; ++k) {
      const uint32_t unit = random() % (trie_bytes / 4);
      const uint32_t bits = random();
      std::memcpy(corrupt.data() + at + 4 + 4 * unit, &bits, 4);
    }
    try {
      encode_with(corrupt, dir + "/corrupt.model",
                  "Hello \xEF\xBC\xA1 caf\xC3\xA9 \xE2\x85\xA0 \xEF\xAC\x81 x\xC2\xA0y \t\n end");
    } catch (const InputError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 0);  // some corruptions reach the trie's used units
}

}  // namespace
}  // namespace massact
