// The weights of a model, looked up by the family's tensor names and checked against the spec's
// shapes. Tensors are views into the memory-mapped checkpoint, in their file dtype.
#pragma once

#include <vector>

#include "core/tensor.h"
#include "io/tensor_source.h"
#include "model/model_spec.h"

namespace massact {

struct BlockWeights {
  Tensor attn_norm;
  Tensor q, k, v, o;                      // (out, in), as nn.Linear stores them
  Tensor q_bias, k_bias, v_bias, o_bias;  // empty when the family has none
  Tensor mlp_norm;
  Tensor gate, up, down;
};

struct ModelWeights {
  Tensor embed;  // (vocab, d_model)
  std::vector<BlockWeights> blocks;
  Tensor final_norm;  // (d_model,)
  Tensor lm_head;     // (vocab, d_model); the embedding itself when tied
};

// InputError naming the checkpoint and the tensor when one is missing, misshapen or not a float
// type.
ModelWeights load_weights(const ModelSpec& spec, const TensorSource& source,
                          const std::string& checkpoint_path);

}  // namespace massact
