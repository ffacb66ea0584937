#include "model/weights.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include "core/error.h"

namespace massact {

namespace {

using RowRange = std::pair<int64_t, int64_t>;  // [begin, end) along dimension 0

// Rows of `t` gathered into one tensor of its dtype: a view when they are one contiguous range,
// else an owned copy (made once, at load).
Tensor take_rows(const Tensor& t, const std::vector<RowRange>& ranges) {
  if (ranges.size() == 1) return t.rows(ranges[0].first, ranges[0].second);
  const size_t row_bytes = t.nbytes() / size_t(t.dim(0));
  Shape shape = t.shape();
  shape[0] = 0;
  for (const auto& [begin, end] : ranges) shape[0] += end - begin;
  const auto* src = static_cast<const std::byte*>(t.raw());
  Tensor out = Tensor::zeros(t.dtype(), shape);
  auto* dst = static_cast<std::byte*>(out.raw_mut());
  for (const auto& [begin, end] : ranges) {
    std::memcpy(dst, src + size_t(begin) * row_bytes, size_t(end - begin) * row_bytes);
    dst += size_t(end - begin) * row_bytes;
  }
  return out;
}

// (rows, cols) -> an owned (cols, rows) copy in the same dtype; float32 for a block type, whose
// blocks run along rows and so cannot be transposed.
Tensor transposed(const Tensor& t) {
  if (is_quantized(t.dtype())) return transposed(t.to_f32());
  const int64_t rows = t.dim(0), cols = t.dim(1);
  const size_t es = dtype_size(t.dtype());
  Tensor out = Tensor::zeros(t.dtype(), {cols, rows});
  const auto* src = static_cast<const std::byte*>(t.raw());
  auto* dst = static_cast<std::byte*>(out.raw_mut());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      std::memcpy(dst + size_t(c * rows + r) * es, src + size_t(r * cols + c) * es, es);
  return out;
}

// llama.cpp's pairwise q/k row order (ModelSpec::qk_rows_pairwise) -> Hugging Face's rotate-half
// order: within each head of hd rows, HF row s * hd/2 + j is stored at row 2j + s.
Tensor rotate_half_rows(const Tensor& t, int64_t head_dim) {
  std::vector<RowRange> rows;
  for (int64_t head = 0; head < t.dim(0); head += head_dim)
    for (int64_t s = 0; s < 2; ++s)
      for (int64_t j = 0; j < head_dim / 2; ++j) {
        const int64_t stored = head + 2 * j + s;
        rows.emplace_back(stored, stored + 1);
      }
  return take_rows(t, rows);
}

class WeightLoader {
 public:
  WeightLoader(const ModelSpec& spec, const TensorSource& source, const std::string& path)
      : s_(spec), source_(source), path_(path) {}

  Tensor get(const std::string& name, const Shape& expected) const {
    Tensor t = source_.get(resolve(name));
    if (!is_float(t.dtype()))
      throw_input_error(path_, ": tensor '", name, "': dtype ", dtype_name(t.dtype()),
                        ", expected F32, F16, BF16, F64 or a GGUF block type");
    if (t.shape() != expected)
      throw_input_error(path_, ": tensor '", name, "': shape ", shape_str(t.shape()), ", expected ",
                        shape_str(expected), " from config.json");
    // A quantized vector (a norm or a bias, which converters leave in float anyway) is widened
    // here, so that everything below may take its rows to be whole blocks.
    if (is_quantized(t.dtype()) && t.rank() == 1) return t.to_f32();
    return t;
  }
  Tensor layer(const std::string& pattern, int64_t i, const Shape& expected,
               int64_t expert = -1) const {
    return get(layer_tensor_name(pattern, i, expert), expected);
  }

  // A block's (out, in) matrix, transposed at load where the checkpoint stores (in, out).
  Tensor linear(const std::string& pattern, int64_t i, int64_t out, int64_t in,
                int64_t expert = -1) const {
    if (!s_.linear_transposed) return layer(pattern, i, {out, in}, expert);
    return transposed(layer(pattern, i, {in, out}, expert));
  }
  Tensor bias(const std::string& pattern, int64_t i, int64_t n) const {
    return layer(bias_name(pattern), i, {n});
  }
  NormWeights norm(const std::string& pattern, int64_t i) const {
    return norm(pattern, i, s_.d_model);
  }
  NormWeights norm(const std::string& pattern, int64_t i, int64_t width) const {
    NormWeights n;
    n.weight = layer(pattern, i, {width});
    if (s_.norm_bias) n.bias = bias(pattern, i, width);
    return n;
  }
  // A q/k norm's weights of `shape`: (width,), or (heads, head_dim) for a norm of each head with
  // its own; a bias where the block norms have one, unless qk_norm_bias says none (StableLM 2).
  NormWeights qk_norm_weights(const std::string& pattern, int64_t i, const Shape& shape) const {
    NormWeights n;
    n.weight = head_rows(pattern, i, shape);
    if (s_.norm_bias && s_.qk_norm_bias) n.bias = head_rows(bias_name(pattern), i, shape);
    return n;
  }
  // Layer i's tensor of `shape`; with "{e}" in the pattern, a (heads, head_dim) one gathered into
  // a float32 copy from one (head_dim,) tensor per head, "{e}" standing for the head (StableLM's
  // q_layernorm.norms.{e}).
  Tensor head_rows(const std::string& pattern, int64_t i, const Shape& shape) const {
    if (pattern.find("{e}") == std::string::npos) return layer(pattern, i, shape);
    if (shape.size() != 2) throw std::logic_error("head_rows: one tensor per head of a 1-D norm");
    const int64_t heads = shape[0], hd = shape[1];
    Tensor out = Tensor::zeros(DType::F32, {heads, hd});
    for (int64_t h = 0; h < heads; ++h) {
      const Tensor w = layer(pattern, i, {hd}, h).to_f32();
      std::copy_n(w.f32(), hd, out.f32() + h * hd);
    }
    return out;
  }

  void attention(int64_t i, BlockWeights& b) const {
    const TensorNames& n = s_.names;
    const int64_t d = s_.d_model, q_dim = s_.n_heads * s_.head_dim,
                  kv_dim = s_.n_kv_heads * s_.head_dim;
    if (n.qkv.empty()) {
      b.q = linear(n.q, i, q_dim, d);
      b.k = linear(n.k, i, kv_dim, d);
      b.v = linear(n.v, i, kv_dim, d);
      if (s_.qkv_bias) {
        b.q_bias = bias(n.q, i, q_dim);
        b.k_bias = bias(n.k, i, kv_dim);
        b.v_bias = bias(n.v, i, kv_dim);
      }
    } else {
      split_qkv(linear(n.qkv, i, q_dim + 2 * kv_dim, d), b.q, b.k, b.v);
      if (s_.qkv_bias) split_qkv(bias(n.qkv, i, q_dim + 2 * kv_dim), b.q_bias, b.k_bias, b.v_bias);
    }
    b.o = linear(n.o, i, d, q_dim);
    if (s_.o_bias) b.o_bias = bias(n.o, i, d);
    const QkNorm qk_norm = s_.layers[size_t(i)].qk_norm;
    const int64_t hd = s_.head_dim;
    if (qk_norm == QkNorm::PerHead) {
      b.q_norm = qk_norm_weights(n.q_norm, i, {hd});
      b.k_norm = qk_norm_weights(n.k_norm, i, {hd});
    } else if (qk_norm == QkNorm::FullWidth) {
      b.q_norm = qk_norm_weights(n.q_norm, i, {q_dim});
      b.k_norm = qk_norm_weights(n.k_norm, i, {kv_dim});
    } else if (qk_norm == QkNorm::EachHead) {
      b.q_norm = qk_norm_weights(n.q_norm, i, {s_.n_heads, hd});
      b.k_norm = qk_norm_weights(n.k_norm, i, {s_.n_kv_heads, hd});
    }
    if (s_.qk_rows_pairwise)
      for (Tensor* t : {&b.q, &b.k, &b.q_bias, &b.k_bias})
        if (!t->empty()) *t = rotate_half_rows(*t, s_.head_dim);
  }

  // Expert e's (out, in) matrix: its own tensor ("{e}" in the pattern), or slice e of one
  // (n_experts, out, in) tensor holding every expert of the layer (llama.cpp's *_exps), a view.
  Tensor expert(const std::string& pattern, int64_t i, int64_t e, int64_t out, int64_t in) const {
    if (pattern.find("{e}") != std::string::npos) return linear(pattern, i, out, in, e);
    return layer(pattern, i, {s_.n_experts, out, in}).rows(e, e + 1).reshaped({out, in});
  }

  void mlp(int64_t i, BlockWeights& b) const {
    const TensorNames& n = s_.names;
    const int64_t d = s_.d_model;
    if (s_.n_experts > 0) {
      b.router = layer(n.router, i, {s_.n_experts, d});
      for (int64_t e = 0; e < s_.n_experts; ++e)
        b.experts.push_back({expert(n.gate, i, e, s_.d_ff, d), expert(n.up, i, e, s_.d_ff, d),
                             expert(n.down, i, e, d, s_.d_ff)});
      return;
    }
    if (!n.gate_up.empty()) {
      fused_gate_up(i, b);
    } else {
      if (s_.mlp == MlpKind::Gated) b.gate = linear(n.gate, i, s_.d_ff, d);
      b.up = linear(n.up, i, s_.d_ff, d);
      if (s_.mlp_bias) b.up_bias = bias(n.up, i, s_.d_ff);
    }
    b.down = linear(n.down, i, d, s_.d_ff);
    if (s_.mlp_bias) b.down_bias = bias(n.down, i, d);
  }

  // One (2 d_ff, d_model) tensor: gate's rows, then up's (DINOv2's SwiGLU weights_in).
  void fused_gate_up(int64_t i, BlockWeights& b) const {
    const int64_t f = s_.d_ff;
    const Tensor fused = linear(s_.names.gate_up, i, 2 * f, s_.d_model);
    b.gate = fused.rows(0, f);
    b.up = fused.rows(f, 2 * f);
    if (!s_.mlp_bias) return;
    const Tensor fused_bias = bias(s_.names.gate_up, i, 2 * f);
    b.gate_bias = fused_bias.rows(0, f);
    b.up_bias = fused_bias.rows(f, 2 * f);
  }

  // The input stage and heads of a vision transformer; a pooler or classifier the checkpoint
  // does not store is left empty.
  VisionWeights vision() const {
    const VisionSpec& v = *s_.vision;
    const TensorNames& n = s_.names;
    const int64_t d = s_.d_model, side = v.image_size / v.patch_size;
    VisionWeights w;
    ImageEmbedding& e = w.embedding;
    e.patch_size = v.patch_size;
    e.resize = v.resize;
    e.patch = get(n.patch_embed, {d, v.channels, v.patch_size, v.patch_size});
    if (v.patch_bias) e.patch_bias = get(bias_name(n.patch_embed), {d});
    e.cls = get(n.cls_token, shape_of(n.cls_token, d));
    if (v.n_registers > 0)
      e.registers = get(n.register_tokens, shape_of(n.register_tokens, v.n_registers * d));
    e.positions = get(n.pos_embed, shape_of(n.pos_embed, (1 + side * side) * d));
    if (v.pre_norm) w.pre_norm = norm(n.pre_norm, 0);
    if (v.pool == ImagePool::ClsPostNorm) w.pool_norm = norm(n.pool_norm, 0);
    if (!n.pooler.empty() && source_.has(resolve(n.pooler))) {
      w.pooler = get(n.pooler, {d, d});
      w.pooler_bias = get(bias_name(n.pooler), {d});
    }
    if (!n.classifier.empty() && source_.has(resolve(n.classifier))) {
      const auto labels = int64_t(v.labels.size());
      const int64_t in = v.classifier_input == ClassifierInput::ClsAndMean ? 2 * d : d;
      w.classifier = get(n.classifier, {labels, in});
      w.classifier_bias = get(bias_name(n.classifier), {labels});
    }
    return w;
  }

 private:
  // A vision tensor's shape as the family stores it ((1, 1, d) parameters in ViT and DINOv2,
  // (d,) in CLIP): any shape holding `elements` values; a missing tensor falls through to get().
  Shape shape_of(const std::string& name, int64_t elements) const {
    if (!source_.has(resolve(name))) return {elements};
    const Shape stored = source_.shape(resolve(name));
    return shape_numel(stored) == elements ? stored : Shape{elements};
  }

  std::string resolve(const std::string& name) const {
    const std::string& prefix = s_.names.optional_prefix;
    if (prefix.empty() || source_.has(name) || !name.starts_with(prefix)) return name;
    const std::string bare = name.substr(prefix.size());
    return source_.has(bare) ? bare : name;
  }

  // Fused rows -> q (n_heads * hd rows), k and v (n_kv_heads * hd rows each); see qkv_groups.
  void split_qkv(const Tensor& fused, Tensor& q, Tensor& k, Tensor& v) const {
    const int64_t groups = s_.qkv_groups, hd = s_.head_dim;
    const int64_t q_rows = s_.n_heads / groups * hd, kv_rows = s_.n_kv_heads / groups * hd;
    std::vector<RowRange> qr, kr, vr;
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t start = g * (q_rows + 2 * kv_rows);
      qr.emplace_back(start, start + q_rows);
      kr.emplace_back(start + q_rows, start + q_rows + kv_rows);
      vr.emplace_back(start + q_rows + kv_rows, start + q_rows + 2 * kv_rows);
    }
    q = take_rows(fused, qr);
    k = take_rows(fused, kr);
    v = take_rows(fused, vr);
  }

  const ModelSpec& s_;
  const TensorSource& source_;
  const std::string& path_;
};

void load_blocks(const WeightLoader& load, const ModelSpec& s, const BlockPlan& plan,
                 ModelWeights& w) {
  const TensorNames& n = s.names;
  for (int64_t i = 0; i < s.n_layers; ++i) {
    BlockWeights b;
    for (BlockNorm which : plan.norms) b.norms[size_t(which)] = load.norm(norm_name(n, which), i);
    for (BlockScale which : plan.scales)
      b.layer_scales[size_t(which)] = load.layer(scale_name(n, which), i, {s.d_model});
    load.attention(i, b);
    load.mlp(i, b);
    w.blocks.push_back(std::move(b));
  }
}

}  // namespace

ModelWeights load_weights(const ModelSpec& s, const TensorSource& source,
                          const std::string& checkpoint_path) {
  WeightLoader load(s, source, checkpoint_path);
  const TensorNames& n = s.names;
  const int64_t d = s.d_model, e = s.embed_dim;

  // In the order of the forward pass, so that the first tensor at fault is the one named.
  ModelWeights w;
  if (s.vision) {
    w.vision = load.vision();
  } else {
    w.embed = load.get(n.embed, {s.vocab_size, e});
    if (s.positions == Positions::Learned)
      w.pos_embed = load.get(n.pos_embed, {s.max_positions + s.position_offset, d});
    if (e != d) {
      w.project_in = load.get(n.project_in, {d, e});
      w.project_out = load.get(n.project_out, {e, d});
    }
    if (s.embed_norm) w.embed_norm = load.norm(n.embed_norm, 0);
  }
  load_blocks(load, s, plan_block(s), w);  // plan: the norms and LayerScales the recipe uses
  if (s.final_norm) w.final_norm = load.norm(n.final_norm, 0);
  if (s.vision) return w;
  // Tied checkpoints usually omit lm_head; one that stores it anyway is used as stored.
  w.lm_head = s.tied_embeddings && !source.has(n.lm_head) ? w.embed
                                                          : load.get(n.lm_head, {s.vocab_size, e});
  if (s.lm_head_bias) w.lm_head_bias = load.get(bias_name(n.lm_head), {s.vocab_size});
  return w;
}

}  // namespace massact
