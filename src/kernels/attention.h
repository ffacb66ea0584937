// Causal self-attention, split into its three steps so that the forward pass can expose the scores
// and the pattern between them. Heads are processed in groups [h0, h0 + nh); buffers of scores and
// probabilities are (nh, T, T). With grouped-query attention, head h reads KV head h / (H / KVH).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace massact {

struct AttentionShape {
  int64_t T;
  int64_t n_heads;
  int64_t n_kv_heads;
  int64_t head_dim;
  int64_t window;  // 0: full causal; else query i sees keys j with i - window < j <= i
  // The first key that query i sees; it sees keys first_visible(i)..i.
  int64_t first_visible(int64_t i) const {
    return window == 0 ? 0 : std::max<int64_t>(0, i - window + 1);
  }
};

// How q.k becomes a score, in this order: scaled, plus ALiBi's slope[h] * (j - i) when slopes are
// given, soft-capped to cap * tanh(score / cap) when cap > 0, then masked.
struct ScoreRule {
  float scale;
  std::vector<float> alibi_slopes;  // (n_heads,) or empty
  // Falcon's ALiBi instead: scale * (q.k + bf16(bf16(slope[h]) * bf16(j))). transformers builds
  // the bias in bfloat16 on the key position alone and scales it with q.k. Dropping the query
  // position only shifts each row (softmax ignores it), but the rounding does not cancel: with
  // slopes like 2^(-h/4) (32 heads) it moves the pattern well beyond f32 noise.
  bool alibi_bf16 = false;
  float softcap = 0.0f;
};

// MPT's ALiBi slopes: 2^(-bias_max * h / n) for h = 1..n with n a power of two; otherwise those of
// the next power of two, odd positions first.
std::vector<float> alibi_slopes(int64_t n_heads, double bias_max);

// scores[h][i][j] = rule(q_i . k_j) for visible keys, -inf elsewhere.
// q: (T, n_heads, head_dim); k: (T, n_kv_heads, head_dim).
void attention_scores(const AttentionShape& s, const ScoreRule& rule, const float* q,
                      const float* k, int64_t h0, int64_t nh, float* scores);

// Row-wise softmax of (nh, T, T) scores into probs (may alias); masked entries become 0.
void attention_softmax(const AttentionShape& s, int64_t nh, const float* scores, float* probs);

// z[:, h, :] = probs[h] @ v[:, kv(h), :] for h in [h0, h0 + nh). z: (T, n_heads, head_dim).
void attention_mix(const AttentionShape& s, const float* probs, const float* v, int64_t h0,
                   int64_t nh, float* z);

}  // namespace massact
