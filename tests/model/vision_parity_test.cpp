// Vision transformers against Hugging Face transformers, on the fixtures that
// tests/reference/make_vit_fixtures.py made (ViT with and without a classifier, CLIP's vision
// tower, DINOv2 plain, interpolated, SwiGLU and with registers): the stream entering block 0,
// every block's output and attention probabilities, the last hidden state, the pooled output and
// the logits, within 1e-4 as the text families (reference_parity_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "core/error.h"
#include "io/safetensors.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

constexpr float kTolerance = 1e-4f;

float max_abs_diff(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.shape(), want.shape());
  if (got.shape() != want.shape()) return INFINITY;
  const Tensor w = want.to_f32();
  float worst = 0.0f;
  for (int64_t i = 0; i < got.numel(); ++i)
    worst = std::max(worst, std::fabs(got.f32()[i] - w.f32()[i]));
  return worst;
}

class VisionParity : public ::testing::TestWithParam<std::string> {};

TEST_P(VisionParity, HiddenStatesPatternsPooledAndLogitsMatchTransformers) {
  const std::string dir = testing::fixture_dir(GetParam());
  const Model model = Model::load(dir);
  const SafetensorsFile ref = SafetensorsFile::open(dir + "/reference.safetensors");

  std::map<std::string, Tensor> seen;
  Hooks hooks;
  for (const char* pattern : {"hook_embed", "blocks.*.hook_resid_post",
                              "blocks.*.attn.hook_pattern", "ln_final.hook_normalized"})
    hooks.observe(pattern,
                  [&seen](const HookEvent& e, const Tensor& t) { seen[e.name] = t.to_f32(); });
  const ImageOutputs out = model.forward_image(ref.get("pixel_values"), hooks);

  float worst = 0.0f;
  auto diff = [&worst](const Tensor& got, const Tensor& want) {
    const float d = max_abs_diff(got, want);
    worst = std::max(worst, d);
    return d;
  };
  EXPECT_LE(diff(seen.at("hook_embed"), ref.get("embed")), kTolerance);
  for (int i = 0; i < model.spec().n_layers; ++i) {
    const std::string layer = std::to_string(i);
    EXPECT_LE(diff(seen.at("blocks." + layer + ".hook_resid_post"), ref.get("resid_post." + layer)),
              kTolerance)
        << "layer " << i;
    EXPECT_LE(diff(seen.at("blocks." + layer + ".attn.hook_pattern"), ref.get("pattern." + layer)),
              kTolerance)
        << "layer " << i;
  }
  EXPECT_LE(diff(seen.at("ln_final.hook_normalized"), ref.get("last_hidden")), kTolerance);
  if (ref.find("logits")) {
    EXPECT_LE(diff(out.logits, ref.get("logits")), kTolerance);
  } else {
    EXPECT_TRUE(out.logits.empty());
    EXPECT_LE(diff(out.pooled, ref.get("pooled")), kTolerance);
  }
  RecordProperty("max_abs_error", std::to_string(worst));
}

// Unwatched attention goes through the streamed kernel, all-to-all here; its result matches
// transformers as the materialized pattern's does.
TEST_P(VisionParity, StreamedAttentionMatchesTransformers) {
  const std::string dir = testing::fixture_dir(GetParam());
  const Model model = Model::load(dir);
  const SafetensorsFile ref = SafetensorsFile::open(dir + "/reference.safetensors");
  Tensor last;
  Hooks hooks;
  hooks.observe("ln_final.hook_normalized", [&](const HookEvent&, const Tensor& t) { last = t; });
  model.forward_image(ref.get("pixel_values"), hooks);
  EXPECT_LE(max_abs_diff(last, ref.get("last_hidden")), kTolerance);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VisionParity,
                         ::testing::Values("vit_f32", "vit_cls_f32", "dinov2_registers_cls_f32",
                                           "clip_vision_f32", "dinov2_f32", "dinov2_interp_f32",
                                           "dinov2_swiglu_f32", "dinov2_registers_f32",
                                           "vit_mae_f32"));

void expect_input_error(const std::function<void()>& run, const std::string& needle) {
  try {
    run();
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(VisionModel, HasNoVocabularyAndRefusesTokens) {
  const Model model = Model::load(testing::fixture_dir("vit_cls_f32"));
  EXPECT_EQ(model.spec().vocab_size, 0);
  EXPECT_TRUE(model.weights().embed.empty());
  EXPECT_EQ(model.spec().vision->labels, (std::vector<std::string>{"cat", "dog", "fish"}));
  expect_input_error([&] { model.forward(TokenIds{0, 1}); }, "reads images");
  expect_input_error([&] { model.next_token_nll(TokenIds{0, 1}, Hooks()); }, "causal");
  KvCache cache(model.spec().n_layers, model.spec().n_kv_heads, model.spec().head_dim);
  expect_input_error([&] { model.forward(TokenIds{0}, cache, LogitRows::Last); }, "causal");
}

TEST(VisionModel, RefusesPixelsOfTheWrongShape) {
  const Model model = Model::load(testing::fixture_dir("vit_f32"));
  expect_input_error(
      [&] {
        model.forward_image(Tensor::zeros(DType::F32, {1, 16, 16}), Hooks());
      },
      "expected (3, height, width)");
  expect_input_error(
      [&] {
        model.forward_image(Tensor::zeros(DType::F32, {3, 2, 2}), Hooks());
      },
      "patch");
  // ViT runs at its trained size only (image_embedding_test.cpp pins the message).
  expect_input_error(
      [&] {
        model.forward_image(Tensor::zeros(DType::F32, {3, 20, 16}), Hooks());
      },
      "expected 16 x 16");
}

TEST(VisionModel, ATextModelRefusesImages) {
  const Model model = Model::load(testing::fixture_dir("llama_f32"));
  expect_input_error(
      [&] {
        model.forward_image(Tensor::zeros(DType::F32, {3, 16, 16}), Hooks());
      },
      "not images");
}

}  // namespace
}  // namespace massact
