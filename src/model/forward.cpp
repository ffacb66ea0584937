// The forward pass: one generic transformer driven by ModelSpec, as a short sequence of named
// steps.
//   input stage (token embedding, or a vision transformer's image embedding) -> for each block: its
//   layout's recipe (block.cpp) of norms, attention, MLP and residual adds -> final norm -> the
//   heads (unembedding, or a vision transformer's pooler and classifier)
// Every step fires its hook point (hooks.h) when somebody watches it.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/linear.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "kernels/threads.h"
#include "model/block.h"
#include "model/model.h"

namespace massact {

namespace {

Tensor f32_zeros(Shape shape) {
  return Tensor::zeros(DType::F32, std::move(shape));
}

class ForwardPass {
 public:
  // With a cache, the T tokens follow the cache's tokens and attend to their keys and values.
  ForwardPass(const ModelSpec& spec, const ModelWeights& weights, const Hooks& hooks, int64_t T,
              KvCache* cache = nullptr)
      : s_(spec),
        w_(weights),
        hooks_(hooks),
        T_(T),
        cache_(cache),
        past_(cache ? cache->length() : 0),
        x_(f32_zeros({T, spec.d_model})),
        h_(f32_zeros({T, spec.d_model})),
        attn_out_(f32_zeros({T, spec.d_model})),
        mlp_out_(f32_zeros({T, spec.d_model})),
        q_(f32_zeros({T, spec.n_heads, spec.head_dim})),
        k_(f32_zeros({T, spec.n_kv_heads, spec.head_dim})),
        v_(f32_zeros({T, spec.n_kv_heads, spec.head_dim})),
        z_(f32_zeros({T, spec.n_heads, spec.head_dim})),
        hidden_(f32_zeros({T, spec.d_ff})) {
    if (spec.positions == Positions::Rope) build_rope_tables();
    score_rule_.scale = float(spec.attn_scale);
    score_rule_.softcap = float(spec.attn_softcap);
    if (spec.positions == Positions::Alibi)
      score_rule_.alibi_slopes = alibi_slopes(spec.n_heads, spec.alibi_bias_max);
    score_rule_.alibi_bf16 = spec.alibi_bf16;
    hooks_.bind(int(spec.n_layers));
  }

  Tensor run(const TokenIds& ids, LogitRows rows) {
    embed(ids);
    run_blocks();
    return unembed(rows);
  }

  std::vector<double> run_next_token_nll(const TokenIds& ids, int64_t vocab_panel) {
    embed(ids);
    run_blocks();
    return next_token_nll(ids, vocab_panel);
  }

  // pixels (C, H, W) -> the pooled class token and the classifier's logits.
  ImageOutputs run_image(const Tensor& pixels) {
    embed(pixels);
    run_blocks();
    return image_heads();
  }

 private:
  // x_ (T, d_model), the embedded input -> h_ (T, d_model): blocks, final norm.
  void run_blocks() {
    for (int layer = 0; layer < int(s_.n_layers); ++layer) block(layer);
    if (s_.final_norm)
      normalize(w_.final_norm, x_, h_);
    else
      std::copy_n(x_.f32(), x_.numel(), h_.f32());
    fire(HookPoint::LnFinal, -1, h_);
    if (cache_) cache_->commit(T_);
  }

  void fire(HookPoint point, int layer, Tensor& t) {
    if (hooks_.wants(point, layer)) hooks_.fire(point, layer, t);
  }

  // x (T, d_model) -> y (T, d_model); y may be x.
  void normalize(const NormWeights& n, const Tensor& x, Tensor& y) {
    normalize_rows(n, x.f32(), T_, s_.d_model, y.f32());
  }

  // x (rows, width) -> y (rows, width) by the spec's kind of norm; y may be x.
  void normalize_rows(const NormWeights& n, const float* x, int64_t rows, int64_t width, float* y) {
    if (s_.norm == NormKind::RMSNorm)
      rms_norm(x, rows, width, n.weight, s_.norm_eps, s_.norm_weight_offset, y);
    else
      layer_norm(x, rows, width, n.weight, n.bias, s_.norm_eps, y);
  }

  // ids -> x_ (T, d_model): the token rows (scaled), projected in, plus learned positions, normed
  // where the spec says.
  void embed(const TokenIds& ids) {
    const int64_t e = s_.embed_dim;
    Tensor tokens = e == s_.d_model ? x_ : f32_zeros({T_, e});  // (T, embed_dim)
    for (int64_t t = 0; t < T_; ++t) copy_row(w_.embed, ids[size_t(t)], tokens.f32() + t * e);
    if (s_.embed_scale != 1.0) {
      const float scale = float(s_.embed_scale);
      for (int64_t i = 0; i < tokens.numel(); ++i) tokens.f32()[i] *= scale;
    }
    if (e != s_.d_model) linear(tokens.f32(), T_, w_.project_in, Tensor(), x_.f32(), scratch_);
    if (s_.positions == Positions::Learned) {
      std::vector<float> row(size_t(s_.d_model));
      for (int64_t t = 0; t < T_; ++t) {
        copy_row(w_.pos_embed, past_ + t + s_.position_offset, row.data());
        float* xt = x_.f32() + t * s_.d_model;
        for (int64_t i = 0; i < s_.d_model; ++i) xt[i] += row[size_t(i)];
      }
    }
    if (s_.embed_norm) normalize(w_.embed_norm, x_, x_);
    fire(HookPoint::Embed, -1, x_);
  }

  // pixels (C, H, W) -> x_ (T, d_model): [class, registers..., patches] with their positions
  // (vision/image_embedding.h), then CLIP's pre-norm; hook_embed is what enters block 0.
  void embed(const Tensor& pixels) {
    const Tensor x = embed_image(w_.vision.embedding, pixels);  // (T, d_model)
    std::copy_n(x.f32(), x.numel(), x_.f32());
    if (s_.vision->pre_norm) normalize(w_.vision.pre_norm, x_, x_);
    fire(HookPoint::Embed, -1, x_);
  }

  // The class token's row of h_ (after the final norm; CLIP: the last block's output) -> the
  // pooled output, as transformers' pooler_output, and the classifier's logits on it.
  ImageOutputs image_heads() {
    const int64_t d = s_.d_model;
    const VisionWeights& v = w_.vision;
    ImageOutputs out;
    out.pooled = f32_zeros({d});
    std::copy_n(h_.f32(), d, out.pooled.f32());
    if (!v.classifier.empty()) {
      const std::vector<float> in = classifier_input();
      out.logits = f32_zeros({v.classifier.dim(0)});
      linear(in.data(), 1, v.classifier, v.classifier_bias, out.logits.f32(), scratch_);
    }
    if (s_.vision->pool == ImagePool::ClsPostNorm) {
      normalize_rows(v.pool_norm, h_.f32(), 1, s_.d_model, out.pooled.f32());
    } else if (s_.vision->pool == ImagePool::ClsDense && !v.pooler.empty()) {
      linear(h_.f32(), 1, v.pooler, v.pooler_bias, out.pooled.f32(), scratch_);
      for (int64_t i = 0; i < d; ++i) out.pooled.f32()[i] = std::tanh(out.pooled.f32()[i]);
    }
    return out;
  }

  // h_ -> what the classifier reads (VisionSpec::classifier_input): the class token's row, then
  // for ClsAndMean the mean of rows 1..T-1, summed in double and rounded once.
  std::vector<float> classifier_input() const {
    const int64_t d = s_.d_model;
    std::vector<float> in(h_.f32(), h_.f32() + d);
    if (s_.vision->classifier_input == ClassifierInput::Cls) return in;
    std::vector<double> sum(size_t(d), 0.0);
    for (int64_t t = 1; t < T_; ++t)
      for (int64_t i = 0; i < d; ++i) sum[size_t(i)] += h_.f32()[t * d + i];
    for (double total : sum) in.push_back(float(total / double(T_ - 1)));
    return in;
  }

  static void copy_row(const Tensor& table, int64_t row, float* dst) {
    const int64_t width = table.dim(1);
    const auto* bytes = static_cast<const std::byte*>(table.raw());
    to_f32(table.dtype(), bytes + size_t(row) * dtype_row_bytes(table.dtype(), width), dst,
           size_t(width));
  }

  // One block: its layout's recipe (block.cpp) run on this pass's steps.
  void block(int layer) {
    Steps steps(*this, layer);
    run_block(s_.layout, steps);
  }

  // The steps a recipe calls, on layer `layer`'s weights and this pass's buffers.
  class Steps : public BlockSteps {
   public:
    Steps(ForwardPass& pass, int layer)
        : p_(pass), layer_(layer), b_(pass.w_.blocks[size_t(layer)]) {}
    void norm(BlockNorm which, Buf in, Buf out) override {
      p_.normalize(b_.norms[size_t(which)], p_.buffer(in), p_.buffer(out));
    }
    void scale(BlockScale which, Buf buffer) override {
      scale_rows(p_.buffer(buffer), b_.layer_scales[size_t(which)]);
    }
    void attention(Buf in, Buf out) override {
      p_.attention(layer_, b_, p_.buffer(in), p_.buffer(out));
    }
    void mlp(Buf in, Buf out) override { p_.mlp(layer_, b_, p_.buffer(in), p_.buffer(out)); }
    void add(Buf into, Buf from) override { add_into(p_.buffer(into), p_.buffer(from)); }
    void fire(HookPoint point, Buf buffer) override { p_.fire(point, layer_, p_.buffer(buffer)); }

   private:
    ForwardPass& p_;
    const int layer_;
    const BlockWeights& b_;
  };

  Tensor& buffer(Buf b) {
    switch (b) {
      case Buf::Stream:
        return x_;
      case Buf::Normed:
        return h_;
      case Buf::AttnOut:
        return attn_out_;
      case Buf::MlpOut:
        return mlp_out_;
    }
    throw std::logic_error("ForwardPass::buffer");
  }

  // in (T, d_model) -> out (T, d_model)
  void attention(int layer, const BlockWeights& b, const Tensor& in, Tensor& out) {
    // No hook fires between the three products.
    linear_group(
        in.f32(), T_,
        {{&b.q, &b.q_bias, q_.f32()}, {&b.k, &b.k_bias, k_.f32()}, {&b.v, &b.v_bias, v_.f32()}},
        scratch_);
    if (s_.clip_qkv > 0)
      for (Tensor* t : {&q_, &k_, &v_}) clamp(*t, float(s_.clip_qkv));
    fire(HookPoint::Q, layer, q_);
    fire(HookPoint::K, layer, k_);
    fire(HookPoint::V, layer, v_);
    normalize_qk(s_.layers[size_t(layer)].qk_norm, b);
    if (!layer_rope_.empty()) {
      const RopeTable& rope = rope_tables_[layer_rope_[size_t(layer)]];
      rope.apply(q_.f32(), T_, s_.n_heads, s_.head_dim);
      rope.apply(k_.f32(), T_, s_.n_kv_heads, s_.head_dim);
      fire(HookPoint::RotQ, layer, q_);
      fire(HookPoint::RotK, layer, k_);
    }

    const LayerSpec& spec = s_.layers[size_t(layer)];
    const AttentionShape shape{T_,          s_.n_heads, s_.n_kv_heads, s_.head_dim,
                               spec.window, past_,      spec.causal};
    const float *keys = k_.f32(), *values = v_.f32();  // (past + T, n_kv_heads, head_dim)
    if (cache_) {
      cache_->append(layer, k_.f32(), v_.f32(), T_);
      keys = cache_->keys(layer);
      values = cache_->values(layer);
    }
    // A watched pattern is materialized, all heads at once; otherwise it is streamed.
    if (hooks_.wants(HookPoint::AttnScores, layer) || hooks_.wants(HookPoint::Pattern, layer)) {
      Tensor scores = f32_zeros({s_.n_heads, T_, shape.keys()});
      attention_scores(shape, score_rule_, q_.f32(), keys, 0, s_.n_heads, scores.f32());
      fire(HookPoint::AttnScores, layer, scores);
      attention_softmax(shape, s_.n_heads, scores.f32(), scores.f32());
      fire(HookPoint::Pattern, layer, scores);
      attention_mix(shape, scores.f32(), values, 0, s_.n_heads, z_.f32());
    } else {
      attention_streaming(shape, score_rule_, q_.f32(), keys, values, z_.f32());
    }
    fire(HookPoint::Z, layer, z_);
    linear(z_.f32(), T_, b.o, b.o_bias, out.f32(), scratch_);
  }

  // q_ and k_ normalized in place: each head on its own (rows of head_dim; with EachHead the
  // (heads, head_dim) weights go to the rows (token, head) in turn), or all heads of a token at
  // once (rows of n_heads * head_dim for q, n_kv_heads * head_dim for k).
  void normalize_qk(QkNorm kind, const BlockWeights& b) {
    if (kind == QkNorm::None) return;
    const bool per_head = kind != QkNorm::FullWidth;
    const int64_t q_rows = per_head ? T_ * s_.n_heads : T_,
                  k_rows = per_head ? T_ * s_.n_kv_heads : T_;
    normalize_rows(b.q_norm, q_.f32(), q_rows, q_.numel() / q_rows, q_.f32());
    normalize_rows(b.k_norm, k_.f32(), k_rows, k_.numel() / k_rows, k_.f32());
  }

  // One table per distinct RoPE among the layers (Gemma-3: a local and a global one).
  void build_rope_tables() {
    std::vector<const RopeSpec*> distinct;
    for (const LayerSpec& layer : s_.layers) {
      size_t i = 0;
      while (i < distinct.size() && *distinct[i] != layer.rope) ++i;
      if (i == distinct.size()) {
        distinct.push_back(&layer.rope);
        rope_tables_.emplace_back(layer.rope, T_, past_);
      }
      layer_rope_.push_back(i);
    }
  }

  // in (T, d_model) -> out (T, d_model)
  void mlp(int layer, const BlockWeights& b, const Tensor& in, Tensor& out) {
    if (s_.n_experts > 0) return mixture_of_experts(layer, b, in, out);
    mlp_hidden(in.f32(), T_, b.gate, b.gate_bias, b.up, b.up_bias);
    fire(HookPoint::MlpPost, layer, hidden_);
    linear(hidden_.f32(), T_, b.down, b.down_bias, out.f32(), scratch_);
  }

  // in (rows, d_model) -> hidden_ (rows, d_ff): act(gate(x)) * up(x), or act(up(x)).
  void mlp_hidden(const float* in, int64_t rows, const Tensor& gate, const Tensor& gate_bias,
                  const Tensor& up, const Tensor& up_bias) {
    const int64_t n = rows * s_.d_ff;
    if (s_.mlp == MlpKind::Plain) {
      linear(in, rows, up, up_bias, hidden_.f32(), scratch_);
      activate(s_.activation, hidden_.f32(), n);
      return;
    }
    if (up_.empty()) up_ = f32_zeros({T_, s_.d_ff});
    linear_group(in, rows, {{&gate, &gate_bias, hidden_.f32()}, {&up, &up_bias, up_.f32()}},
                 scratch_);
    activate(s_.activation, hidden_.f32(), n);
    multiply_into(hidden_.f32(), up_.f32(), n);
  }

  // Mixtral's sparse MLP: each token goes to the top-k experts of the router's softmax, and their
  // outputs are summed with those k probabilities, renormalized to sum to 1 where the spec says.
  void mixture_of_experts(int layer, const BlockWeights& b, const Tensor& in, Tensor& out) {
    const int64_t E = s_.n_experts, K = s_.experts_per_token, d = s_.d_model;
    Tensor router = f32_zeros({T_, E});  // (T, n_experts)
    linear(in.f32(), T_, b.router, Tensor(), router.f32(), scratch_);
    fire(HookPoint::RouterLogits, layer, router);
    Tensor choice = f32_zeros({T_, K});  // (T, k) expert ids, best first
    std::vector<float> weight(size_t(T_ * K));
    for (int64_t t = 0; t < T_; ++t)
      route(router.f32() + t * E, choice.f32() + t * K, &weight[size_t(t * K)]);
    fire(HookPoint::ExpertChoice, layer, choice);

    std::fill_n(out.f32(), out.numel(), 0.0f);
    Tensor xe = f32_zeros({T_, d}), ye = f32_zeros({T_, d});  // the rows routed to one expert
    for (int64_t e = 0; e < E; ++e) {
      std::vector<std::pair<int64_t, float>> rows;  // (token, weight)
      for (int64_t t = 0; t < T_; ++t)
        for (int64_t j = 0; j < K; ++j)
          if (int64_t(choice.f32()[t * K + j]) == e)
            rows.emplace_back(t, weight[size_t(t * K + j)]);
      if (rows.empty()) continue;
      const int64_t n = int64_t(rows.size());
      for (int64_t r = 0; r < n; ++r)
        std::copy_n(in.f32() + rows[size_t(r)].first * d, d, xe.f32() + r * d);
      const ExpertWeights& ex = b.experts[size_t(e)];
      mlp_hidden(xe.f32(), n, ex.gate, Tensor(), ex.up, Tensor());
      linear(hidden_.f32(), n, ex.down, Tensor(), ye.f32(), scratch_);
      for (int64_t r = 0; r < n; ++r) {
        float* dst = out.f32() + rows[size_t(r)].first * d;
        for (int64_t i = 0; i < d; ++i) dst[i] += ye.f32()[r * d + i] * rows[size_t(r)].second;
      }
    }
  }

  // One token's router logits (n_experts) -> its k experts and their (renormalized) weights.
  void route(const float* logits, float* experts, float* weights) const {
    const int64_t E = s_.n_experts, K = s_.experts_per_token;
    std::vector<float> p(logits, logits + E);
    const float max = *std::max_element(p.begin(), p.end());
    float sum = 0.0f;
    for (float& v : p) sum += (v = std::exp(v - max));
    for (float& v : p) v /= sum;
    std::vector<int64_t> order(static_cast<size_t>(E));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return p[size_t(a)] > p[size_t(b)]; });
    float kept = 0.0f;
    for (int64_t j = 0; j < K; ++j) kept += p[size_t(order[size_t(j)])];
    for (int64_t j = 0; j < K; ++j) {
      experts[j] = float(order[size_t(j)]);
      weights[j] = p[size_t(order[size_t(j)])] / (s_.moe_renormalize ? kept : 1.0f);
    }
  }

  static void clamp(Tensor& t, float limit) {
    for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = std::clamp(t.f32()[i], -limit, limit);
  }

  // x (T, d) row by row times scale (d,), as torch's x * lambda (one rounding per product).
  static void scale_rows(Tensor& x, const Tensor& scale) {
    const Tensor w = scale.to_f32();
    const int64_t d = w.numel(), n = x.numel();
    float* a = x.f32();
    const float* s = w.f32();
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
    for (int64_t i = 0; i < n; ++i) a[i] *= s[i % d];
  }

  static void add_into(Tensor& x, const Tensor& y) {
    float* a = x.f32();
    const float* b = y.f32();
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
    for (int64_t i = 0; i < n; ++i) a[i] += b[i];
  }

  // h_ rows [first, first + n) -> the unembedding's input (n, embed_dim): those rows of h_, or
  // their projection out, held in `projected`.
  const float* unembed_input(int64_t first, int64_t n, Tensor& projected) {
    const float* h = h_.f32() + first * s_.d_model;
    if (s_.embed_dim == s_.d_model) return h;
    projected = f32_zeros({n, s_.embed_dim});
    linear(h, n, w_.project_out, Tensor(), projected.f32(), scratch_);
    return projected.f32();
  }

  // h (n, embed_dim) -> out (n, end - begin): the logits of vocabulary entries [begin, end),
  // scaled and soft-capped where the spec says.
  void logits(const float* h, int64_t n, int64_t begin, int64_t end, float* out) {
    const Tensor bias = w_.lm_head_bias.empty() ? Tensor() : w_.lm_head_bias.rows(begin, end);
    linear(h, n, w_.lm_head.rows(begin, end), bias, out, scratch_);
    const int64_t count = n * (end - begin);
    if (s_.logit_scale != 1.0) {
      const float scale = float(s_.logit_scale);
#pragma omp parallel for schedule(static) if (count >= kMinParallelWork)
      for (int64_t i = 0; i < count; ++i) out[i] *= scale;
    }
    if (s_.final_softcap <= 0) return;
    const float cap = float(s_.final_softcap);
#pragma omp parallel for schedule(static) if (count >= kMinParallelWork)
    for (int64_t i = 0; i < count; ++i) out[i] = cap * std::tanh(out[i] / cap);
  }

  Tensor unembed(LogitRows rows) {
    if (rows == LogitRows::None) return Tensor();
    const int64_t first = rows == LogitRows::Last ? T_ - 1 : 0, n = T_ - first;
    Tensor projected;
    const float* h = unembed_input(first, n, projected);
    Tensor out = f32_zeros({n, s_.vocab_size});
    logits(h, n, 0, s_.vocab_size, out.f32());
    return out;
  }

  // -log softmax(logits[t])[ids[t + 1]] for t < T - 1. The vocabulary is taken vocab_panel
  // entries at a time, each row keeping a running maximum and sum of exponentials, so a long
  // window over a large vocabulary never holds its (T, vocab) logits (4 GiB for 4,096 tokens of
  // Gemma's 262,144).
  std::vector<double> next_token_nll(const TokenIds& ids, int64_t vocab_panel) {
    const int64_t n = T_ - 1, V = s_.vocab_size;
    if (n == 0) return {};
    const int64_t panel =
        std::min(V, vocab_panel > 0 ? vocab_panel : std::max<int64_t>(1, kScratchFloats / n));
    Tensor projected;
    const float* h = unembed_input(0, n, projected);
    Tensor block = f32_zeros({n, panel});
    const auto rows = size_t(n);
    std::vector<double> max(rows, -INFINITY), sum(rows, 0.0), target(rows);
    for (int64_t begin = 0; begin < V; begin += panel) {
      const int64_t end = std::min(V, begin + panel), width = end - begin;
      logits(h, n, begin, end, block.f32());
#pragma omp parallel for schedule(static) if (n * width >= kMinParallelWork)
      for (int64_t t = 0; t < n; ++t) {
        const float* row = block.f32() + t * width;
        const double m = std::max(max[size_t(t)], double(*std::max_element(row, row + width)));
        double s = sum[size_t(t)] * std::exp(max[size_t(t)] - m);  // rescaled to the new maximum
        for (int64_t j = 0; j < width; ++j) s += std::exp(double(row[j]) - m);
        max[size_t(t)] = m;
        sum[size_t(t)] = s;
        const int64_t next = ids[size_t(t + 1)];
        if (next >= begin && next < end) target[size_t(t)] = row[next - begin];
      }
    }
    std::vector<double> nll(rows);
    for (size_t t = 0; t < nll.size(); ++t) nll[t] = std::log(sum[t]) + max[t] - target[t];
    return nll;
  }

  const ModelSpec& s_;
  const ModelWeights& w_;
  const Hooks& hooks_;
  const int64_t T_;
  KvCache* cache_;                      // or nullptr
  const int64_t past_;                  // tokens in the cache before this pass's
  std::vector<RopeTable> rope_tables_;  // with rotary positions: one per distinct RopeSpec
  std::vector<size_t> layer_rope_;      // each layer's table
  ScoreRule score_rule_;
  Tensor x_;         // (T, d_model) the residual stream
  Tensor h_;         // (T, d_model) the normalized input of the current sublayer
  Tensor attn_out_;  // (T, d_model)
  Tensor mlp_out_;   // (T, d_model)
  Tensor q_;         // (T, n_heads, head_dim)
  Tensor k_;         // (T, n_kv_heads, head_dim)
  Tensor v_;         // (T, n_kv_heads, head_dim)
  Tensor z_;         // (T, n_heads, head_dim)
  Tensor hidden_;    // (T, d_ff) the MLP's hidden activation
  Tensor up_;        // (T, d_ff) gated MLPs' up projection
  WeightScratch scratch_;
};

}  // namespace

void Model::check_input(const TokenIds& ids, int64_t past) const {
  if (spec_.vision)
    throw_input_error(path_, ": a vision transformer (", spec_.family,
                      ") reads images (--image, --image-dir), not token ids");
  if (ids.empty()) throw_input_error("input: no tokens to run");
  for (size_t t = 0; t < ids.size(); ++t)
    if (ids[t] < 0 || ids[t] >= spec_.vocab_size)
      throw_input_error("input: token id ", ids[t], " at position ", t,
                        " is outside the vocabulary [0, ", spec_.vocab_size, ") of ", path_);
  if (spec_.positions == Positions::Learned && past + int64_t(ids.size()) > spec_.max_positions)
    throw_input_error("input: ", past + int64_t(ids.size()), " tokens, more than the ",
                      spec_.max_positions, " learned positions of ", path_);
}

void Model::check_causal(const std::string& what) const {
  for (const LayerSpec& layer : spec_.layers)
    if (!layer.causal)
      throw_input_error(path_, ": ", what, " needs a causal (decoder) model; this ", spec_.family,
                        " model is an encoder",
                        spec_.vision ? " (a vision transformer, which reads images)" : "",
                        ", whose tokens attend to the tokens after them");
}

PatchGrid Model::check_image(const Tensor& pixels) const {
  if (!spec_.vision)
    throw_input_error(path_, ": a ", spec_.family,
                      " model reads token ids, not images (it is not a vision transformer)");
  const VisionSpec& v = *spec_.vision;
  if (pixels.rank() != 3 || pixels.dim(0) != v.channels)
    throw_input_error("image: pixel values of shape ", shape_str(pixels.shape()), ", expected (",
                      v.channels, ", height, width) for ", path_);
  return patch_grid(pixels.dim(1), pixels.dim(2), v.patch_size);
}

int64_t Model::image_tokens(const Tensor& pixels) const {
  return 1 + spec_.vision->n_registers + check_image(pixels).count();
}

ImageOutputs Model::forward_image(const Tensor& pixels, const Hooks& hooks) const {
  const int64_t T = image_tokens(pixels);
  ForwardPass pass(spec_, weights_, hooks, T);
  return pass.run_image(pixels.to_f32());
}

Tensor Model::forward(const TokenIds& ids, const Hooks& hooks, LogitRows rows) const {
  check_input(ids);
  ForwardPass pass(spec_, weights_, hooks, int64_t(ids.size()));
  return pass.run(ids, rows);
}

std::vector<double> Model::next_token_nll(const TokenIds& ids, const Hooks& hooks,
                                          int64_t vocab_panel) const {
  check_causal("the next-token loss");
  check_input(ids);
  ForwardPass pass(spec_, weights_, hooks, int64_t(ids.size()));
  return pass.run_next_token_nll(ids, vocab_panel);
}

Tensor Model::forward(const TokenIds& ids, KvCache& cache, LogitRows rows) const {
  check_causal("decoding with a KV cache");
  check_input(ids, cache.length());
  const Hooks none;  // the pass holds a reference
  ForwardPass pass(spec_, weights_, none, int64_t(ids.size()), &cache);
  return pass.run(ids, rows);
}

Tensor Model::forward(const TokenIds& ids, LogitRows rows) const {
  return forward(ids, Hooks(), rows);
}

}  // namespace massact
