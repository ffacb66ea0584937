// Normalizations of the residual stream.
#pragma once

#include "core/tensor.h"

namespace massact {

// y = x / sqrt(mean(x^2) + eps) * weight, per row. x, y: (T, d); weight: (d,) any float dtype.
// y may alias x.
void rms_norm(const float* x, int64_t T, int64_t d, const Tensor& weight, double eps, float* y);

}  // namespace massact
