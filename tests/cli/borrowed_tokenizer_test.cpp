// --tokenizer PATH: a model without a tokenizer (or with one massact cannot run) borrows another's;
// a bad path stops with exit 2 naming it; inspect describes a model whose vocabulary it cannot
// tokenize and says why, with exit 0.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/run_cli.h"
#include "io/json_file.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

// The llama_f32 fixture without its tokenizer files.
std::string model_without_tokenizer() {
  const std::string from = testing::fixture_dir("llama_f32");
  const std::string to = testing::temp_dir();
  for (const char* name : {"config.json", "generation_config.json", "model.safetensors"})
    fs::copy_file(from + "/" + name, to + "/" + name);
  return to;
}

TEST(BorrowedTokenizer, AModelWithoutOneRunsTextWithAnothers) {
  const std::string bare = model_without_tokenizer();
  const std::string own = testing::fixture_dir("llama_f32");
  auto refused = run_cli({"scan", bare, "--prompt", "Once upon a time", "--json"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_CONTAINS(refused.err, "--tokenizer PATH");

  auto reference = run_cli({"scan", own, "--prompt", "Once upon a time", "--json"});
  ASSERT_EQ(reference.code, 0) << reference.err;
  // The folder, the tokenizer.model itself: both give the model's own ids and results.
  for (const std::string& borrowed : {own, own + "/tokenizer.model"}) {
    auto r =
        run_cli({"scan", bare, "--prompt", "Once upon a time", "--tokenizer", borrowed, "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["result"], json::parse(reference.out)["result"]) << borrowed;
  }
}

TEST(BorrowedTokenizer, EveryTextCommandTakesIt) {
  const std::string bare = model_without_tokenizer();
  const std::string own = testing::fixture_dir("llama_f32");
  for (const char* command : {"scan", "stats", "profile", "attention", "generate"}) {
    auto r = run_cli({command, bare, "--prompt", "Once upon a time", "--tokenizer", own, "--json"});
    EXPECT_EQ(r.code, 0) << command << ": " << r.err;
  }
}

TEST(BorrowedTokenizer, BadPathExitsTwoNamingIt) {
  const std::string own = testing::fixture_dir("llama_f32");
  const std::string missing = testing::temp_dir() + "/no-such-tokenizer.json";
  auto r = run_cli({"scan", own, "--prompt", "x", "--tokenizer", missing});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--tokenizer " + missing + ": no such file or folder");

  const std::string broken = testing::temp_dir() + "/tokenizer.json";
  std::ofstream(broken) << "{\"model\": {\"type\": \"Mystery\"}}";
  auto bad = run_cli({"scan", own, "--prompt", "x", "--tokenizer", broken});
  EXPECT_EQ(bad.code, 2);
  EXPECT_CONTAINS(bad.err, "--tokenizer " + broken);
  EXPECT_CONTAINS(bad.err, "field 'model.type'");
}

// A GGUF model whose tokenizer.ggml.model this program does not know.
std::string gguf_with_unknown_vocabulary() {
  std::ifstream in(testing::fixture_dir("gguf") + "/llama.f32.gguf", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string data = bytes.str();
  // key, then the value: type 8 (string), length 5, "llama"
  const std::string key = "tokenizer.ggml.model";
  const size_t at = data.find(key);
  EXPECT_NE(at, std::string::npos);
  const size_t value = at + key.size() + 4 + 8;
  EXPECT_EQ(data.substr(value, 5), "llama");
  data.replace(value, 5, "mambo");
  const std::string path = testing::temp_dir() + "/unknown_vocab.gguf";
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

TEST(BorrowedTokenizer, InspectSaysWhyThereIsNoTokenizer) {
  const std::string path = gguf_with_unknown_vocabulary();
  auto r = run_cli({"inspect", path});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(r.out, "d_model");  // the table is there
  EXPECT_CONTAINS(r.out, "key 'tokenizer.ggml.model': expected one of");

  auto j = run_cli({"inspect", path, "--json"});
  ASSERT_EQ(j.code, 0) << j.err;
  const json doc = json::parse(j.out);
  EXPECT_TRUE(doc["tokenizer"].is_null());
  EXPECT_CONTAINS(doc["tokenizer_error"].get<std::string>(), "\"mambo\"");

  // Text needs a tokenizer: a clear exit 2, and --tokenizer lends one.
  auto refused = run_cli({"scan", path, "--prompt", "Once upon a time"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_CONTAINS(refused.err, "tokenizer.ggml.model");
  auto borrowed = run_cli({"scan", path, "--prompt", "Once upon a time", "--tokenizer",
                           testing::fixture_dir("gguf") + "/llama.f32.gguf"});
  EXPECT_EQ(borrowed.code, 0) << borrowed.err;
}

}  // namespace
}  // namespace massact
