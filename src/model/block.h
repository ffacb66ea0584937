// Block recipes: each block layout (BlockLayout) is one short straight-line function of the forward
// pass's steps (norm, attention, MLP, residual add, hook). The forward pass runs the recipe on its
// real steps; plan_block() runs the same recipe on a recorder, and from that record the loader
// knows which norms a block has (weights.cpp) and hooks.cpp which points fire, in order. A layout
// is written down once, here, and a layout cannot be combined with a flag it does not honour.
#pragma once

#include <vector>

#include "model/hooks.h"
#include "model/model_spec.h"

namespace massact {

// The (T, d_model) buffers of a block: the residual stream, a sublayer's normed input, and what
// each sublayer adds to the stream.
enum class Buf { Stream, Normed, AttnOut, MlpOut };
// A block's norms; TensorNames::attn_norm, mlp_norm, post_attn_norm and post_mlp_norm name them.
enum class BlockNorm { Attn, Mlp, PostAttn, PostMlp, Count };
// A block's LayerScales; TensorNames::attn_layer_scale and mlp_layer_scale name them.
enum class BlockScale { Attn, Mlp, Count };

class BlockSteps {
 public:
  virtual ~BlockSteps() = default;
  virtual void norm(BlockNorm which, Buf in, Buf out) = 0;  // out = norm(in); out may be in
  virtual void scale(BlockScale which, Buf buffer) = 0;     // buffer's rows *= the LayerScale
  virtual void attention(Buf in, Buf out) = 0;              // fires attention_points()
  virtual void mlp(Buf in, Buf out) = 0;                    // fires mlp_points()
  virtual void add(Buf into, Buf from) = 0;                 // into += from
  virtual void fire(HookPoint point, Buf buffer) = 0;
};

// One block of the spec's layout on `steps`, from hook_resid_pre to hook_resid_post.
void run_block(BlockLayout layout, BlockSteps& steps);

// What a block of the spec's layout does, recorded from its recipe.
struct BlockPlan {
  std::vector<BlockNorm> norms;    // each norm the block uses, once, in order of first use
  std::vector<BlockScale> scales;  // each LayerScale the block uses, once, in order of use
  std::vector<HookPoint> points;   // every point the block fires, in firing order
};
BlockPlan plan_block(const ModelSpec& spec);

// The points the attention and MLP steps fire, in order (forward.cpp fires exactly these).
std::vector<HookPoint> attention_points(const ModelSpec& spec);
std::vector<HookPoint> mlp_points(const ModelSpec& spec);

// The checkpoint name templates of a block norm and of a LayerScale.
const std::string& norm_name(const TensorNames& names, BlockNorm which);
const std::string& scale_name(const TensorNames& names, BlockScale which);

}  // namespace massact
