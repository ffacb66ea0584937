// The command line on vision transformers: forward --image dumps hook points on the token axis
// [class, registers..., patches] with the model's outputs, bad images and mismatched inputs exit 2
// naming what is wrong, and commands that need a causal decoder refuse an encoder.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "analysis/planted_vit.h"
#include "cli/run_cli.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::CliResult;
using testing::fixture_dir;
using testing::run_cli;

std::string image(const std::string& name) {
  return fixture_dir("images") + "/" + name;
}

float max_abs_diff(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.shape(), want.shape());
  if (got.shape() != want.shape()) return INFINITY;
  const Tensor g = got.to_f32(), w = want.to_f32();
  float worst = 0.0f;
  for (int64_t i = 0; i < g.numel(); ++i)
    worst = std::max(worst, std::fabs(g.f32()[i] - w.f32()[i]));
  return worst;
}

// The fixture's reference was computed on rgb.png through the fixture's own processor, so the
// whole command (decode, preprocess, forward) is checked against transformers: pixel values
// within 1e-5 as the processor tests, hidden states and logits within 1e-4 as the parity tests.
TEST(ImageCommands, ForwardDumpsHooksOnTheImageTokenAxis) {
  const std::string out = testing::temp_dir() + "/acts.safetensors";
  for (const std::string name : {"vit_cls_f32", "dinov2_registers_f32"}) {
    const std::string dir = fixture_dir(name);
    const CliResult r = run_cli({"forward", dir, "--image", image("rgb.png"), "--hooks",
                                 "blocks.*.hook_resid_post", "--out", out});
    ASSERT_EQ(r.code, 0) << r.err;
    const SafetensorsFile got = SafetensorsFile::open(out);
    const SafetensorsFile ref = SafetensorsFile::open(dir + "/reference.safetensors");
    EXPECT_LE(max_abs_diff(got.get("pixel_values"), ref.get("pixel_values")), 1e-5f) << name;
    EXPECT_LE(max_abs_diff(got.get("blocks.1.hook_resid_post"), ref.get("resid_post.1")), 1e-4f)
        << name;
    if (ref.find("logits"))
      EXPECT_LE(max_abs_diff(got.get("logits"), ref.get("logits")), 1e-4f);
    else
      EXPECT_LE(max_abs_diff(got.get("pooled"), ref.get("pooled")), 1e-4f);
    EXPECT_EQ(got.find("input_ids"), nullptr);
    EXPECT_CONTAINS(got.metadata().at("token_axis"), "class token");
  }
  const SafetensorsFile reg = SafetensorsFile::open(out);  // the last run: dinov2_registers_f32
  EXPECT_CONTAINS(reg.metadata().at("token_axis"), "4 registers, 6 x 6 patches in row-major order");
}

TEST(ImageCommands, InputsOfTheWrongKindExitTwo) {
  const std::string vit = fixture_dir("vit_f32"), out = testing::temp_dir() + "/x.safetensors";
  CliResult r = run_cli({"forward", vit, "--prompt", "hello", "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "vision transformer");
  r = run_cli({"forward", fixture_dir("llama_f32"), "--image", image("rgb.png"), "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "reads text, not images");
  r = run_cli({"forward", vit, "--image", image("rgb.png"), "--token-ids", "1,2", "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "not both");
  r = run_cli({"forward", vit, "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "expected --image or --image-dir");
}

// decode and preprocessing refuse them before anything is sized from the header (the image
// reader's limits, io/image_file.h); the command exits 2 naming the file and the reason.
TEST(ImageCommands, BadImagesExitTwoNamingTheFile) {
  const std::string out = testing::temp_dir() + "/x.safetensors";
  const char* cases[][2] = {
      {"truncated.png", "truncated"},
      {"truncated.jpg", "Premature end of JPEG file"},
      {"zero_width.png", "Image width is zero"},
      {"huge.png", "size 100000 x 100000 is above massact's limit"},
      {"huge.jpg", "is above massact's limit"},
      {"cmyk.jpg", "4 colour channels"},
      {"not_an_image.png", "expected a PNG or JPEG file"},
  };
  for (const auto& [file, reason] : cases) {
    const std::string path = image("bad/") + file;
    const CliResult r = run_cli({"forward", fixture_dir("vit_f32"), "--image", path, "--out", out});
    EXPECT_EQ(r.code, 2) << file;
    EXPECT_CONTAINS(r.err, path);
    EXPECT_CONTAINS(r.err, reason);
  }
}

TEST(ImageCommands, CommandsThatNeedADecoderRefuseAnEncoder) {
  const std::string vit = fixture_dir("vit_f32");
  const std::string text = testing::temp_dir() + "/t.txt";
  { std::ofstream(text) << "some text to score"; }
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"generate", vit, "--token-ids", "1,2"},
        std::vector<std::string>{"perplexity", vit, "--text-file", text}}) {
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.code, 2) << args[0];
    EXPECT_CONTAINS(r.err, args[0] + " needs a causal (decoder) model");
    EXPECT_CONTAINS(r.err, "vision transformer");
  }
}

// The studies take --image and --image-dir in place of text: scan names the planted register by
// role and index, and its fingerprint over a folder holds that register in every image.
TEST(ImageCommands, StudiesRunOnImages) {
  const std::string dir = testing::temp_dir();
  const testing::PlantedVit planted = testing::write_planted_vit(dir);
  const std::string folder = testing::write_image_folder(dir);

  CliResult r = run_cli({"scan", planted.dir, "--image", image("rgb.png"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  json doc = parse_json(r.out, "scan");
  ASSERT_EQ(doc["result"]["massive"].size(), 2u) << r.out;
  for (const json& row : doc["result"]["massive"]) {
    EXPECT_EQ(row["role"], "register");
    EXPECT_EQ(row["register"], testing::PlantedVit::kRegister);
    EXPECT_EQ(row["dim"], testing::PlantedVit::kDim);
  }

  r = run_cli({"scan", planted.dir, "--image", image("rgb.png")});  // the tables say "image"
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(r.out, "(1 image of ");
  EXPECT_CONTAINS(r.out, "in at least half the images");
  r = run_cli({"decompose", planted.dir, "--image-dir", folder});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_CONTAINS(r.out, "6 of 6 images have massive tokens");

  r = run_cli({"scan", planted.dir, "--image-dir", folder, "--num-images", "4", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  doc = parse_json(r.out, "scan");
  EXPECT_EQ(doc["protocol"]["images"], 4);
  ASSERT_EQ(doc["result"]["fingerprint"].size(), 2u) << r.out;
  for (const json& row : doc["result"]["fingerprint"]) {
    EXPECT_EQ(row["role"], "register");
    EXPECT_EQ(row["fraction_of_sequences"], 1.0);
  }

  for (const char* command : {"profile", "stats", "attention", "decompose"}) {
    r = run_cli({command, planted.dir, "--image-dir", folder, "--json"});
    EXPECT_EQ(r.code, 0) << command << ": " << r.err;
  }
  r = run_cli({"attention", planted.dir, "--image-dir", folder, "--json"});
  doc = parse_json(r.out, "attention");
  EXPECT_EQ(doc["protocol"]["burn_in"], 0);  // every query of an encoder sees every key
  const json& head = doc["result"]["layers"][1]["heads"][0]["on_role"];
  EXPECT_NEAR(
      head["cls"].get<double>() + head["register"].get<double>() + head["patch"].get<double>(), 1.0,
      1e-5);
}

// An option that the inputs given do not use is refused, naming it, rather than ignored: text
// options with images, --num-images without --image-dir, intervene's perplexity options with
// images.
TEST(ImageCommands, OptionsThatDoNotApplyToTheInputExitTwo) {
  const std::string dir = testing::temp_dir();
  const std::string folder = testing::write_image_folder(dir, true);
  const std::string vit = fixture_dir("vit_f32"), llama = fixture_dir("llama_f32");
  const std::string text = dir + "/t.txt";
  { std::ofstream(text) << "some text to score, long enough for a window or two of tokens"; }
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> said;
  };
  const std::vector<Case> cases = {
      {{"scan", vit, "--image", image("rgb.png"), "--num-seqs", "3"},
       {"--num-seqs: a text option", "(--image)"}},
      {{"profile", vit, "--image-dir", folder, "--seq-len", "16", "--seed", "3"},
       {"--seq-len, --seed: text options", "(--image-dir)"}},
      {{"stats", vit, "--image-dir", folder, "--text-file", text}, {"--text-file"}},
      {{"attention", vit, "--image", image("rgb.png"), "--prompt", "hi"}, {"--prompt"}},
      {{"decompose", vit, "--image-dir", folder, "--max-windows", "2"}, {"--max-windows"}},
      {{"scan", vit, "--image", image("rgb.png"), "--num-images", "2"},
       {"--num-images", "--image runs one image"}},
      {{"scan", llama, "--prompt", "hi", "--num-images", "2"}, {"--num-images", "not given"}},
      {{"intervene", vit, "--image-dir", folder, "--num-seqs", "3", "--calib-seq-len", "8"},
       {"--num-seqs, --calib-seq-len: text options", "(--image-dir)"}},
      {{"intervene", vit, "--image-dir", folder, "--seq-len", "8"}, {"--seq-len"}},
      {{"intervene", llama, "--eval-text", text, "--num-images", "2"},
       {"--num-images: for images"}},
      {{"intervene", llama, "--eval-text", text, "--calib-image-dir", folder},
       {"--calib-image-dir: for images"}},
  };
  for (const Case& c : cases) {
    const CliResult r = run_cli(c.args);
    EXPECT_EQ(r.code, 2) << c.args[0] << " " << c.args[3] << ": " << r.err;
    for (const std::string& s : c.said) EXPECT_CONTAINS(r.err, s);
  }
}

TEST(ImageCommands, InspectDescribesTheVisionSpec) {
  const CliResult r = run_cli({"inspect", fixture_dir("dinov2_registers_cls_f32"), "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = parse_json(r.out, "inspect");
  EXPECT_EQ(doc["architecture"]["vocab_size"], 0);
  const json& vision = doc["architecture"]["vision"];
  EXPECT_EQ(vision["registers"], 4);
  EXPECT_EQ(vision["patch_size"], 4);
  EXPECT_EQ(vision["labels"], 3);
  EXPECT_EQ(vision["resizes_positions"], true);
}

TEST(ImageCommands, InterveneReportsTopOneAccuracy) {
  const std::string dir = testing::temp_dir();
  const testing::PlantedVit planted = testing::write_planted_vit(dir, true);
  const std::string folder = testing::write_image_folder(dir, true);
  CliResult r = run_cli({"intervene", planted.dir, "--image-dir", folder, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = parse_json(r.out, "intervene");
  std::map<std::string, double> top1;
  for (const json& row : doc["result"]["rows"]) top1[row["mode"]] = row["top1"].get<double>();
  EXPECT_EQ(top1, (std::map<std::string, double>{
                      {"original", 1.0}, {"zero", 0.0}, {"mean", 1.0}, {"fix-reg-mean", 1.0}}));
  EXPECT_EQ(doc["protocol"]["layer"], 0);

  r = run_cli({"intervene", fixture_dir("vit_f32"), "--image-dir", folder});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "needs an image classifier");
  r = run_cli(
      {"intervene", fixture_dir("vit_cls_f32"), "--image-dir", folder, "--mode", "fix-reg-mean"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "has no register tokens");
}

}  // namespace
}  // namespace massact
