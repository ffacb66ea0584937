#include "kernels/norm.h"

#include <cmath>

#include "kernels/threads.h"

namespace massact {

void rms_norm(const float* x, int64_t T, int64_t d, const Tensor& weight, double eps, double offset,
              float* y) {
  Tensor w = weight.to_f32();
  float* wv = w.f32();
  const int64_t k = w.numel() / d;  // weight rows, taken in turn
  // (offset + w) in f32 first, as Gemma's reference computes it; offset 0 leaves w exact.
  for (int64_t i = 0; i < w.numel(); ++i) wv[i] = float(offset) + wv[i];
#pragma omp parallel for schedule(static) if (T * d >= kMinParallelWork)
  for (int64_t t = 0; t < T; ++t) {
    const float* row = x + t * d;
    const float* wt = wv + (t % k) * d;
    float sum_sq = 0.0f;  // f32 accumulation, as transformers does (x.pow(2).mean in float32)
    for (int64_t i = 0; i < d; ++i) sum_sq += row[i] * row[i];
    const float inv = 1.0f / std::sqrt(sum_sq / float(d) + float(eps));
    float* out = y + t * d;
    for (int64_t i = 0; i < d; ++i) out[i] = wt[i] * (row[i] * inv);
  }
}

void layer_norm(const float* x, int64_t T, int64_t d, const Tensor& weight, const Tensor& bias,
                double eps, float* y) {
  Tensor w = weight.to_f32();
  Tensor b = bias.empty() ? Tensor() : bias.to_f32();
  const int64_t k = w.numel() / d;  // weight rows, taken in turn
#pragma omp parallel for schedule(static) if (T * d >= kMinParallelWork)
  for (int64_t t = 0; t < T; ++t) {
    const float* row = x + t * d;
    const float* wv = w.f32() + (t % k) * d;
    const float* bv = b.empty() ? nullptr : b.f32() + (t % k) * d;
    // Two passes in double: the variance of a row with a huge mean (a massive activation) loses
    // no precision, and the f32 result is as close to torch's as f32 allows.
    double mean = 0.0;
    for (int64_t i = 0; i < d; ++i) mean += row[i];
    mean /= double(d);
    double var = 0.0;
    for (int64_t i = 0; i < d; ++i) var += (row[i] - mean) * (row[i] - mean);
    var /= double(d);
    const float inv = float(1.0 / std::sqrt(var + eps));
    const float m = float(mean);
    float* out = y + t * d;
    for (int64_t i = 0; i < d; ++i) {
      out[i] = (row[i] - m) * inv * wv[i];
      if (bv) out[i] += bv[i];
    }
  }
}

}  // namespace massact
