// massact tokenize: the ids of the fixture prompt as transformers gave them, with and without BOS.
#include <gtest/gtest.h>

#include "cli/run_cli.h"
#include "io/json_file.h"
#include "test_paths.h"
#include "tokenizer/tokenizer.h"

namespace massact {
namespace {

using testing::run_cli;

TEST(TokenizeCommand, JsonIdsMatchTheReference) {
  const std::string dir = testing::fixture_dir("llama_f32");
  json reference = read_json_file(dir + "/reference.json");
  const std::string prompt = reference["prompt"];
  const TokenIds want = reference["input_ids"].get<TokenIds>();

  auto with_bos = run_cli({"tokenize", dir, "--text", prompt, "--json"});
  ASSERT_EQ(with_bos.code, 0) << with_bos.err;
  json doc = json::parse(with_bos.out);
  EXPECT_EQ(doc["ids"].get<TokenIds>(), want);
  EXPECT_EQ(doc["pieces"].size(), want.size());

  auto bare =
      run_cli({"tokenize", dir + "/tokenizer.model", "--text", prompt, "--no-special", "--json"});
  ASSERT_EQ(bare.code, 0) << bare.err;
  EXPECT_EQ(json::parse(bare.out)["ids"].get<TokenIds>(), TokenIds(want.begin() + 1, want.end()));
}

TEST(TokenizeCommand, BadInputExitsTwo) {
  const std::string dir = testing::fixture_dir("llama_f32");
  auto none = run_cli({"tokenize", dir});
  EXPECT_EQ(none.code, 2);
  EXPECT_CONTAINS(none.err, "--text");
  auto missing = run_cli({"tokenize", "/nonexistent/tokenizer.json", "--text", "x"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_CONTAINS(missing.err, "/nonexistent/tokenizer.json");
}

}  // namespace
}  // namespace massact
