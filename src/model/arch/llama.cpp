// LLaMA (1, 2, 3): pre-RMSNorm blocks, RoPE (rotate-half layout), gated SiLU MLP, optional grouped
// KV heads. Mistral and Qwen2 share its shape and names and adjust it (mistral.cpp, qwen2.cpp).
#include "core/error.h"
#include "model/arch/arch.h"

namespace massact {

RopeSpec read_rope(const JsonFields& config) {
  RopeSpec rope;
  rope.theta = config.number("rope_theta", 10000.0);
  if (!(rope.theta > 0)) config.fail("rope_theta", "a positive number");
  if (!config.has("rope_scaling")) return rope;
  JsonFields scaling = config.object("rope_scaling");
  // Older configs call the field "type", newer ones "rope_type".
  std::string type =
      scaling.has("rope_type") ? scaling.string("rope_type") : scaling.string("type");
  if (type == "default") return rope;
  if (type == "linear") {
    rope.scaling = RopeScaling::Linear;
    rope.factor = scaling.number("factor");
  } else if (type == "llama3") {
    rope.scaling = RopeScaling::Llama3;
    rope.factor = scaling.number("factor");
    rope.low_freq_factor = scaling.number("low_freq_factor");
    rope.high_freq_factor = scaling.number("high_freq_factor");
    rope.original_max_positions = scaling.positive_integer("original_max_position_embeddings");
    if (rope.high_freq_factor <= rope.low_freq_factor)
      scaling.fail("high_freq_factor", "a value above low_freq_factor");
  } else {
    scaling.fail(scaling.has("rope_type") ? "rope_type" : "type",
                 "\"linear\", \"llama3\" or \"default\"");
  }
  if (rope.factor <= 0) scaling.fail("factor", "a positive number");
  return rope;
}

int64_t rotary_dims(const JsonFields& config, const std::string& key, double fallback,
                    int64_t head_dim) {
  // Checked before it is used: a fraction above 1 would rotate dimensions past the head's end.
  const double fraction = config.number(key, fallback);
  if (!(fraction > 0 && fraction <= 1)) config.fail(key, "a fraction in (0, 1]");
  const auto dims = int64_t(double(head_dim) * fraction);
  if (dims <= 0 || dims % 2 != 0)
    config.fail(key, "a fraction giving an even, positive number of rotary dimensions");
  return dims;
}

TensorNames llama_names() {
  TensorNames n;
  n.embed = "model.embed_tokens.weight";
  n.final_norm = "model.norm.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "model.layers.{i}.input_layernorm.weight";
  n.q = "model.layers.{i}.self_attn.q_proj.weight";
  n.k = "model.layers.{i}.self_attn.k_proj.weight";
  n.v = "model.layers.{i}.self_attn.v_proj.weight";
  n.o = "model.layers.{i}.self_attn.o_proj.weight";
  n.mlp_norm = "model.layers.{i}.post_attention_layernorm.weight";
  n.gate = "model.layers.{i}.mlp.gate_proj.weight";
  n.up = "model.layers.{i}.mlp.up_proj.weight";
  n.down = "model.layers.{i}.mlp.down_proj.weight";
  return n;
}

std::optional<int32_t> optional_token_id(const JsonFields& config, const std::string& key) {
  if (!config.has(key)) return std::nullopt;
  // Some configs give a list of EOS ids (LLaMA-3 instruct); the first one serves for generation.
  const json& value = config.raw(key);
  const json& id = value.is_array() && !value.empty() ? value[0] : value;
  if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
    config.fail(key, "a token id (an integer in [0, 2^31)) or a list of them");
  return int32_t(id.get<int64_t>());
}

ModelSpec llama_shape(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, config.string("model_type"), {.default_max_positions = 2048});
  spec.d_ff = config.positive_integer("intermediate_size");
  spec.norm_eps = config.number("rms_norm_eps", 1e-6);
  RopeSpec rope = read_rope(config);
  rope.dims = spec.head_dim;
  set_rope(spec, rope);
  spec.qkv_bias = config.boolean("attention_bias", false);
  spec.o_bias = spec.qkv_bias;
  spec.tied_embeddings = config.boolean("tie_word_embeddings", false);
  spec.names = llama_names();

  if (spec.head_dim % 2 != 0) config.fail("head_dim", "an even number (RoPE rotates pairs)");
  if (config.boolean("mlp_bias", false))
    config.fail("mlp_bias", "false (MLP biases are not supported yet)");
  return spec;
}

ModelSpec llama_spec(const JsonFields& config) {
  ModelSpec spec = llama_shape(config);
  std::string act = config.string("hidden_act", "silu");
  if (act != "silu") config.fail("hidden_act", "\"silu\"");
  return spec;
}

Activation read_activation(const JsonFields& config, const std::string& key,
                           const std::string& fallback) {
  // Hugging Face's names (transformers' ACT2FN) for the activations massact has.
  const std::string name = config.string(key, fallback);
  if (name == "silu" || name == "swish") return Activation::SiLU;
  if (name == "gelu") return Activation::GeluExact;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh") return Activation::GeluTanh;
  if (name == "relu") return Activation::ReLU;
  if (name == "quick_gelu") return Activation::QuickGelu;
  config.fail(key,
              "one of \"silu\", \"gelu\", \"gelu_new\", \"gelu_pytorch_tanh\", \"relu\", "
              "\"quick_gelu\"");
}

}  // namespace massact
