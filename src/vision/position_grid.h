// Resizing a vision transformer's learned position embeddings to another patch grid, for images
// of a size the model was not trained at (DINOv2 is trained at 518 x 518 pixels and run at 224).
// The embeddings of a (rows, cols) grid are resized as a (dim)-channel image, bicubically, the
// way each family's transformers code calls torch.nn.functional.interpolate.
#pragma once

#include <cstdint>
#include <vector>

#include "vision/resample_weights.h"

namespace massact {

enum class GridResize {
  Bicubic,             // interpolate(mode="bicubic", align_corners=False): Keys a = -0.75
  BicubicAntialiased,  // the same with antialias=True: a = -0.5, widened when shrinking
};

// grid: (rows * cols, dim) row-major, a row per patch position. Returns (new_rows * new_cols, dim).
std::vector<float> resize_position_grid(const float* grid, int64_t rows, int64_t cols, int64_t dim,
                                        int64_t new_rows, int64_t new_cols, GridResize mode);

// One axis's weights (inputs before 0 or past the end read the edge, as torch clamps them).
// Exposed so that tests can bound the arithmetic.
AxisWeights grid_axis(int64_t in_size, int64_t out_size, GridResize mode);

}  // namespace massact
