// y = x W^T (+ b): the matrix products of the forward pass, through BLAS.
// Weights stay in their file dtype, quantized ones included; a non-f32 weight is widened, a panel
// of rows at a time, into a reusable scratch just before its GEMM, so a bf16 or Q4_K model never
// holds more than one widened panel (kScratchFloats) at a time, however large its vocabulary.
#pragma once

#include <initializer_list>
#include <vector>

#include "core/tensor.h"

namespace massact {

// The widest panel, in floats: 8 MiB. Panels of a few thousand rows keep the GEMMs as fast as one
// whole-matrix call (measured in bench/README.md), and the memory of a model is its file size.
inline constexpr int64_t kScratchFloats = int64_t(1) << 21;

class WeightScratch {
 public:
  // Rows [begin, end) of a (rows, cols) weight as float32: the tensor's own memory if it is f32,
  // else a widened copy in the scratch, valid until the next call.
  const float* rows_f32(const Tensor& weight, int64_t begin, int64_t end);

 private:
  std::vector<float> buffer_;
};

// x: (T, in) row-major f32. weight: (out, in) any float dtype. bias: (out,) or empty. y: (T, out).
void linear(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
            WeightScratch& scratch);

// Several products of the same x (q, k and v; gate and up), each y exactly what linear() writes.
// For a few rows of x and quantized weights (kernels/quant_matvec.h) they run as one parallel
// pass; otherwise one after another (fusing the GEMMs would need the weights side by side in
// memory: bench/README.md has why that was not done).
struct LinearPart {
  const Tensor* weight;  // (out, in)
  const Tensor* bias;    // (out,) or empty
  float* y;              // (T, out)
};
void linear_group(const float* x, int64_t T, std::initializer_list<LinearPart> parts,
                  WeightScratch& scratch);

}  // namespace massact
