// The study commands end to end on the planted model (tests/analysis/planted_model.h): each runs,
// exits 0, and its JSON result reports what was planted.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "analysis/planted_model.h"
#include "cli/common.h"
#include "cli/run_cli.h"
#include "io/json_file.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::run_cli;

class StudyCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::temp_dir("StudyCommands");
    planted_ = new testing::PlantedModel(testing::write_planted_model(dir));
    text_ = testing::write_planted_text(dir);
  }
  static void TearDownTestSuite() { delete planted_; }

  static json run_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = run_cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0 ? json::parse(r.out) : json();
  }

  static testing::PlantedModel* planted_;
  static std::string text_;
};
testing::PlantedModel* StudyCommands::planted_ = nullptr;
std::string StudyCommands::text_;

TEST_F(StudyCommands, ScanOverDataGivesTheFingerprint) {
  json doc =
      run_json({"scan", planted_->dir, "--text-file", text_, "--num-seqs", "4", "--seq-len", "48"});
  EXPECT_EQ(doc["result"]["first_layer"], 0);
  EXPECT_EQ(doc["result"]["last_layer"], 2);
  for (const auto& row : doc["result"]["fingerprint"])
    EXPECT_EQ(row["dim"], testing::PlantedModel::kDim);
}

TEST_F(StudyCommands, ProfileStatsAndMeansFile) {
  json profile =
      run_json({"profile", planted_->dir, "--text-file", text_, "--num-seqs", "3", "--top", "5"});
  EXPECT_EQ(profile["result"]["first_layer"], 0);
  EXPECT_EQ(profile["result"]["layers"][0]["top"].size(), 5u);
  const std::string means = testing::temp_dir() + "/means.json";
  json stats = run_json(
      {"stats", planted_->dir, "--text-file", text_, "--num-seqs", "3", "--means-out", means});
  bool saw_first = false;
  for (const auto& row : stats["result"]["massive"])
    if (row["layer"] == 0 && row["role"] == "first") {
      saw_first = true;
      EXPECT_NEAR(row["mean"].get<double>(), planted_->bos_value, 1e-2);
      EXPECT_NEAR(row["std"].get<double>(), 0.0, 1e-3);
    }
  EXPECT_TRUE(saw_first);
  json intervene = run_json(
      {"intervene", planted_->dir, "--eval-text", text_, "--seq-len", "64", "--means", means});
  const auto& rows = intervene["result"]["rows"];
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0]["mode"], "original");
  EXPECT_GT(rows[1]["edited"].get<int64_t>(), 0);
  // Means restore the model almost exactly; not bit for bit, because a window that starts on "."
  // gives that token the role "first", whose mean is BOS's value.
  const double original = rows[0]["perplexity"], zero = rows[1]["perplexity"],
               mean = rows[2]["perplexity"];
  EXPECT_GT(std::fabs(zero - original), 1e-3);
  EXPECT_LT(std::fabs(mean - original), 0.01 * std::fabs(zero - original));

  // The same means on another model (the llama fixture: as many layers, other weights) are
  // refused before anything runs, naming the file and what differs.
  testing::CliResult other = run_cli({"intervene", testing::fixture_dir("llama_f32"), "--eval-text",
                                      text_, "--seq-len", "64", "--means", means});
  EXPECT_EQ(other.code, 2) << other.err;
  EXPECT_CONTAINS(other.err, means + ": field 'model.");
  EXPECT_CONTAINS(other.err, "the means were measured on");
}

// By default a perplexity run takes the first kDefaultEvalWindows windows, says so, and
// --max-windows 0 takes every window of the text (the paper's protocol).
TEST_F(StudyCommands, PerplexityTakesTheDefaultWindowsUnlessAskedForAll) {
  json sample = run_json({"perplexity", planted_->dir, "--text-file", text_, "--seq-len", "16"});
  const int64_t all = sample["result"]["text_windows"];
  const int64_t cut = cli::kDefaultEvalWindows;
  ASSERT_GT(all, cut) << "the planted text is too short to show the default cut";
  EXPECT_EQ(sample["result"]["windows"], cut);
  EXPECT_EQ(sample["protocol"]["max_windows"], cut);
  json whole = run_json(
      {"perplexity", planted_->dir, "--text-file", text_, "--seq-len", "16", "--max-windows", "0"});
  EXPECT_EQ(whole["result"]["windows"], all);
  EXPECT_EQ(whole["result"]["text_windows"], all);
  EXPECT_EQ(whole["result"]["scored_tokens"], all * 15);

  testing::CliResult table =
      run_cli({"perplexity", planted_->dir, "--text-file", text_, "--seq-len", "16"});
  EXPECT_CONTAINS(table.out, std::to_string(cut) + " of the text's " + std::to_string(all) +
                                 " windows (--max-windows 0: all)");
}

TEST_F(StudyCommands, InterveneCalibratesOnHeldOutText) {
  json doc = run_json({"intervene", planted_->dir, "--eval-text", text_, "--seq-len", "64",
                       "--num-seqs", "3", "--calib-seq-len", "40"});
  EXPECT_EQ(doc["result"]["layer_found_by_calibration"], 0);
  EXPECT_EQ(doc["result"]["rows"].size(), 3u);
}

TEST_F(StudyCommands, AttentionAndDecompose) {
  json attention = run_json(
      {"attention", planted_->dir, "--text-file", text_, "--num-seqs", "2", "--seq-len", "48"});
  EXPECT_EQ(attention["result"]["layers"].size(), 3u);
  EXPECT_FALSE(attention["result"]["heatmap"]["massive_tokens"].empty());
  json decompose = run_json({"decompose", planted_->dir, "--text-file", text_, "--num-seqs", "2",
                             "--seq-len", "48", "--eval-text", text_, "--eval-seq-len", "64"});
  EXPECT_EQ(decompose["protocol"]["layer"], 1);
  EXPECT_EQ(decompose["result"]["implicit_bias"].size(), 3u);
}

TEST_F(StudyCommands, BadOptionsExitTwo) {
  EXPECT_EQ(run_cli({"profile", planted_->dir, "--prompt", "hi", "--layer", "9"}).code, 2);
  EXPECT_EQ(run_cli({"intervene", planted_->dir, "--eval-text", text_, "--mode", "half"}).code, 2);
  EXPECT_EQ(run_cli({"intervene", planted_->dir, "--eval-text", text_, "--means", text_}).code, 2);
  EXPECT_EQ(run_cli({"scan", planted_->dir, "--prompt", "hi", "--num-seqs", "3"}).code, 2);
}

}  // namespace
}  // namespace massact
