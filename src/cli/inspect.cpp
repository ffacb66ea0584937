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
  }
  return "?";
}

json describe(const LoadedModel& m) {
  const ModelSpec& s = m.model.spec();
  json doc = result_document("massact.inspect", 1, command_line(), m.model);
  json rope = {{"theta", s.rope.theta}, {"scaling", rope_scaling_name(s.rope.scaling)}};
  if (s.rope.scaling != RopeScaling::None) rope["factor"] = s.rope.factor;
  if (s.rope.scaling == RopeScaling::Llama3) {
    rope["low_freq_factor"] = s.rope.low_freq_factor;
    rope["high_freq_factor"] = s.rope.high_freq_factor;
    rope["original_max_position_embeddings"] = s.rope.original_max_positions;
  }
  doc["architecture"] = {{"family", s.family},
                         {"layers", s.n_layers},
                         {"d_model", s.d_model},
                         {"heads", s.n_heads},
                         {"kv_heads", s.n_kv_heads},
                         {"head_dim", s.head_dim},
                         {"d_ff", s.d_ff},
                         {"vocab_size", s.vocab_size},
                         {"max_positions", s.max_positions},
                         {"norm", "rmsnorm"},
                         {"norm_eps", s.norm_eps},
                         {"mlp", "gated_silu"},
                         {"rope", rope},
                         {"qkv_bias", s.qkv_bias},
                         {"o_bias", s.o_bias},
                         {"tied_embeddings", s.tied_embeddings},
                         {"sliding_window", s.sliding_window}};
  json tok = json::object();
  if (m.tokenizer) {
    tok["kind"] = m.tokenizer->describe();
    tok["vocab_size"] = m.tokenizer->vocab_size();
    if (auto id = m.tokenizer->bos_id()) tok["bos"] = {{"id", *id}, {"text", m.token_text(*id)}};
    if (auto id = m.tokenizer->eos_id()) tok["eos"] = {{"id", *id}, {"text", m.token_text(*id)}};
  }
  doc["tokenizer"] = m.tokenizer ? tok : json(nullptr);
  return doc;
}

void print(const json& doc) {
  Table table({"property", "value"});
  table.add_row({"model", doc["model"]["path"].get<std::string>()});
  table.add_row({"parameters", std::to_string(doc["model"]["parameters"].get<int64_t>())});
  table.add_row({"dtype", doc["model"]["dtype"].get<std::string>()});
  for (const auto& [key, value] : doc["architecture"].items())
    table.add_row({key, value.is_string() ? value.get<std::string>() : value.dump()});
  if (doc["tokenizer"].is_null()) {
    table.add_row({"tokenizer", "none (give --token-ids)"});
  } else {
    for (const auto& [key, value] : doc["tokenizer"].items())
      table.add_row(
          {"tokenizer." + key, value.is_string() ? value.get<std::string>() : value.dump()});
  }
  table.print(std::cout);
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  struct Options {
    std::string model;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("inspect", "Architecture, sizes, parameter count, dtypes, tokenizer");
  cmd->add_option("model", opt->model, "Hugging Face model folder")->required();
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = load_model(opt->model, false);
    json doc = describe(m);
    opt->output.emit(doc, [&] { print(doc); });
  });
}

}  // namespace massact::cli
