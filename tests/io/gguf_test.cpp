// The GGUF reader on hand-built files, valid and corrupt: every corrupt input must give an
// InputError whose message names the file and the key or tensor at fault.
#include "io/gguf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "core/error.h"
#include "gguf_bytes.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::GgufBytes;

std::string write(const std::string& name, const std::string& bytes) {
  std::string path = testing::temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    GgufFile::open(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// A file with a string, a uint32, a float, a bool, arrays of strings and int32, and one tensor.
GgufBytes valid_file() {
  GgufBytes b;
  b.header(3, 1, 6);
  b.str("general.architecture").put<uint32_t>(8).str("llama");
  b.str("general.alignment").put<uint32_t>(4).put<uint32_t>(64);
  b.str("x.eps").put<uint32_t>(6).put<float>(0.5f);
  b.str("x.flag").put<uint32_t>(7).put<uint8_t>(1);
  b.str("x.words").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(2).str("a").str("bc");
  b.str("x.ints")
      .put<uint32_t>(9)
      .put<uint32_t>(5)
      .put<uint64_t>(3)
      .put<int32_t>(-1)
      .put<int32_t>(2)
      .put<int32_t>(7);
  b.str("w").put<uint32_t>(2).put<uint64_t>(4).put<uint64_t>(2).put<uint32_t>(0).put<uint64_t>(0);
  b.data.resize((b.data.size() + 63) / 64 * 64 + 32, '\0');  // aligned data: 8 f32 values
  return b;
}

TEST(Gguf, ReadsKeysArraysAndTensorInfos) {
  GgufFile f = GgufFile::open(write("ok.gguf", valid_file().data));
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.string("general.architecture"), "llama");
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.number("x.eps"), 0.5);
  EXPECT_TRUE(f.boolean("x.flag", false));
  EXPECT_EQ(f.string_array("x.words"), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(f.integer_array("x.ints"), (std::vector<int64_t>{-1, 2, 7}));
  ASSERT_EQ(f.tensors().size(), 1u);
  EXPECT_EQ(f.tensors()[0].name, "w");
  EXPECT_EQ(f.tensors()[0].dims, (std::vector<uint64_t>{4, 2}));
  EXPECT_EQ(f.tensors()[0].ggml_type, 0u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
}

TEST(Gguf, WrongTypeNamesTheKeyAndWhatWasExpected) {
  GgufFile f = GgufFile::open(write("ok.gguf", valid_file().data));
  try {
    f.string_array("x.ints");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "key 'x.ints': expected an array of strings, got array of int32"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(f.string("missing.key"), InputError);
}

TEST(Gguf, CorruptFilesNameTheFileAndTheField) {
  struct Case {
    std::string name, bytes, expected;
  };
  GgufBytes bad_magic;
  bad_magic.put<uint32_t>(0x12345678).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0);
  GgufBytes bad_version;
  bad_version.header(7, 0, 0);
  GgufBytes huge_kv_count;
  huge_kv_count.header(3, 0, uint64_t(1) << 60);
  GgufBytes long_string;
  long_string.header(3, 0, 1).str("k").put<uint32_t>(8).put<uint64_t>(uint64_t(1) << 40);
  GgufBytes unknown_type;
  unknown_type.header(3, 0, 1).str("tokenizer.ggml.model").put<uint32_t>(99);
  GgufBytes huge_array;
  huge_array.header(3, 0, 1).str("a").put<uint32_t>(9).put<uint32_t>(4).put<uint64_t>(uint64_t(1)
                                                                                      << 62);
  GgufBytes bad_dims;
  bad_dims.header(3, 1, 0).str("t").put<uint32_t>(9);
  bad_dims.data += std::string(64, '\0');  // room for the dims, so that their count is at fault
  std::string truncated = valid_file().data.substr(0, 60);
  std::vector<Case> cases = {
      {"magic.gguf", bad_magic.data, "bad magic"},
      {"version.gguf", bad_version.data, "expected version 2 or 3, got 7"},
      {"kvcount.gguf", huge_kv_count.data, "header key-value count"},
      {"string.gguf", long_string.data, "key 'k'"},
      {"type.gguf", unknown_type.data, "key 'tokenizer.ggml.model': unknown value type 99"},
      {"array.gguf", huge_array.data, "key 'a'"},
      {"dims.gguf", bad_dims.data, "tensor 't': expected 1 to 4 dims, got 9"},
      {"truncated.gguf", truncated, "truncated"},
      {"empty.gguf", "", "header"},
  };
  for (const Case& c : cases) {
    std::string path = write(c.name, c.bytes);
    std::string error = error_of(path);
    EXPECT_NE(error.find(path), std::string::npos) << c.name << ": " << error;
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.name << ": " << error;
  }
}

TEST(Gguf, KeyListedTwiceIsAnInputError) {
  GgufBytes b;
  b.header(3, 0, 2);
  b.str("k").put<uint32_t>(4).put<uint32_t>(1);
  b.str("k").put<uint32_t>(4).put<uint32_t>(2);
  EXPECT_NE(error_of(write("twice.gguf", b.data)).find("key 'k': listed twice"), std::string::npos);
}

// Arrays of arrays are skipped at open (no accessor reads them) up to kMaxGgufArrayDepth levels.
TEST(Gguf, NestedArraysUpToTheBound) {
  auto file_with_depth = [](int depth) {
    GgufBytes b;
    b.header(3, 0, 2);
    b.str("nested").put<uint32_t>(9);
    for (int i = 1; i < depth; ++i) b.put<uint32_t>(9).put<uint64_t>(1);
    b.put<uint32_t>(8).put<uint64_t>(1).str("leaf");
    b.str("after").put<uint32_t>(8).str("ok");
    return b.data;
  };
  GgufFile f = GgufFile::open(write("nested.gguf", file_with_depth(kMaxGgufArrayDepth)));
  EXPECT_EQ(f.string("after"), "ok");
  try {
    f.string_array("nested");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("got array of array"), std::string::npos) << e.what();
  }
  EXPECT_THROW(f.integer_array("nested"), InputError);
  EXPECT_NE(error_of(write("deep.gguf", file_with_depth(kMaxGgufArrayDepth + 1)))
                .find("key 'nested': arrays nested deeper than 8 levels"),
            std::string::npos);
}

TEST(Gguf, EveryTruncationOfAValidFileIsAnInputError) {
  const std::string whole = valid_file().data;
  const size_t header_end = whole.size() - 32 - 16;  // cuts inside the data padding may be fine
  for (size_t n = 0; n < header_end; n += 3) {
    std::string error = error_of(write("cut.gguf", whole.substr(0, n)));
    EXPECT_NE(error, "(no error)") << "cut at " << n;
  }
}

}  // namespace
}  // namespace massact
