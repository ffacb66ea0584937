#include "vision/patches.h"

#include <algorithm>

#include "core/error.h"

namespace massact {

PatchGrid patch_grid(int64_t height, int64_t width, int64_t patch_size) {
  PatchGrid grid{height / patch_size, width / patch_size};
  if (grid.count() == 0) {
    throw_input_error("an image of ", width, " x ", height, " pixels holds no whole ", patch_size,
                      " x ", patch_size, " patch");
  }
  return grid;
}

Tensor image_patches(const Tensor& pixels, int64_t patch_size) {
  const int64_t channels = pixels.dim(0), height = pixels.dim(1), width = pixels.dim(2);
  const PatchGrid grid = patch_grid(height, width, patch_size);
  const int64_t patch_len = channels * patch_size * patch_size;
  Tensor patches = Tensor::zeros(DType::F32, {grid.count(), patch_len});
  const float* in = pixels.f32();  // (C, H, W)
  float* out = patches.f32();      // (patches, C * p * p)
  for (int64_t r = 0; r < grid.rows; ++r) {
    for (int64_t c = 0; c < grid.cols; ++c) {
      float* patch = out + (r * grid.cols + c) * patch_len;
      for (int64_t ch = 0; ch < channels; ++ch) {
        for (int64_t dy = 0; dy < patch_size; ++dy) {
          const float* row = in + (ch * height + r * patch_size + dy) * width + c * patch_size;
          std::copy_n(row, patch_size, patch + (ch * patch_size + dy) * patch_size);
        }
      }
    }
  }
  return patches;
}

}  // namespace massact
