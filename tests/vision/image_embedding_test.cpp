// The image embedding (image_embedding.h) against what transformers computed on the fixtures'
// image (tests/reference/make_vit_fixtures.py): the position embeddings fitted to the image's
// grid and the stream entering block 0, within 1e-4 as the model parity tests. CLIP's stream is
// recorded after its pre-LayerNorm, which the test applies.
#include "vision/image_embedding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <ostream>

#include "core/error.h"
#include "io/json_file.h"
#include "io/safetensors.h"
#include "kernels/norm.h"
#include "test_paths.h"

namespace massact {
namespace {

struct Case {
  std::string fixture;
  std::string prefix;  // of the embedding tensors' names
  std::optional<GridResize> resize;
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.fixture;
}

// The fixture's embedding, named as transformers saves each family.
ImageEmbedding load_embedding(const Case& c, const SafetensorsFile& model, int64_t patch_size) {
  const std::string& p = c.prefix;
  ImageEmbedding e;
  e.patch_size = patch_size;
  e.resize = c.resize;
  if (c.fixture == "clip_vision_f32") {
    e.patch = model.get(p + "patch_embedding.weight");
    e.cls = model.get(p + "class_embedding");
    e.positions = model.get(p + "position_embedding.weight");
    return e;
  }
  e.patch = model.get(p + "patch_embeddings.projection.weight");
  e.patch_bias = model.get(p + "patch_embeddings.projection.bias");
  e.cls = model.get(p + "cls_token");
  e.positions = model.get(p + "position_embeddings");
  if (model.find(p + "register_tokens")) e.registers = model.get(p + "register_tokens");
  return e;
}

void expect_near(const Tensor& got, const Tensor& want, const char* what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  const Tensor w = want.to_f32();
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_NEAR(got.f32()[i], w.f32()[i], 1e-4) << what << " element " << i;
}

class ImageEmbeddingParity : public ::testing::TestWithParam<Case> {};

TEST_P(ImageEmbeddingParity, PositionsAndStreamMatchTransformers) {
  const Case& c = GetParam();
  const std::string dir = testing::fixture_dir(c.fixture);
  const json config = read_json_file(dir + "/config.json");
  const SafetensorsFile model = SafetensorsFile::open(dir + "/model.safetensors");
  const SafetensorsFile ref = SafetensorsFile::open(dir + "/reference.safetensors");
  const ImageEmbedding e = load_embedding(c, model, config["patch_size"].get<int64_t>());
  const Tensor pixels = ref.get("pixel_values").to_f32();  // (3, H, W)
  if (ref.find("positions")) {
    const PatchGrid grid = patch_grid(pixels.dim(1), pixels.dim(2), e.patch_size);
    expect_near(image_positions(e, grid), ref.get("positions"), "positions");
  }
  Tensor x = embed_image(e, pixels);
  if (c.fixture == "clip_vision_f32")
    layer_norm(x.f32(), x.dim(0), x.dim(1), model.get("vision_model.pre_layrnorm.weight"),
               model.get("vision_model.pre_layrnorm.bias"), config["layer_norm_eps"].get<double>(),
               x.f32());
  expect_near(x, ref.get("embed"), "embed");
}

INSTANTIATE_TEST_SUITE_P(
    Vision, ImageEmbeddingParity,
    ::testing::Values(Case{"vit_f32", "embeddings.", std::nullopt},
                      Case{"vit_cls_f32", "vit.embeddings.", std::nullopt},
                      Case{"clip_vision_f32", "vision_model.embeddings.", std::nullopt},
                      Case{"dinov2_f32", "embeddings.", GridResize::Bicubic},
                      Case{"dinov2_interp_f32", "embeddings.", GridResize::Bicubic},
                      Case{"dinov2_swiglu_f32", "embeddings.", GridResize::Bicubic},
                      Case{"dinov2_registers_f32", "embeddings.", GridResize::BicubicAntialiased}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.fixture; });

// A ViT runs at its trained size only: another grid is bad input, not a silently wrong table.
TEST(ImageEmbedding, AViTRefusesAnotherGrid) {
  const std::string dir = testing::fixture_dir("vit_f32");
  const SafetensorsFile model = SafetensorsFile::open(dir + "/model.safetensors");
  const ImageEmbedding e = load_embedding({"vit_f32", "embeddings.", std::nullopt}, model, 4);
  try {
    image_positions(e, PatchGrid{3, 4});
    FAIL() << "no InputError";
  } catch (const InputError& err) {
    EXPECT_NE(std::string(err.what()).find("expected 16 x 16"), std::string::npos) << err.what();
  }
}

}  // namespace
}  // namespace massact
