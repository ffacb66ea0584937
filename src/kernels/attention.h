// Self-attention, causal (a decoder's) or all-to-all (an encoder's), two ways. Split into its three
// steps (scores, softmax, mix) so that the forward pass can expose the scores and the pattern
// between them: heads in groups [h0, h0 + nh), buffers of scores and probabilities (nh, T, keys).
// Or streamed (attention_streaming) when nobody watches them: key blocks at a time with a running
// softmax, in memory proportional to T. With grouped-query attention, head h reads KV head h / (H /
// KVH).
//
// T queries follow `past` cached tokens (kv_cache.h): query i sits at position past + i, and keys
// and values hold all past + T positions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace massact {

struct AttentionShape {
  int64_t T;  // queries
  int64_t n_heads;
  int64_t n_kv_heads;
  int64_t head_dim;
  int64_t window;      // 0: full causal; else the query at p sees keys j with p - window < j <= p
  int64_t past = 0;    // keys before the first query
  bool causal = true;  // false: every query sees every key (window must be 0)
  int64_t keys() const { return past + T; }
  int64_t position(int64_t i) const { return past + i; }  // of query i, for ALiBi's j - i
  // Query i sees keys first_visible(i)..last_visible(i).
  int64_t last_visible(int64_t i) const { return causal ? position(i) : keys() - 1; }
  int64_t first_visible(int64_t i) const {
    return window == 0 ? 0 : std::max<int64_t>(0, position(i) - window + 1);
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

// scores[h][i][j] = rule(q_i . k_j) for visible keys, -inf elsewhere; scores (nh, T, keys).
// q: (T, n_heads, head_dim); k: (keys, n_kv_heads, head_dim).
void attention_scores(const AttentionShape& s, const ScoreRule& rule, const float* q,
                      const float* k, int64_t h0, int64_t nh, float* scores);

// Row-wise softmax of (nh, T, keys) scores into probs (may alias); masked entries become 0.
void attention_softmax(const AttentionShape& s, int64_t nh, const float* scores, float* probs);

// z[:, h, :] = probs[h] @ v[:, kv(h), :] for h in [h0, h0 + nh). z: (T, n_heads, head_dim);
// v: (keys, n_kv_heads, head_dim).
void attention_mix(const AttentionShape& s, const float* probs, const float* v, int64_t h0,
                   int64_t nh, float* z);

// What scores, softmax and mix give for every head, without the (T, keys) scores: each block of
// queries takes the keys a block at a time, keeping per row the running maximum m and sum l of
// exp(score - m) and the running p @ v, rescaled by exp(m_old - m_new) when the maximum grows.
// Memory: a block of scores and of z per thread. The same arithmetic in another order: it agrees
// with the three steps within float32 rounding, not to the bit.
void attention_streaming(const AttentionShape& s, const ScoreRule& rule, const float* q,
                         const float* k, const float* v, float* z);

}  // namespace massact
