// Resizing a vision transformer's learned position embeddings to another patch grid, for images
// of a size the model was not trained at (DINOv2 is trained at 518 x 518 pixels and run at 224).
// The embeddings of a (rows, cols) grid are resized as a (dim)-channel image, bicubically, the
// way each family's transformers code calls torch.nn.functional.interpolate.
#pragma once

#include <cstdint>
#include <vector>

namespace massact {

enum class GridResize {
  Bicubic,             // interpolate(mode="bicubic", align_corners=False): Keys a = -0.75
  BicubicAntialiased,  // the same with antialias=True: a = -0.5, widened when shrinking
};

// grid: (rows * cols, dim) row-major, a row per patch position. Returns (new_rows * new_cols, dim).
std::vector<float> resize_position_grid(const float* grid, int64_t rows, int64_t cols, int64_t dim,
                                        int64_t new_rows, int64_t new_cols, GridResize mode);

// For one axis: output position o reads inputs first[o] .. first[o] + taps - 1 (clamped to the
// axis) with weights[o * taps + j]. Exposed so that tests can bound the arithmetic.
struct GridAxis {
  int64_t taps = 0;
  std::vector<int64_t> first;   // (out)
  std::vector<double> weights;  // (out, taps)
};
GridAxis grid_axis(int64_t in_size, int64_t out_size, GridResize mode);

}  // namespace massact
