// Malformed tokenizer.json files and GGUF vocabularies: a clear InputError that names the file and
// the field or key, never a crash.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "gguf_bytes.h"
#include "io/gguf.h"
#include "test_paths.h"
#include "tokenizer/hf_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace massact {
namespace {

std::string error_loading(const std::string& path) {
  try {
    load_tokenizer_from_path(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string write(const std::string& name, const std::string& text) {
  std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

const char* const kBpe =
    R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]})";

TEST(MalformedTokenizerJson, NamesTheFieldAndWhatWasExpected) {
  struct Case {
    std::string json, expected;
  };
  std::vector<Case> cases = {
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a )", "not valid JSON"},
      {R"({"model": {"type": "Mystery"}})",
       "field 'model.type': expected one of BPE, WordPiece, Unigram"},
      {R"({"model": {"type": "BPE", "vocab": [1, 2], "merges": []}})", "field 'model.vocab'"},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a z"]}})", "merge #0 \"a z\""},
      {R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [7]}})",
       "field 'model.merges[0]'"},
      {R"({"model": {"type": "BPE", "vocab": {"a": "x"}, "merges": []}})", "token \"a\""},
      {std::string("{") + kBpe + R"(, "normalizer": {"type": "Fancy"}})",
       "field 'normalizer.type'"},
      {std::string("{") + kBpe +
           R"(, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Nope"}]}})",
       "field 'pre_tokenizer.pretokenizers[0].type'"},
      {std::string("{") + kBpe +
           R"(, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "(["}, "behavior": "Isolated"}})",
       "expected a valid regex"},
      {std::string("{") + kBpe +
           R"(, "pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "Sideways"}})",
       "field 'pre_tokenizer.behavior'"},
      {std::string("{") + kBpe +
           R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}], "special_tokens": {}}})",
       "field 'post_processor.special_tokens.<s>'"},
      {std::string("{") + kBpe + R"(, "added_tokens": [{"id": -3, "content": "x"}]})",
       "field 'added_tokens[0].id'"},
      {R"({"model": {"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]"}})",
       "field 'model.unk_token'"},
      {R"({"model": {"type": "Unigram", "vocab": [["a", "high"]], "unk_id": 0}})",
       "field 'model.vocab[0]'"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::string path = write("tokenizer" + std::to_string(i) + ".json", cases[i].json);
    std::string error = error_loading(path);
    EXPECT_NE(error.find(path), std::string::npos) << "case " << i << ": " << error;
    EXPECT_NE(error.find(cases[i].expected), std::string::npos) << "case " << i << ": " << error;
  }
}

TEST(MalformedTokenizerJson, InvalidUtf8TextIsAnInputError) {
  auto tokenizer = load_hf_tokenizer(write("tokenizer.json", std::string("{") + kBpe + "}"));
  EXPECT_EQ(tokenizer->encode("ab", false), (TokenIds{2}));
  EXPECT_THROW(tokenizer->encode("a\xC3(", false), InputError);
}

TEST(TokenizerSelection, FolderWithoutTokenizerAndUnknownFileAreClearErrors) {
  const std::string dir = testing::temp_dir();
  EXPECT_NE(error_loading(dir).find("no tokenizer.json or tokenizer.model"), std::string::npos);
  EXPECT_NE(
      error_loading(write("vocab.txt", "x")).find("expected a model folder, a tokenizer.json"),
      std::string::npos);
}

TEST(TokenizerSelection, TokenizerJsonWinsOverTokenizerModel) {
  const std::string dir = testing::temp_dir();
  std::ofstream(dir + "/tokenizer.json") << std::string("{") + kBpe + "}";
  std::ofstream(dir + "/tokenizer.model") << "not a sentencepiece model";
  EXPECT_NE(load_tokenizer(dir)->describe().find("tokenizer.json"), std::string::npos);
}

// GGUF vocabularies missing keys or with inconsistent arrays.
using testing::GgufBytes;

TEST(MalformedGgufVocab, NamesTheKey) {
  GgufBytes unknown_model;
  unknown_model.put<uint32_t>(0x46554747).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(2);
  unknown_model.str("tokenizer.ggml.model").put<uint32_t>(8).str("rwkv");
  unknown_model.str("tokenizer.ggml.tokens")
      .put<uint32_t>(9)
      .put<uint32_t>(8)
      .put<uint64_t>(1)
      .str("a");
  EXPECT_NE(
      error_loading(write("m.gguf", unknown_model.data))
          .find("key 'tokenizer.ggml.model': expected one of llama, gpt2, bert, got \"rwkv\""),
      std::string::npos);

  GgufBytes short_scores;
  short_scores.put<uint32_t>(0x46554747).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(3);
  short_scores.str("tokenizer.ggml.model").put<uint32_t>(8).str("llama");
  short_scores.str("tokenizer.ggml.tokens")
      .put<uint32_t>(9)
      .put<uint32_t>(8)
      .put<uint64_t>(2)
      .str("a")
      .str("b");
  short_scores.str("tokenizer.ggml.scores")
      .put<uint32_t>(9)
      .put<uint32_t>(6)
      .put<uint64_t>(1)
      .put<float>(0.f);
  EXPECT_NE(error_loading(write("s.gguf", short_scores.data))
                .find("key 'tokenizer.ggml.scores': expected 2 entries"),
            std::string::npos);

  GgufBytes no_tokens;
  no_tokens.put<uint32_t>(0x46554747).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(1);
  no_tokens.str("tokenizer.ggml.model").put<uint32_t>(8).str("gpt2");
  EXPECT_NE(
      error_loading(write("t.gguf", no_tokens.data)).find("key 'tokenizer.ggml.tokens': missing"),
      std::string::npos);
}

// A byte-level BPE vocabulary ("gpt2", tokens a b ab, merge "a b") with one more key.
std::string gpt2_vocab_with(const std::string& key, uint32_t type, const std::string& value) {
  GgufBytes g;
  g.header(3, 0, 4);
  g.str("tokenizer.ggml.model").put<uint32_t>(8).str("gpt2");
  g.str("tokenizer.ggml.tokens").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(3);
  g.str("a").str("b").str("ab");
  g.str("tokenizer.ggml.merges").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(1).str("a b");
  g.str(key).put(type);
  g.data += value;
  return g.data;
}

TEST(MalformedGgufVocab, BadMetadataNamesTheKey) {
  struct Case {
    std::string key;
    uint32_t type;
    std::string value, expected;
  };
  auto u32 = [](uint32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); };
  auto str = [](const std::string& s) { return GgufBytes().str(s).data; };
  const std::vector<Case> cases = {
      {"tokenizer.ggml.pre", 4, u32(7), "key 'tokenizer.ggml.pre'"},
      {"tokenizer.ggml.pre", 8, str("no-such-pre"),
       "key 'tokenizer.ggml.pre': unknown pre-tokenizer type \"no-such-pre\""},
      {"tokenizer.ggml.bos_token_id", 4, u32(99),
       "key 'tokenizer.ggml.bos_token_id': expected a token id below 3, got 99"},
      {"tokenizer.ggml.seperator_token_id", 4, u32(3),
       "key 'tokenizer.ggml.seperator_token_id': expected a token id below 3, got 3"},
      {"tokenizer.ggml.add_bos_token", 8, str("yes"), "key 'tokenizer.ggml.add_bos_token'"},
      {"tokenizer.ggml.token_type", 4, u32(1), "key 'tokenizer.ggml.token_type'"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const std::string path =
        write("bad" + std::to_string(i) + ".gguf", gpt2_vocab_with(c.key, c.type, c.value));
    const std::string error = error_loading(path);
    EXPECT_CONTAINS(error, path);
    EXPECT_CONTAINS(error, c.expected);
  }
}

TEST(MalformedTokenizerJson, PrecompiledAndPairTemplateErrorsNameTheField) {
  const std::string normalizer =
      R"(, "normalizer": {"type": "Precompiled", "precompiled_charsmap": )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("{") + kBpe + normalizer + R"("not*base64"}})",
       "field 'normalizer.precompiled_charsmap': expected base64 text"},
      // Four zero bytes: a trie of size 0.
      {std::string("{") + kBpe + normalizer + R"("AAAAAA=="}})",
       "field 'normalizer.precompiled_charsmap': trie size 0 does not fit a blob of 4 bytes"},
      {std::string("{") + kBpe +
           R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"Sequence": {"id": "A"}}], "pair": [{"Sequence": {"id": "B"}}, {"Sequence": {"id": "A"}}], "special_tokens": {}}})",
       "field 'post_processor.pair': expected a template with the sequences A then B"},
      {std::string("{") + kBpe +
           R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}, {"Sequence": {"id": "A"}}], "pair": [{"Sequence": {"id": "A"}}, {"Sequence": {"id": "B"}}, {"SpecialToken": {"id": "</s>"}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [0]}, "</s>": {"id": "</s>", "ids": [9]}}}})",
       "field 'post_processor': expected token ids in 0..2, got id 9"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string path = write("component" + std::to_string(i) + ".json", cases[i].first);
    const std::string error = error_loading(path);
    EXPECT_CONTAINS(error, path);
    EXPECT_CONTAINS(error, cases[i].second);
  }
}

TEST(WordLevelModel, UnknownWordWithoutUnkTokenIsAnInputError) {
  auto tokenizer = load_hf_tokenizer(
      write("wordlevel.json",
            R"({"model": {"type": "WordLevel", "vocab": {"a": 0, "b": 1}, "unk_token": "<unk>"},
          "pre_tokenizer": {"type": "Whitespace"}})"));
  EXPECT_EQ(tokenizer->encode("a b a", false), (TokenIds{0, 1, 0}));
  try {
    tokenizer->encode("a z", false);
    FAIL() << "no error for an unknown word";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), "the word \"z\" is not in the WordLevel vocabulary");
  }
}

}  // namespace
}  // namespace massact
