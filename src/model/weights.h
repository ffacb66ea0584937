// The weights of a model, looked up by the family's tensor names and checked against the spec's
// shapes. Tensors are views into the memory-mapped checkpoint, in their file dtype, except where a
// checkpoint's layout differs from the (out, in) matrices the forward pass multiplies by: fused
// q/k/v rows that are not contiguous and GPT-2's transposed Conv1D weights are copied once, at
// load, into owned tensors of the same dtype.
#pragma once

#include <array>
#include <vector>

#include "core/tensor.h"
#include "io/tensor_source.h"
#include "model/block.h"
#include "model/model_spec.h"
#include "vision/image_embedding.h"

namespace massact {

struct NormWeights {
  Tensor weight;  // (d_model,); empty where the spec has no such norm
  Tensor bias;    // (d_model,); empty for RMSNorm and bias-free LayerNorm
};

struct ExpertWeights {
  Tensor gate, up, down;  // (d_ff, d_model), (d_ff, d_model), (d_model, d_ff)
};

struct BlockWeights {
  // Indexed by BlockNorm; those the layout's recipe does not use are empty.
  std::array<NormWeights, size_t(BlockNorm::Count)> norms;
  std::array<Tensor, size_t(BlockScale::Count)> layer_scales;  // (d_model,), as norms
  NormWeights q_norm, k_norm;             // (head_dim,), the full width or per head, per QkNorm
  Tensor q, k, v, o;                      // (out, in), as nn.Linear stores them
  Tensor q_bias, k_bias, v_bias, o_bias;  // empty when the family has none
  Tensor gate, up, down;                  // dense MLP; gate empty in plain MLPs
  Tensor gate_bias, up_bias, down_bias;   // gate_bias: only with a fused, biased gate_up
  Tensor router;                          // MoE: (n_experts, d_model)
  std::vector<ExpertWeights> experts;
};

// A vision transformer's input stage and heads (ModelSpec::vision).
struct VisionWeights {
  ImageEmbedding embedding;
  NormWeights pre_norm;        // CLIP: on the embedded stream
  NormWeights pool_norm;       // CLIP: on the pooled class token
  Tensor pooler, pooler_bias;  // (d_model, d_model), (d_model,); empty when not stored
  // (labels, d_model or 2 d_model: VisionSpec::classifier_input), (labels,); empty when not stored
  Tensor classifier, classifier_bias;
};

struct ModelWeights {
  VisionWeights vision;            // with ModelSpec::vision; then embed and lm_head are empty
  Tensor embed;                    // (vocab, embed_dim)
  Tensor pos_embed;                // (max_positions + offset, d_model) with learned positions
  Tensor project_in, project_out;  // (d_model, embed_dim), (embed_dim, d_model) when present
  NormWeights embed_norm;          // with ModelSpec::embed_norm
  std::vector<BlockWeights> blocks;
  NormWeights final_norm;
  Tensor lm_head;       // (vocab, embed_dim); the embedding itself when tied
  Tensor lm_head_bias;  // (vocab,) or empty
};

// InputError naming the checkpoint and the tensor when one is missing, misshapen or not a float
// type.
ModelWeights load_weights(const ModelSpec& spec, const TensorSource& source,
                          const std::string& checkpoint_path);

}  // namespace massact
