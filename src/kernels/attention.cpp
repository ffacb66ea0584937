#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/dtype.h"
#include "kernels/gemm.h"
#include "kernels/softmax_exp.h"
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

float head_slope(const ScoreRule& rule, int64_t h) {
  return rule.alibi_slopes.empty() ? 0.0f : rule.alibi_slopes[size_t(h)];
}

// The rule's terms after the scaled q.k, on the scores of query position i against keys
// first..last, held in row[j - j0].
void finish_scores(const ScoreRule& rule, float slope, int64_t i, int64_t first, int64_t last,
                   int64_t j0, float* row) {
  if (slope == 0.0f && rule.softcap <= 0.0f) return;  // most models: the scaled q.k as it is
  for (int64_t j = first; j <= last; ++j) {
    float& x = row[j - j0];
    if (slope != 0.0f) x += alibi_bias(rule, slope, i, j);
    if (rule.softcap > 0.0f) x = rule.softcap * std::tanh(x / rule.softcap);
  }
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
  const int64_t T = s.T, K = s.keys(), hd = s.head_dim;
  for (int64_t g = 0; g < nh; ++g) {
    const int64_t h = h0 + g;
    float* out = scores + g * T * K;
    // (T, hd) x (hd, K): the strided rows of one head of q and k, straight from the packed layout.
    sgemm(Op::Transpose, T, K, hd, rule.scale, q + h * hd, s.n_heads * hd, k + kv_head(s, h) * hd,
          s.n_kv_heads * hd, 0.0f, out, K);
  }
  const float neg_inf = -std::numeric_limits<float>::infinity();
#pragma omp parallel for collapse(2) schedule(static) if (nh * T * K >= kMinParallelWork)
  for (int64_t g = 0; g < nh; ++g)
    for (int64_t i = 0; i < T; ++i) {
      float* row = scores + (g * T + i) * K;
      const int64_t first = s.first_visible(i), last = s.last_visible(i);
      finish_scores(rule, head_slope(rule, h0 + g), s.position(i), first, last, 0, row);
      std::fill(row, row + first, neg_inf);
      std::fill(row + last + 1, row + K, neg_inf);
    }
}

void attention_softmax(const AttentionShape& s, int64_t nh, const float* scores, float* probs) {
  const int64_t T = s.T, K = s.keys();
#pragma omp parallel for collapse(2) schedule(static) if (nh * T * K >= kMinParallelWork)
  for (int64_t g = 0; g < nh; ++g)
    for (int64_t i = 0; i < T; ++i) {
      // Only keys first..last are visible; the masked rest of the row is -inf in, exactly 0 out.
      const float* in = scores + (g * T + i) * K;
      float* out = probs + (g * T + i) * K;
      const int64_t first = s.first_visible(i), last = s.last_visible(i);
      const int64_t n = last - first + 1;
      const float sum = exp_shifted(in + first, n, row_max(in + first, n), out + first);
      const float inv = 1.0f / sum;
      for (int64_t j = first; j <= last; ++j) out[j] *= inv;
      std::fill(out, out + first, 0.0f);
      std::fill(out + last + 1, out + K, 0.0f);
    }
}

void attention_mix(const AttentionShape& s, const float* probs, const float* v, int64_t h0,
                   int64_t nh, float* z) {
  const int64_t T = s.T, K = s.keys(), hd = s.head_dim;
  for (int64_t g = 0; g < nh; ++g) {
    const int64_t h = h0 + g;
    sgemm(Op::None, T, hd, K, 1.0f, probs + g * T * K, K, v + kv_head(s, h) * hd, s.n_kv_heads * hd,
          0.0f, z + h * hd, s.n_heads * hd);
  }
}

namespace {

// Queries and keys per block of the streamed attention: a (64, 256) block of scores is 64 KiB, and
// 64 query rows keep the products GEMMs rather than matrix-vector products.
constexpr int64_t kQueryBlock = 64;
constexpr int64_t kKeyBlock = 256;

// One head's queries i0..i0 + n - 1 against all the keys they see, into its rows of z.
class StreamedBlock {
 public:
  StreamedBlock(const AttentionShape& s, const ScoreRule& rule)
      : s_(s),
        rule_(rule),
        scores_(size_t(kQueryBlock * kKeyBlock)),
        acc_(size_t(kQueryBlock * s.head_dim)),
        max_(size_t(kQueryBlock)),
        sum_(size_t(kQueryBlock)) {}

  void run(const float* q, const float* k, const float* v, int64_t h, int64_t i0, int64_t n,
           float* z) {
    const int64_t hd = s_.head_dim, q_stride = s_.n_heads * hd, kv_stride = s_.n_kv_heads * hd;
    const int64_t kv = kv_head(s_, h) * hd;
    std::fill_n(acc_.data(), n * hd, 0.0f);
    std::fill_n(max_.data(), n, -std::numeric_limits<float>::infinity());
    std::fill_n(sum_.data(), n, 0.0f);
    const int64_t last = s_.last_visible(i0 + n - 1);
    for (int64_t j0 = s_.first_visible(i0); j0 <= last; j0 += kKeyBlock) {
      const int64_t width = std::min(kKeyBlock, last + 1 - j0);
      // (n, hd) x (hd, width) scores, then probabilities up to the running maximum's factor.
      sgemm(Op::Transpose, n, width, hd, rule_.scale, q + i0 * q_stride + h * hd, q_stride,
            k + j0 * kv_stride + kv, kv_stride, 0.0f, scores_.data(), kKeyBlock);
      for (int64_t r = 0; r < n; ++r) exponentiate_row(h, i0 + r, j0, width, r);
      // acc (n, hd) += p (n, width) @ v (width, hd)
      sgemm(Op::None, n, hd, width, 1.0f, scores_.data(), kKeyBlock, v + j0 * kv_stride + kv,
            kv_stride, 1.0f, acc_.data(), hd);
    }
    for (int64_t r = 0; r < n; ++r) {
      const float inv = 1.0f / sum_[size_t(r)];
      float* out = z + (i0 + r) * q_stride + h * hd;
      for (int64_t d = 0; d < hd; ++d) out[d] = acc_[size_t(r * hd + d)] * inv;
    }
  }

 private:
  // Row r (query i) of the block of scores for keys j0..j0 + width - 1 -> exp(score - m), 0 where
  // masked, with m the row's running maximum; the row's sum and accumulator are rescaled to m.
  void exponentiate_row(int64_t h, int64_t i, int64_t j0, int64_t width, int64_t r) {
    float* row = scores_.data() + r * kKeyBlock;
    const int64_t first = std::max(j0, s_.first_visible(i));
    const int64_t last = std::min(j0 + width - 1, s_.last_visible(i));
    if (first > last) {  // none of these keys is visible to this query
      std::fill_n(row, width, 0.0f);
      return;
    }
    finish_scores(rule_, head_slope(rule_, h), s_.position(i), first, last, j0, row);
    float* visible = row + (first - j0);
    const int64_t n = last - first + 1;
    const float m = std::max(max_[size_t(r)], row_max(visible, n));
    const float rescale = std::exp(max_[size_t(r)] - m);  // 0 on the first visible block
    max_[size_t(r)] = m;
    sum_[size_t(r)] = sum_[size_t(r)] * rescale + exp_shifted(visible, n, m, visible);
    std::fill(row, row + (first - j0), 0.0f);
    std::fill(row + (last - j0) + 1, row + width, 0.0f);
    if (rescale != 1.0f)
      for (int64_t d = 0; d < s_.head_dim; ++d) acc_[size_t(r * s_.head_dim + d)] *= rescale;
  }

  const AttentionShape& s_;
  const ScoreRule& rule_;
  std::vector<float> scores_;  // (kQueryBlock, kKeyBlock)
  std::vector<float> acc_;     // (kQueryBlock, head_dim) the running p @ v
  std::vector<float> max_;     // (kQueryBlock,) running maximum of each row's scores
  std::vector<float> sum_;     // (kQueryBlock,) running sum of exp(score - max)
};

}  // namespace

void attention_streaming(const AttentionShape& s, const ScoreRule& rule, const float* q,
                         const float* k, const float* v, float* z) {
  const int64_t blocks = (s.T + kQueryBlock - 1) / kQueryBlock;
  // Each thread runs whole blocks, their GEMMs on one thread (a nested parallel region is serial).
#pragma omp parallel if (s.n_heads * blocks > 1 && s.T * s.keys() * s.head_dim >= kMinParallelWork)
  {
    StreamedBlock block(s, rule);
#pragma omp for collapse(2) schedule(dynamic)
    for (int64_t h = 0; h < s.n_heads; ++h)
      for (int64_t b = 0; b < blocks; ++b) {
        const int64_t i0 = b * kQueryBlock;
        block.run(q, k, v, h, i0, std::min(kQueryBlock, s.T - i0), z);
      }
  }
}

}  // namespace massact
