// OPT: learned positions at offset 2, LayerNorm with bias, a plain ReLU MLP, biases, tied
// embeddings. OPT-350m differs in data: word embeddings of word_embed_proj_dim projected in and out
// (project_in/out), and do_layer_norm_before false: each norm after its residual add, no final
// norm.
#include "model/arch/arch.h"

namespace massact {

namespace {

TensorNames opt_names() {
  TensorNames n;
  // The original facebook/opt-* checkpoints were saved from OPTModel, without "model.".
  n.optional_prefix = "model.";
  n.embed = "model.decoder.embed_tokens.weight";
  n.pos_embed = "model.decoder.embed_positions.weight";
  n.project_in = "model.decoder.project_in.weight";
  n.project_out = "model.decoder.project_out.weight";
  n.final_norm = "model.decoder.final_layer_norm.weight";
  n.lm_head = "lm_head.weight";
  n.attn_norm = "model.decoder.layers.{i}.self_attn_layer_norm.weight";
  n.q = "model.decoder.layers.{i}.self_attn.q_proj.weight";
  n.k = "model.decoder.layers.{i}.self_attn.k_proj.weight";
  n.v = "model.decoder.layers.{i}.self_attn.v_proj.weight";
  n.o = "model.decoder.layers.{i}.self_attn.out_proj.weight";
  n.mlp_norm = "model.decoder.layers.{i}.final_layer_norm.weight";
  n.up = "model.decoder.layers.{i}.fc1.weight";
  n.down = "model.decoder.layers.{i}.fc2.weight";
  return n;
}

}  // namespace

ModelSpec opt_spec(const JsonFields& config) {
  ModelSpec spec = read_sizes(config, "opt", {.n_kv_heads = "", .head_dim = ""});
  spec.d_ff = config.positive_integer("ffn_dim");
  spec.origin.d_ff = "ffn_dim";
  if (config.has("word_embed_proj_dim")) {
    spec.embed_dim = config.positive_integer("word_embed_proj_dim");
    spec.origin.embed_dim = "word_embed_proj_dim";
  }
  spec.positions = Positions::Learned;
  spec.position_offset = 2;  // OPTLearnedPositionalEmbedding's offset

  const bool norm_before = config.boolean("do_layer_norm_before", true);
  spec.layout = norm_before ? BlockLayout::PreNorm : BlockLayout::PostNorm;
  spec.final_norm = norm_before && !config.boolean("_remove_final_layer_norm", false);
  spec.norm = NormKind::LayerNorm;
  spec.norm_bias = true;
  spec.norm_eps = 1e-5;  // nn.LayerNorm's default; OPT's config has no field for it
  spec.mlp = MlpKind::Plain;
  spec.activation = read_activation(config, "activation_function", "relu");
  spec.mlp_bias = spec.qkv_bias = spec.o_bias = config.boolean("enable_bias", true);
  spec.tied_embeddings = config.boolean("tie_word_embeddings", true);
  spec.names = opt_names();
  if (!config.boolean("layer_norm_elementwise_affine", true))
    config.fail("layer_norm_elementwise_affine",
                "true (LayerNorms without weights are not supported)");
  return spec;
}

}  // namespace massact
