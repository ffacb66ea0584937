// The study commands on the planted model with an outlier feature (tests/analysis/planted_model.h):
// every default layer follows the massive activations (layer 1), not the outlier feature (layer 0,
// dim kOutlierDim), which gets its own table; --include-outlier-features gives back the criterion
// alone; --csv prints the same tables as CSV; intervene runs only the passes asked for.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "analysis/planted_model.h"
#include "cli/run_cli.h"
#include "io/json_file.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::PlantedModel;
using testing::run_cli;

class OutlierCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::temp_dir("OutlierCommands");
    planted_ = new PlantedModel(testing::write_planted_model(dir, true));
    text_ = testing::write_planted_text(dir);
  }
  static void TearDownTestSuite() { delete planted_; }

  static json run_json(std::vector<std::string> args) {
    args.push_back("--json");
    auto r = run_cli(args);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0 ? json::parse(r.out) : json();
  }
  static std::vector<std::string> data() {
    return {"--text-file", text_, "--num-seqs", "3", "--seq-len", "48"};
  }
  static std::vector<std::string> with(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  static PlantedModel* planted_;
  static std::string text_;
};
PlantedModel* OutlierCommands::planted_ = nullptr;
std::string OutlierCommands::text_;

TEST_F(OutlierCommands, ScanReportsTheOutlierFeatureApart) {
  json doc = run_json(with({"scan", planted_->dir}, data()));
  EXPECT_EQ(doc["result"]["first_layer"], 1);
  ASSERT_EQ(doc["result"]["outlier_features"].size(), 1u);
  const json& feature = doc["result"]["outlier_features"][0];
  EXPECT_EQ(feature["dim"], PlantedModel::kOutlierDim);
  EXPECT_EQ(feature["max_share"], 1.0);
  EXPECT_EQ(feature["layers"].size(), 3u);
  for (const auto& row : doc["result"]["fingerprint"])
    EXPECT_EQ(row["kind"], row["dim"] == PlantedModel::kOutlierDim ? "outlier-feature" : "massive");
  json all = run_json(with({"scan", planted_->dir, "--include-outlier-features"}, data()));
  EXPECT_EQ(all["result"]["first_layer"], 0);
  // One sequence: every flagged token carries its text and role.
  json one = run_json({"scan", planted_->dir, "--prompt", "A cat. A dog."});
  EXPECT_EQ(one["result"]["first_layer"], 1);
  for (const auto& a : one["result"]["massive"]) {
    EXPECT_TRUE(a.contains("token_text"));
    EXPECT_TRUE(a.contains("role"));
  }
}

TEST_F(OutlierCommands, DefaultLayersFollowTheMassiveActivations) {
  EXPECT_EQ(run_json(with({"profile", planted_->dir}, data()))["result"]["top_view_layer"], 1);
  EXPECT_EQ(run_json(with({"profile", planted_->dir, "--include-outlier-features"},
                          data()))["result"]["top_view_layer"],
            0);
  json decompose = run_json(with({"decompose", planted_->dir}, data()));
  EXPECT_EQ(decompose["protocol"]["layer"], 2);
  EXPECT_EQ(decompose["result"]["sequences_with_massive"], 3);
  json intervene = run_json({"intervene", planted_->dir, "--eval-text", text_, "--seq-len", "64",
                             "--num-seqs", "3", "--calib-seq-len", "40", "--mode", "zero"});
  EXPECT_EQ(intervene["protocol"]["layer"], 1);
  ASSERT_EQ(intervene["result"]["rows"].size(), 1u);  // only the pass asked for
  EXPECT_EQ(intervene["result"]["rows"][0]["mode"], "zero");
  EXPECT_GT(intervene["result"]["rows"][0]["outlier_features_left"].get<int64_t>(), 0);
  json attention = run_json(with({"attention", planted_->dir}, data()));
  const json& heatmap = attention["result"]["heatmap"];
  EXPECT_EQ(heatmap["shape"], json::array({3, 32, 32}));
  ASSERT_EQ(heatmap["token_labels"].size(), 32u);
  EXPECT_EQ(heatmap["token_labels"][0]["role"], "first");
  // C holds BOS and the "." tokens, not every token (the outlier feature is on all of them).
  EXPECT_LT(heatmap["massive_tokens"].size(), 10u);
  EXPECT_EQ(heatmap["massive_tokens"][0], 0);
}

TEST_F(OutlierCommands, InterveneRunsTheAskedModes) {
  json doc = run_json({"intervene", planted_->dir, "--eval-text", text_, "--seq-len", "64",
                       "--num-seqs", "3", "--calib-seq-len", "40", "--mode", "original,mean"});
  const json& rows = doc["result"]["rows"];
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["mode"], "original");
  EXPECT_EQ(rows[1]["mode"], "mean");
  // Calibration and evaluation windows both start with BOS, so every flagged activation's role
  // has a calibration mean: nothing is left.
  EXPECT_EQ(rows[1]["without_mean"], json::array());
  EXPECT_EQ(rows[1]["left_without_mean"], 0);
  EXPECT_GT(rows[1]["edited"].get<int64_t>(), 0);
  EXPECT_EQ(doc["protocol"]["calibration"]["tokens_per_sequence"], 40);
}

// The CSV lines of the table after "# NAME", up to the blank line that ends it.
std::vector<std::string> csv_table(const std::string& out, const std::string& name) {
  std::istringstream in(out);
  std::vector<std::string> lines;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "# " + name)
      inside = true;
    else if (inside && line.empty())
      break;
    else if (inside)
      lines.push_back(line);
  }
  return lines;
}

TEST_F(OutlierCommands, CsvPrintsTheSameTables) {
  auto r = run_cli(with({"scan", planted_->dir, "--csv"}, data()));
  ASSERT_EQ(r.code, 0) << r.err;
  const auto massive = csv_table(r.out, "massive"), outliers = csv_table(r.out, "outlier_features");
  ASSERT_FALSE(massive.empty());
  EXPECT_EQ(massive[0], "layer,,dim,role,in seqs,mean value,mean ratio");
  for (size_t i = 1; i < massive.size(); ++i)
    EXPECT_EQ(massive[i].rfind("1,layer 2 output,7,", 0) == 0 ||
                  massive[i].rfind("2,layer 3 output,7,", 0) == 0,
              true)
        << massive[i];
  ASSERT_EQ(outliers.size(), 4u);  // the header and one row per layer
  EXPECT_EQ(outliers[1], "11,0,layer 1 output,100.00%");

  // A token text with a comma and quotes is quoted.
  auto tokens = run_cli({"tokenize", planted_->dir, "--text", "a, \"b\"", "--csv"});
  ASSERT_EQ(tokens.code, 0) << tokens.err;
  EXPECT_NE(tokens.out.find(",\"\"\",\"\"\",word\n"), std::string::npos)
      << tokens.out;  // """,""",word

  auto intervene = run_cli({"intervene", planted_->dir, "--eval-text", text_, "--seq-len", "64",
                            "--num-seqs", "3", "--calib-seq-len", "40", "--csv"});
  ASSERT_EQ(intervene.code, 0) << intervene.err;
  const auto rows = csv_table(intervene.out, "perplexity");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0], "activations,perplexity,edited,left (no mean)");
  EXPECT_EQ(rows[1].rfind("original,", 0), 0u);
  const auto left = csv_table(intervene.out, "left_without_mean");
  ASSERT_EQ(left.size(), 1u);  // the header: nothing left (see InterveneRunsTheAskedModes)
  EXPECT_EQ(left[0], "mode,layer,dim,role,left (no calibration mean)");

  EXPECT_EQ(run_cli(with({"scan", planted_->dir, "--csv", "--json"}, data())).code, 2);
}

}  // namespace
}  // namespace massact
