// DINOv2 (dinov2) and DINOv2 with registers (dinov2_with_registers): pre-LayerNorm blocks with
// LayerScale, an MLP of width hidden_size * mlp_ratio or, in the giant size, SwiGLU (one fused
// weights_in: gate rows, then up rows), a final LayerNorm whose class token is the pooled output.
// Position embeddings are resized bicubically to the image's patch grid; with registers, with
// antialiasing (transformers' Dinov2WithRegistersEmbeddings), and the register tokens sit between
// the class token and the patches. The classifier of *ForImageClassification reads the class token
// and the mean of the tokens after it (ClassifierInput::ClsAndMean).
#include "model/arch/arch.h"

namespace massact {

namespace {
// Under `prefix` (the backbone's name in the *ForImageClassification model), which a bare model's
// checkpoint lacks.
TensorNames dinov2_names(const std::string& prefix, bool swiglu) {
  TensorNames n;
  n.patch_embed = "embeddings.patch_embeddings.projection.weight";
  n.cls_token = "embeddings.cls_token";
  n.register_tokens = "embeddings.register_tokens";
  n.pos_embed = "embeddings.position_embeddings";
  n.attn_norm = "encoder.layer.{i}.norm1.weight";
  n.q = "encoder.layer.{i}.attention.attention.query.weight";
  n.k = "encoder.layer.{i}.attention.attention.key.weight";
  n.v = "encoder.layer.{i}.attention.attention.value.weight";
  n.o = "encoder.layer.{i}.attention.output.dense.weight";
  n.attn_layer_scale = "encoder.layer.{i}.layer_scale1.lambda1";
  n.mlp_norm = "encoder.layer.{i}.norm2.weight";
  n.mlp_layer_scale = "encoder.layer.{i}.layer_scale2.lambda1";
  if (swiglu) {
    n.gate_up = "encoder.layer.{i}.mlp.weights_in.weight";
    n.down = "encoder.layer.{i}.mlp.weights_out.weight";
  } else {
    n.up = "encoder.layer.{i}.mlp.fc1.weight";
    n.down = "encoder.layer.{i}.mlp.fc2.weight";
  }
  n.final_norm = "layernorm.weight";
  for (std::string* name : {&n.patch_embed, &n.cls_token, &n.register_tokens, &n.pos_embed,
                            &n.attn_norm, &n.q, &n.k, &n.v, &n.o, &n.attn_layer_scale, &n.mlp_norm,
                            &n.mlp_layer_scale, &n.gate_up, &n.up, &n.down, &n.final_norm})
    if (!name->empty()) *name = prefix + *name;
  n.optional_prefix = prefix;
  n.classifier = "classifier.weight";
  return n;
}

ModelSpec dinov2_shape(const JsonFields& config, const std::string& family,
                       const std::string& prefix) {
  ModelSpec spec = vision_shape(config, family);
  spec.layout = BlockLayout::PreNormLayerScale;
  spec.norm_eps = config.number("layer_norm_eps", 1e-6);
  const double ratio = config.number("mlp_ratio", 4.0);
  if (!(ratio > 0 && ratio * double(spec.d_model) <= double(SpecLimits::width)))
    config.fail("mlp_ratio", "a positive number that keeps hidden_size * mlp_ratio in range");
  const auto hidden = int64_t(double(spec.d_model) * ratio);  // transformers: int(d * ratio)
  const bool swiglu = config.boolean("use_swiglu_ffn", false);
  if (swiglu) {
    // Dinov2SwiGLUFFN: int(hidden * 2 / 3) rounded up to a multiple of 8.
    spec.d_ff = (int64_t(double(hidden) * 2.0 / 3.0) + 7) / 8 * 8;
    spec.mlp = MlpKind::Gated;
    spec.activation = Activation::SiLU;
  } else {
    spec.d_ff = hidden;
  }
  spec.origin.d_ff = "mlp_ratio";
  spec.vision->resize = GridResize::Bicubic;
  spec.vision->pool = ImagePool::ClsNormed;
  spec.vision->classifier_input = ClassifierInput::ClsAndMean;
  spec.names = dinov2_names(prefix, swiglu);
  return spec;
}
}  // namespace

ModelSpec dinov2_spec(const JsonFields& config) {
  return dinov2_shape(config, "dinov2", "dinov2.");
}

ModelSpec dinov2_with_registers_spec(const JsonFields& config) {
  ModelSpec spec = dinov2_shape(config, "dinov2_with_registers", "dinov2_with_registers.");
  spec.vision->n_registers = config.integer("num_register_tokens", 4);
  spec.vision->resize = GridResize::BicubicAntialiased;
  return spec;
}

}  // namespace massact
