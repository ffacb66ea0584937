// Elementwise activations of the MLP.
#pragma once

#include <cstdint>

#include "model/model_spec.h"

namespace massact {

// x[i] = act(x[i]) for i < n, in place. GeluTanh is GPT-2's gelu_new (= torch's tanh
// approximation).
void activate(Activation act, float* x, int64_t n);

// x[i] *= y[i] for i < n: the gated MLP's act(gate) * up.
void multiply_into(float* x, const float* y, int64_t n);

}  // namespace massact
