#include "vision/position_grid.h"

#include <algorithm>
#include <cmath>

namespace massact {
namespace {

// Keys' cubic convolution kernel with parameter a.
double cubic(double x, double a) {
  x = std::fabs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

// torch's plain bicubic: four taps around the source position scale * (o + 0.5) - 0.5, read with
// indices clamped to the edge.
GridAxis bicubic_axis(int64_t in_size, int64_t out_size) {
  const double scale = double(in_size) / double(out_size);
  GridAxis axis{4, std::vector<int64_t>(out_size), std::vector<double>(out_size * 4)};
  for (int64_t o = 0; o < out_size; ++o) {
    double source = scale * (o + 0.5) - 0.5;
    double base = std::floor(source), t = source - base;
    axis.first[o] = int64_t(base) - 1;
    for (int j = 0; j < 4; ++j) axis.weights[o * 4 + j] = cubic(t + 1 - j, -0.75);
  }
  return axis;
}

// torch's antialiased bicubic: Pillow's scheme (a = -0.5, the kernel widened by the shrink
// factor, weights normalized to sum to 1) without Pillow's 8-bit rounding.
GridAxis antialiased_axis(int64_t in_size, int64_t out_size) {
  const double scale = double(in_size) / double(out_size);
  const double widening = std::max(scale, 1.0);
  const double support = 2.0 * widening;
  GridAxis axis;
  axis.taps = int64_t(std::ceil(support)) * 2 + 1;
  axis.first.resize(out_size);
  axis.weights.assign(out_size * axis.taps, 0.0);
  for (int64_t o = 0; o < out_size; ++o) {
    double center = scale * (o + 0.5);
    int64_t lo = std::max<int64_t>(int64_t(center - support + 0.5), 0);
    int64_t hi = std::min<int64_t>(int64_t(center + support + 0.5), in_size);
    double* w = &axis.weights[o * axis.taps];
    double total = 0;
    for (int64_t j = 0; j < hi - lo; ++j)
      total += w[j] = cubic((lo + j - center + 0.5) / widening, -0.5);
    for (int64_t j = 0; j < hi - lo; ++j) w[j] /= total;
    axis.first[o] = lo;
  }
  return axis;
}

// Inputs past the edge read the edge (torch's clamping); a zero weight is never past it in the
// antialiased scheme, whose windows are clipped to the axis.
int64_t clamped(int64_t i, int64_t size) {
  return std::clamp<int64_t>(i, 0, size - 1);
}

}  // namespace

GridAxis grid_axis(int64_t in_size, int64_t out_size, GridResize mode) {
  return mode == GridResize::Bicubic ? bicubic_axis(in_size, out_size)
                                     : antialiased_axis(in_size, out_size);
}

std::vector<float> resize_position_grid(const float* grid, int64_t rows, int64_t cols, int64_t dim,
                                        int64_t new_rows, int64_t new_cols, GridResize mode) {
  const GridAxis along_rows = grid_axis(rows, new_rows, mode);
  const GridAxis along_cols = grid_axis(cols, new_cols, mode);
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
