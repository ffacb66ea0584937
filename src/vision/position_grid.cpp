#include "vision/position_grid.h"

#include <algorithm>
#include <cmath>

namespace massact {
namespace {

// torch's plain bicubic: four taps around the source position scale * (o + 0.5) - 0.5, read with
// indices clamped to the edge.
AxisWeights bicubic_axis(int64_t in_size, int64_t out_size) {
  const double scale = double(in_size) / double(out_size);
  AxisWeights axis{4, std::vector<int64_t>(out_size), std::vector<int64_t>(out_size, 4),
                   std::vector<double>(out_size * 4)};
  for (int64_t o = 0; o < out_size; ++o) {
    double source = scale * (o + 0.5) - 0.5;
    double base = std::floor(source), t = source - base;
    axis.first[o] = int64_t(base) - 1;
    for (int j = 0; j < 4; ++j) axis.weights[o * 4 + j] = keys_cubic(t + 1 - j, -0.75);
  }
  return axis;
}

// Inputs past the edge read the edge (torch's clamping); a zero weight is never past it in the
// antialiased scheme, whose windows are clipped to the axis.
int64_t clamped(int64_t i, int64_t size) {
  return std::clamp<int64_t>(i, 0, size - 1);
}

}  // namespace

AxisWeights grid_axis(int64_t in_size, int64_t out_size, GridResize mode) {
  // torch's antialiased bicubic is Pillow's scheme without Pillow's 8-bit rounding.
  return mode == GridResize::Bicubic ? bicubic_axis(in_size, out_size)
                                     : antialiased_weights(in_size, out_size, Resample::Bicubic);
}

std::vector<float> resize_position_grid(const float* grid, int64_t rows, int64_t cols, int64_t dim,
                                        int64_t new_rows, int64_t new_cols, GridResize mode) {
  const AxisWeights along_rows = grid_axis(rows, new_rows, mode);
  const AxisWeights along_cols = grid_axis(cols, new_cols, mode);
  std::vector<float> out(new_rows * new_cols * dim, 0.0f);  // (new_rows * new_cols, dim)
  std::vector<float> row(dim);
  for (int64_t r = 0; r < new_rows; ++r) {
    for (int64_t c = 0; c < new_cols; ++c) {
      float* target = &out[(r * new_cols + c) * dim];
      for (int64_t i = 0; i < along_rows.taps; ++i) {
        const float wr = float(along_rows.weights[r * along_rows.taps + i]);
        if (wr == 0) continue;
        // One source row interpolated along the columns, then weighted into the output.
        std::fill(row.begin(), row.end(), 0.0f);
        const int64_t source_r = clamped(along_rows.first[r] + i, rows);
        for (int64_t j = 0; j < along_cols.taps; ++j) {
          const float wc = float(along_cols.weights[c * along_cols.taps + j]);
          if (wc == 0) continue;
          const float* source =
              &grid[(source_r * cols + clamped(along_cols.first[c] + j, cols)) * dim];
          for (int64_t k = 0; k < dim; ++k) row[k] += wc * source[k];
        }
        for (int64_t k = 0; k < dim; ++k) target[k] += wr * row[k];
      }
    }
  }
  return out;
}

}  // namespace massact
