#include "kernels/attention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "float_bounds.h"
#include "kernels/softmax_exp.h"

namespace massact {
namespace {

// One head of width 1 with q = k = 0, so the last query's row of scores is the ALiBi term alone.
std::vector<float> last_row_of_alibi(const ScoreRule& rule) {
  const AttentionShape shape{4, 1, 1, 1, 0};
  const std::vector<float> q(4, 0.0f), k(4, 0.0f);
  std::vector<float> scores(16);
  attention_scores(shape, rule, q.data(), k.data(), 0, 1, scores.data());
  return {scores.begin() + 12, scores.end()};
}

// 2^(-1/4), the first slope of a 32-head model, is not a bfloat16: 0.83984375 is the nearest.
const float kSlope = std::pow(2.0f, -0.25f);

TEST(AttentionScores, AlibiIsRelativeToTheQuery) {
  const std::vector<float> row = last_row_of_alibi({0.5f, {kSlope}});
  EXPECT_EQ(row, (std::vector<float>{-3 * kSlope, -2 * kSlope, -kSlope, 0.0f}));
}

// An encoder's query 0 sees the keys after it, and ALiBi's j - i is positive for them.
TEST(AttentionScores, NonCausalSeesEveryKeyWithAlibiRelativeToTheQuery) {
  const AttentionShape shape{4, 1, 1, 1, 0, 0, false};
  const std::vector<float> q(4, 0.0f), k(4, 0.0f);
  std::vector<float> scores(16);
  attention_scores(shape, {0.5f, {kSlope}}, q.data(), k.data(), 0, 1, scores.data());
  EXPECT_EQ(std::vector<float>(scores.begin(), scores.begin() + 4),
            (std::vector<float>{0.0f, kSlope, 2 * kSlope, 3 * kSlope}));
  // Equal scores: every row is exactly 1/4 everywhere (exp(0) = 1, a sum of 4, its reciprocal).
  attention_scores(shape, {0.5f, {}}, q.data(), k.data(), 0, 1, scores.data());
  attention_softmax(shape, 1, scores.data(), scores.data());
  EXPECT_EQ(scores, std::vector<float>(16, 0.25f));
}

// Falcon (transformers' build_alibi_tensor): bf16(bf16(slope) * j), then scaled with q.k. Key 3's
// product 2.51953125 needs 10 significant bits and rounds to bfloat16's 2.515625.
TEST(AttentionScores, FalconAlibiIsBfloat16OnKeyPositionsAndScaled) {
  ScoreRule rule{0.5f, {kSlope}};
  rule.alibi_bf16 = true;
  const std::vector<float> row = last_row_of_alibi(rule);
  EXPECT_EQ(row,
            (std::vector<float>{0.0f, 0.5f * 0.83984375f, 0.5f * 1.6796875f, 0.5f * 2.515625f}));
}

// The three steps with every head at once: z (T, n_heads, head_dim), and the scores' rows
// (n_heads, T, keys) before the softmax, which the bound below needs.
std::vector<float> materialized(const AttentionShape& s, const ScoreRule& rule,
                                const std::vector<float>& q, const std::vector<float>& k,
                                const std::vector<float>& v, std::vector<float>& scores) {
  scores.assign(size_t(s.n_heads * s.T * s.keys()), 0.0f);
  std::vector<float> probs(scores.size()), z(size_t(s.T * s.n_heads * s.head_dim));
  attention_scores(s, rule, q.data(), k.data(), 0, s.n_heads, scores.data());
  attention_softmax(s, s.n_heads, scores.data(), probs.data());
  attention_mix(s, probs.data(), v.data(), 0, s.n_heads, z.data());
  return z;
}

// How far two evaluations of z[i, h, d] = sum_j p_j v_jd, p = softmax(rule(q_i . k_j)) over the
// visible keys, may lie apart when they sum in different orders (float_bounds.h), u = 2^-24:
// - each score's dot product of head_dim terms differs by dot_disagreement, its ALiBi addition by
//   u |s| per side and its soft-cap c tanh(x / c) (1-Lipschitz; a division, tanhf within 2 ulp and
//   a product) by 4 u c per side: together ds;
// - softmax moves by at most 2 ds in the 1-norm when its inputs move by ds, so z by 2 ds max|v_d|;
// - on each side, p_j carries the relative error of exp(s_j - m) (u |s_j - m| from the subtraction
//   plus kSoftmaxExpError from kernels/softmax_exp.h; terms it flushes to 0 are below e^-87 next
//   to the maximum's 1), of the running rescalings and of the sum and its reciprocal
//   (gamma(K + 1)); the mix adds gamma(K) sum_j p_j |v_jd| <= max|v_d|.
double z_disagreement(const AttentionShape& s, const ScoreRule& rule, const std::vector<float>& q,
                      const std::vector<float>& k, const std::vector<float>& v,
                      const std::vector<float>& scores, int64_t i, int64_t h, int64_t d) {
  using testing::gamma_f32;
  const double u = testing::kUnitRoundoffF32;
  const int64_t hd = s.head_dim, kv = h / (s.n_heads / s.n_kv_heads);
  const int64_t first = s.first_visible(i), last = s.last_visible(i), K = last - first + 1;
  const float* row = scores.data() + (h * s.T + i) * s.keys();
  double ds = 0.0, max_v = 0.0;
  const double top = *std::max_element(row + first, row + last + 1);
  double range = 0.0;
  for (int64_t j = first; j <= last; ++j) {
    double abs_sum = 0.0;
    for (int64_t c = 0; c < hd; ++c)
      abs_sum += std::fabs(double(q[size_t((i * s.n_heads + h) * hd + c)]) *
                           k[size_t((j * s.n_kv_heads + kv) * hd + c)]);
    double e = testing::dot_disagreement(hd, rule.scale * abs_sum) + 2.0 * u * std::fabs(row[j]);
    if (rule.softcap > 0) e += 8.0 * u * rule.softcap;
    ds = std::max(ds, e);
    range = std::max(range, top - row[j]);
    max_v = std::max(max_v, double(std::fabs(v[size_t((j * s.n_kv_heads + kv) * hd + d)])));
  }
  // Rescalings: at most one per key, each exp(m_old - m_new) (2 u) times the sum (u); their
  // exponents' rounding adds u |m_old - m_new|, which telescopes to at most u range.
  const double rho = u * (2 * range + ds) + kSoftmaxExpError + 3 * u * double(K) + gamma_f32(K + 1);
  return (2.0 * ds + 2.0 * (rho + gamma_f32(K)) * (1 + rho)) * max_v;
}

struct StreamingCase {
  const char* what;
  AttentionShape shape;
  ScoreRule rule;
};

std::vector<float> random_values(size_t n, std::mt19937& gen, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> out(n);
  for (float& x : out) x = dist(gen);
  return out;
}

// The streamed kernel must give what the three steps give, within z_disagreement: with causal and
// sliding masks that cut key blocks, none (an encoder's), grouped KV heads, ALiBi (both kinds),
// soft-caps, queries after cached keys (past > 0, as generate's steps), and scores large enough
// that the running maximum grows from block to block. A lost or double-counted block, a wrong mask
// or a missed rescale moves z by a sizeable part of |v|, which the bound (checked to be far
// smaller) catches.
TEST(AttentionStreaming, EqualsTheMaterializedSteps) {
  ScoreRule alibi{0.25f, alibi_slopes(4, 8.0)};
  ScoreRule falcon = alibi;
  falcon.alibi_bf16 = true;
  ScoreRule capped{0.25f, {}};
  capped.softcap = 5.0f;
  const std::vector<StreamingCase> cases = {
      {"causal", {300, 4, 2, 16, 0}, {0.25f, {}}},
      {"sliding window", {300, 4, 1, 16, 70}, {0.25f, {}}},
      {"window longer than T", {90, 2, 2, 8, 500}, {0.25f, {}}},
      {"alibi", {300, 4, 4, 16, 0}, alibi},
      {"falcon alibi", {200, 4, 4, 16, 0}, falcon},
      {"soft-cap", {300, 4, 2, 16, 0}, capped},
      {"one query after 600 cached keys", {1, 4, 2, 16, 0, 600}, {0.25f, {}}},
      {"queries after cached keys, windowed", {100, 4, 2, 16, 130, 400}, capped},
      {"one token", {1, 2, 1, 8, 0}, {0.25f, {}}},
      {"non-causal", {300, 4, 2, 16, 0, 0, false}, {0.25f, {}}},
      {"non-causal alibi", {200, 4, 4, 16, 0, 0, false}, alibi},
  };
  std::mt19937 gen(7);
  for (const StreamingCase& c : cases) {
    const AttentionShape& s = c.shape;
    const int64_t hd = s.head_dim;
    // q and k of std 3: scores spread over tens of units, so maxima change between key blocks.
    const std::vector<float> q = random_values(size_t(s.T * s.n_heads * hd), gen, 3.0f);
    const std::vector<float> k = random_values(size_t(s.keys() * s.n_kv_heads * hd), gen, 3.0f);
    const std::vector<float> v = random_values(size_t(s.keys() * s.n_kv_heads * hd), gen, 1.0f);
    std::vector<float> scores;
    const std::vector<float> want = materialized(s, c.rule, q, k, v, scores);
    std::vector<float> got(want.size(), NAN);
    attention_streaming(s, c.rule, q.data(), k.data(), v.data(), got.data());
    double widest = 0.0;
    for (int64_t i = 0; i < s.T; ++i)
      for (int64_t h = 0; h < s.n_heads; ++h)
        for (int64_t d = 0; d < hd; ++d) {
          const double bound = z_disagreement(s, c.rule, q, k, v, scores, i, h, d);
          widest = std::max(widest, bound);
          const size_t at = size_t((i * s.n_heads + h) * hd + d);
          ASSERT_NEAR(got[at], want[at], bound) << c.what << " i " << i << " h " << h << " d " << d;
        }
    // z averages v ~ N(0, 1): a lost block or a missed rescale moves it by tenths.
    EXPECT_LT(widest, 1e-2) << c.what << ": a bound this loose would not catch a lost block";
  }
}

// Queries after cached keys are the last rows of the whole sequence's attention.
TEST(AttentionStreaming, QueriesAfterTheCacheAreTheLastRowsOfTheWhole) {
  const AttentionShape whole{40, 2, 1, 8, 9};
  AttentionShape tail = whole;
  tail.T = 3;
  tail.past = 37;
  std::mt19937 gen(3);
  const std::vector<float> q = random_values(size_t(40 * 2 * 8), gen, 1.0f);
  const std::vector<float> k = random_values(size_t(40 * 8), gen, 1.0f);
  const std::vector<float> v = random_values(size_t(40 * 8), gen, 1.0f);
  std::vector<float> scores;
  const std::vector<float> want = materialized(whole, {0.3f, {}}, q, k, v, scores);
  std::vector<float> tail_scores;
  const std::vector<float> tail_q(q.end() - 3 * 2 * 8, q.end());
  const std::vector<float> got = materialized(tail, {0.3f, {}}, tail_q, k, v, tail_scores);
  for (int64_t i = 0; i < 3; ++i)  // masked: the keys before the window and after the query
    for (int64_t j = 0; j < 40; ++j)
      for (int64_t h = 0; h < 2; ++h)
        EXPECT_EQ(std::isinf(tail_scores[size_t((h * 3 + i) * 40 + j)]),
                  j < 37 + i - 8 || j > 37 + i)
            << "h " << h << " i " << i << " j " << j;
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t d = 0; d < 8; ++d)
      for (int64_t i = 0; i < 3; ++i) {
        const size_t at = size_t((i * 2 + h) * 8 + d);
        EXPECT_NEAR(got[at], want[at + size_t(37 * 2 * 8)],
                    z_disagreement(whole, {0.3f, {}}, q, k, v, scores, 37 + i, h, d));
      }
}

}  // namespace
}  // namespace massact
