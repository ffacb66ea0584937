// The weights of separable resampling, in the scheme Pillow uses to resize images and torch's
// antialiased interpolate uses to resize position grids: for each output position, a window of
// input positions around its centre, the filter widened by the shrink factor (antialiasing), the
// weights normalized to sum to 1. resample.h rounds them to Pillow's fixed point; position_grid.h
// uses them as they are.
#pragma once

#include <cstdint>
#include <vector>

namespace massact {

// The filters Pillow numbers 2 and 3 (bicubic: Keys' cubic with a = -0.5).
enum class Resample { Bilinear, Bicubic };

// Keys' cubic convolution kernel with parameter a.
double keys_cubic(double x, double a);

// For one axis: output position o reads inputs first[o] .. first[o] + count[o] - 1 with weights
// weights[o * taps + j], zero past count[o].
struct AxisWeights {
  int64_t taps = 0;             // weights per output position, the widest window
  std::vector<int64_t> first;   // (out)
  std::vector<int64_t> count;   // (out)
  std::vector<double> weights;  // (out, taps)
};

// The windows lie inside [0, in_size).
AxisWeights antialiased_weights(int64_t in_size, int64_t out_size, Resample filter);

}  // namespace massact
