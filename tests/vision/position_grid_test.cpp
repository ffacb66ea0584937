// Position-embedding grids resized as torch.nn.functional.interpolate does in transformers'
// DINOv2 (bicubic) and DINOv2-with-registers (bicubic, antialiased): against the `positions`
// each fixture's reference recorded (tests/reference/make_vit_fixtures.py).
#include "vision/position_grid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "float_bounds.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact {
namespace {

struct Case {
  const char* fixture;
  int64_t grid, new_grid;  // square patch grids
  GridResize mode;
};

// Two sources of disagreement, each bounded for both sides and doubled:
// - the sums: float32 over all taps (rows of columns), within gamma(taps) of the exact weighted
//   sum, plus 4 roundings per weight product;
// - the weights: torch computes the source coordinate scale * (o + 0.5) - 0.5 in float32, off by
//   up to 2u (in_size + 1), and the kernel's slope is at most 1.5, so each weight may be off by
//   3u (in_size + 1) absolutely, plus 8u for evaluating and normalizing it.
double bound(const AxisWeights& rows, const AxisWeights& cols, int64_t r, int64_t c, int64_t k,
             const float* grid, int64_t size, int64_t dim) {
  const double weight_error = testing::kUnitRoundoffF32 * (3.0 * (size + 1) + 8);
  double product_sum = 0, weight_sum = 0;
  for (int64_t i = 0; i < rows.taps; ++i) {
    for (int64_t j = 0; j < cols.taps; ++j) {
      int64_t sr = std::clamp<int64_t>(rows.first[r] + i, 0, size - 1);
      int64_t sc = std::clamp<int64_t>(cols.first[c] + j, 0, size - 1);
      double wr = std::fabs(rows.weights[r * rows.taps + i]);
      double wc = std::fabs(cols.weights[c * cols.taps + j]);
      double x = std::fabs(grid[(sr * size + sc) * dim + k]);
      product_sum += wr * wc * x;
      weight_sum += (wr + wc + weight_error) * x;
    }
  }
  return 2 *
         (testing::gamma_f32(rows.taps + cols.taps + 4) * product_sum + weight_error * weight_sum);
}

TEST(PositionGrid, ResizesAsTransformersDoes) {
  const Case cases[] = {{"dinov2_interp_f32", 8, 6, GridResize::Bicubic},
                        {"dinov2_registers_f32", 8, 6, GridResize::BicubicAntialiased},
                        {"dinov2_f32", 4, 4, GridResize::Bicubic}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.fixture);
    const std::string dir = testing::fixture_dir(c.fixture);
    Tensor table =
        SafetensorsFile::open(dir + "/model.safetensors").get("embeddings.position_embeddings");
    Tensor expected = SafetensorsFile::open(dir + "/reference.safetensors").get("positions");
    const int64_t dim = table.dim(-1);
    const float* grid = table.f32() + dim;  // row 0 is the class token's, never resized
    std::vector<float> resized =
        resize_position_grid(grid, c.grid, c.grid, dim, c.new_grid, c.new_grid, c.mode);
    ASSERT_EQ(int64_t(resized.size()) + dim, expected.numel());
    const AxisWeights axis = grid_axis(c.grid, c.new_grid, c.mode);
    int64_t outside = 0;
    for (int64_t p = 0; p < c.new_grid * c.new_grid; ++p) {
      for (int64_t k = 0; k < dim; ++k) {
        double diff = std::fabs(resized[p * dim + k] - expected.f32()[(1 + p) * dim + k]);
        outside += diff > bound(axis, axis, p / c.new_grid, p % c.new_grid, k, grid, c.grid, dim);
      }
    }
    EXPECT_EQ(outside, 0) << "of " << resized.size() << " values";
  }
}

TEST(PositionGrid, TheSameSizeIsTheIdentity) {
  std::vector<float> grid(5 * 3 * 2);
  for (size_t i = 0; i < grid.size(); ++i) grid[i] = std::sin(float(i));
  for (GridResize mode : {GridResize::Bicubic, GridResize::BicubicAntialiased}) {
    EXPECT_EQ(resize_position_grid(grid.data(), 5, 3, 2, 5, 3, mode), grid);
  }
}

}  // namespace
}  // namespace massact
