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

// The weights rounded half away from zero to fixed point: (out, taps), as AxisWeights lays them.
std::vector<int32_t> fixed_point(const AxisWeights& axis) {
  std::vector<int32_t> fixed(axis.weights.size());
  for (size_t i = 0; i < fixed.size(); ++i) {
    double scaled = axis.weights[i] * (1 << kPrecisionBits);
    fixed[i] = int32_t(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  }
  return fixed;
}

uint8_t to_u8(int32_t sum) {
  return uint8_t(std::clamp(sum >> kPrecisionBits, 0, 255));  // arithmetic shift: a floor
}

// One channel value of output position o: the weighted sum of `count` inputs `stride` bytes apart.
uint8_t filtered(const AxisWeights& axis, const std::vector<int32_t>& fixed, int64_t o,
                 const uint8_t* in, int64_t stride) {
  const int32_t* k = &fixed[o * axis.taps];
  int32_t sum = 1 << (kPrecisionBits - 1);  // rounds the final shift to nearest
  for (int64_t i = 0; i < axis.count[o]; ++i) sum += int32_t(in[i * stride]) * k[i];
  return to_u8(sum);
}

RgbImage resize_rows(const RgbImage& in, int64_t width, Resample filter) {
  const AxisWeights axis = antialiased_weights(in.width, width, filter);
  const std::vector<int32_t> fixed = fixed_point(axis);
  RgbImage out{in.height, width, std::vector<uint8_t>(in.height * width * 3)};
  for (int64_t y = 0; y < in.height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      for (int c = 0; c < 3; ++c) {
        out.pixels[(y * width + x) * 3 + c] =
            filtered(axis, fixed, x, in.pixel(y, axis.first[x]) + c, 3);
      }
    }
  }
  return out;
}

RgbImage resize_columns(const RgbImage& in, int64_t height, Resample filter) {
  const AxisWeights axis = antialiased_weights(in.height, height, filter);
  const std::vector<int32_t> fixed = fixed_point(axis);
  RgbImage out{height, in.width, std::vector<uint8_t>(height * in.width * 3)};
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < in.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        out.pixels[(y * in.width + x) * 3 + c] =
            filtered(axis, fixed, y, in.pixel(axis.first[y], x) + c, in.width * 3);
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

RgbImage resize(const RgbImage& image, int64_t height, int64_t width, Resample filter) {
  RgbImage out = width == image.width ? image : resize_rows(image, width, filter);
  return height == image.height ? out : resize_columns(out, height, filter);
}

}  // namespace massact
