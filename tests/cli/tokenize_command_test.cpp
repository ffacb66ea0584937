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
  // Every token with its text and role: the prompt starts with BOS, the first token.
  ASSERT_EQ(doc["tokens"].size(), want.size());
  EXPECT_EQ(doc["tokens"][0]["role"], "first");
  EXPECT_EQ(doc["tokens"][1]["token_text"], doc["pieces"][1]);

  auto bare =
      run_cli({"tokenize", dir + "/tokenizer.model", "--text", prompt, "--no-special", "--json"});
  ASSERT_EQ(bare.code, 0) << bare.err;
  EXPECT_EQ(json::parse(bare.out)["ids"].get<TokenIds>(), TokenIds(want.begin() + 1, want.end()));
}

// generate's JSON lists every token of prompt and continuation with its text and role.
TEST(GenerateCommand, JsonTokensCarryTextAndRole) {
  auto r = run_cli({"generate", testing::fixture_dir("llama_f32"), "--prompt", "Hello. Bye",
                    "--max-new-tokens", "3", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json result = json::parse(r.out)["result"];
  const json& tokens = result["tokens"];
  ASSERT_EQ(tokens.size(), result["prompt_ids"].size() + result["new_ids"].size());
  EXPECT_EQ(tokens[0]["role"], "first");
  for (const json& t : tokens) EXPECT_TRUE(t.contains("token_text") && t.contains("role")) << t;
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
