#include "vision/resample_weights.h"

#include <algorithm>
#include <cmath>

namespace massact {
namespace {

double bilinear_weight(double x) {
  x = std::fabs(x);
  return x < 1 ? 1 - x : 0;
}

double bicubic_weight(double x) {
  return keys_cubic(x, -0.5);
}

}  // namespace

double keys_cubic(double x, double a) {
  x = std::fabs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

AxisWeights antialiased_weights(int64_t in_size, int64_t out_size, Resample filter) {
  double (*weight)(double) = filter == Resample::Bilinear ? bilinear_weight : bicubic_weight;
  const double scale = double(in_size) / double(out_size);
  const double widening = std::max(scale, 1.0);  // a downscale widens the filter
  const double support = (filter == Resample::Bilinear ? 1.0 : 2.0) * widening;
  AxisWeights axis;
  axis.taps = int64_t(std::ceil(support)) * 2 + 1;
  axis.first.resize(out_size);
  axis.count.resize(out_size);
  axis.weights.assign(out_size * axis.taps, 0.0);
  for (int64_t o = 0; o < out_size; ++o) {
    double center = (o + 0.5) * scale;
    // Truncation toward zero, then clamping, as Pillow computes the window.
    int64_t lo = std::max<int64_t>(int64_t(center - support + 0.5), 0);
    int64_t hi = std::min<int64_t>(int64_t(center + support + 0.5), in_size);
    double* w = &axis.weights[o * axis.taps];
    double total = 0;
    for (int64_t i = 0; i < hi - lo; ++i)
      total += w[i] = weight((lo + i - center + 0.5) / widening);
    if (total != 0)
      for (int64_t i = 0; i < hi - lo; ++i) w[i] /= total;
    axis.first[o] = lo;
    axis.count[o] = hi - lo;
  }
  return axis;
}

}  // namespace massact
