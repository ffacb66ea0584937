// The stream entering a vision transformer's first block: the image's patches embedded (the
// Conv2d as a linear map, patches.h), a class token before them and register tokens (DINOv2 with
// registers) between the two, plus learned position embeddings on the class token and the
// patches (registers have none), resized to the image's patch grid when it is not the trained one.
#pragma once

#include <optional>

#include "core/tensor.h"
#include "vision/patches.h"
#include "vision/position_grid.h"

namespace massact {

struct ImageEmbedding {
  int64_t patch_size = 0;
  Tensor patch;       // (d_model, C, p, p), the Conv2d's kernel
  Tensor patch_bias;  // (d_model,) or empty (CLIP)
  Tensor cls;         // d_model elements
  Tensor registers;   // n_registers * d_model elements, or empty
  Tensor positions;   // (1 + side * side) * d_model: the class token's, then a square grid's
  // How a grid other than the trained one is fitted; none: the image must be the trained size.
  std::optional<GridResize> resize;
};

// (1 + rows * cols, d_model): the class token's position, then the grid's resized to `grid`.
// InputError when the grid differs and the family does not resize.
Tensor image_positions(const ImageEmbedding& e, const PatchGrid& grid);

// pixels (C, H, W) f32 -> (1 + n_registers + rows * cols, d_model) f32, the token axis [class
// token, registers..., patches in row-major order].
Tensor embed_image(const ImageEmbedding& e, const Tensor& pixels);

}  // namespace massact
