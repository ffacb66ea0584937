// The forward pass: one generic decoder driven by ModelSpec, as a short sequence of named steps.
//   embed -> for each block: [norm -> attention -> residual add -> norm -> MLP -> residual add]
//   -> final norm -> unembed
// Every step fires its hook point (hooks.h) when somebody watches it.
#include <cmath>

#include "core/error.h"
#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/linear.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "kernels/threads.h"
#include "model/model.h"

namespace massact {

namespace {

// Attention buffers hold (heads, T, T) scores; unwatched heads go through in groups of this size.
constexpr int64_t kMaxScoreBytes = 64 << 20;

class ForwardPass {
 public:
  ForwardPass(const ModelSpec& spec, const ModelWeights& weights, const Hooks& hooks, int64_t T)
      : s_(spec),
        w_(weights),
        hooks_(hooks),
        T_(T),
        rope_(spec.rope, spec.head_dim, T),
        x_(Tensor::zeros(DType::F32, {T, spec.d_model})),
        h_(Tensor::zeros(DType::F32, {T, spec.d_model})),
        out_(Tensor::zeros(DType::F32, {T, spec.d_model})),
        q_(Tensor::zeros(DType::F32, {T, spec.n_heads, spec.head_dim})),
        k_(Tensor::zeros(DType::F32, {T, spec.n_kv_heads, spec.head_dim})),
        v_(Tensor::zeros(DType::F32, {T, spec.n_kv_heads, spec.head_dim})),
        z_(Tensor::zeros(DType::F32, {T, spec.n_heads, spec.head_dim})),
        gate_(Tensor::zeros(DType::F32, {T, spec.d_ff})),
        up_(Tensor::zeros(DType::F32, {T, spec.d_ff})) {
    hooks_.bind(int(spec.n_layers));
  }

  Tensor run(const TokenIds& ids, LogitRows rows) {
    embed(ids);
    for (int layer = 0; layer < int(s_.n_layers); ++layer) block(layer);
    rms_norm(x_.f32(), T_, s_.d_model, w_.final_norm, s_.norm_eps, h_.f32());
    fire(HookPoint::LnFinal, -1, h_);
    return unembed(rows);
  }

 private:
  void fire(HookPoint point, int layer, Tensor& t) {
    if (hooks_.wants(point, layer)) hooks_.fire(point, layer, t);
  }

  void embed(const TokenIds& ids) {
    const size_t row_bytes = size_t(s_.d_model) * dtype_size(w_.embed.dtype());
    const auto* table = static_cast<const std::byte*>(w_.embed.raw());
    for (int64_t t = 0; t < T_; ++t)
      to_f32(w_.embed.dtype(), table + size_t(ids[size_t(t)]) * row_bytes,
             x_.f32() + t * s_.d_model, size_t(s_.d_model));
    fire(HookPoint::Embed, -1, x_);
  }

  void block(int layer) {
    const BlockWeights& b = w_.blocks[size_t(layer)];
    fire(HookPoint::ResidPre, layer, x_);
    rms_norm(x_.f32(), T_, s_.d_model, b.attn_norm, s_.norm_eps, h_.f32());
    attention(layer, b);
    fire(HookPoint::AttnOut, layer, out_);
    add_into(x_, out_);
    fire(HookPoint::ResidMid, layer, x_);
    rms_norm(x_.f32(), T_, s_.d_model, b.mlp_norm, s_.norm_eps, h_.f32());
    mlp(layer, b);
    fire(HookPoint::MlpOut, layer, out_);
    add_into(x_, out_);
    fire(HookPoint::ResidPost, layer, x_);
  }

  // h_ (T, d_model) -> out_ (T, d_model)
  void attention(int layer, const BlockWeights& b) {
    linear(h_.f32(), T_, b.q, b.q_bias, q_.f32(), scratch_);
    linear(h_.f32(), T_, b.k, b.k_bias, k_.f32(), scratch_);
    linear(h_.f32(), T_, b.v, b.v_bias, v_.f32(), scratch_);
    fire(HookPoint::Q, layer, q_);
    fire(HookPoint::K, layer, k_);
    fire(HookPoint::V, layer, v_);
    rope_.apply(q_.f32(), T_, s_.n_heads);
    rope_.apply(k_.f32(), T_, s_.n_kv_heads);
    fire(HookPoint::RotQ, layer, q_);
    fire(HookPoint::RotK, layer, k_);

    const AttentionShape shape{T_, s_.n_heads, s_.n_kv_heads, s_.head_dim,
                               s_.sliding_window[size_t(layer)]};
    const float scale = 1.0f / std::sqrt(float(s_.head_dim));
    // A watched pattern needs all heads at once; otherwise heads go in groups that bound memory.
    const bool watched =
        hooks_.wants(HookPoint::AttnScores, layer) || hooks_.wants(HookPoint::Pattern, layer);
    const int64_t group = watched ? s_.n_heads : head_group_size();
    if (scores_.numel() != group * T_ * T_) scores_ = Tensor::zeros(DType::F32, {group, T_, T_});
    for (int64_t h0 = 0; h0 < s_.n_heads; h0 += group) {
      attention_scores(shape, q_.f32(), k_.f32(), scale, h0, group, scores_.f32());
      if (watched) fire(HookPoint::AttnScores, layer, scores_);
      attention_softmax(shape, group, scores_.f32(), scores_.f32());
      if (watched) fire(HookPoint::Pattern, layer, scores_);
      attention_mix(shape, scores_.f32(), v_.f32(), h0, group, z_.f32());
    }
    fire(HookPoint::Z, layer, z_);
    linear(z_.f32(), T_, b.o, b.o_bias, out_.f32(), scratch_);
  }

  int64_t head_group_size() const {
    int64_t group = s_.n_heads;
    while (group > 1 && (group * T_ * T_ * 4 > kMaxScoreBytes || s_.n_heads % group != 0)) --group;
    return group;
  }

  // h_ (T, d_model) -> out_ (T, d_model)
  void mlp(int layer, const BlockWeights& b) {
    linear(h_.f32(), T_, b.gate, Tensor(), gate_.f32(), scratch_);
    linear(h_.f32(), T_, b.up, Tensor(), up_.f32(), scratch_);
    silu_mul(gate_.f32(), up_.f32(), gate_.numel());
    fire(HookPoint::MlpPost, layer, gate_);
    linear(gate_.f32(), T_, b.down, Tensor(), out_.f32(), scratch_);
  }

  static void add_into(Tensor& x, const Tensor& y) {
    float* a = x.f32();
    const float* b = y.f32();
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
    for (int64_t i = 0; i < n; ++i) a[i] += b[i];
  }

  // h_ (final-normed) -> logits (rows, vocab)
  Tensor unembed(LogitRows rows) {
    if (rows == LogitRows::None) return Tensor();
    const int64_t first = rows == LogitRows::Last ? T_ - 1 : 0;
    Tensor logits = Tensor::zeros(DType::F32, {T_ - first, s_.vocab_size});
    linear(h_.f32() + first * s_.d_model, T_ - first, w_.lm_head, Tensor(), logits.f32(), scratch_);
    return logits;
  }

  const ModelSpec& s_;
  const ModelWeights& w_;
  const Hooks& hooks_;
  const int64_t T_;
  RopeTable rope_;
  Tensor x_;       // (T, d_model) the residual stream
  Tensor h_;       // (T, d_model) the normalized input of the current sublayer
  Tensor out_;     // (T, d_model) the current sublayer's output
  Tensor q_;       // (T, n_heads, head_dim)
  Tensor k_;       // (T, n_kv_heads, head_dim)
  Tensor v_;       // (T, n_kv_heads, head_dim)
  Tensor z_;       // (T, n_heads, head_dim)
  Tensor gate_;    // (T, d_ff), then the MLP's hidden activation
  Tensor up_;      // (T, d_ff)
  Tensor scores_;  // (heads in a group, T, T)
  WeightScratch scratch_;
};

}  // namespace

Tensor Model::forward(const TokenIds& ids, const Hooks& hooks, LogitRows rows) const {
  if (ids.empty()) throw_input_error("input: no tokens to run");
  for (size_t t = 0; t < ids.size(); ++t)
    if (ids[t] < 0 || ids[t] >= spec_.vocab_size)
      throw_input_error("input: token id ", ids[t], " at position ", t,
                        " is outside the vocabulary [0, ", spec_.vocab_size, ") of ", path_);
  ForwardPass pass(spec_, weights_, hooks, int64_t(ids.size()));
  return pass.run(ids, rows);
}

Tensor Model::forward(const TokenIds& ids, LogitRows rows) const {
  return forward(ids, Hooks(), rows);
}

}  // namespace massact
