// A vision transformer reads an image as a sequence of patches: its patch embedding is a
// convolution whose kernel and stride are both the patch size, which is a matrix product of the
// flattened patches with the kernel reshaped to (d_model, channels * patch * patch).
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace massact {

struct PatchGrid {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t count() const { return rows * cols; }
};

// The grid of whole patches in an image of that size; pixels past the last whole patch are not
// read, as by the strided convolution. InputError when not even one patch fits.
PatchGrid patch_grid(int64_t height, int64_t width, int64_t patch_size);

// pixels: (C, H, W) float32. Returns (rows * cols, C * patch * patch): the patches in row-major
// order, each flattened channel by channel, then by row and column inside the patch, the order
// of a Conv2d kernel (d_model, C, patch, patch).
Tensor image_patches(const Tensor& pixels, int64_t patch_size);

}  // namespace massact
