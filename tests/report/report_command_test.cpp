// `massact report` end to end on the planted model (tests/analysis/planted_model.h): every study's
// JSON, every figure as a valid PNG and SVG, a page that references only files that exist, and a
// verdict that names what was planted; and the same on images, for the planted ViT
// (tests/analysis/planted_vit.h) and a committed DINOv2-with-registers fixture.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "analysis/planted_model.h"
#include "analysis/planted_vit.h"
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

const std::vector<std::string> kStudies = {"scan",      "profile",   "stats",
                                           "intervene", "attention", "decompose"};

// Each study's JSON document in `out`, by study name.
void expect_study_json(const std::string& out, const std::vector<std::string>& studies) {
  for (const std::string& study : studies) {
    const json doc = read_json_file(out + "/" + study + ".json");
    EXPECT_EQ(doc["schema"]["name"], "massact." + study);
  }
}

// Every figure in `out` (one .gp script each) as a valid PNG and SVG; returns how many.
int expect_valid_figures(const std::string& out) {
  int figures = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.path().extension() != ".gp") continue;
    ++figures;
    const std::string png = read_file(fs::path(entry.path()).replace_extension(".png"));
    EXPECT_GT(png.size(), 8u) << entry.path();
    EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << entry.path();
    const std::string svg = read_file(fs::path(entry.path()).replace_extension(".svg"));
    EXPECT_NE(svg.find("<svg"), std::string::npos) << entry.path();
    EXPECT_NE(svg.find("</svg>"), std::string::npos) << entry.path() << " is cut short";
  }
  return figures;
}

// The files that out/index.html references, each checked to exist; and that it opens offline.
std::set<std::string> expect_page_references_exist(const std::string& out) {
  const std::string html = read_file(out + "/index.html");
  const std::regex reference(R"re((?:src|href)="([^"]+)")re");
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), reference);
       it != std::sregex_iterator(); ++it) {
    seen.insert((*it)[1]);
    EXPECT_TRUE(fs::is_regular_file(out + "/" + (*it)[1].str())) << (*it)[1];
  }
  EXPECT_EQ(html.find("http"), std::string::npos) << "the page must open offline";
  return seen;
}

// The verdict list of out/index.html.
std::string verdict_of(const std::string& out) {
  const std::string html = read_file(out + "/index.html");
  const size_t begin = html.find("<ul class=\"verdict\">"), end = html.find("</ul>", begin);
  EXPECT_NE(begin, std::string::npos);
  return begin == std::string::npos ? "" : html.substr(begin, end - begin);
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
  expect_study_json(out_, kStudies);
}

TEST_F(ReportCommand, EveryFigureIsAValidPngAndSvg) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  // landscape, layer profile, attention mass, logits, probabilities, value updates
  EXPECT_EQ(expect_valid_figures(out_), 6);
}

TEST_F(ReportCommand, ThePageReferencesOnlyFilesThatExist) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  EXPECT_EQ(expect_page_references_exist(out_).size(), 12u);  // each figure's PNG and SVG
}

TEST_F(ReportCommand, TheVerdictNamesThePlantedActivations) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  const std::string verdict = verdict_of(out_);
  // Planted in the MLP of layer 0, on BOS and ".", in dim kDim.
  EXPECT_CONTAINS(verdict, "Massive activations appear in layer 1 output");
  const std::string dim = "dim " + std::to_string(testing::PlantedModel::kDim) + ": ";
  EXPECT_CONTAINS(verdict, dim + "first-delimiter token");
  EXPECT_CONTAINS(verdict, "first token");
  EXPECT_CONTAINS(verdict, "moves perplexity from");
  EXPECT_NE(result_->out.find("wrote " + out_ + "/index.html"), std::string::npos);
}

// The report of the planted ViT (a classifier, labelled images): the same studies on images.
class ImageReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = testing::temp_dir("ImageReport");
    const testing::PlantedVit planted = testing::write_planted_vit(dir, true);
    const std::string folder = testing::write_image_folder(dir, true);
    out_ = dir + "/report";
    result_ = new testing::CliResult(
        testing::run_cli({"report", planted.dir, "--image-dir", folder, "--out", out_}));
  }
  static void TearDownTestSuite() { delete result_; }

  static testing::CliResult* result_;
  static std::string out_;
};
testing::CliResult* ImageReport::result_ = nullptr;
std::string ImageReport::out_;

TEST_F(ImageReport, WritesEveryStudysJsonFiguresAndPage) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  expect_study_json(out_, kStudies);
  EXPECT_EQ(expect_valid_figures(out_), 6);
  EXPECT_EQ(expect_page_references_exist(out_).size(), 12u);
  EXPECT_EQ(read_json_file(out_ + "/profile.json")["protocol"]["images"], 6);
}

// Every block's output holds the planted value at register kRegister, dim kDim, and nowhere else.
TEST_F(ImageReport, TheJsonNamesThePlantedRegister) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  const json scan = read_json_file(out_ + "/scan.json");
  ASSERT_EQ(scan["result"]["massive"].size(), 2u);  // one per layer
  for (const json& row : scan["result"]["massive"]) {
    EXPECT_EQ(row["role"], "register");
    EXPECT_EQ(row["register"], testing::PlantedVit::kRegister);
    EXPECT_EQ(row["dim"], testing::PlantedVit::kDim);
  }
  const json stats = read_json_file(out_ + "/stats.json");
  ASSERT_EQ(stats["result"]["massive"].size(), 2u);
  for (const json& row : stats["result"]["massive"]) {
    EXPECT_EQ(row["role"], "register");
    EXPECT_EQ(row["dim"], testing::PlantedVit::kDim);
    EXPECT_EQ(row["count"], 6);  // every image
  }
}

// Zeroing the planted value flips every image to the other class; its mean and Fix-Reg-Mean keep
// them (planted_vit.h says why), and the page says so with the accuracy table.
TEST_F(ImageReport, TopOneAccuracyTakesThePlaceOfPerplexity) {
  ASSERT_EQ(result_->code, 0) << result_->err;
  const json intervene = read_json_file(out_ + "/intervene.json");
  std::map<std::string, double> top1;
  for (const json& row : intervene["result"]["rows"]) top1[row["mode"]] = row["top1"].get<double>();
  EXPECT_EQ(top1, (std::map<std::string, double>{
                      {"original", 1.0}, {"zero", 0.0}, {"mean", 1.0}, {"fix-reg-mean", 1.0}}));
  const std::string verdict = verdict_of(out_);
  EXPECT_CONTAINS(verdict, "Massive activations appear in layer 1 output");
  EXPECT_CONTAINS(verdict, "dim " + std::to_string(testing::PlantedVit::kDim) + ": register token");
  EXPECT_CONTAINS(verdict, "top-1 accuracy over 6 images from 100% to 0%");
  EXPECT_CONTAINS(verdict, "(Fix-Reg-Mean) gives 100%");
  const std::string html = read_file(out_ + "/index.html");
  EXPECT_CONTAINS(html, "Table 3: top-1 accuracy over 6 images");
  EXPECT_CONTAINS(html, "do not apply here: a vision transformer predicts no next token");
  EXPECT_EQ(html.find("<th>perplexity</th>"), std::string::npos);
}

// A committed fixture (random weights, so no massive activations) on a labelled folder of the
// committed images, and a model without a classifier, whose report leaves intervene out and says
// why.
TEST(ImageReportFixtures, RunOnACommittedModelWithAndWithoutAClassifier) {
  const std::string dir = testing::temp_dir();
  const std::string folder = dir + "/images", images = testing::fixture_dir("images");
  const char* files[][2] = {{"cat", "rgb.png"},   {"cat", "grey.png"},
                            {"dog", "photo.jpg"}, {"dog", "palette.png"},
                            {"fish", "rgba.png"}, {"fish", "progressive.jpg"}};
  for (const auto& [label, file] : files) {
    fs::create_directories(folder + "/" + label);
    fs::copy_file(images + "/" + file, folder + "/" + label + "/" + file);
  }
  std::string out = dir + "/registers";
  testing::CliResult r =
      testing::run_cli({"report", testing::fixture_dir("dinov2_registers_cls_f32"), "--image-dir",
                        folder, "--num-images", "3", "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  expect_study_json(out, kStudies);
  EXPECT_EQ(expect_valid_figures(out), 6);
  EXPECT_EQ(expect_page_references_exist(out).size(), 12u);
  const json intervene = read_json_file(out + "/intervene.json");
  EXPECT_EQ(intervene["protocol"]["images"], 3);  // one of each class
  std::set<std::string> modes;
  for (const json& row : intervene["result"]["rows"]) modes.insert(row["mode"]);
  EXPECT_EQ(modes, (std::set<std::string>{"original", "zero", "mean", "fix-reg-mean"}));

  out = dir + "/no_classifier";
  r = testing::run_cli({"report", testing::fixture_dir("dinov2_registers_f32"), "--image-dir",
                        folder, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  expect_study_json(out, {"scan", "profile", "stats", "attention", "decompose"});
  EXPECT_FALSE(fs::exists(out + "/intervene.json"));
  EXPECT_CONTAINS(read_file(out + "/index.html"), "did not run: the model has no image classifier");
}

// Options for the other kind of input stop the report before any study runs.
TEST(ReportArguments, TheInputMustSuitTheModel) {
  const std::string out = testing::temp_dir() + "/report";
  const std::string vit = testing::fixture_dir("vit_f32"),
                    llama = testing::fixture_dir("llama_f32");
  const std::string folder = testing::write_image_folder(testing::temp_dir());
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> said;
  };
  const std::vector<Case> cases = {
      {{"report", vit, "--out", out}, {"vision transformer (vit)", "expected --image-dir"}},
      {{"report", vit, "--image-dir", folder, "--num-seqs", "3", "--out", out},
       {"--num-seqs: a text option", "(--image-dir)"}},
      {{"report", vit, "--image-dir", folder, "--prompt", "hi", "--seq-len", "8", "--out", out},
       {"--prompt, --seq-len: text options"}},
      {{"report", llama, "--image-dir", folder, "--out", out}, {"reads text, not images"}},
      {{"report", llama, "--num-images", "3", "--out", out}, {"--num-images", "not given"}},
      {{"report", vit, "--image-dir", "/no/such/folder", "--out", out}, {"/no/such/folder"}},
  };
  for (const Case& c : cases) {
    const testing::CliResult r = testing::run_cli(c.args);
    EXPECT_EQ(r.code, 2) << c.args[1] << ": " << r.err;
    for (const std::string& s : c.said) EXPECT_CONTAINS(r.err, s);
    EXPECT_EQ(r.out.find("== scan =="), std::string::npos) << "no study may run: " << r.out;
  }
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
