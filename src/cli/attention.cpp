// massact attention MODEL: per layer and head, the attention probability mass on the tokens that
// carry massive activations, on the first token and on the rest (PAPER.md §4), on the tokens of
// each role (for images: the class token, the registers, the patches), and the
// head-averaged attention logits and probabilities of the first sequence for heatmaps (in the
// JSON).
#include <cmath>
#include <iostream>

#include "analysis/attention_mass.h"
#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

json matrix_json(const std::vector<float>& m) {
  json out = json::array();
  for (float v : m) out.push_back(std::isnan(v) ? json(nullptr) : json(v));
  return out;
}

json to_json(const AttentionMassResult& r) {
  json layers = json::array();
  for (size_t l = 0; l < r.layers.size(); ++l) {
    json heads = json::array();
    for (const auto& h : r.layers[l]) {
      json on_role = json::object();
      for (int role = 0; role < kNumTokenRoles; ++role)
        if (h.on_role[size_t(role)].count() > 0)
          on_role[token_role_name(TokenRole(role))] = h.on_role[size_t(role)].mean();
      heads.push_back({{"on_massive", h.on_massive.mean()},
                       {"on_first", h.on_first.mean()},
                       {"on_rest", h.on_rest.mean()},
                       {"on_role", on_role}});
    }
    layers.push_back({{"layer", l}, {"heads", heads}});
  }
  json logits = json::array(), probs = json::array();
  for (const auto& m : r.heatmap.logits) logits.push_back(matrix_json(m));
  for (const auto& m : r.heatmap.probs) probs.push_back(matrix_json(m));
  const int64_t n = r.heatmap.tokens;
  return {{"layers", layers},
          {"heatmap",
           {{"tokens", n},
            {"shape", {r.heatmap.probs.size(), n, n}},
            {"axes", {"layer", "query token", "key token"}},
            {"massive_tokens", r.heatmap.massive_tokens},
            {"head_mean_logits", logits},
            {"head_mean_probs", probs}}}};
}

// The roles that some input had, in the order of TokenRole.
std::vector<TokenRole> roles_seen(const AttentionMassResult& r) {
  std::vector<TokenRole> roles;
  for (int role = 0; role < kNumTokenRoles; ++role)
    if (!r.layers.empty() && r.layers[0][0].on_role[size_t(role)].count() > 0)
      roles.push_back(TokenRole(role));
  return roles;
}

// The per-layer table: mass averaged over heads, on each role for images, and the head that
// concentrates most on C.
Table mass_table(const AttentionMassResult& r, bool images) {
  std::vector<std::string> columns{"layer", "", "on massive", "on first", "on rest"};
  const std::vector<TokenRole> roles = images ? roles_seen(r) : std::vector<TokenRole>{};
  for (TokenRole role : roles) columns.push_back(std::string("on ") + token_role_name(role));
  columns.push_back("max head on massive");
  Table table(columns);
  for (size_t l = 0; l < r.layers.size(); ++l) {
    RunningStats massive, first, rest;
    size_t best = 0;
    for (size_t h = 0; h < r.layers[l].size(); ++h) {
      massive.add(r.layers[l][h].on_massive.mean());
      first.add(r.layers[l][h].on_first.mean());
      rest.add(r.layers[l][h].on_rest.mean());
      if (r.layers[l][h].on_massive.mean() > r.layers[l][best].on_massive.mean()) best = h;
    }
    std::vector<std::string> row{std::to_string(l), "layer " + std::to_string(l + 1),
                                 format_number(massive.mean(), 3), format_number(first.mean(), 3),
                                 format_number(rest.mean(), 3)};
    for (TokenRole role : roles) {
      RunningStats on_role;
      for (const HeadMass& head : r.layers[l]) on_role.add(head.on_role[size_t(role)].mean());
      row.push_back(format_number(on_role.mean(), 3));
    }
    row.push_back("head " + std::to_string(best) + ": " +
                  format_number(r.layers[l][best].on_massive.mean(), 3));
    table.add_row(row);
  }
  return table;
}

// `noun`: "sequences" or "images".
void print(const Table& table, const AttentionMassResult& r, const std::string& noun) {
  table.print(std::cout);
  std::cout << "mass: attention probability summed over the keys of each kind, mean over heads, "
               "queries from "
               "position "
            << r.burn_in << " on, and " << noun
            << "; massive tokens are those with a massive activation in the "
            << "previous layer's output\n";
}

}  // namespace

void add_attention_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    StudyInputOptions input;
    MassiveCriterion criterion;
    OutlierFeatureRule outliers;
    int64_t burn_in = 8;
    int64_t heatmap_tokens = 32;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("attention",
                                 "Attention mass on massive-activation tokens, per layer and head");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  add_criterion_options(cmd, opt->criterion);
  add_outlier_options(cmd, opt->outliers);
  cmd->add_option("--burn-in", opt->burn_in,
                  "Average over queries from this position on (images: 0 unless given)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--heatmap-tokens", opt->heatmap_tokens,
                  "Tokens of the first sequence in the JSON heatmaps")
      ->capture_default_str()
      ->check(at_least(1));
  opt->output.add_options(cmd);
  cmd->callback([opt, cmd] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer());
    const std::vector<StudyInput> inputs = opt->input.resolve(m);
    const int64_t burn_in = burn_in_for(cmd, opt->burn_in, inputs);
    // A first pass tells outlier features from massive activations, which alone make up C.
    const MassiveCensus census = take_census(m.model, inputs, m.text_of(), opt->criterion,
                                             progress_printer("attention: census, input"));
    const MassiveKinds kinds = census.kinds(opt->outliers);
    AttentionMassResult r =
        measure_attention_mass(m.model, inputs, m.text_of(), opt->criterion, kinds, burn_in,
                               opt->heatmap_tokens, progress_printer("attention: input"));
    json doc = result_document("massact.attention", 2, command_line(), m.model);
    doc["protocol"] = opt->input.protocol(m, inputs);
    doc["protocol"]["criterion"] = criterion_json(opt->criterion);
    doc["protocol"]["burn_in"] = burn_in;
    doc["protocol"]["massive_tokens"] =
        "tokens with a massive activation in the output of the layer before, "
        "outlier features aside";
    doc["protocol"]["outlier_features"] = outlier_rule_json(opt->outliers);
    doc["result"] = to_json(r);
    doc["result"]["outlier_features"] = outlier_features_json(census.feature_shares(), kinds);
    std::vector<std::string> texts = input_token_labels(m.model, inputs[0], m.text_of());
    std::vector<json> tokens = input_tokens_json(m, inputs[0]);
    texts.resize(size_t(r.heatmap.tokens));
    tokens.resize(size_t(r.heatmap.tokens));
    doc["result"]["heatmap"]["token_texts"] = texts;
    doc["result"]["heatmap"]["token_labels"] = tokens;
    const Table table = mass_table(r, inputs[0].is_image());
    opt->output.emit(doc, {{"attention_mass", &table}}, [&] {
      print_outlier_note(kinds, opt->outliers);
      print(table, r, inputs_noun(inputs.front()));
    });
  });
}

}  // namespace massact::cli
