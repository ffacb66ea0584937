// StarCoder2: pre-LayerNorm blocks (with biases), RoPE over the whole head, grouped KV heads, a
// plain MLP (c_fc, c_proj) with gelu_pytorch_tanh, biases on every projection unless use_bias is
// false, and a sliding window where the config sets one. The window is applied as transformers
// >= 4.48 does (4.44 applies it only in its flash-attention path).
#include "model/arch/arch.h"

namespace massact {

namespace {

// LLaMA's names but for the plain MLP's c_fc and c_proj.
TensorNames starcoder2_names() {
  TensorNames n = llama_names();
  n.gate.clear();
  n.up = "model.layers.{i}.mlp.c_fc.weight";
  n.down = "model.layers.{i}.mlp.c_proj.weight";
  return n;
}

}  // namespace

ModelSpec starcoder2_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "starcoder2", {.head_dim = ""});
  spec.d_ff = bounded_size(config, "intermediate_size", SpecLimits::width);
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = config.number("norm_epsilon", 1e-5);
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "hidden_act", "gelu_pytorch_tanh");
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = config.boolean("use_bias", true);
  RopeSpec rope = read_rope(config);
  rope.dims = spec.head_dim;
  set_rope(spec, rope);
  if (config.has("sliding_window"))
    set_window(spec, bounded_size(config, "sliding_window", SpecLimits::positions));
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  spec.names = starcoder2_names();
  return spec;
}

}  // namespace massact
