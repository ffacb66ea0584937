// The fuzz regression corpus, replayed by the normal suite: every file in
// tests/fuzz/regressions/<entry>/ once crashed a parser (or made it exit 1), and must now give an
// InputError through the same entry point as the fuzz target. Inputs too large to commit (deep
// nesting, megabyte values) are generated here.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "fuzz/parser_entries.h"
#include "gguf_bytes.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Runs the entry on `bytes`; returns the InputError's message, or fails the test on success or
// on any other exception.
std::string input_error(const std::string& entry_name, const std::string& bytes) {
  const fuzz::ParserEntry* entry = fuzz::find_parser_entry(entry_name);
  if (!entry) {
    ADD_FAILURE() << "no parser entry " << entry_name;
    return "";
  }
  try {
    fuzz::run_parser_entry(*entry, bytes, testing::temp_dir());
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << entry_name << ": not an InputError: " << e.what();
    return "";
  }
  ADD_FAILURE() << entry_name << ": accepted";
  return "";
}

TEST(FuzzRegressions, EveryCommittedInputIsAnInputError) {
  const fs::path root = fs::path(MASSACT_FIXTURES_DIR).parent_path() / "fuzz" / "regressions";
  size_t replayed = 0;
  for (const fuzz::ParserEntry& entry : fuzz::parser_entries()) {
    if (!fs::exists(root / entry.name)) continue;
    for (const auto& file : fs::directory_iterator(root / entry.name)) {
      SCOPED_TRACE(file.path().string());
      const std::string message = input_error(entry.name, read_bytes(file.path()));
      EXPECT_CONTAINS(message, entry.file_name);  // names the file
      EXPECT_LT(message.size(), 1000u);           // quotes at most a prefix of a bad value
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0u) << "no regression inputs under " << root;
}

std::string nested(const std::string& open, const std::string& inner, const std::string& close,
                   int depth) {
  std::string out;
  for (int i = 0; i < depth; ++i) out += open;
  out += inner;
  for (int i = 0; i < depth; ++i) out += close;
  return out;
}

TEST(FuzzRegressions, DeeplyNestedJsonInEveryJsonFile) {
  const std::string deep = nested("[", "1", "]", 100000);
  EXPECT_CONTAINS(
      input_error("config", "{\"model_type\": \"llama\", \"hidden_size\": " + deep + "}"),
      "nested deeper");
  EXPECT_CONTAINS(input_error("sharded_index", "{\"weight_map\": " + deep + "}"), "nested deeper");
  EXPECT_CONTAINS(input_error("tokenizer_json", "{\"model\": " + deep + "}"), "nested deeper");
  const std::string header = "{\"w\": " + deep + "}";
  std::string file(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(file.data(), &length, 8);  // little-endian hosts
  EXPECT_CONTAINS(input_error("safetensors", file + header), "nested deeper");
}

// 20,000 nested Sequence components: well-formed JSON, refused by the nesting bound.
TEST(FuzzRegressions, DeeplyNestedTokenizerComponents) {
  const std::string model = R"("model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "a": 1}})";
  const struct {
    const char* field;
    const char* list;
    const char* leaf;
  } components[] = {
      {"post_processor", "processors", R"({"type": "ByteLevel"})"},
      {"normalizer", "normalizers", R"({"type": "Lowercase"})"},
      {"pre_tokenizer", "pretokenizers", R"({"type": "Whitespace"})"},
      {"decoder", "decoders", R"({"type": "Fuse"})"},
  };
  for (const auto& c : components) {
    const std::string open = std::string(R"({"type": "Sequence", ")") + c.list + "\": [";
    const std::string doc =
        "{" + model + ", \"" + c.field + "\": " + nested(open, c.leaf, "]}", 20000) + "}";
    EXPECT_CONTAINS(input_error("tokenizer_json", doc), "nested deeper");
  }
}

TEST(FuzzRegressions, LongValuesAreQuotedByAPrefix) {
  const std::string line(1 << 20, 'x');
  const std::string message =
      input_error("config", "{\"model_type\": \"llama\", \"hidden_size\": \"" + line + "\"}");
  EXPECT_CONTAINS(message, "hidden_size");
  EXPECT_LT(message.size(), 1000u);
}

using testing::GgufBytes;

// A metadata value nested 100,000 arrays deep (1.2 MB).
TEST(FuzzRegressions, DeeplyNestedGgufArray) {
  GgufBytes b;
  b.put<uint32_t>(0x46554747).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(1);
  b.str("a").put<uint32_t>(9);
  for (int i = 0; i < 100000; ++i) b.put<uint32_t>(9).put<uint64_t>(1);
  b.put<uint32_t>(4).put<uint64_t>(0);
  EXPECT_CONTAINS(input_error("gguf_metadata", b.data), "key 'a': arrays nested deeper");
}

// The llama fixture with block_count replaced: 2^31 - 1 blocks must be refused before anything is
// sized by it.
TEST(FuzzRegressions, GgufBlockCountPastTheStoredBlocks) {
  std::string file = read_bytes(testing::fixture_dir("gguf") + "/llama.f32.gguf");
  const std::string key = "llama.block_count";
  const size_t at = file.find(key);
  ASSERT_NE(at, std::string::npos);
  uint32_t type = 0;
  std::memcpy(&type, file.data() + at + key.size(), 4);
  ASSERT_EQ(type, 4u);  // uint32
  const uint32_t blocks = 0x7FFFFFFF;
  std::memcpy(file.data() + at + key.size() + 4, &blocks, 4);
  // Refused by the spec's range check (validate_spec) before the GGUF reader counts blocks.
  const std::string message = input_error("gguf_metadata", file);
  EXPECT_CONTAINS(message, "key 'llama.block_count'");
  EXPECT_CONTAINS(message, "2147483647");
}

TEST(FuzzRegressions, TokenizerJsonNumbersAndIds) {
  const std::string unigram =
      R"("model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", SCORE]]})";
  std::string overflow = unigram;
  overflow.replace(overflow.find("SCORE"), 5, "1e400");
  EXPECT_CONTAINS(input_error("tokenizer_json", "{" + overflow + "}"), "not valid JSON");
  std::string valid = unigram;
  valid.replace(valid.find("SCORE"), 5, "-1.5");
  EXPECT_CONTAINS(
      input_error("tokenizer_json",
                  "{" + valid + R"(, "added_tokens": [{"id": 2147483647, "content": "<x>"}]})"),
      "field 'added_tokens[0].id'");
}

}  // namespace
}  // namespace massact
