// Patch embedding as a matrix product over image_patches: ViT's embedding (class token and
// patches plus learned positions) against what transformers computed for the vit_f32 fixture.
#include "vision/patches.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "float_bounds.h"
#include "io/safetensors.h"
#include "kernels/linear.h"
#include "test_paths.h"

namespace massact {
namespace {

TEST(Patches, ViTEmbeddingIsTheirProductWithTheKernelPlusPositions) {
  const std::string dir = testing::fixture_dir("vit_f32");
  auto weights = SafetensorsFile::open(dir + "/model.safetensors");
  auto reference = SafetensorsFile::open(dir + "/reference.safetensors");
  Tensor kernel = weights.get("embeddings.patch_embeddings.projection.weight");  // (d, 3, p, p)
  Tensor bias = weights.get("embeddings.patch_embeddings.projection.bias");
  Tensor positions = weights.get("embeddings.position_embeddings");  // (1, 1 + patches, d)
  Tensor cls = weights.get("embeddings.cls_token");                  // (1, 1, d)
  Tensor embed = reference.get("embed");                             // (1 + patches, d)
  const int64_t d = kernel.dim(0), p = kernel.dim(2), k = kernel.numel() / d;

  Tensor patches = image_patches(reference.get("pixel_values"), p);  // (patches, 3 p p)
  ASSERT_EQ(patches.dim(0) + 1, embed.dim(0));
  std::vector<float> projected(patches.dim(0) * d);
  WeightScratch scratch;
  linear(patches.f32(), patches.dim(0), kernel.reshaped({d, k}), bias, projected.data(), scratch);

  int64_t outside = 0;
  for (int64_t j = 0; j < d; ++j) {
    EXPECT_EQ(embed.f32()[j], cls.f32()[j] + positions.f32()[j]);  // one addition, both sides
  }
  for (int64_t t = 0; t < patches.dim(0); ++t) {
    for (int64_t j = 0; j < d; ++j) {
      double abs_sum = std::fabs(bias.f32()[j]) + std::fabs(positions.f32()[(1 + t) * d + j]);
      for (int64_t i = 0; i < k; ++i) {
        abs_sum += std::fabs(patches.f32()[t * k + i] * kernel.f32()[j * k + i]);
      }
      double got = projected[t * d + j] + positions.f32()[(1 + t) * d + j];
      outside +=
          std::fabs(got - embed.f32()[(1 + t) * d + j]) > testing::dot_disagreement(k + 2, abs_sum);
    }
  }
  EXPECT_EQ(outside, 0);
}

TEST(Patches, AnImageSmallerThanAPatchIsRefused) {
  Tensor pixels = Tensor::zeros(DType::F32, {3, 3, 40});
  try {
    image_patches(pixels, 4);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_CONTAINS(e.what(), "an image of 40 x 3 pixels holds no whole 4 x 4 patch");
  }
}

}  // namespace
}  // namespace massact
