// `massact report` end to end on the planted model (tests/analysis/planted_model.h): every study's
// JSON, every figure as a valid PNG and SVG, a page that references only files that exist, and a
// verdict that names what was planted.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "analysis/planted_model.h"
#include "cli/run_cli.h"
#include "io/json_file.h"
#include "report/html.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class ReportCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::temp_dir("ReportCommand");
    planted_ = new testing::PlantedModel(testing::write_planted_model(dir));
    std::string text;
    for (int i = 0; i < 40; ++i)
      text += "Once upon a time there was a cat. It liked to play in the sun.\n";
    const std::string text_file = dir + "/text.txt";
    std::ofstream(text_file) << text;
    out_ = dir + "/report";
    result_ = new testing::CliResult(
        testing::run_cli({"report", planted_->dir, "--text-file", text_file, "--out", out_,
                          "--prompt", "Once upon a time. There was a cat.", "--num-seqs", "3",
                          "--seq-len", "24", "--eval-seq-len", "24", "--max-windows", "3"}));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete planted_;
  }

  static testing::PlantedModel* planted_;
  static testing::CliResult* result_;
  static std::string out_;
};
testing::PlantedModel* ReportCommand::planted_ = nullptr;
testing::CliResult* ReportCommand::result_ = nullptr;
std::string ReportCommand::out_;

TEST_F(ReportCommand, WritesEveryStudysJson) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  for (const char* study : {"scan", "profile", "stats", "intervene", "attention", "decompose"}) {
    const json doc = read_json_file(out_ + "/" + study + ".json");
    EXPECT_EQ(doc["schema"]["name"], std::string("massact.") + study);
  }
}

TEST_F(ReportCommand, EveryFigureIsAValidPngAndSvg) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  int figures = 0;
  for (const auto& entry : fs::directory_iterator(out_)) {
    if (entry.path().extension() != ".gp") continue;
    ++figures;
    const std::string png = read_file(fs::path(entry.path()).replace_extension(".png"));
    ASSERT_GT(png.size(), 8u) << entry.path();
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << entry.path();
    const std::string svg = read_file(fs::path(entry.path()).replace_extension(".svg"));
    EXPECT_NE(svg.find("<svg"), std::string::npos) << entry.path();
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << entry.path() << " is cut short";
  }
  EXPECT_EQ(figures,
            6);  // landscape, layer profile, attention mass, logits, probabilities, value updates
}

TEST_F(ReportCommand, ThePageReferencesOnlyFilesThatExist) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  const std::string html = read_file(out_ + "/index.html");
  const std::regex reference(R"re((?:src|href)="([^"]+)")re");
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    seen.insert((*it)[1]);
    EXPECT_TRUE(fs::is_regular_file(out_ + "/" + (*it)[1].str())) << (*it)[1];
  }
  EXPECT_EQ(seen.size(), 12u);  // each figure's PNG and SVG
  EXPECT_EQ(html.find("http"), std::string::npos) << "the page must open offline";
}

TEST_F(ReportCommand, TheVerdictNamesThePlantedActivations) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  const std::string html = read_file(out_ + "/index.html");
  const size_t begin = html.find("<ul class=\"verdict\">"), end = html.find("</ul>", begin);
  ASSERT_NE(begin, std::string::npos);
  const std::string verdict = html.substr(begin, end - begin);
  // Planted in the MLP of layer 0, on BOS and ".", in dim kDim.
  EXPECT_CONTAINS(verdict, "Massive activations appear in layer 1 output");
  const std::string dim = "dim " + std::to_string(testing::PlantedModel::kDim) + ": ";
  EXPECT_CONTAINS(verdict, dim + "first-delimiter token");
  EXPECT_CONTAINS(verdict, "first token");
  EXPECT_NE(result_->out.find("wrote " + out_ + "/index.html"), std::string::npos);
}

TEST(ReportArguments, BadInputStopsBeforeAnyStudyRuns) {
  const std::string out = testing::temp_dir() + "/report";
  testing::CliResult r = testing::run_cli({"report", testing::fixture_dir("llama_f32"),
                                           "--text-file", "/nonexistent.txt", "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--text-file");
  EXPECT_EQ(r.out.find("== scan =="), std::string::npos) << "no study may run: " << r.out;
  r = testing::run_cli({"report", testing::fixture_dir("llama_f32"), "--out", "/proc/report"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--out /proc/report");
}

TEST(ReportHtml, EscapesWhatAPageWouldReadAsMarkup) {
  EXPECT_EQ(html_escape("<b>\"a\" & 'b'</b>"),
            "&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt;");
}

}  // namespace
}  // namespace massact
