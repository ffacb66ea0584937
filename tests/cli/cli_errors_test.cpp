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

// ---- input longer than the model's context ----

// n token ids, all valid in the fixtures' 256-token vocabularies.
std::string token_ids(int n) {
  std::string ids;
  for (int i = 0; i < n; ++i) {
    if (i > 0) ids += ',';
    ids += std::to_string(1 + i % 200);
  }
  return ids;
}

// llama_f32's context is 128 positions; a longer input is refused before anything runs, naming
// the option that gave it and the limit, unless --allow-long-context says otherwise (RoPE).
TEST(CliErrors, InputLongerThanTheContext) {
  CliResult r = run_cli({"scan", fixture(), "--token-ids", token_ids(129)});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--token-ids: 129 tokens, more than the model's context of 128");
  EXPECT_CONTAINS(r.err, "field 'max_position_embeddings'");
  EXPECT_CONTAINS(r.err, "--allow-long-context");

  r = run_cli({"scan", fixture(), "--token-ids", token_ids(129), "--allow-long-context", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["protocol"]["tokens_per_sequence"], 129);  // whole, not cut
}

TEST(CliErrors, LongPromptToForwardAndGenerate) {
  std::string prompt;
  for (int i = 0; i < 300; ++i) prompt += "hello ";
  const std::string out = massact::testing::temp_dir() + "/acts.safetensors";
  CliResult r = run_cli({"forward", fixture(), "--prompt", prompt, "--out", out});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--prompt: ");
  EXPECT_CONTAINS(r.err, "context of 128");
  EXPECT_FALSE(fs::exists(out));

  // 100 prompt tokens and 40 new ones: the last pass would run 139.
  r = run_cli({"generate", fixture(), "--token-ids", token_ids(100), "--max-new-tokens", "40"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--max-new-tokens: 139 tokens, more than the model's context of 128");
}

TEST(CliErrors, SeqLenLongerThanTheContext) {
  CliResult r = run_cli({"scan", fixture(), "--prompt", "hello", "--seq-len", "200"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--seq-len: 200 tokens, more than the model's context of 128");

  const std::string text = massact::testing::temp_dir() + "/text.txt";
  std::ofstream(text) << "hello world";
  r = run_cli({"perplexity", fixture(), "--text-file", text, "--seq-len", "200"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--seq-len: 200 tokens");
  r = run_cli({"bench", "forward", fixture(), "--seq-len", "129"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--seq-len: 129 tokens");
}

// A learned position table has no row past its end: no option extends it.
TEST(CliErrors, LearnedPositionsEndAtTheirTable) {
  const std::string gpt2 = massact::testing::fixture_dir("gpt2_f32");
  CliResult r = run_cli({"scan", gpt2, "--token-ids", token_ids(65), "--allow-long-context"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--token-ids: 65 tokens, more than the model's context of 64");
  EXPECT_CONTAINS(r.err, "field 'n_positions'");
  EXPECT_CONTAINS(r.err, "learned position table");
}

// ---- arguments ----

// Bytes that are not UTF-8 (a Latin-1 prompt, a folder name) go into the JSON result with each
// invalid byte replaced by U+FFFD, not an internal error.
TEST(CliErrors, ArgumentsThatAreNotUtf8) {
  const std::string out = massact::testing::temp_dir() + "/scan.json";
  CliResult r = run_cli({"scan", fixture(), "--prompt", "caf\xe9 \xff", "--json", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_CONTAINS(doc["command"].get<std::string>(), "caf\xef\xbf\xbd \xef\xbf\xbd");
  EXPECT_EQ(read_json_file(out)["command"], doc["command"]);

  const std::string acts = massact::testing::temp_dir() + "/acts.safetensors";
  r = run_cli({"forward", fixture(), "--prompt", "\xff\xfe", "--out", acts});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(SafetensorsFile::open(acts).metadata().at("command"), "\xef\xbf\xbd");
}

// The atomic rename would replace a device node (as root: /dev/full) or a folder with a file.
TEST(CliErrors, OutMustBeARegularFile) {
  for (const std::string& out : {std::string("/dev/null"), massact::testing::temp_dir()}) {
    CliResult r = run_cli({"scan", fixture(), "--prompt", "hello", "--out", out});
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_CONTAINS(r.err, "--out");
    EXPECT_CONTAINS(r.err, out + ": not a regular file");
  }
  CliResult r = run_cli({"forward", fixture(), "--prompt", "hello", "--out", "/dev/null"});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--out");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));

  r = run_cli({"scan", fixture(), "--prompt", "hello", "--out", ""});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--out");
  EXPECT_CONTAINS(r.err, "empty");
}

TEST(CliErrors, TextFileThatIsAFolder) {
  const std::string dir = massact::testing::temp_dir();
  CliResult r = run_cli({"scan", fixture(), "--text-file", dir});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--text-file: " + dir + ": not a regular file");
  r = run_cli({"perplexity", fixture(), "--text-file", dir});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "not a regular file");
}

// CLI11 turned an empty value into token 0, a valid-looking id. (It drops empty items between
// commas, so "1,,2" is 1,2 and "," is no ids at all.)
TEST(CliErrors, EmptyTokenIds) {
  CliResult r = run_cli({"scan", fixture(), "--token-ids", ""});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--token-ids: expected comma-separated token ids, got an empty item");
  r = run_cli({"scan", fixture(), "--token-ids", ","});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--token-ids");
}

TEST(CliErrors, ThreadsBeyondTheOnlineCpus) {
  CliResult r = run_cli({"--threads", "100000", "inspect", fixture()});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, "--threads");
  EXPECT_CONTAINS(r.err, "(the online CPUs)");
  EXPECT_EQ(run_cli({"--threads", "1", "inspect", fixture()}).code, 0);
}

// ENAMETOOLONG from the operating system is bad input, for an argument and for a shard name.
TEST(CliErrors, PathComponentOver255Bytes) {
  const std::string model = massact::testing::temp_dir() + "/" + std::string(300, 'm');
  CliResult r = run_cli({"inspect", model});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_CONTAINS(r.err, std::string(300, 'm'));

  const std::string dir = massact::testing::temp_dir() + "/sharded";
  fs::copy(massact::testing::fixture_dir("llama_linear_sharded"), dir);
  json index = read_json_file(dir + "/model.safetensors.index.json");
  for (auto& [name, shard] : index["weight_map"].items()) shard = std::string(300, 's');
  std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
  r = run_cli({"inspect", dir});
  EXPECT_EQ(r.code, 2) << r.err;
  // The index's field quotes the shard name by a prefix and its length (quote_prefix).
  EXPECT_CONTAINS(r.err, std::string(60, 's'));
  EXPECT_CONTAINS(r.err, "File name too long");
}

// A 100 kB value is quoted by its beginning, not whole.
TEST(CliErrors, LongBadValuesAreQuotedShort) {
  const std::string value(100000, '7');
  CliResult r = run_cli({"scan", fixture(), "--prompt", "hello", "--seq-len", value + "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--seq-len");
  EXPECT_CONTAINS(r.err, "(100001 bytes)");
  EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 300);
  // CLI11's own messages too: a value it cannot convert, an argument it did not expect.
  r = run_cli({"scan", fixture(), "--prompt", "hello", "--min-ratio", value + "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--min-ratio");
  EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 300);
  r = run_cli({"scan", fixture(), "--prompt", "hello", value});
  EXPECT_EQ(r.code, 2);
  EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 300);
  r = run_cli({std::string(100000, 'x'), fixture()});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "unknown command");
  EXPECT_LT(r.err.size(), 1000u) << r.err.substr(0, 300);
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
  // One entry per layer for what may differ between layers.
  const json& per_layer = doc["architecture"]["per_layer"];
  EXPECT_EQ(per_layer["sliding_window"], json({0, 0, 0}));
  EXPECT_EQ(per_layer["rope_theta"], json({10000.0, 10000.0, 10000.0}));
  EXPECT_EQ(per_layer["qk_norm"], json({"none", "none", "none"}));
  EXPECT_EQ(doc["architecture"]["block"], "pre-norm");
}

// What the new architectures add: LongRoPE's factors and scale, per-head LayerNorms without the
// block norms' bias, and MoE weights that are not renormalized.
TEST(CliRuns, InspectJsonLongRopeHeadNormsAndMoe) {
  CliResult r = run_cli({"inspect", massact::testing::fixture_dir("phi3_f32"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json rope = json::parse(r.out)["architecture"]["positions"];
  EXPECT_EQ(rope["scaling"], "longrope");
  EXPECT_EQ(rope["long_factors"], json({1.0, 2.0, 4.0, 8.0}));
  EXPECT_EQ(rope["original_max_position_embeddings"], 32);
  r = run_cli({"inspect", massact::testing::fixture_dir("stablelm_qknorm_f32"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["architecture"]["per_layer"]["qk_norm"][0],
            "each head, own weights (no bias)");
  r = run_cli({"inspect", massact::testing::fixture_dir("qwen3moe_plain_f32"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["architecture"]["mlp"],
            "gated_silu, 4 experts, top 2 (weights not renormalized)");
}

}  // namespace
}  // namespace massact
