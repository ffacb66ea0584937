// The command line, run in-process: bad input exits 2 with "massact: error: ..." naming what is
// wrong, and nothing half-written is left behind; good input exits 0 with the promised output.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli/common.h"
#include "cli/run_cli.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::run_cli;

std::string fixture() {
  return massact::testing::fixture_dir("llama_f32");
}

// A copy of the llama_f32 fixture whose config.json has `key` set to `value`.
std::string fixture_with_config(const std::string& key, const json& value) {
  const std::string dir = massact::testing::temp_dir() + "/model";
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(fixture()))
    fs::copy_file(entry.path(), dir + "/" + entry.path().filename().string());
  json c = read_json_file(dir + "/config.json");
  c[key] = value;
  std::ofstream(dir + "/config.json") << c.dump(2);
  return dir;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  return names;
}

// ---- usage ----

TEST(CliErrors, HelpExitsZero) {
  CliResult r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(r.out, "scan");
  EXPECT_CONTAINS(r.out, "forward");
}

TEST(CliErrors, SubcommandHelpExitsZero) {
  CliResult r = run_cli({"forward", "--help"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(r.out, "--hooks");
}

TEST(CliErrors, UnknownSubcommand) {
  CliResult r = run_cli({"frobnicate", fixture()});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "frobnicate");
}

TEST(CliErrors, NoSubcommand) {
  CliResult r = run_cli({});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(CliErrors, MissingRequiredOption) {
  CliResult r = run_cli({"forward", fixture(), "--prompt", "hello"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--out");
}

TEST(CliErrors, ExclusiveInputOptions) {
  CliResult r = run_cli({"scan", fixture(), "--prompt", "hello", "--token-ids", "1,2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--prompt");
  EXPECT_CONTAINS(r.err, "--token-ids");
}

TEST(CliErrors, NonNumericOptionValue) {
  CliResult r = run_cli({"scan", fixture(), "--prompt", "hello", "--seq-len", "many"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--seq-len");
}

// ---- bad input ----

TEST(CliErrors, InspectNonexistentFolder) {
  const std::string missing = massact::testing::temp_dir() + "/no-such-model";
  CliResult r = run_cli({"inspect", missing});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, missing);
  EXPECT_CONTAINS(r.err, "model folder");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliErrors, ScanUnsupportedModelType) {
  const std::string dir = fixture_with_config("model_type", "gpt_bigcode");
  CliResult r = run_cli({"scan", dir, "--prompt", "hello"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, dir + "/config.json");
  EXPECT_CONTAINS(r.err, "field 'model_type'");
  EXPECT_CONTAINS(r.err, "gpt_bigcode");
  EXPECT_CONTAINS(r.err, "llama, mistral, qwen2");
}

TEST(CliErrors, ScanTokenIdOutsideTheVocabulary) {
  CliResult r = run_cli({"scan", fixture(), "--token-ids", "1,17,256"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, "token id 256");
  EXPECT_CONTAINS(r.err, "position 2");
  EXPECT_CONTAINS(r.err, "[0, 256)");
}

TEST(CliErrors, ScanNegativeTokenId) {
  CliResult r = run_cli({"scan", fixture(), "--token-ids", "1,-5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "-5");
}

// A config whose context length is negative must be an input error, not an internal one.
TEST(CliErrors, ScanWithNegativeMaxPositionEmbeddings) {
  const std::string dir = fixture_with_config("max_position_embeddings", -1);
  CliResult r = run_cli({"scan", dir, "--token-ids", "1,2,3"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, dir + "/config.json");
  EXPECT_CONTAINS(r.err, "max_position_embeddings");
}

TEST(CliErrors, PerplexityTextFileMissing) {
  const std::string text = massact::testing::temp_dir() + "/wiki.test.raw";
  CliResult r = run_cli({"perplexity", fixture(), "--text-file", text});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, text);
  EXPECT_CONTAINS(r.err, "cannot open");
}

TEST(CliErrors, PerplexitySeqLenLongerThanTheText) {
  const std::string text = massact::testing::temp_dir() + "/short.txt";
  std::ofstream(text) << "hello world";
  CliResult r = run_cli({"perplexity", fixture(), "--text-file", text, "--seq-len", "100"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, "--text-file");
  EXPECT_CONTAINS(r.err, "--seq-len 100");
  EXPECT_CONTAINS(r.err, "fewer than one window");
}

TEST(CliErrors, PerplexitySeqLenTooShort) {
  const std::string text = massact::testing::temp_dir() + "/short.txt";
  std::ofstream(text) << "hello world";
  CliResult r = run_cli({"perplexity", fixture(), "--text-file", text, "--seq-len", "1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--seq-len");
}

TEST(CliErrors, ForwardHooksMatchingNothingLeavesNoFile) {
  const std::string dir = massact::testing::temp_dir();
  const std::string out = dir + "/acts.safetensors";
  CliResult r = run_cli({"forward", fixture(), "--prompt", "hello", "--hooks",
                         "blocks.*.hook_nothing", "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, "--hooks");
  EXPECT_CONTAINS(r.err, "no hook point matched");
  EXPECT_CONTAINS(r.err, "blocks.0.hook_resid_post");  // what names look like
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(files_in(dir).empty());
}

TEST(CliErrors, ForwardOutIntoAMissingFolder) {
  const std::string out = massact::testing::temp_dir() + "/no/such/folder/acts.safetensors";
  CliResult r = run_cli({"forward", fixture(), "--prompt", "hello", "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "massact: error: ");
  EXPECT_CONTAINS(r.err, out);
}

// ---- good input ----

TEST(CliRuns, ForwardSavesHooksLogitsAndIds) {
  const std::string dir = massact::testing::temp_dir();
  const std::string out = dir + "/acts.safetensors";
  CliResult r = run_cli({"forward", fixture(), "--prompt", "hello world", "--hooks",
                         "blocks.*.hook_resid_post", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(r.out, "wrote 5 tensors");
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"acts.safetensors"});  // no temporary left

  SafetensorsFile st = SafetensorsFile::open(out);
  EXPECT_EQ(st.tensors().size(), 5u);  // 3 layers, input_ids, logits

  Tensor ids = st.get("input_ids");
  EXPECT_EQ(ids.dtype(), DType::I32);
  ASSERT_EQ(ids.rank(), 1);
  const int64_t T = ids.dim(0);
  ASSERT_GE(T, 2);
  EXPECT_EQ(static_cast<const int32_t*>(ids.raw())[0], 1);  // BOS, as tokenizer_config.json asks
  for (int64_t t = 0; t < T; ++t) {
    int32_t id = static_cast<const int32_t*>(ids.raw())[t];
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 256);
  }

  for (int layer = 0; layer < 3; ++layer) {
    const std::string name = "blocks." + std::to_string(layer) + ".hook_resid_post";
    ASSERT_NE(st.find(name), nullptr) << name;
    Tensor h = st.get(name);
    EXPECT_EQ(h.dtype(), DType::F32);
    EXPECT_EQ(h.shape(), (Shape{T, 64})) << name;
  }
  EXPECT_EQ(st.find("blocks.0.hook_resid_pre"), nullptr);

  Tensor logits = st.get("logits");
  EXPECT_EQ(logits.dtype(), DType::F32);
  EXPECT_EQ(logits.shape(), (Shape{T, 256}));
  bool finite = true;
  for (int64_t i = 0; i < logits.numel(); ++i) finite = finite && std::isfinite(logits.f32()[i]);
  EXPECT_TRUE(finite);

  EXPECT_EQ(st.metadata().at("model"), fixture());
  EXPECT_CONTAINS(st.metadata().at("command"), "forward");
  EXPECT_TRUE(st.metadata().count("massact_version"));
}

TEST(CliRuns, ScanJson) {
  CliResult r = run_cli({"scan", fixture(), "--prompt", "hello", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc;
  ASSERT_NO_THROW(doc = json::parse(r.out)) << r.out;
  EXPECT_EQ(doc["schema"]["name"], "massact.scan");
  EXPECT_EQ(doc["schema"]["version"], 2);
  ASSERT_TRUE(doc["result"]["layers"].is_array());
  EXPECT_EQ(doc["result"]["layers"].size(), 3u);
  EXPECT_TRUE(doc["result"]["massive"].is_array());
  EXPECT_GE(doc["protocol"]["tokens_per_sequence"].get<int64_t>(), 2);
  EXPECT_EQ(doc["protocol"]["hook"], "blocks.*.hook_resid_post");
}

TEST(CliRuns, ScanWithTokenIdsTruncatedBySeqLen) {
  CliResult r =
      run_cli({"scan", fixture(), "--token-ids", "1,5,9,12,40", "--seq-len", "3", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["protocol"]["tokens_per_sequence"], 3);
}

TEST(CliRuns, BenchForwardOnAQuantizedGguf) {
  CliResult r = run_cli({"bench", "forward", testing::fixture_dir("gguf") + "/llama.q8_0.gguf",
                         "--seq-len", "8", "--repeats", "1", "--logits", "last", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["protocol"]["logits"], "last");
  EXPECT_GT(doc["result"]["tokens_per_second"].get<double>(), 0.0);
  EXPECT_EQ(run_cli({"bench", "forward", fixture(), "--logits", "some"}).code, 2);
}

TEST(CliRuns, InspectJson) {
  CliResult r = run_cli({"inspect", fixture(), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["schema"]["name"], "massact.inspect");
  EXPECT_EQ(doc["architecture"]["family"], "llama");
  EXPECT_EQ(doc["architecture"]["layers"], 3);
  EXPECT_EQ(doc["architecture"]["d_model"], 64);
}

}  // namespace
}  // namespace massact
