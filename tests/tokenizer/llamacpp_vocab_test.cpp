// llama.cpp's tokenizer test vectors (../shared/data/tokenizers/llamacpp-vocab): for each
// ggml-vocab-*.gguf, the .inp file holds texts separated by "\n__ggml_vocab_test__\n" and the .out
// file one line of reference ids per text (made with the model's Hugging Face tokenizer, without
// special tokens). Every line must be reproduced exactly.
//
// gpt-2, llama-spm, phi-3 and bert-bge are always in ../shared; the byte-level BPE vocabularies of
// the other tokenizer.ggml.pre types (deepseek-coder, deepseek-llm, falcon, mpt, refact,
// starcoder) are tested when their files are there too (they are in llama.cpp's models/ folder).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/gguf.h"
#include "test_paths.h"
#include "tokenizer/gguf_tokenizer.h"

namespace massact {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> split_tests(const std::string& text) {
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<std::string> tests;
  size_t start = 0;
  for (size_t at; (at = text.find(separator, start)) != std::string::npos;
       start = at + separator.size())
    tests.push_back(text.substr(start, at - start));
  return tests;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// " 1 2 3": the .out format, a space before each id.
std::string format_ids(const TokenIds& ids) {
  std::string out;
  for (int32_t id : ids) out += " " + std::to_string(id);
  return out;
}

class LlamaCppVocab : public ::testing::TestWithParam<std::string> {};

TEST_P(LlamaCppVocab, EveryLineOfTheReferenceIsReproduced) {
  MASSACT_REQUIRE_SHARED_DATA();
  const std::string base =
      testing::shared_data_dir() + "/tokenizers/llamacpp-vocab/ggml-vocab-" + GetParam() + ".gguf";
  const bool always_there = GetParam() == "gpt-2" || GetParam() == "llama-spm" ||
                            GetParam() == "phi-3" || GetParam() == "bert-bge";
  if (!always_there && !std::filesystem::exists(base + ".out"))
    GTEST_SKIP() << base << " is absent (copy models/ggml-vocab-" << GetParam()
                 << ".gguf{,.inp,.out} from llama.cpp there to run this test)";
  auto tokenizer = load_gguf_tokenizer(GgufFile::open(base));
  std::vector<std::string> texts = split_tests(read_all(base + ".inp"));
  std::vector<std::string> expected = lines(read_all(base + ".out"));
  ASSERT_EQ(texts.size(), expected.size());
  ASSERT_GE(texts.size(), 40u);  // the files hold 46 cases; an empty split would pass vacuously
  size_t matched = 0;
  for (size_t i = 0; i < texts.size(); ++i) {
    std::string got = format_ids(tokenizer->encode(texts[i], false));
    EXPECT_EQ(got, expected[i]) << "case " << i << ": \"" << texts[i] << "\"";
    matched += got == expected[i];
  }
  EXPECT_EQ(matched, texts.size());
}

INSTANTIATE_TEST_SUITE_P(Vocabularies, LlamaCppVocab,
                         ::testing::Values("gpt-2", "llama-spm", "phi-3", "bert-bge",
                                           "deepseek-coder", "deepseek-llm", "falcon", "mpt",
                                           "refact", "starcoder"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace massact
