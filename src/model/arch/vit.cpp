// ViT (ViTModel, ViTForImageClassification): pre-LayerNorm blocks, exact GELU, a final LayerNorm;
// the pooler (tanh of a dense layer on the class token) and the classifier (on the normed class
// token) are used when the checkpoint stores them. The trained size only: ViT's own
// interpolate_pos_encoding is an opt-in that a checkpoint does not state.
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

ModelSpec vit_spec(const JsonFields& config) {
  ModelSpec spec = vision_shape(config, "vit");
  spec.d_ff = bounded_size(config, "intermediate_size", SpecLimits::width);
  spec.norm_eps = config.number("layer_norm_eps", 1e-12);
  spec.vision->pool = ImagePool::ClsDense;
  spec.names = vit_names();
  return spec;
}

}  // namespace massact
