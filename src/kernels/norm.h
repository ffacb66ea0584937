// Normalizations of the residual stream. x, y: (T, d) row-major f32, y may alias x; weight and
// bias: (d,) any float dtype, or (k, d) for rows that take their weights in turn: row t uses weight
// row t mod k (a norm of each attention head with its own weights, rows being (token, head)).
#pragma once

#include "core/tensor.h"

namespace massact {

// y = x / sqrt(mean(x^2) + eps) * (offset + weight), per row. Gemma stores w - 1: offset 1.
void rms_norm(const float* x, int64_t T, int64_t d, const Tensor& weight, double eps, double offset,
              float* y);

// y = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias, per row; `bias` may be empty.
void layer_norm(const float* x, int64_t T, int64_t d, const Tensor& weight, const Tensor& bias,
                double eps, float* y);

}  // namespace massact
