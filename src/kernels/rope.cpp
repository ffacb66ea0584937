#include "kernels/rope.h"

#include <cmath>
#include <numbers>

#include "kernels/threads.h"

namespace massact {

namespace {

// LLaMA-3's frequency-dependent scaling: long wavelengths are divided by `factor`, short ones kept,
// and the band between is interpolated smoothly (as transformers' _compute_llama3_parameters).
float llama3_scale(float inv_freq, const RopeSpec& r) {
  const double old_ctx = double(r.original_max_positions);
  const double low_freq_wavelen = old_ctx / r.low_freq_factor;
  const double high_freq_wavelen = old_ctx / r.high_freq_factor;
  const double wavelen = 2 * std::numbers::pi / inv_freq;
  if (wavelen < high_freq_wavelen) return inv_freq;
  if (wavelen > low_freq_wavelen) return float(inv_freq / r.factor);
  const double smooth =
      (old_ctx / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
  return float((1 - smooth) * inv_freq / r.factor + smooth * inv_freq);
}

}  // namespace

std::vector<float> rope_inverse_frequencies(const RopeSpec& rope, int64_t sequence_length) {
  std::vector<float> inv(size_t(rope.dims / 2));
  const bool long_context = sequence_length > rope.original_max_positions;
  for (size_t j = 0; j < inv.size(); ++j) {
    // Computed in float32 as the reference does: 1 / theta^(2j / dims), LongRoPE's factor
    // multiplying the power before the reciprocal.
    const float exponent = float(2 * j) / float(rope.dims);
    const float power = std::pow(float(rope.theta), exponent);
    if (rope.scaling == RopeScaling::LongRope) {
      const float factor = long_context ? rope.long_factors[j] : rope.short_factors[j];
      inv[j] = 1.0f / (factor * power);
      continue;
    }
    inv[j] = 1.0f / power;
    if (rope.scaling == RopeScaling::Linear) inv[j] = float(inv[j] / rope.factor);
    if (rope.scaling == RopeScaling::Llama3) inv[j] = llama3_scale(inv[j], rope);
  }
  return inv;
}

RopeTable::RopeTable(const RopeSpec& rope, int64_t n_positions, int64_t first_position)
    : half_(rope.dims / 2),
      stride_(rope.interleaved ? 2 : 1),
      offset_(rope.interleaved ? 1 : half_),
      cos_(size_t(n_positions * half_)),
      sin_(size_t(n_positions * half_)) {
  const std::vector<float> inv = rope_inverse_frequencies(rope, first_position + n_positions);
  const float gain = rope.attention_factor;  // 1 but for LongRoPE
  for (int64_t p = 0; p < n_positions; ++p)
    for (int64_t j = 0; j < half_; ++j) {
      const float angle =
          float(first_position + p) * inv[size_t(j)];  // f32 product, as the reference
      cos_[size_t(p * half_ + j)] = std::cos(angle) * gain;
      sin_[size_t(p * half_ + j)] = std::sin(angle) * gain;
    }
}

void RopeTable::apply(float* x, int64_t T, int64_t n_heads, int64_t head_dim) const {
#pragma omp parallel for schedule(static) if (T * n_heads * head_dim >= kMinParallelWork)
  for (int64_t t = 0; t < T; ++t) {
    const float* c = cos_.data() + t * half_;
    const float* s = sin_.data() + t * half_;
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + (t * n_heads + h) * head_dim;
      for (int64_t j = 0; j < half_; ++j) {
        float &a = v[j * stride_], &b = v[j * stride_ + offset_];
        const float a0 = a, b0 = b;
        a = a0 * c[j] - b0 * s[j];
        b = b0 * c[j] + a0 * s[j];
      }
    }
  }
}

}  // namespace massact
