// Elementwise activations of the MLP.
#pragma once

#include <cstdint>

namespace massact {

// gate[i] = silu(gate[i]) * up[i] for i < n: the gated MLP's hidden activation, in place.
void silu_mul(float* gate, const float* up, int64_t n);

}  // namespace massact
