#include "kernels/softmax_exp.h"

#include <cstring>

namespace massact {

namespace {
// e^x for x <= 0 (the header says how, and how accurately); branch-free so that loops of it
// vectorize.
inline float exp_nonpositive(float x) {
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kLn2Hi = 0.693359375f;  // 9 significant bits: n * kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 0x1.8p23f;  // adding it rounds to an integer, to nearest
  // NaN is clamped too, so that int32_t(n) below always converts a number in range.
  const float clamped = x >= -87.0f ? x : -87.0f;
  const float n = (clamped * kLog2e + kRound) - kRound;
  const float r = (clamped - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (int32_t(n) + 127) << 23;  // 2^n, n in [-126, 0]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x >= -87.0f ? p * scale : x < -87.0f ? 0.0f : x;  // a NaN score stays NaN
}
}  // namespace

float row_max(const float* x, int64_t n) {
  float m = x[0];
#pragma omp simd reduction(max : m)
  for (int64_t j = 1; j < n; ++j) m = m > x[j] ? m : x[j];
  return m;
}

float exp_shifted(const float* x, int64_t n, float m, float* out) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (int64_t j = 0; j < n; ++j) {
    out[j] = exp_nonpositive(x[j] - m);
    sum += out[j];
  }
  return sum;
}

}  // namespace massact
