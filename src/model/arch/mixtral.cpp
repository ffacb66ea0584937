// Mixtral: Mistral's shape with a sparse mixture of gated SiLU experts in place of the MLP; each
// token goes to its num_experts_per_tok best experts by the router (block_sparse_moe.gate).
#include "model/arch/arch.h"

namespace massact {

ModelSpec mixtral_spec(const JsonFields& config) {
  ModelSpec spec = mistral_spec(config);
  spec.n_experts = config.positive_integer("num_local_experts");
  spec.experts_per_token = config.positive_integer("num_experts_per_tok");
  if (spec.experts_per_token > spec.n_experts)
    config.fail("num_experts_per_tok", "at most num_local_experts");
  TensorNames& n = spec.names;
  n.router = "model.layers.{i}.block_sparse_moe.gate.weight";
  n.gate = "model.layers.{i}.block_sparse_moe.experts.{e}.w1.weight";
  n.down = "model.layers.{i}.block_sparse_moe.experts.{e}.w2.weight";
  n.up = "model.layers.{i}.block_sparse_moe.experts.{e}.w3.weight";
  return spec;
}

}  // namespace massact
