// ViT (ViTModel, ViTForImageClassification): pre-LayerNorm blocks, exact GELU, a final LayerNorm;
// the pooler (tanh of a dense layer on the class token) and the classifier (on the normed class
// token) are used when the checkpoint stores them. The trained size only: ViT's own
// interpolate_pos_encoding is an opt-in that a checkpoint does not state. MAE encoders (vit_mae:
// ViTMAEModel, or ViTMAEForPreTraining's "vit." without its decoder) are the same blocks and
// names with no pooler; they run on every patch in row-major order, as studied, whatever
// mask_ratio the config gives for pretraining.
#include "model/arch/arch.h"

namespace massact {

namespace {
TensorNames vit_names() {
  TensorNames n;
  // ViTForImageClassification holds the ViTModel under "vit."; a ViTModel checkpoint has no prefix.
  n.optional_prefix = "vit.";
  n.patch_embed = "vit.embeddings.patch_embeddings.projection.weight";
  n.cls_token = "vit.embeddings.cls_token";
  n.pos_embed = "vit.embeddings.position_embeddings";
  n.attn_norm = "vit.encoder.layer.{i}.layernorm_before.weight";
  n.q = "vit.encoder.layer.{i}.attention.attention.query.weight";
  n.k = "vit.encoder.layer.{i}.attention.attention.key.weight";
  n.v = "vit.encoder.layer.{i}.attention.attention.value.weight";
  n.o = "vit.encoder.layer.{i}.attention.output.dense.weight";
  n.mlp_norm = "vit.encoder.layer.{i}.layernorm_after.weight";
  n.up = "vit.encoder.layer.{i}.intermediate.dense.weight";
  n.down = "vit.encoder.layer.{i}.output.dense.weight";
  n.final_norm = "vit.layernorm.weight";
  n.pooler = "vit.pooler.dense.weight";
  n.classifier = "classifier.weight";
  return n;
}
}  // namespace

namespace {
ModelSpec vit_blocks(const JsonFields& config, const std::string& family, ImagePool pool) {
  ModelSpec spec = vision_shape(config, family);
  spec.d_ff = bounded_size(config, "intermediate_size", SpecLimits::width);
  spec.norm_eps = config.number("layer_norm_eps", 1e-12);
  spec.vision->pool = pool;
  spec.names = vit_names();
  return spec;
}
}  // namespace

ModelSpec vit_spec(const JsonFields& config) {
  return vit_blocks(config, "vit", ImagePool::ClsDense);
}

ModelSpec vit_mae_spec(const JsonFields& config) {
  ModelSpec spec = vit_blocks(config, "vit_mae", ImagePool::ClsNormed);
  spec.names.pooler.clear();
  return spec;
}

}  // namespace massact
