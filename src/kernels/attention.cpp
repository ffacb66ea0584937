#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/dtype.h"
#include "kernels/gemm.h"
#include "kernels/threads.h"

namespace massact {

namespace {
int64_t kv_head(const AttentionShape& s, int64_t h) {
  return h / (s.n_heads / s.n_kv_heads);
}

float round_bf16(float x) {
  return bf16_to_f32(f32_to_bf16(x));
}

// The ALiBi term added to the scaled score of query i and key j.
float alibi_bias(const ScoreRule& rule, float slope, int64_t i, int64_t j) {
  if (!rule.alibi_bf16) return slope * float(j - i);
  return rule.scale * round_bf16(round_bf16(slope) * round_bf16(float(j)));
}
}  // namespace

std::vector<float> alibi_slopes(int64_t n_heads, double bias_max) {
  int64_t pow2 = 1;
  while (pow2 < n_heads) pow2 *= 2;
  std::vector<float> all(static_cast<size_t>(pow2));
  for (int64_t h = 0; h < pow2; ++h)
    all[size_t(h)] = 1.0f / std::pow(2.0f, float(h + 1) * float(bias_max / double(pow2)));
  if (pow2 == n_heads) return all;
  std::vector<float> slopes;
  for (size_t h = 1; h < all.size(); h += 2) slopes.push_back(all[h]);
  for (size_t h = 0; h < all.size(); h += 2) slopes.push_back(all[h]);
  slopes.resize(size_t(n_heads));
  return slopes;
}

void attention_scores(const AttentionShape& s, const ScoreRule& rule, const float* q,
                      const float* k, int64_t h0, int64_t nh, float* scores) {
  const int64_t T = s.T, hd = s.head_dim;
  for (int64_t g = 0; g < nh; ++g) {
    const int64_t h = h0 + g;
    float* out = scores + g * T * T;
    // (T, hd) x (hd, T): the strided rows of one head of q and k, straight from the packed layout.
    sgemm(Op::Transpose, T, T, hd, rule.scale, q + h * hd, s.n_heads * hd, k + kv_head(s, h) * hd,
          s.n_kv_heads * hd, 0.0f, out, T);
  }
  const float neg_inf = -std::numeric_limits<float>::infinity();
#pragma omp parallel for collapse(2) schedule(static) if (nh * T * T >= kMinParallelWork)
  for (int64_t g = 0; g < nh; ++g)
    for (int64_t i = 0; i < T; ++i) {
      float* row = scores + (g * T + i) * T;
      const float slope = rule.alibi_slopes.empty() ? 0.0f : rule.alibi_slopes[size_t(h0 + g)];
      const int64_t first = s.first_visible(i);
      for (int64_t j = first; j <= i; ++j) {
        if (slope != 0.0f) row[j] += alibi_bias(rule, slope, i, j);
        if (rule.softcap > 0.0f) row[j] = rule.softcap * std::tanh(row[j] / rule.softcap);
      }
      std::fill(row, row + first, neg_inf);
      std::fill(row + i + 1, row + T, neg_inf);
    }
}

void attention_softmax(const AttentionShape& s, int64_t nh, const float* scores, float* probs) {
  const int64_t T = s.T;
#pragma omp parallel for collapse(2) schedule(static) if (nh * T * T >= kMinParallelWork)
  for (int64_t g = 0; g < nh; ++g)
    for (int64_t i = 0; i < T; ++i) {
      // Only keys first..i are visible; the masked rest of the row is -inf in, exactly 0 out.
      const float* in = scores + (g * T + i) * T;
      float* out = probs + (g * T + i) * T;
      const int64_t first = s.first_visible(i);
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = first; j <= i; ++j) max = std::max(max, in[j]);
      float sum = 0.0f;
      for (int64_t j = first; j <= i; ++j) {
        out[j] = std::exp(in[j] - max);
        sum += out[j];
      }
      const float inv = 1.0f / sum;
      for (int64_t j = first; j <= i; ++j) out[j] *= inv;
      std::fill(out, out + first, 0.0f);
      std::fill(out + i + 1, out + T, 0.0f);
    }
}

void attention_mix(const AttentionShape& s, const float* probs, const float* v, int64_t h0,
                   int64_t nh, float* z) {
  const int64_t T = s.T, hd = s.head_dim;
  for (int64_t g = 0; g < nh; ++g) {
    const int64_t h = h0 + g;
    sgemm(Op::None, T, hd, T, 1.0f, probs + g * T * T, T, v + kv_head(s, h) * hd, s.n_kv_heads * hd,
          0.0f, z + h * hd, s.n_heads * hd);
  }
}

}  // namespace massact
