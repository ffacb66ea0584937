#include "model/weights.h"

#include "core/error.h"

namespace massact {

namespace {

class WeightLoader {
 public:
  WeightLoader(const TensorSource& source, const std::string& path)
      : source_(source), path_(path) {}

  Tensor get(const std::string& name, const Shape& expected) const {
    Tensor t = source_.get(name);
    if (!is_float(t.dtype()))
      throw_input_error(path_, ": tensor '", name, "': dtype ", dtype_name(t.dtype()),
                        ", expected F32, F16, BF16 or F64");
    if (t.shape() != expected)
      throw_input_error(path_, ": tensor '", name, "': shape ", shape_str(t.shape()), ", expected ",
                        shape_str(expected), " from config.json");
    return t;
  }
  Tensor layer(const std::string& pattern, int64_t i, const Shape& expected) const {
    return get(layer_tensor_name(pattern, i), expected);
  }

 private:
  const TensorSource& source_;
  const std::string& path_;
};

}  // namespace

ModelWeights load_weights(const ModelSpec& s, const TensorSource& source,
                          const std::string& checkpoint_path) {
  WeightLoader load(source, checkpoint_path);
  const TensorNames& n = s.names;
  const int64_t d = s.d_model, q_dim = s.n_heads * s.head_dim, kv_dim = s.n_kv_heads * s.head_dim;

  ModelWeights w;
  w.embed = load.get(n.embed, {s.vocab_size, d});
  for (int64_t i = 0; i < s.n_layers; ++i) {
    BlockWeights b;
    b.attn_norm = load.layer(n.attn_norm, i, {d});
    b.q = load.layer(n.q, i, {q_dim, d});
    b.k = load.layer(n.k, i, {kv_dim, d});
    b.v = load.layer(n.v, i, {kv_dim, d});
    b.o = load.layer(n.o, i, {d, q_dim});
    if (s.qkv_bias) {
      b.q_bias = load.layer(n.q_bias, i, {q_dim});
      b.k_bias = load.layer(n.k_bias, i, {kv_dim});
      b.v_bias = load.layer(n.v_bias, i, {kv_dim});
    }
    if (s.o_bias) b.o_bias = load.layer(n.o_bias, i, {d});
    b.mlp_norm = load.layer(n.mlp_norm, i, {d});
    b.gate = load.layer(n.gate, i, {s.d_ff, d});
    b.up = load.layer(n.up, i, {s.d_ff, d});
    b.down = load.layer(n.down, i, {d, s.d_ff});
    w.blocks.push_back(std::move(b));
  }
  w.final_norm = load.get(n.final_norm, {d});
  // Tied checkpoints usually omit lm_head; one that stores it anyway is used as stored.
  w.lm_head = s.tied_embeddings && !source.has(n.lm_head) ? w.embed
                                                          : load.get(n.lm_head, {s.vocab_size, d});
  return w;
}

}  // namespace massact
