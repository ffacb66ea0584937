// Preprocessing against transformers' image processors (tests/fixtures/images, made by
// tests/reference/make_image_fixtures.py): ViT, CLIP and Bit (DINOv2) configurations, up- and
// downscaling, bilinear and bicubic, a crop larger than the image.
//
// The bound is zero. Resizing is Pillow's integer arithmetic, replayed exactly; rescaling is one
// float64 product rounded to float32 and normalizing one float32 subtraction and one division,
// the same IEEE operations numpy performs, so every pixel value is bit-identical (the issue asked
// for 1e-5 at most).
#include "vision/image_processor.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::fixture_dir;
using testing::temp_dir;

const char* kImages[] = {"rgb.png",   "grey.png",  "rgba.png",        "palette.png",
                         "rgb16.png", "photo.jpg", "progressive.jpg", "grey.jpg"};
const char* kProcessors[] = {"vit_down", "vit_up", "clip", "clip_crop_larger", "bit"};

TEST(ImageProcessor, PixelValuesEqualTransformers) {
  const std::string dir = fixture_dir("images");
  auto reference = SafetensorsFile::open(dir + "/reference.safetensors");
  for (const char* processor : kProcessors) {
    ImageProcessorConfig config = read_image_processor_config(dir + "/" + processor + ".json");
    for (const char* name : kImages) {
      SCOPED_TRACE(std::string(processor) + " on " + name);
      Tensor pixels = preprocess_image(read_image(dir + "/" + name), config);
      Tensor expected = reference.get(std::string("pixels.") + processor + "." + name);
      ASSERT_EQ(pixels.shape(), expected.shape());
      int differing = 0;
      for (int64_t i = 0; i < pixels.numel(); ++i)
        differing += pixels.f32()[i] != expected.f32()[i];
      EXPECT_EQ(differing, 0) << "of " << pixels.numel() << " values";
    }
  }
}

// Each vision fixture's preprocessor_config.json, as save_pretrained wrote it, gives the
// pixel_values its reference was computed from (tests/reference/make_vit_fixtures.py).
TEST(ImageProcessor, VisionFixturesConfigsGiveTheirReferencePixels) {
  const RgbImage image = read_image(fixture_dir("images") + "/rgb.png");
  for (const char* fixture : {"vit_f32", "vit_cls_f32", "clip_vision_f32", "dinov2_f32",
                              "dinov2_interp_f32", "dinov2_swiglu_f32", "dinov2_registers_f32"}) {
    SCOPED_TRACE(fixture);
    const std::string dir = fixture_dir(fixture);
    Tensor pixels =
        preprocess_image(image, read_image_processor_config(dir + "/preprocessor_config.json"));
    Tensor expected = SafetensorsFile::open(dir + "/reference.safetensors").get("pixel_values");
    ASSERT_EQ(pixels.shape(), expected.shape());
    EXPECT_EQ(std::memcmp(pixels.raw(), expected.raw(), pixels.nbytes()), 0);
  }
}

std::string config_error(const std::string& text) {
  const std::string path = temp_dir() + "/preprocessor_config.json";
  std::ofstream(path) << text;
  try {
    read_image_processor_config(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ImageProcessor, BadConfigsNameTheField) {
  EXPECT_CONTAINS(config_error(R"({"image_processor_type": "SiglipImageProcessor"})"),
                  "field 'image_processor_type': expected ViTImageProcessor");
  EXPECT_CONTAINS(config_error(R"({"image_processor_type": "ViTImageProcessor", "resample": 1})"),
                  "field 'resample': Pillow filter 1 (lanczos) is not one massact implements");
  EXPECT_CONTAINS(
      config_error(
          R"({"image_processor_type": "ViTImageProcessor", "size": {"height": 0, "width": 4}})"),
      "field 'size.height': expected a positive integer");
  EXPECT_CONTAINS(
      config_error(
          R"({"image_processor_type": "CLIPImageProcessor", "size": {"longest_edge": 9}})"),
      "field 'size': expected an integer");
  EXPECT_CONTAINS(config_error(R"({"image_processor_type": "ViTImageProcessor", "size": 100000})"),
                  "field 'size': expected at most 32768");
  EXPECT_CONTAINS(
      config_error(R"({"image_processor_type": "ViTImageProcessor", "image_std": [1, 0, 1]})"),
      "field 'image_std': expected finite non-zero numbers");
  EXPECT_CONTAINS(
      config_error(R"({"image_processor_type": "ViTImageProcessor", "image_mean": [1, 2]})"),
      "field 'image_mean': expected a number or a list of 3 numbers");
}

TEST(ImageProcessor, OldFeatureExtractorNamesAndIntegerSizesReadAsTransformersDoes) {
  const std::string path = temp_dir() + "/preprocessor_config.json";
  std::ofstream(path)
      << R"({"feature_extractor_type": "CLIPFeatureExtractor", "size": 20, "crop_size": 16})";
  ImageProcessorConfig clip = read_image_processor_config(path);
  EXPECT_EQ(clip.shortest_edge, 20);  // CLIP reads a bare size as its shorter side
  EXPECT_EQ(clip.crop_height, 16);
  EXPECT_EQ(clip.crop_width, 16);
  std::ofstream(path) << R"({"image_processor_type": "ViTImageProcessor", "size": 20})";
  ImageProcessorConfig vit = read_image_processor_config(path);
  EXPECT_EQ(vit.resize_height, 20);  // ViT reads it as a square
  EXPECT_EQ(vit.resize_width, 20);
  EXPECT_EQ(vit.shortest_edge, 0);
}

}  // namespace
}  // namespace massact
