// massact inspect MODEL: what the model is (architecture, sizes, dtypes, tokenizer).
#include <iostream>

#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

const char* rope_scaling_name(RopeScaling s) {
  switch (s) {
    case RopeScaling::None:
      return "none";
    case RopeScaling::Linear:
      return "linear";
    case RopeScaling::Llama3:
      return "llama3";
    case RopeScaling::LongRope:
      return "longrope";
  }
  return "?";
}

const char* layout_name(BlockLayout l) {
  switch (l) {
    case BlockLayout::PreNorm:
      return "pre-norm";
    case BlockLayout::PreNormLayerScale:
      return "pre-norm, LayerScale";
    case BlockLayout::PostNorm:
      return "post-norm";
    case BlockLayout::Sandwich:
      return "sandwich";
    case BlockLayout::OutputNorm:
      return "output norms";
    case BlockLayout::ParallelOneNorm:
      return "parallel, one norm";
    case BlockLayout::ParallelTwoNorms:
      return "parallel, two norms";
  }
  return "?";
}

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::SiLU:
      return "silu";
    case Activation::GeluExact:
      return "gelu";
    case Activation::GeluTanh:
      return "gelu_tanh";
    case Activation::ReLU:
      return "relu";
    case Activation::QuickGelu:
      return "quick_gelu";
  }
  return "?";
}

std::string norm_name(const ModelSpec& s) {
  if (s.norm == NormKind::LayerNorm) return s.norm_bias ? "layernorm" : "layernorm (no bias)";
  return s.norm_weight_offset != 0 ? "rmsnorm (1 + w)" : "rmsnorm";
}

std::string mlp_name(const ModelSpec& s) {
  std::string name =
      std::string(s.mlp == MlpKind::Gated ? "gated_" : "") + activation_name(s.activation);
  if (s.n_experts > 0)
    name +=
        ", " + std::to_string(s.n_experts) + " experts, top " + std::to_string(s.experts_per_token);
  if (s.n_experts > 0 && !s.moe_renormalize) name += " (weights not renormalized)";
  return name;
}

json positions(const ModelSpec& s) {
  if (s.positions == Positions::Learned)
    return {{"kind", "learned"}, {"offset", s.position_offset}};
  if (s.positions == Positions::Alibi) return {{"kind", "alibi"}, {"bias_max", s.alibi_bias_max}};
  // The last layer's RoPE: a global one in Gemma-3's pattern; layers() lists every base.
  const RopeSpec& r = s.layers.back().rope;
  json rope = {{"kind", "rope"},
               {"theta", r.theta},
               {"rotary_dims", r.dims},
               {"pairs", r.interleaved ? "interleaved" : "halves"},
               {"scaling", rope_scaling_name(r.scaling)}};
  if (r.scaling == RopeScaling::Linear || r.scaling == RopeScaling::Llama3)
    rope["factor"] = r.factor;
  if (r.scaling == RopeScaling::LongRope) {
    rope["short_factors"] = r.short_factors;
    rope["long_factors"] = r.long_factors;
    rope["attention_factor"] = r.attention_factor;
    rope["original_max_position_embeddings"] = r.original_max_positions;
  }
  if (r.scaling == RopeScaling::Llama3) {
    rope["low_freq_factor"] = r.low_freq_factor;
    rope["high_freq_factor"] = r.high_freq_factor;
    rope["original_max_position_embeddings"] = r.original_max_positions;
  }
  return rope;
}

const char* qk_norm_name(QkNorm k) {
  switch (k) {
    case QkNorm::None:
      return "none";
    case QkNorm::PerHead:
      return "per head";
    case QkNorm::FullWidth:
      return "full width";
    case QkNorm::EachHead:
      return "each head, own weights";
  }
  return "?";
}

// What differs per layer, one list entry per layer.
json per_layer(const ModelSpec& s) {
  json windows = json::array(), thetas = json::array(), qk_norms = json::array();
  for (const LayerSpec& layer : s.layers) {
    windows.push_back(layer.window);
    thetas.push_back(layer.rope.theta);
    std::string qk_norm = qk_norm_name(layer.qk_norm);
    // The q/k norms are of the block norms' kind, which `norm` names, bias included, unless the
    // family drops it for them.
    if (layer.qk_norm != QkNorm::None && s.norm_bias && !s.qk_norm_bias) qk_norm += " (no bias)";
    qk_norms.push_back(qk_norm);
  }
  json out = {{"sliding_window", windows}, {"qk_norm", qk_norms}};
  if (s.positions == Positions::Rope) out["rope_theta"] = thetas;
  return out;
}

// A vision transformer's input stage and heads; null for a language model.
json vision_json(const ModelSpec& s) {
  if (!s.vision) return nullptr;
  const VisionSpec& v = *s.vision;
  const char* pools[] = {"class token, normed", "tanh(dense(class token))",
                         "post-norm of the class token"};
  return {{"image_size", v.image_size},
          {"patch_size", v.patch_size},
          {"channels", v.channels},
          {"registers", v.n_registers},
          {"resizes_positions", v.resize.has_value()},
          {"pooled", pools[int(v.pool)]},
          {"labels", v.labels.size()}};
}

json describe(const LoadedModel& m) {
  const ModelSpec& s = m.model.spec();
  json doc = result_document("massact.inspect", 1, command_line(), m.model);
  doc["architecture"] = {{"family", s.family},
                         {"layers", s.n_layers},
                         {"d_model", s.d_model},
                         {"heads", s.n_heads},
                         {"kv_heads", s.n_kv_heads},
                         {"head_dim", s.head_dim},
                         {"d_ff", s.d_ff},
                         {"vocab_size", s.vocab_size},
                         {"max_positions", s.max_positions},
                         {"embed_dim", s.embed_dim},
                         {"embed_scale", s.embed_scale},
                         {"embed_norm", s.embed_norm},
                         {"block", layout_name(s.layout)},
                         {"final_norm", s.final_norm},
                         {"norm", norm_name(s)},
                         {"norm_eps", s.norm_eps},
                         {"mlp", mlp_name(s)},
                         {"mlp_bias", s.mlp_bias},
                         {"positions", positions(s)},
                         {"attn_scale", s.attn_scale},
                         {"attn_softcap", s.attn_softcap},
                         {"final_softcap", s.final_softcap},
                         {"logit_scale", s.logit_scale},
                         {"clip_qkv", s.clip_qkv},
                         {"qkv_bias", s.qkv_bias},
                         {"o_bias", s.o_bias},
                         {"tied_embeddings", s.tied_embeddings},
                         {"lm_head_bias", s.lm_head_bias},
                         {"per_layer", per_layer(s)},
                         {"vision", vision_json(s)}};
  json tok = json::object();
  if (m.tokenizer) {
    tok["kind"] = m.tokenizer->describe();
    tok["vocab_size"] = m.tokenizer->vocab_size();
    if (auto id = m.tokenizer->bos_id()) tok["bos"] = {{"id", *id}, {"text", m.token_text(*id)}};
    if (auto id = m.tokenizer->eos_id()) tok["eos"] = {{"id", *id}, {"text", m.token_text(*id)}};
  }
  doc["tokenizer"] = m.tokenizer ? tok : json(nullptr);
  if (!m.tokenizer) doc["tokenizer_error"] = m.tokenizer_error;
  return doc;
}

Table properties_table(const json& doc) {
  Table table({"property", "value"});
  table.add_row({"model", doc["model"]["path"].get<std::string>()});
  table.add_row({"parameters", std::to_string(doc["model"]["parameters"].get<int64_t>())});
  table.add_row({"dtype", doc["model"]["dtype"].get<std::string>()});
  for (const auto& [key, value] : doc["architecture"].items())
    table.add_row({key, value.is_string() ? value.get<std::string>() : json_text(value, -1)});
  if (doc["tokenizer"].is_null()) {
    // Why: a missing file, or a vocabulary this program cannot tokenize.
    table.add_row({"tokenizer", "none (give --token-ids or --tokenizer PATH): " +
                                    doc["tokenizer_error"].get<std::string>()});
  } else {
    for (const auto& [key, value] : doc["tokenizer"].items())
      table.add_row({"tokenizer." + key,
                     value.is_string() ? value.get<std::string>() : json_text(value, -1)});
  }
  return table;
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  struct Options {
    std::string model;
    std::string tokenizer;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("inspect", "Architecture, sizes, parameter count, dtypes, tokenizer");
  add_model_argument(cmd, opt->model);
  add_tokenizer_option(cmd, opt->tokenizer);
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = load_model(opt->model, false, opt->tokenizer);
    json doc = describe(m);
    const Table table = properties_table(doc);
    opt->output.emit(doc, {{"properties", &table}}, [&] { table.print(std::cout); });
  });
}

}  // namespace massact::cli
