// Qwen3-MoE: Qwen3's attention (per-head q/k RMSNorms) with a sparse mixture of gated SiLU experts
// of moe_intermediate_size in every layer's MLP; each token goes to its num_experts_per_tok best
// experts by the router's softmax (mlp.gate), their probabilities renormalized to sum to 1 only
// with norm_topk_prob (Qwen3MoeConfig's default is false; the released models say true).
#include "model/arch/arch.h"

namespace massact {

ModelSpec qwen3_moe_spec(const JsonFields& config) {
  ModelSpec spec = qwen3_spec(config);
  spec.d_ff = bounded_size(config, "moe_intermediate_size", SpecLimits::width);
  spec.n_experts = bounded_size(config, "num_experts", SpecLimits::experts);
  spec.experts_per_token = config.positive_integer("num_experts_per_tok");
  if (spec.experts_per_token > spec.n_experts)
    config.fail("num_experts_per_tok", "at most num_experts");
  spec.moe_renormalize = config.boolean("norm_topk_prob", false);
  spec.origin.d_ff = "moe_intermediate_size";
  spec.origin.n_experts = "num_experts";
  // Dense layers among the sparse ones (mlp_only_layers, decoder_sparse_step > 1) would need
  // intermediate_size MLPs beside the experts; the released models have none.
  if (config.integer("decoder_sparse_step", 1) != 1)
    config.fail("decoder_sparse_step", "1 (every layer sparse; dense layers are not supported)");
  if (config.has("mlp_only_layers") && !config.raw("mlp_only_layers").empty())
    config.fail("mlp_only_layers", "an empty list (dense layers are not supported)");
  TensorNames& n = spec.names;
  n.router = "model.layers.{i}.mlp.gate.weight";
  n.gate = "model.layers.{i}.mlp.experts.{e}.gate_proj.weight";
  n.up = "model.layers.{i}.mlp.experts.{e}.up_proj.weight";
  n.down = "model.layers.{i}.mlp.experts.{e}.down_proj.weight";
  return spec;
}

}  // namespace massact
