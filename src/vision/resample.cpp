#include "vision/resample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace massact {
namespace {

// Pillow's fixed-point weights for 8-bit images: 22 fractional bits leave room for 255 times a
// sum of weights a little above 1 in a signed 32-bit accumulator.
constexpr int kPrecisionBits = 32 - 8 - 2;

double bilinear_weight(double x) {
  x = std::fabs(x);
  return x < 1 ? 1 - x : 0;
}

// Keys' cubic with a = -0.5, Pillow's choice.
double bicubic_weight(double x) {
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

struct Filter {
  double (*weight)(double);
  double support;  // half-width in input pixels at scale 1
};

Filter filter_of(Resample resample) {
  return resample == Resample::Bilinear ? Filter{bilinear_weight, 1.0}
                                        : Filter{bicubic_weight, 2.0};
}

// For every output position along one axis: the input positions it reads and their weights.
struct AxisWeights {
  int64_t taps = 0;              // weights per output position, the widest window
  std::vector<int64_t> first;    // (out) first input position read
  std::vector<int64_t> count;    // (out) input positions read
  std::vector<int32_t> weights;  // (out, taps) fixed point, zero past count
};

int32_t fixed_point(double weight) {
  double scaled = weight * (1 << kPrecisionBits);
  return int32_t(weight < 0 ? scaled - 0.5 : scaled + 0.5);  // rounds half away from zero
}

AxisWeights axis_weights(int64_t in_size, int64_t out_size, Filter filter) {
  double scale = double(in_size) / double(out_size);
  double widening = std::max(scale, 1.0);  // a downscale widens the filter: antialiasing
  double support = filter.support * widening;
  AxisWeights axis;
  axis.taps = int64_t(std::ceil(support)) * 2 + 1;
  axis.first.resize(out_size);
  axis.count.resize(out_size);
  axis.weights.assign(out_size * axis.taps, 0);
  std::vector<double> w(axis.taps);
  for (int64_t o = 0; o < out_size; ++o) {
    double center = (o + 0.5) * scale;
    // Truncation toward zero, then clamping, as Pillow computes the window.
    int64_t lo = std::max<int64_t>(int64_t(center - support + 0.5), 0);
    int64_t hi = std::min<int64_t>(int64_t(center + support + 0.5), in_size);
    double total = 0;
    for (int64_t i = 0; i < hi - lo; ++i) {
      w[i] = filter.weight((lo + i - center + 0.5) / widening);
      total += w[i];
    }
    for (int64_t i = 0; i < hi - lo; ++i) {
      axis.weights[o * axis.taps + i] = fixed_point(total != 0 ? w[i] / total : w[i]);
    }
    axis.first[o] = lo;
    axis.count[o] = hi - lo;
  }
  return axis;
}

uint8_t to_u8(int32_t sum) {
  return uint8_t(std::clamp(sum >> kPrecisionBits, 0, 255));  // arithmetic shift: a floor
}

// One channel value of output position o: the weighted sum of `count` inputs `stride` bytes apart.
uint8_t filtered(const AxisWeights& axis, int64_t o, const uint8_t* in, int64_t stride) {
  const int32_t* k = &axis.weights[o * axis.taps];
  int32_t sum = 1 << (kPrecisionBits - 1);  // rounds the final shift to nearest
  for (int64_t i = 0; i < axis.count[o]; ++i) sum += int32_t(in[i * stride]) * k[i];
  return to_u8(sum);
}

RgbImage resize_rows(const RgbImage& in, int64_t width, Filter filter) {
  AxisWeights axis = axis_weights(in.width, width, filter);
  RgbImage out{in.height, width, std::vector<uint8_t>(in.height * width * 3)};
  for (int64_t y = 0; y < in.height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        out.pixels[(y * width + x) * 3 + c] = filtered(axis, x, in.pixel(y, axis.first[x]) + c, 3);
      }
    }
  }
  return out;
}

RgbImage resize_columns(const RgbImage& in, int64_t height, Filter filter) {
  AxisWeights axis = axis_weights(in.height, height, filter);
  RgbImage out{height, in.width, std::vector<uint8_t>(height * in.width * 3)};
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < in.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        out.pixels[(y * in.width + x) * 3 + c] =
            filtered(axis, y, in.pixel(axis.first[y], x) + c, in.width * 3);
      }
    }
  }
  return out;
}

}  // namespace

Resample resample_from_pillow(int value, const std::string& where) {
  if (value == 2) return Resample::Bilinear;
  if (value == 3) return Resample::Bicubic;
  static const char* kNames[] = {"nearest", "lanczos", "bilinear", "bicubic", "box", "hamming"};
  std::string name = value >= 0 && value <= 5 ? str_cat(" (", kNames[value], ")") : "";
  throw_input_error(where, ": field 'resample': Pillow filter ", value, name,
                    " is not one massact implements; expected 2 (bilinear) or 3 (bicubic)");
}

RgbImage resize(const RgbImage& image, int64_t height, int64_t width, Resample resample) {
  Filter filter = filter_of(resample);
  RgbImage out = width == image.width ? image : resize_rows(image, width, filter);
  return height == image.height ? out : resize_columns(out, height, filter);
}

}  // namespace massact
