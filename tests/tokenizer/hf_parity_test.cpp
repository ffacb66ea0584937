// tokenizer.json files against the Hugging Face `tokenizers` library: the committed fixtures that
// tests/reference/make_tokenizer_fixtures.py and make_json_component_fixtures.py made (one per
// model type, normalizer, pre-tokenizer and post-processor that real checkpoints use, including
// T5's Precompiled charsmap, WordLevel and single-word added tokens) and GPT-2's real vocabulary
// from ../shared, each with the ids the library gave for WikiText-2 lines, unicode, emoji, digits,
// whitespace runs and special tokens, and for pairs of texts. Every id of every line must be equal.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "io/json_file.h"
#include "test_paths.h"
#include "tokenizer/hf_tokenizer.h"

namespace massact {
namespace {

// Compares every case, with and without special tokens; returns how many cases there were.
size_t expect_all_cases_equal(const Tokenizer& tokenizer, const std::string& expected_path) {
  json expected = read_json_file(expected_path);
  size_t matched = 0;
  for (const json& c : expected.at("cases")) {
    const std::string text = c.at("text").get<std::string>();
    TokenIds with = tokenizer.encode(text, true);
    TokenIds without = tokenizer.encode(text, false);
    EXPECT_EQ(with, c.at("ids").get<TokenIds>()) << "text: \"" << text << "\"";
    EXPECT_EQ(without, c.at("ids_no_special").get<TokenIds>()) << "text: \"" << text << "\"";
    matched +=
        with == c.at("ids").get<TokenIds>() && without == c.at("ids_no_special").get<TokenIds>();
  }
  EXPECT_EQ(matched, expected.at("cases").size());
  return expected.at("cases").size();
}

class HfParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HfParity, EveryLineGivesTheLibrarysIds) {
  const std::string dir = testing::fixture_dir("tokenizers/" + GetParam());
  auto tokenizer = load_hf_tokenizer(dir + "/tokenizer.json");
  EXPECT_GE(expect_all_cases_equal(*tokenizer, dir + "/expected.json"), 80u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, HfParity,
                         ::testing::Values("llama3_bpe", "qwen2_bpe", "roberta_bpe",
                                           "llama2_bpe_byte_fallback", "metaspace_bpe",
                                           "bert_wordpiece", "whitespace_bpe", "unigram",
                                           "precompiled_unigram", "wordlevel"));

// Pairs of texts joined by each fixture's post-processor (pair templates, BertProcessing,
// RobertaProcessing, ByteLevel), with and without special tokens.
TEST(HfParity, PairsOfTextsGiveTheLibrarysIds) {
  const json pairs = read_json_file(testing::fixture_dir("tokenizers") + "/pairs.json");
  ASSERT_GE(pairs.size(), 8u);
  for (const auto& [name, cases] : pairs.items()) {
    SCOPED_TRACE(name);
    auto tokenizer =
        load_hf_tokenizer(testing::fixture_dir("tokenizers/" + name) + "/tokenizer.json");
    ASSERT_GE(cases.size(), 10u);
    for (const json& c : cases) {
      const std::string first = c.at("first"), second = c.at("second");
      EXPECT_EQ(tokenizer->encode_pair(first, second, true), c.at("ids").get<TokenIds>())
          << "\"" << first << "\" + \"" << second << "\"";
      EXPECT_EQ(tokenizer->encode_pair(first, second, false),
                c.at("ids_no_special").get<TokenIds>())
          << "\"" << first << "\" + \"" << second << "\"";
    }
  }
}

// GPT-2's tokenizer.json as the fixture script builds it from vocab.json and merges.txt (too large
// to commit), written to a temporary folder.
std::string write_gpt2_tokenizer_json(const std::string& gpt2_dir, const std::string& out_dir) {
  json vocab = read_json_file(gpt2_dir + "/vocab.json");
  std::ifstream merges_in(gpt2_dir + "/merges.txt");
  json merges = json::array();
  std::string line;
  std::getline(merges_in, line);  // "#version: 0.2"
  while (std::getline(merges_in, line))
    if (!line.empty()) merges.push_back(line);
  json doc = {
      {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
      {"added_tokens",
       {{{"id", 50256}, {"content", "<|endoftext|>"}, {"special", true}, {"normalized", false}}}},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
      {"post_processor", {{"type", "ByteLevel"}}},
      {"decoder", {{"type", "ByteLevel"}}}};
  const std::string path = out_dir + "/tokenizer.json";
  std::ofstream(path) << doc.dump();
  return path;
}

TEST(HfParityGpt2, RealVocabularyGivesTheLibrarysIds) {
  MASSACT_REQUIRE_SHARED_DATA();
  auto tokenizer = load_hf_tokenizer(write_gpt2_tokenizer_json(
      testing::shared_data_dir() + "/tokenizers/gpt2", testing::temp_dir()));
  EXPECT_GE(
      expect_all_cases_equal(*tokenizer, testing::fixture_dir("tokenizers/gpt2_expected.json")),
      140u);
  EXPECT_EQ(tokenizer->decode(tokenizer->encode("Hello, world! 🦙 naïve")),
            "Hello, world! 🦙 naïve");
}

}  // namespace
}  // namespace massact
