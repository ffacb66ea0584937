// y = x W^T (+ b): the matrix products of the forward pass, through BLAS.
// Weights stay in their file dtype; a non-f32 weight is widened into a reusable scratch buffer just
// before its GEMM, so a bf16 model never holds more than one widened matrix at a time.
#pragma once

#include <vector>

#include "core/tensor.h"

namespace massact {

class WeightScratch {
 public:
  // The weight as float32: the tensor's own bytes if it is f32, else a widened copy in the scratch.
  const float* f32(const Tensor& weight);

 private:
  std::vector<float> buffer_;
};

// x: (T, in) row-major f32. weight: (out, in) any float dtype. bias: (out,) or empty. y: (T, out).
void linear(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
            WeightScratch& scratch);

}  // namespace massact
