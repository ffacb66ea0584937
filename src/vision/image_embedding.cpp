#include "vision/image_embedding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/error.h"
#include "kernels/linear.h"

namespace massact {

namespace {
// The side of the trained square grid of a (1 + side * side, d) position table.
int64_t trained_side(int64_t grid_positions) {
  const auto side = int64_t(std::llround(std::sqrt(double(grid_positions))));
  if (side * side != grid_positions)
    throw std::logic_error("image_positions: the position grid is not square");
  return side;
}
}  // namespace

Tensor image_positions(const ImageEmbedding& e, const PatchGrid& grid) {
  const int64_t d = e.patch.dim(0);
  const Tensor table = e.positions.to_f32();  // (1 + side * side, d)
  const int64_t side = trained_side(table.numel() / d - 1);
  Tensor out = Tensor::zeros(DType::F32, {1 + grid.count(), d});
  if (grid.rows == side && grid.cols == side) {
    std::copy_n(table.f32(), table.numel(), out.f32());
    return out;
  }
  if (!e.resize)
    throw_input_error("image: ", grid.rows * e.patch_size, " x ", grid.cols * e.patch_size,
                      " pixels of patches, expected ", side * e.patch_size, " x ",
                      side * e.patch_size,
                      " (the size the model was trained at; this family does "
                      "not resize its position embeddings)");
  const std::vector<float> resized =
      resize_position_grid(table.f32() + d, side, side, d, grid.rows, grid.cols, *e.resize);
  std::copy_n(table.f32(), d, out.f32());  // the class token's position is not resized
  std::copy(resized.begin(), resized.end(), out.f32() + d);
  return out;
}

Tensor embed_image(const ImageEmbedding& e, const Tensor& pixels) {
  const int64_t d = e.patch.dim(0);
  const Tensor patches = image_patches(pixels, e.patch_size);  // (N, C * p * p)
  const PatchGrid grid = patch_grid(pixels.dim(1), pixels.dim(2), e.patch_size);
  const int64_t n = patches.dim(0), width = patches.dim(1);
  if (e.patch.numel() != d * width)
    throw std::logic_error("embed_image: the patch kernel does not match the image's channels");
  const int64_t n_registers = e.registers.empty() ? 0 : e.registers.numel() / d;
  Tensor out = Tensor::zeros(DType::F32, {1 + n_registers + n, d});
  float* x = out.f32();
  float* patch_rows = x + (1 + n_registers) * d;  // (N, d)
  WeightScratch scratch;
  linear(patches.f32(), n, e.patch.reshaped({d, width}), e.patch_bias, patch_rows, scratch);
  const Tensor positions = image_positions(e, grid);  // (1 + N, d)
  const float* pos = positions.f32();
  e.cls.to_f32_into(x);
  for (int64_t c = 0; c < d; ++c) x[c] += pos[c];
  if (n_registers > 0) e.registers.to_f32_into(x + d);
  for (int64_t i = 0; i < n * d; ++i) patch_rows[i] += pos[d + i];
  return out;
}

}  // namespace massact
