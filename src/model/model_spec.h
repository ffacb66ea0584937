// ModelSpec: everything that differs between transformer architectures, as data. One forward pass
// (forward.cpp) reads it; a family file under arch/ fills it from a checkpoint's config.json.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vision/position_grid.h"

namespace massact {

enum class NormKind {
  RMSNorm,    // x / sqrt(mean(x^2) + eps) * (offset + w)
  LayerNorm,  // (x - mean) / sqrt(var + eps) * w (+ b)
};
enum class Activation {
  SiLU,
  GeluExact,
  GeluTanh,
  ReLU,
  QuickGelu,  // x * sigmoid(1.702 x) (CLIP)
};
enum class MlpKind {
  Gated,  // down(act(gate(x)) * up(x))   (LLaMA's SwiGLU, Gemma's GeGLU)
  Plain,  // down(act(up(x)))             (GPT-2, OPT, Pythia, Phi, Falcon, MPT)
};
enum class Positions {
  Rope,     // rotary, on the first rope.dims dimensions of every query and key head
  Learned,  // a position table added to the token embedding (GPT-2, OPT)
  Alibi,    // a per-head linear bias on attention scores (MPT, Falcon-RW)
};
// The order of a block's steps: one recipe each in block.cpp, which also fixes the block's norms
// (TensorNames) and hook points.
enum class BlockLayout {
  PreNorm,            // x += attn(norm1(x)); x += mlp(norm2(x))
  PreNormLayerScale,  // x += ls1 * attn(norm1(x)); x += ls2 * mlp(norm2(x))   (DINOv2)
  PostNorm,           // x = norm1(x + attn(x)); x = norm2(x + mlp(x))   (OPT-350m)
  Sandwich,           // x += post1(attn(norm1(x))); x += post2(mlp(norm2(x)))   (Gemma-2, -3)
  OutputNorm,         // x += post1(attn(x)); x += post2(mlp(x))   (OLMo-2)
  ParallelOneNorm,    // h = norm1(x); x += attn(h) + mlp(h)          (Phi, Falcon-7B)
  ParallelTwoNorms,   // x += attn(norm1(x)) + mlp(norm2(x))         (Pythia, Falcon-40B)
};
enum class RopeScaling {
  None,
  Linear,
  Llama3,
  LongRope,  // Phi-3: per-frequency factors, short or long by the sequence's length
};
// The q/k norm is of the block norms' kind (ModelSpec::norm), with a bias where they have one
// unless ModelSpec::qk_norm_bias is false.
enum class QkNorm {
  None,
  PerHead,    // each query and key head normed, weights (head_dim,) (Gemma-3, Qwen3)
  FullWidth,  // all query heads normed at once, weights (n_heads * head_dim,), and all key heads,
              // (n_kv_heads * head_dim,) (OLMo-2)
  EachHead,   // each head normed with its own weights: (n_heads, head_dim) for the queries,
              // (n_kv_heads, head_dim) for the keys (Cohere's and StableLM 2's LayerNorms)
};

struct RopeSpec {
  double theta = 10000.0;
  int64_t dims = 0;  // leading dimensions of a head that rotate: head_dim, or less (partial rotary)
  RopeScaling scaling = RopeScaling::None;
  double factor = 1.0;                    // linear and llama3
  double low_freq_factor = 1.0;           // llama3
  double high_freq_factor = 4.0;          // llama3
  int64_t original_max_positions = 8192;  // llama3, longrope
  // longrope: inv_freq[j] is divided by short_factors[j] while the sequence (cached tokens
  // included) has at most original_max_positions tokens, by long_factors[j] once it has more
  // (transformers' Phi3LongRoPEScaledRotaryEmbedding); cos and sin are multiplied by
  // attention_factor, so that q.k is scaled by its square. rope.dims / 2 factors each.
  std::vector<float> short_factors, long_factors;
  float attention_factor = 1.0f;
  // false: dimension j pairs with j + dims/2 (rotate-half, Hugging Face's LLaMA); true: 2j with
  // 2j + 1 (GPT-J's interleaved pairs, Cohere)
  bool interleaved = false;
  bool operator==(const RopeSpec&) const = default;
};

// What may differ from one layer to the next (gemma.cpp's layer_configs): the forward pass reads
// these and nothing else per layer.
struct LayerSpec {
  int64_t window = 0;  // 0: full attention; else query i sees only keys j with i - j < window
  RopeSpec rope;       // with Positions::Rope (Gemma-3: its own base on sliding-window layers)
  QkNorm qk_norm = QkNorm::None;  // on the projected queries and keys, before RoPE
  bool causal = true;             // false: an encoder's all-to-all attention (no window)
  bool operator==(const LayerSpec&) const = default;
};

// Checkpoint tensor names, with "{i}" standing for the layer index and "{e}" for the expert.
// An empty name: absent. Biases are named after their weight ("x.weight" -> "x.bias").
struct TensorNames {
  // The block norms: norm1 and norm2 of BlockLayout are attn_norm and mlp_norm, post1 and post2
  // post_attn_norm and post_mlp_norm. A family names exactly those its layout uses.
  // Checkpoints saved from the base model rather than the *ForCausalLM one lack this prefix
  // ("transformer." in the original GPT-2); a name not found is looked up again without it.
  std::string optional_prefix;
  std::string embed, pos_embed, project_in, project_out, final_norm, lm_head;
  std::string embed_norm;  // with ModelSpec::embed_norm
  std::string attn_norm, mlp_norm, post_attn_norm, post_mlp_norm;
  // The LayerScales ls1 and ls2 of BlockLayout: per-channel (d_model,) weights on a sublayer's
  // output, named exactly when the layout uses them.
  std::string attn_layer_scale, mlp_layer_scale;
  // With QkNorm: (head_dim,) per head, or the full width; with EachHead one tensor of
  // (heads, head_dim) or, "{e}" standing for the head, one (head_dim,) tensor per head (StableLM).
  std::string q_norm, k_norm;
  std::string q, k, v, qkv, o;  // qkv: one fused tensor instead of q, k and v
  std::string gate, up, down;
  std::string gate_up;  // one fused tensor instead of gate and up: gate's rows, then up's
  std::string router;   // MoE: (n_experts, d_model); gate, up and down then name expert {e}'s
  // Vision transformers (ModelSpec::vision): the patch Conv2d's kernel (d_model, C, p, p), the
  // class token, the register tokens, the position table in pos_embed, CLIP's LayerNorm before
  // the first block (pre_norm) and on the pooled class token (pool_norm), ViTModel's pooler dense
  // layer and ViTForImageClassification's classifier. The pooler and the classifier are loaded
  // when the checkpoint stores them (ViTModel may be saved without its pooler).
  std::string patch_embed, cls_token, register_tokens, pre_norm, pool_norm, pooler, classifier;
};

// What the pooled output of a vision transformer is (transformers' pooler_output).
enum class ImagePool {
  ClsNormed,    // the class token after the final norm (DINOv2; ViTModel without a pooler)
  ClsDense,     // tanh(pooler(class token after the final norm)) (ViTModel's pooler)
  ClsPostNorm,  // pool_norm of the last block's class token (CLIP, which has no final norm)
};

// What a vision transformer's classifier reads, from the tokens after the final norm.
enum class ClassifierInput {
  Cls,         // the class token (ViTForImageClassification)
  ClsAndMean,  // [class token, mean of every later token]: 2 * d_model features
               // (Dinov2WithRegistersForImageClassification in transformers 4.48, whose mean
               // takes the registers in with the patches)
};

// The input stage and heads of a vision transformer: its tokens are [class, registers...,
// patches in row-major order] (vision/image_embedding.h), and it reads images, not token ids.
struct VisionSpec {
  int64_t image_size = 0;  // the trained side in pixels: a square grid of image_size / patch_size
  int64_t patch_size = 0;
  int64_t channels = 3;
  int64_t n_registers = 0;
  bool patch_bias = true;            // the patch Conv2d has a bias (not in CLIP)
  std::optional<GridResize> resize;  // how positions fit another grid; none: trained size only
  bool pre_norm = false;             // CLIP: a LayerNorm on the embedded stream, before block 0
  ImagePool pool = ImagePool::ClsNormed;
  std::vector<std::string> labels;  // id2label: the classifier's classes, when it has one
  ClassifierInput classifier_input = ClassifierInput::Cls;
  bool operator==(const VisionSpec&) const = default;
};

// Bounds on the sizes a checkpoint may state, far above any released model (at most ~130
// layers, widths of ~5e4, 256 experts, vocabularies of ~2.6e5). They keep every size computed
// from a spec inside int64: a product of three widths is below 2^60, a position table or an
// embedding (2^31 rows of at most 2^20) below 2^51, and all experts of a layer below 2^52.
struct SpecLimits {
  static constexpr int64_t layers = int64_t(1) << 12;
  static constexpr int64_t width = int64_t(1) << 20;  // d_model, d_ff, heads, head_dim, embed_dim
  static constexpr int64_t experts = int64_t(1) << 12;
  static constexpr int64_t vocab = INT32_MAX;      // token ids are int32
  static constexpr int64_t positions = INT32_MAX;  // max_positions, sliding windows
};

// Where a spec was read from, so that validate_spec() names the file and each field as that file
// spells it ("config.json: field 'rotary_pct'", "m.gguf: key 'llama.block_count'"). A size that
// is derived (head_dim = d_model / n_heads) names the field it comes from.
struct SpecOrigin {
  std::string file;
  std::string noun = "field";  // "field" in config.json, "key" in GGUF metadata
  std::string d_model = "hidden_size", n_layers = "num_hidden_layers",
              n_heads = "num_attention_heads", n_kv_heads = "num_key_value_heads",
              head_dim = "head_dim", d_ff = "intermediate_size", vocab_size = "vocab_size",
              max_positions = "max_position_embeddings", embed_dim = "hidden_size",
              rope_dims = "head_dim", sliding_window = "sliding_window",
              n_experts = "num_local_experts", experts_per_token = "num_experts_per_tok";
};

struct ModelSpec {
  std::string family;  // the config's model_type
  int64_t n_layers = 0;
  int64_t d_model = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;  // < n_heads: grouped-query attention
  int64_t head_dim = 0;
  int64_t d_ff = 0;
  int64_t vocab_size = 0;  // 0 for a vision transformer
  int64_t max_positions = 0;

  // Embedding: table (vocab, embed_dim) * embed_scale, then project_in to d_model when embed_dim
  // differs (OPT-350m), plus the learned position of token t at row t + position_offset.
  int64_t embed_dim = 0;
  double embed_scale = 1.0;  // Gemma: sqrt(d_model)
  int64_t position_offset = 0;
  // A norm (of the block norms' kind) on the embedded tokens, before the first block (BLOOM's
  // word_embeddings_layernorm); hook_embed sees its output, the stream entering block 0.
  bool embed_norm = false;

  BlockLayout layout = BlockLayout::PreNorm;
  bool final_norm = true;

  NormKind norm = NormKind::RMSNorm;
  double norm_eps = 1e-6;
  double norm_weight_offset = 0.0;  // Gemma's RMSNorm scales by (1 + w)
  bool norm_bias = false;           // LayerNorm with a bias
  // false: the q/k norms have no bias even where the block norms have one (StableLM 2)
  bool qk_norm_bias = true;

  MlpKind mlp = MlpKind::Gated;
  Activation activation = Activation::SiLU;
  bool mlp_bias = false;  // on up and down (plain MLPs)
  int64_t n_experts = 0;  // > 0: a sparse mixture of gated experts (Mixtral)
  int64_t experts_per_token = 0;
  // The k routing probabilities divided by their sum (Mixtral; Qwen3-MoE with norm_topk_prob), or
  // used as they are.
  bool moe_renormalize = true;

  Positions positions = Positions::Rope;
  // llama.cpp's LLaMA conversion reorders each head's q and k rows so that rotary pairs are
  // adjacent (HF row j < hd/2 -> 2j, j + hd/2 -> 2j + 1); the loader puts them back in Hugging
  // Face's rotate-half order, so hook_q/hook_k dims mean what they mean in transformers.
  bool qk_rows_pairwise = false;
  // Falcon: the ALiBi bias is built in bfloat16 on absolute key positions and added before the
  // scale (ScoreRule::alibi_bf16), as transformers' FalconAttention does.
  bool alibi_bf16 = false;
  double alibi_bias_max = 8.0;  // ALiBi slopes 2^(-bias_max * h / n_heads), as MPT
  double attn_scale = 0.0;      // scores = attn_scale * q.k; 1/sqrt(head_dim) unless a family says
  double attn_softcap = 0.0;    // > 0: scores = cap * tanh(scores / cap) (Gemma-2)
  double final_softcap = 0.0;   // > 0: the same on the logits
  double logit_scale = 1.0;     // logits = logit_scale * lm_head(x), before any soft-cap (Cohere)
  double clip_qkv = 0.0;        // > 0: q, k, v clamped to [-clip, clip] (MPT)
  bool qkv_bias = false;
  bool o_bias = false;
  // A fused qkv tensor stacks its rows in qkv_groups groups, each holding n_heads/G query heads,
  // then n_kv_heads/G key heads, then n_kv_heads/G value heads (all of head_dim rows).
  int64_t qkv_groups = 1;
  bool linear_transposed = false;  // GPT-2's Conv1D stores block weights as (in, out)
  bool tied_embeddings = false;
  bool lm_head_bias = false;
  std::vector<LayerSpec> layers;  // n_layers entries
  // A vision transformer: images in, no vocabulary (vocab_size 0), no token embedding or lm_head.
  std::optional<VisionSpec> vision;

  std::optional<int32_t> bos_token_id, eos_token_id;
  TensorNames names;
  SpecOrigin origin;
};

// Checks every size against SpecLimits and against the others (heads dividing heads, rotary
// dimensions within a head, experts per token among the experts, one LayerSpec per layer, ...),
// so that no buffer the loader or the forward pass sizes or indexes from the spec can be overrun,
// and refuses what the forward pass cannot do (a window on a non-causal layer). InputError naming
// spec.origin's file and field.
void validate_spec(const ModelSpec& spec);

// Every layer rotates with `rope`; every layer gets `window`; every layer's q/k norm is `kind`.
void set_rope(ModelSpec& spec, const RopeSpec& rope);
void set_window(ModelSpec& spec, int64_t window);
void set_qk_norm(ModelSpec& spec, QkNorm kind);

// The name of tensor template `pattern` in layer `layer` (and expert `expert`) ("{i}", "{e}").
std::string layer_tensor_name(const std::string& pattern, int64_t layer, int64_t expert = -1);
// "x.weight" -> "x.bias".
std::string bias_name(const std::string& weight_name);

}  // namespace massact
