// GGUF metadata -> ModelSpec. A GGUF file names its architecture in general.architecture and keeps
// the sizes under "<arch>.*" keys; its tensors carry llama.cpp's names, the same for every
// architecture. What llama.cpp hard-codes per architecture rather than storing (Gemma-3's local
// RoPE base and layer pattern, Gemma's attention scale) is hard-coded here too, as llama.cpp does.
//
// Conversion conventions that matter for the numbers (llama.cpp's convert_hf_to_gguf.py):
//  - LLaMA's q/k rows are reordered so rotary pairs are adjacent ("norm" RoPE); the loader puts
//    them back (ModelSpec::qk_rows_pairwise). Qwen2 and the Gemmas keep Hugging Face's order
//    ("neox" RoPE, halves) and need nothing.
//  - Gemma's RMSNorm weights are stored with the 1 already added: the offset is 0 here.
#include <cmath>

#include "core/error.h"
#include "model/arch/arch.h"

namespace massact {

namespace {

// Reads "<arch>.<key>" from the file.
class ArchKeys {
 public:
  ArchKeys(const GgufFile& gguf, const TensorSource& tensors)
      : gguf(gguf), tensors(tensors), arch(gguf.string("general.architecture")) {}

  std::string key(const std::string& k) const { return arch + "." + k; }
  bool has(const std::string& k) const { return gguf.has(key(k)); }
  int64_t positive(const std::string& k) const {
    const uint64_t v = gguf.unsigned_integer(key(k));
    if (v == 0 || v > uint64_t(INT32_MAX)) gguf.fail(key(k), "a positive integer below 2^31");
    return int64_t(v);
  }
  int64_t positive(const std::string& k, int64_t fallback) const {
    return has(k) ? positive(k) : fallback;
  }
  double number(const std::string& k, double fallback) const {
    return has(k) ? gguf.number(key(k)) : fallback;
  }
  [[noreturn]] void fail(const std::string& k, const std::string& expected) const {
    gguf.fail(key(k), expected);
  }

  const GgufFile& gguf;
  const TensorSource& tensors;
  const std::string arch;
};

TensorNames gguf_names() {
  TensorNames n;
  n.embed = "token_embd.weight";
  n.pos_embed = "position_embd.weight";
  n.final_norm = "output_norm.weight";
  n.lm_head = "output.weight";
  n.attn_norm = "blk.{i}.attn_norm.weight";
  n.q = "blk.{i}.attn_q.weight";
  n.k = "blk.{i}.attn_k.weight";
  n.v = "blk.{i}.attn_v.weight";
  n.o = "blk.{i}.attn_output.weight";
  n.mlp_norm = "blk.{i}.ffn_norm.weight";
  n.gate = "blk.{i}.ffn_gate.weight";
  n.up = "blk.{i}.ffn_up.weight";
  n.down = "blk.{i}.ffn_down.weight";
  return n;
}

std::optional<int32_t> token_id(const GgufFile& gguf, const std::string& key) {
  if (!gguf.has(key)) return std::nullopt;
  const uint64_t id = gguf.unsigned_integer(key);
  if (id > uint64_t(INT32_MAX)) gguf.fail(key, "a token id below 2^31");
  return int32_t(id);
}

RopeSpec read_rope(const ArchKeys& keys, int64_t head_dim) {
  RopeSpec rope;
  rope.theta = keys.number("rope.freq_base", 10000.0);
  if (!(rope.theta > 0)) keys.fail("rope.freq_base", "a positive number");
  rope.dims = keys.positive("rope.dimension_count", head_dim);
  if (rope.dims > head_dim || rope.dims % 2 != 0)
    keys.fail("rope.dimension_count", "an even number no larger than the head size");
  const std::string type = keys.has("rope.scaling.type")
                               ? keys.gguf.string(keys.key("rope.scaling.type"))
                               : std::string("none");
  if (type == "linear") {
    rope.scaling = RopeScaling::Linear;
    rope.factor = keys.number("rope.scaling.factor", 1.0);
    if (!(rope.factor > 0)) keys.fail("rope.scaling.factor", "a positive number");
  } else if (type != "none") {
    keys.fail("rope.scaling.type", "\"linear\" or \"none\" (others are not supported yet)");
  }
  // LLaMA-3's frequency rule travels as a tensor of per-frequency factors.
  if (keys.tensors.has("rope_freqs.weight"))
    throw_input_error(keys.gguf.path(), ": tensor 'rope_freqs.weight': per-frequency RoPE factors ",
                      "(LLaMA-3.1 scaling) are not supported yet");
  return rope;
}

// Sizes, RoPE, tokens and names as the LLaMA-style architectures store them.
ModelSpec llama_like(const ArchKeys& keys) {
  ModelSpec spec;
  spec.family = keys.arch;
  spec.d_model = keys.positive("embedding_length");
  spec.embed_dim = spec.d_model;
  spec.n_layers = keys.positive("block_count");
  spec.n_heads = keys.positive("attention.head_count");
  spec.n_kv_heads = keys.positive("attention.head_count_kv", spec.n_heads);
  if (spec.n_heads % spec.n_kv_heads != 0)
    keys.fail("attention.head_count_kv", "a divisor of attention.head_count");
  if (!keys.has("attention.key_length") && spec.d_model % spec.n_heads != 0)
    keys.fail("attention.head_count", "a divisor of embedding_length");
  spec.head_dim = keys.positive("attention.key_length", spec.d_model / spec.n_heads);
  if (keys.positive("attention.value_length", spec.head_dim) != spec.head_dim)
    keys.fail("attention.value_length", "the same as attention.key_length");
  spec.attn_scale = 1.0 / std::sqrt(double(spec.head_dim));
  spec.d_ff = keys.positive("feed_forward_length");
  spec.max_positions = keys.positive("context_length", 2048);
  spec.norm_eps = keys.number("attention.layer_norm_rms_epsilon", 1e-6);
  spec.rope = read_rope(keys, spec.head_dim);
  spec.names = gguf_names();
  const Shape embed = keys.tensors.shape(spec.names.embed);
  if (embed.size() != 2 || embed[1] != spec.d_model)
    throw_input_error(keys.gguf.path(), ": tensor '", spec.names.embed, "': shape ",
                      shape_str(embed), ", expected (vocab, ", spec.d_model, ")");
  spec.vocab_size = embed[0];
  spec.tied_embeddings = !keys.tensors.has(spec.names.lm_head);
  spec.sliding_window.assign(size_t(spec.n_layers), 0);
  spec.bos_token_id = token_id(keys.gguf, "tokenizer.ggml.bos_token_id");
  spec.eos_token_id = token_id(keys.gguf, "tokenizer.ggml.eos_token_id");
  return spec;
}

ModelSpec llama(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.qk_rows_pairwise = true;
  spec.qkv_bias = keys.tensors.has("blk.0.attn_q.bias");
  spec.o_bias = keys.tensors.has("blk.0.attn_output.bias");
  return spec;
}

ModelSpec qwen2(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.qkv_bias = true;
  return spec;
}

ModelSpec gemma(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.activation = Activation::GeluTanh;
  spec.norm_weight_offset = 0.0;  // stored as 1 + w
  spec.embed_scale = std::sqrt(double(spec.d_model));
  return spec;
}

// Gemma-2 and -3 scale scores by query_pre_attn_scalar^-0.5, which GGUF does not store: llama.cpp
// takes the head size, except for the 27B models (46 and 62 layers), whose scalar is
// d_model / n_heads.
double gemma_attention_scale(const ModelSpec& spec, int64_t layers_of_27b) {
  const int64_t scalar =
      spec.n_layers == layers_of_27b ? spec.d_model / spec.n_heads : spec.head_dim;
  return 1.0 / std::sqrt(double(scalar));
}

ModelSpec gemma2(const ArchKeys& keys) {
  ModelSpec spec = gemma(keys);
  spec.attn_scale = gemma_attention_scale(spec, 46);
  spec.attn_softcap = keys.number("attn_logit_softcapping", 0.0);
  spec.final_softcap = keys.number("final_logit_softcapping", 0.0);
  spec.sublayer_out_norms = true;
  spec.names.post_attn_norm = "blk.{i}.post_attention_norm.weight";
  spec.names.post_mlp_norm = "blk.{i}.post_ffw_norm.weight";
  const int64_t window = keys.positive("attention.sliding_window");
  for (int64_t i = 0; i < spec.n_layers; i += 2) spec.sliding_window[size_t(i)] = window;
  return spec;
}

// Five local layers (window, RoPE base 10000) to one global layer (rope.freq_base, scaled).
ModelSpec gemma3(const ArchKeys& keys) {
  ModelSpec spec = gemma(keys);
  spec.attn_scale = gemma_attention_scale(spec, 62);
  spec.final_softcap = keys.number("final_logit_softcapping", 0.0);
  spec.sublayer_out_norms = true;
  spec.names.post_attn_norm = "blk.{i}.post_attention_norm.weight";
  spec.names.post_mlp_norm = "blk.{i}.post_ffw_norm.weight";
  spec.names.q_norm = "blk.{i}.attn_q_norm.weight";
  spec.names.k_norm = "blk.{i}.attn_k_norm.weight";
  RopeSpec local;
  local.theta = 10000.0;
  local.dims = spec.head_dim;
  spec.sliding_rope = local;
  const int64_t window = keys.positive("attention.sliding_window");
  for (int64_t i = 0; i < spec.n_layers; ++i)
    spec.sliding_window[size_t(i)] = (i + 1) % 6 != 0 ? window : 0;
  return spec;
}

using GgufSpecBuilder = ModelSpec (*)(const ArchKeys&);
const std::vector<std::pair<std::string, GgufSpecBuilder>>& architectures() {
  static const std::vector<std::pair<std::string, GgufSpecBuilder>> table = {
      {"llama", llama}, {"qwen2", qwen2}, {"gemma", gemma}, {"gemma2", gemma2}, {"gemma3", gemma3}};
  return table;
}

}  // namespace

std::vector<std::string> supported_gguf_architectures() {
  std::vector<std::string> names;
  for (const auto& [name, builder] : architectures()) names.push_back(name);
  return names;
}

ModelSpec spec_from_gguf(const GgufFile& gguf, const TensorSource& tensors) {
  ArchKeys keys(gguf, tensors);
  for (const auto& [name, builder] : architectures())
    if (name == keys.arch) return builder(keys);
  std::string supported;
  for (const auto& name : supported_gguf_architectures())
    supported += (supported.empty() ? "" : ", ") + name;
  throw_input_error(gguf.path(), ": key 'general.architecture': \"", keys.arch,
                    "\" is not supported (expected one of ", supported, ")");
}

}  // namespace massact
