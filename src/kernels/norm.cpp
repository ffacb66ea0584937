#include "kernels/norm.h"

#include <cmath>

#include "kernels/threads.h"

namespace massact {

void rms_norm(const float* x, int64_t T, int64_t d, const Tensor& weight, double eps, float* y) {
  Tensor w = weight.to_f32();
  const float* wv = w.f32();
#pragma omp parallel for schedule(static) if (T * d >= kMinParallelWork)
  for (int64_t t = 0; t < T; ++t) {
    const float* row = x + t * d;
    float sum_sq = 0.0f;  // f32 accumulation, as transformers does (x.pow(2).mean in float32)
    for (int64_t i = 0; i < d; ++i) sum_sq += row[i] * row[i];
    const float inv = 1.0f / std::sqrt(sum_sq / float(d) + float(eps));
    float* out = y + t * d;
    for (int64_t i = 0; i < d; ++i) out[i] = wv[i] * (row[i] * inv);
  }
}

}  // namespace massact
