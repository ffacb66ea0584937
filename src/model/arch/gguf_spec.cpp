// GGUF metadata -> ModelSpec. A GGUF file names its architecture in general.architecture and keeps
// the sizes under "<arch>.*" keys; its tensors carry llama.cpp's names, the same for every
// architecture. What llama.cpp hard-codes per architecture rather than storing (Gemma-3's local
// RoPE base and layer pattern, Gemma's attention scale) is hard-coded here too, as llama.cpp does.
//
// Conversion conventions that matter for the numbers (llama.cpp's convert_hf_to_gguf.py):
//  - LLaMA's q/k rows are reordered so rotary pairs are adjacent ("norm" RoPE); the loader puts
//    them back (ModelSpec::qk_rows_pairwise). Qwen2, Qwen3, OLMo-2, the Gemmas, Phi-2 and Falcon
//    keep Hugging Face's order ("neox" RoPE, halves) and need nothing; so does GPT-NeoX.
//  - Gemma's RMSNorm weights are stored with the 1 already added: the offset is 0 here.
//  - A fused attn_qkv holds all q rows, then all k rows, then all v rows (qkv_groups 1): GPT-2's
//    c_attn already does; Falcon's per-KV-group rows are regrouped so at conversion
//    (falcon.tensor_data_layout "jploski").
//  - GPT-2's Conv1D weights are transposed at conversion: every matrix is (out, in) as stored.
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
  // A positive integer no larger than `limit` (SpecLimits).
  int64_t positive(const std::string& k, int64_t limit = INT32_MAX) const {
    const uint64_t v = gguf.unsigned_integer(key(k));
    if (v == 0 || v > uint64_t(limit))
      throw_input_error(gguf.path(), ": key '", key(k), "': expected a positive integer at most ",
                        limit, ", got ", v);
    return int64_t(v);
  }
  int64_t positive_or(const std::string& k, int64_t fallback, int64_t limit = INT32_MAX) const {
    return has(k) ? positive(k, limit) : fallback;
  }
  double number(const std::string& k, double fallback) const {
    return has(k) ? gguf.number(key(k)) : fallback;
  }
  double positive_number(const std::string& k) const {
    const double v = gguf.number(key(k));
    if (!(v > 0)) fail(k, "a positive number");
    return v;
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
  rope.dims = keys.positive_or("rope.dimension_count", head_dim);
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

// The rows of a tensor's (rows, cols) shape, checking cols; InputError names the tensor.
int64_t rows_of(const ArchKeys& keys, const std::string& name, int64_t cols) {
  const Shape shape = keys.tensors.shape(name);
  if (shape.size() != 2 || shape[1] != cols)
    throw_input_error(keys.gguf.path(), ": tensor '", name, "': shape ", shape_str(shape),
                      ", expected (rows, ", cols, ")");
  return shape[0];
}

// The keys each size is read from; the vocabulary, which GGUF does not store, is named by the
// tensor it is read from.
SpecOrigin gguf_origin(const ArchKeys& keys) {
  SpecOrigin o;
  o.file = keys.gguf.path();
  o.noun = "key";
  o.d_model = o.embed_dim = keys.key("embedding_length");
  o.n_layers = keys.key("block_count");
  o.n_heads = keys.key("attention.head_count");
  o.n_kv_heads = keys.key("attention.head_count_kv");
  o.head_dim = keys.key("attention.key_length");
  o.d_ff = keys.key("feed_forward_length");
  o.vocab_size = "token_embd.weight";
  o.max_positions = keys.key("context_length");
  o.rope_dims = keys.key("rope.dimension_count");
  o.sliding_window = keys.key("attention.sliding_window");
  o.n_experts = keys.key("expert_count");
  o.experts_per_token = keys.key("expert_used_count");
  return o;
}

// Sizes, heads, tokens and names as every architecture stores them; the norm, MLP width and
// positions are the caller's.
ModelSpec common_shape(const ArchKeys& keys) {
  ModelSpec spec;
  spec.family = keys.arch;
  // Bounded as they are read: the layer count sizes per-layer tables below.
  spec.d_model = keys.positive("embedding_length", SpecLimits::width);
  spec.embed_dim = spec.d_model;
  spec.n_layers = keys.positive("block_count", SpecLimits::layers);
  spec.n_heads = keys.positive("attention.head_count", SpecLimits::width);
  spec.n_kv_heads = keys.positive_or("attention.head_count_kv", spec.n_heads, SpecLimits::width);
  if (spec.n_heads % spec.n_kv_heads != 0)
    keys.fail("attention.head_count_kv", "a divisor of attention.head_count");
  if (!keys.has("attention.key_length") && spec.d_model % spec.n_heads != 0)
    keys.fail("attention.head_count", "a divisor of embedding_length");
  spec.head_dim =
      keys.positive_or("attention.key_length", spec.d_model / spec.n_heads, SpecLimits::width);
  if (keys.positive_or("attention.value_length", spec.head_dim) != spec.head_dim)
    keys.fail("attention.value_length", "the same as attention.key_length");
  spec.attn_scale = 1.0 / std::sqrt(double(spec.head_dim));
  spec.max_positions = keys.positive_or("context_length", 2048);
  spec.names = gguf_names();
  // llama.cpp fuses q, k and v for some architectures (GPT-2, Falcon, some Phi-2 files): q rows,
  // then k, then v.
  if (keys.tensors.has("blk.0.attn_qkv.weight")) {
    spec.names.q = spec.names.k = spec.names.v = "";
    spec.names.qkv = "blk.{i}.attn_qkv.weight";
    spec.qkv_groups = 1;
  }
  // Every block stores an attention output projection: a block_count past the last one stored is
  // corrupt, and must be refused before it sizes the per-layer tables (2^31 - 1 blocks would ask
  // for gigabytes).
  const std::string last_o = layer_tensor_name(spec.names.o, spec.n_layers - 1);
  if (!keys.tensors.has(last_o))
    throw_input_error(keys.gguf.path(), ": key '", keys.key("block_count"), "': ", spec.n_layers,
                      " blocks, but the file has no tensor '", last_o, "'");
  spec.vocab_size = rows_of(keys, spec.names.embed, spec.d_model);
  spec.tied_embeddings = !keys.tensors.has(spec.names.lm_head);
  spec.layers.assign(size_t(spec.n_layers), LayerSpec{});
  spec.bos_token_id = token_id(keys.gguf, "tokenizer.ggml.bos_token_id");
  spec.eos_token_id = token_id(keys.gguf, "tokenizer.ggml.eos_token_id");
  spec.origin = gguf_origin(keys);
  return spec;
}

// The LLaMA-style architectures: RMSNorm, a gated MLP of feed_forward_length, RoPE.
ModelSpec llama_like(const ArchKeys& keys) {
  ModelSpec spec = common_shape(keys);
  spec.d_ff = keys.positive("feed_forward_length", SpecLimits::width);
  spec.norm_eps = keys.number("attention.layer_norm_rms_epsilon", 1e-6);
  set_rope(spec, read_rope(keys, spec.head_dim));
  return spec;
}

// GPT-2, Phi-2, Falcon and GPT-NeoX: LayerNorm with a bias, a plain MLP. The converters of the
// first three write feed_forward_length as 4 * embedding_length whatever the model's
// intermediate size (n_inner, intermediate_size, ffn_hidden_size), so the width is read from the
// up projection instead.
ModelSpec layernorm_plain(const ArchKeys& keys) {
  ModelSpec spec = common_shape(keys);
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = keys.positive_number("attention.layer_norm_epsilon");
  spec.mlp = MlpKind::Plain;
  spec.origin.d_ff = layer_tensor_name(spec.names.up, 0);
  spec.d_ff = rows_of(keys, spec.origin.d_ff, spec.d_model);
  return spec;
}

ModelSpec llama(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.qk_rows_pairwise = true;
  spec.qkv_bias = keys.tensors.has("blk.0.attn_q.bias");
  spec.o_bias = keys.tensors.has("blk.0.attn_output.bias");
  return spec;
}

// Mistral 3's text model, which the converter writes as LLaMA (q/k rows reordered pairwise)
// under its own name. Ministral-3's YaRN RoPE (refused by read_rope) and attention temperature
// are not a LLaMA layout.
ModelSpec mistral3(const ArchKeys& keys) {
  if (keys.has("attention.temperature_scale"))
    keys.fail("attention.temperature_scale",
              "absent (Ministral-3's attention temperature is not "
              "supported)");
  return llama(keys);
}

ModelSpec qwen2(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.qkv_bias = true;
  return spec;
}

// Qwen3: LLaMA's block with each query and key head RMS-normed before RoPE; HF's row order.
ModelSpec qwen3(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.qkv_bias = keys.tensors.has("blk.0.attn_q.bias");
  spec.o_bias = keys.tensors.has("blk.0.attn_output.bias");
  spec.names.q_norm = "blk.{i}.attn_q_norm.weight";
  spec.names.k_norm = "blk.{i}.attn_k_norm.weight";
  set_qk_norm(spec, QkNorm::PerHead);
  return spec;
}

// Command-R (Cohere): attention and MLP in parallel from one LayerNorm without bias, a gated SiLU
// MLP, RoPE on interleaved pairs (llama.cpp's "norm" RoPE; the converter keeps Hugging Face's
// rows, which are already in that order), the logits scaled by logit_scale, which llama.cpp
// requires. Command-R+ adds a LayerNorm of each query and key head with its own weights.
ModelSpec command_r(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  spec.layout = BlockLayout::ParallelOneNorm;
  spec.names.mlp_norm = "";
  spec.norm = NormKind::LayerNorm;
  spec.norm_eps = keys.positive_number("attention.layer_norm_epsilon");
  spec.logit_scale = keys.positive_number("logit_scale");
  for (LayerSpec& layer : spec.layers) layer.rope.interleaved = true;
  spec.qkv_bias = keys.tensors.has("blk.0.attn_q.bias");
  spec.o_bias = keys.tensors.has("blk.0.attn_output.bias");
  if (keys.tensors.has("blk.0.attn_q_norm.weight")) {
    spec.names.q_norm = "blk.{i}.attn_q_norm.weight";
    spec.names.k_norm = "blk.{i}.attn_k_norm.weight";
    set_qk_norm(spec, QkNorm::EachHead);
  }
  return spec;
}

// Qwen3-MoE: Qwen3's attention, every layer's MLP a mixture of expert_count gated SiLU experts of
// expert_feed_forward_length, stacked per layer in (experts, rows, cols) tensors, routed by
// ffn_gate_inp to expert_used_count of them. GGUF does not store norm_topk_prob: llama.cpp
// always renormalizes the chosen probabilities, as the released models do.
ModelSpec qwen3moe(const ArchKeys& keys) {
  ModelSpec spec = qwen3(keys);
  spec.d_ff = keys.positive("expert_feed_forward_length", SpecLimits::width);
  spec.origin.d_ff = keys.key("expert_feed_forward_length");
  spec.n_experts = keys.positive("expert_count", SpecLimits::experts);
  spec.experts_per_token = keys.positive("expert_used_count", SpecLimits::experts);
  spec.moe_renormalize = true;
  spec.names.router = "blk.{i}.ffn_gate_inp.weight";
  spec.names.gate = "blk.{i}.ffn_gate_exps.weight";
  spec.names.up = "blk.{i}.ffn_up_exps.weight";
  spec.names.down = "blk.{i}.ffn_down_exps.weight";
  return spec;
}

// OLMo-2: norms on the sublayers' outputs only, q and k normed over their full width; HF's row
// order. The converter writes a window only for OLMo-3, which this reader does not support.
ModelSpec olmo2(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  if (keys.has("attention.sliding_window"))
    keys.fail("attention.sliding_window", "absent (OLMo-3's sliding windows are not supported)");
  spec.layout = BlockLayout::OutputNorm;
  spec.names.attn_norm = spec.names.mlp_norm = "";
  spec.names.post_attn_norm = "blk.{i}.post_attention_norm.weight";
  spec.names.post_mlp_norm = "blk.{i}.post_ffw_norm.weight";
  spec.names.q_norm = "blk.{i}.attn_q_norm.weight";
  spec.names.k_norm = "blk.{i}.attn_k_norm.weight";
  set_qk_norm(spec, QkNorm::FullWidth);
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
  spec.layout = BlockLayout::Sandwich;
  spec.names.post_attn_norm = "blk.{i}.post_attention_norm.weight";
  spec.names.post_mlp_norm = "blk.{i}.post_ffw_norm.weight";
  const int64_t window = keys.positive("attention.sliding_window");
  for (int64_t i = 0; i < spec.n_layers; i += 2) spec.layers[size_t(i)].window = window;
  return spec;
}

// Gemma-3's pattern, which llama.cpp hard-codes rather than reading a key: five local layers to
// one global one.
bool gemma3_sliding(int64_t layer) {
  constexpr int64_t kPeriod = 6;
  return (layer + 1) % kPeriod != 0;
}

// Local layers: the window, RoPE base 10000; global ones: rope.freq_base, scaled.
ModelSpec gemma3(const ArchKeys& keys) {
  ModelSpec spec = gemma(keys);
  spec.attn_scale = gemma_attention_scale(spec, 62);
  spec.final_softcap = keys.number("final_logit_softcapping", 0.0);
  spec.layout = BlockLayout::Sandwich;
  spec.names.post_attn_norm = "blk.{i}.post_attention_norm.weight";
  spec.names.post_mlp_norm = "blk.{i}.post_ffw_norm.weight";
  spec.names.q_norm = "blk.{i}.attn_q_norm.weight";
  spec.names.k_norm = "blk.{i}.attn_k_norm.weight";
  set_qk_norm(spec, QkNorm::PerHead);
  RopeSpec local;
  local.theta = 10000.0;
  local.dims = spec.head_dim;
  const int64_t window = keys.positive("attention.sliding_window");
  for (int64_t i = 0; i < spec.n_layers; ++i)
    if (gemma3_sliding(i))
      spec.layers[size_t(i)] = {.window = window, .rope = local, .qk_norm = QkNorm::PerHead};
  return spec;
}

// Phi-2: attention and MLP in parallel from one LayerNorm, partial rotary (rope.dimension_count
// of each head), gelu_new, biases everywhere including the output head.
ModelSpec phi2(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  spec.layout = BlockLayout::ParallelOneNorm;
  spec.names.mlp_norm = "";
  spec.activation = Activation::GeluTanh;
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = spec.lm_head_bias = true;
  set_rope(spec, read_rope(keys, spec.head_dim));
  return spec;
}

// GPT-2: learned positions (position_embd, context_length rows), pre-LayerNorm sequential blocks,
// gelu_new, biases everywhere, the output tied to the embedding unless output.weight is stored.
ModelSpec gpt2(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  spec.positions = Positions::Learned;
  spec.activation = Activation::GeluTanh;
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = true;
  return spec;
}

// Fused q, k, v, which some architectures always have; InputError naming the tensor otherwise.
void require_fused_qkv(const ArchKeys& keys, const ModelSpec& spec) {
  if (spec.names.qkv.empty())
    throw_input_error(keys.gguf.path(), ": tensor 'blk.0.attn_qkv.weight': missing (", keys.arch,
                      " stores q, k and v fused)");
}

// Biases where the file has them (Falcon's and GPT-NeoX's configs switch them off).
void biases_as_stored(const ArchKeys& keys, ModelSpec& spec) {
  spec.qkv_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.qkv, 0)));
  spec.o_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.o, 0)));
  spec.mlp_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.up, 0)));
}

// Falcon (7B multi-query, 40B/180B grouped): attention and MLP in parallel, RoPE over the whole
// head, exact GELU as transformers (llama.cpp evaluates GELU by its tanh approximation),
// biases only in the variants that have them. With two norms per block (new decoder
// architecture) llama.cpp names ln_mlp attn_norm and ln_attn attn_norm_2. Falcon-RW's ALiBi is
// not representable: the converter refuses its sequential blocks.
ModelSpec falcon(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  if (keys.has("tensor_data_layout") &&
      keys.gguf.string(keys.key("tensor_data_layout")) != "jploski")
    keys.fail("tensor_data_layout", "\"jploski\" (q, k, v rows each contiguous)");
  require_fused_qkv(keys, spec);
  if (keys.tensors.has("blk.0.attn_norm_2.weight")) {
    spec.layout = BlockLayout::ParallelTwoNorms;
    spec.names.attn_norm = "blk.{i}.attn_norm_2.weight";
    spec.names.mlp_norm = "blk.{i}.attn_norm.weight";
  } else {
    spec.layout = BlockLayout::ParallelOneNorm;
    spec.names.mlp_norm = "";
  }
  spec.activation = Activation::GeluExact;
  biases_as_stored(keys, spec);
  set_rope(spec, read_rope(keys, spec.head_dim));
  return spec;
}

// GPT-NeoX (Pythia): partial rotary (rope.dimension_count), exact GELU as transformers, and the
// parallel residual with two norms unless use_parallel_residual is false. The converter regroups
// query_key_value's per-head q, k, v rows into q, k, v blocks; it does not store
// rotary_emb_base, so the base is 10000 unless rope.freq_base says otherwise, as in llama.cpp.
ModelSpec gptneox(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  require_fused_qkv(keys, spec);
  spec.layout = keys.gguf.boolean(keys.key("use_parallel_residual"), true)
                    ? BlockLayout::ParallelTwoNorms
                    : BlockLayout::PreNorm;
  spec.activation = Activation::GeluExact;
  biases_as_stored(keys, spec);
  set_rope(spec, read_rope(keys, spec.head_dim));
  return spec;
}

// BLOOM: ALiBi (bias max 8, which llama.cpp hard-codes), a LayerNorm on the token embedding
// (token_embd_norm), pre-LayerNorm blocks, the tanh GELU, biases. The converter regroups
// query_key_value's per-head q, k, v rows into q, k, v blocks.
ModelSpec bloom(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  require_fused_qkv(keys, spec);
  spec.positions = Positions::Alibi;
  spec.embed_norm = true;
  spec.names.embed_norm = "token_embd_norm.weight";
  spec.activation = Activation::GeluTanh;
  biases_as_stored(keys, spec);
  return spec;
}

// MPT: ALiBi (attention.max_alibi_bias; llama.cpp's learned positions when it is 0 are not
// supported), LayerNorms with a bias only where stored (the released models have none), exact
// GELU as transformers (llama.cpp evaluates the tanh form), q, k and v clamped to
// attention.clamp_kqv when the key is present, no biases in the released models.
ModelSpec mpt(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  require_fused_qkv(keys, spec);
  spec.norm_bias = keys.tensors.has("blk.0.attn_norm.bias");
  spec.positions = Positions::Alibi;
  spec.alibi_bias_max = keys.positive_number("attention.max_alibi_bias");
  if (keys.has("attention.clamp_kqv")) spec.clip_qkv = keys.positive_number("attention.clamp_kqv");
  if (keys.tensors.has("blk.0.attn_q_norm.weight"))
    throw_input_error(keys.gguf.path(), ": tensor 'blk.0.attn_q_norm.weight': MPT's query/key ",
                      "LayerNorms (attn_config.qk_ln) are not supported");
  spec.activation = Activation::GeluExact;
  biases_as_stored(keys, spec);
  return spec;
}

// A float32 vector tensor of `count` positive entries (LongRoPE's factors); InputError naming it.
std::vector<float> factor_tensor(const ArchKeys& keys, const std::string& name, int64_t count) {
  const Tensor t = keys.tensors.get(name).to_f32();
  if (t.shape() != Shape{count})
    throw_input_error(keys.gguf.path(), ": tensor '", name, "': shape ", shape_str(t.shape()),
                      ", expected ", shape_str(Shape{count}), " (one factor per rotary frequency)");
  std::vector<float> factors(t.f32(), t.f32() + count);
  for (float f : factors)
    if (!(f > 0))
      throw_input_error(keys.gguf.path(), ": tensor '", name, "': expected positive factors, got ",
                        f);
  return factors;
}

// Phi-3: LLaMA's block with fused attn_qkv and a fused ffn_up (gate rows, then up rows), HF's
// row order, RoPE over rope.dimension_count; with rope_factors_long/short, LongRoPE (the factors
// picked by the sequence's length against rope.scaling.original_context_length, as transformers;
// llama.cpp picks them by the context it is given). The converter writes sliding_window 0 for
// none (Phi-4).
ModelSpec phi3(const ArchKeys& keys) {
  ModelSpec spec = llama_like(keys);
  require_fused_qkv(keys, spec);
  spec.names.gate = spec.names.up = "";
  spec.names.gate_up = "blk.{i}.ffn_up.weight";
  RopeSpec rope = spec.layers[0].rope;
  if (keys.tensors.has("rope_factors_long.weight")) {
    rope.scaling = RopeScaling::LongRope;
    rope.long_factors = factor_tensor(keys, "rope_factors_long.weight", rope.dims / 2);
    rope.short_factors = factor_tensor(keys, "rope_factors_short.weight", rope.dims / 2);
    rope.original_max_positions =
        keys.positive("rope.scaling.original_context_length", SpecLimits::positions);
    const double factor =
        keys.number("rope.scaling.attn_factor",
                    longrope_attention_factor(spec.max_positions, rope.original_max_positions));
    if (!(factor > 0)) keys.fail("rope.scaling.attn_factor", "a positive number");
    rope.attention_factor = float(factor);
  }
  set_rope(spec, rope);
  if (keys.has("attention.sliding_window")) {
    const uint64_t window = keys.gguf.unsigned_integer(keys.key("attention.sliding_window"));
    if (window > uint64_t(SpecLimits::positions))
      keys.fail("attention.sliding_window", "a window of at most 2^31 - 1 tokens (0: none)");
    set_window(spec, int64_t(window));
  }
  return spec;
}

// StarCoder2: pre-LayerNorm sequential blocks, RoPE over rope.dimension_count (HF's row order),
// gelu_pytorch_tanh, biases where stored (use_bias). The converter stores no sliding window, and
// llama.cpp applies none.
ModelSpec starcoder2(const ArchKeys& keys) {
  ModelSpec spec = layernorm_plain(keys);
  spec.activation = Activation::GeluTanh;
  spec.qkv_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.q, 0)));
  spec.o_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.o, 0)));
  spec.mlp_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.up, 0)));
  set_rope(spec, read_rope(keys, spec.head_dim));
  return spec;
}

// StableLM: LayerNorm with biases, a gated SiLU MLP, partial rotary (rope.dimension_count, HF's
// row order), q/k/v biases where stored, per-head q/k LayerNorms where stored. As llama.cpp, a
// block without ffn_norm runs attention and MLP in parallel from attn_norm
// (use_parallel_residual).
ModelSpec stablelm(const ArchKeys& keys) {
  ModelSpec spec = common_shape(keys);
  spec.d_ff = keys.positive("feed_forward_length", SpecLimits::width);
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = keys.positive_number("attention.layer_norm_epsilon");
  spec.qkv_bias = keys.tensors.has(bias_name(layer_tensor_name(spec.names.q, 0)));
  if (!keys.tensors.has(layer_tensor_name(spec.names.mlp_norm, 0))) {
    spec.layout = BlockLayout::ParallelOneNorm;
    spec.names.mlp_norm = "";
  }
  set_rope(spec, read_rope(keys, spec.head_dim));
  // qk_layernorm: each head's weights stacked, (heads, head_dim), no bias.
  if (keys.tensors.has("blk.0.attn_q_norm.weight")) {
    spec.names.q_norm = "blk.{i}.attn_q_norm.weight";
    spec.names.k_norm = "blk.{i}.attn_k_norm.weight";
    set_qk_norm(spec, QkNorm::EachHead);
    spec.qk_norm_bias = false;
  }
  return spec;
}

using GgufSpecBuilder = ModelSpec (*)(const ArchKeys&);
const std::vector<std::pair<std::string, GgufSpecBuilder>>& architectures() {
  static const std::vector<std::pair<std::string, GgufSpecBuilder>> table = {
      {"llama", llama},
      {"qwen2", qwen2},
      {"gemma", gemma},
      {"gemma2", gemma2},
      {"gemma3", gemma3},
      {"phi2", phi2},
      {"gpt2", gpt2},
      {"falcon", falcon},
      {"gptneox", gptneox},
      {"olmo2", olmo2},
      {"qwen3", qwen3},
      {"command-r", command_r},
      {"bloom", bloom},
      {"mpt", mpt},
      {"mistral3", mistral3},
      {"phi3", phi3},
      {"starcoder2", starcoder2},
      {"stablelm", stablelm},
      {"qwen3moe", qwen3moe}};
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
    if (name == keys.arch) {
      ModelSpec spec = builder(keys);
      validate_spec(spec);
      return spec;
    }
  std::string supported;
  for (const auto& name : supported_gguf_architectures())
    supported += (supported.empty() ? "" : ", ") + name;
  throw_input_error(gguf.path(), ": key 'general.architecture': \"", quote_prefix(keys.arch),
                    "\" is not supported (expected one of ", supported, ")");
}

}  // namespace massact
