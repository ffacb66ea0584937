// CLIP's vision tower (clip_vision_model, and the vision_config of a whole clip checkpoint):
// a flat class embedding, a patch convolution without bias, a LayerNorm before the first block
// (pre_layrnorm), quick_gelu, no final norm; the pooled output is the post-LayerNorm of the last
// block's class token.
#include "model/arch/arch.h"

namespace massact {

namespace {
TensorNames clip_vision_names() {
  TensorNames n;
  n.patch_embed = "vision_model.embeddings.patch_embedding.weight";
  n.cls_token = "vision_model.embeddings.class_embedding";
  n.pos_embed = "vision_model.embeddings.position_embedding.weight";
  n.pre_norm = "vision_model.pre_layrnorm.weight";  // sic
  n.attn_norm = "vision_model.encoder.layers.{i}.layer_norm1.weight";
  n.q = "vision_model.encoder.layers.{i}.self_attn.q_proj.weight";
  n.k = "vision_model.encoder.layers.{i}.self_attn.k_proj.weight";
  n.v = "vision_model.encoder.layers.{i}.self_attn.v_proj.weight";
  n.o = "vision_model.encoder.layers.{i}.self_attn.out_proj.weight";
  n.mlp_norm = "vision_model.encoder.layers.{i}.layer_norm2.weight";
  n.up = "vision_model.encoder.layers.{i}.mlp.fc1.weight";
  n.down = "vision_model.encoder.layers.{i}.mlp.fc2.weight";
  n.pool_norm = "vision_model.post_layernorm.weight";
  return n;
}

ModelSpec clip_tower(const JsonFields& config, const std::string& family) {
  ModelSpec spec = vision_shape(config, family);
  spec.d_ff = bounded_size(config, "intermediate_size", SpecLimits::width);
  spec.activation = read_activation(config, "hidden_act", "quick_gelu");
  spec.norm_eps = config.number("layer_norm_eps", 1e-5);
  spec.qkv_bias = true;  // CLIPAttention's projections always have biases
  spec.final_norm = false;
  VisionSpec& v = *spec.vision;
  v.patch_bias = false;
  v.pre_norm = true;
  v.pool = ImagePool::ClsPostNorm;
  spec.names = clip_vision_names();
  return spec;
}
}  // namespace

ModelSpec clip_vision_spec(const JsonFields& config) {
  return clip_tower(config, "clip_vision_model");
}

// A whole CLIP checkpoint: its vision tower, under the same tensor names; the text tower and the
// projections are not read.
ModelSpec clip_spec(const JsonFields& config) {
  return clip_tower(config.object("vision_config"), "clip");
}

}  // namespace massact
