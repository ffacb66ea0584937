// ModelSpec: everything that differs between transformer architectures, as data. One forward pass
// (forward.cpp) reads it; a family file under arch/ fills it from a checkpoint's config.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace massact {

enum class NormKind { RMSNorm };
enum class MlpKind { GatedSiLU };  // down(silu(gate(x)) * up(x))
enum class RopeScaling { None, Linear, Llama3 };

struct RopeSpec {
  double theta = 10000.0;
  RopeScaling scaling = RopeScaling::None;
  double factor = 1.0;                    // linear and llama3
  double low_freq_factor = 1.0;           // llama3
  double high_freq_factor = 4.0;          // llama3
  int64_t original_max_positions = 8192;  // llama3
};

// Checkpoint tensor names, with "{i}" standing for the layer index. An empty name: absent.
struct TensorNames {
  std::string embed, final_norm, lm_head;
  std::string attn_norm, q, k, v, o, q_bias, k_bias, v_bias, o_bias;
  std::string mlp_norm, gate, up, down;
};

struct ModelSpec {
  std::string family;  // the config's model_type
  int64_t n_layers = 0;
  int64_t d_model = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;  // < n_heads: grouped-query attention
  int64_t head_dim = 0;
  int64_t d_ff = 0;
  int64_t vocab_size = 0;
  int64_t max_positions = 0;

  NormKind norm = NormKind::RMSNorm;
  double norm_eps = 1e-6;
  MlpKind mlp = MlpKind::GatedSiLU;
  RopeSpec rope;
  bool qkv_bias = false;
  bool o_bias = false;
  bool tied_embeddings = false;
  // Per layer: 0 for full causal attention, else query i sees only keys j with i - j < window.
  std::vector<int64_t> sliding_window;

  std::optional<int32_t> bos_token_id, eos_token_id;
  TensorNames names;
};

// The name of tensor template `pattern` in layer `layer` ("{i}" replaced).
std::string layer_tensor_name(const std::string& pattern, int64_t layer);

}  // namespace massact
