// massact scan MODEL INPUT: the paper's criterion on every layer's output. One sequence: one row
// per massive activation. Many (--num-seqs): the model's fingerprint, massive activations grouped
// by (layer, dim, token role) with the fraction of sequences in which each occurs. Either way the
// outlier features (analysis/outlier_features.h), dims over the criterion on most tokens, get a
// table of their own. Plain words when there is nothing.
#include <cmath>
#include <iostream>

#include "analysis/census.h"
#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

// `inputs`: "1 sequence", "6 images".
void print_criterion(const MassiveCriterion& c, const std::string& inputs, size_t tokens) {
  std::cout << "criterion: |activation| > " << format_number(c.min_magnitude, 1) << " and > "
            << format_number(c.min_ratio, 1) << "x the median |activation| of the layer output ("
            << inputs << " of " << tokens << " tokens)\n";
}

const char* kind_name(const MassiveKinds& kinds, int64_t dim) {
  return kinds.is_outlier_feature(dim) ? "outlier-feature" : "massive";
}

json layers_json(const MassiveCensus& census, const MassiveKinds& kinds) {
  json doc;
  const auto first = census.first_layer(kinds), last = census.last_layer(kinds);
  doc["first_layer"] = first ? json(*first) : json(nullptr);
  doc["last_layer"] = last ? json(*last) : json(nullptr);
  doc["outlier_features"] = outlier_features_json(census.feature_shares(), kinds);
  return doc;
}

// `noun`: "sequences" or "images".
void print_layers(const MassiveCensus& census, const MassiveKinds& kinds, const std::string& noun) {
  if (auto first = census.first_layer(kinds))
    std::cout << "massive activations appear at layer " << *first << " (layer " << *first + 1
              << " output) and hold until layer " << *census.last_layer(kinds)
              << " (in at least half the " << noun << ")\n";
}

struct OneSequence {
  const ScanResult& scan;
  const LoadedModel& m;
  const StudyInput& input;
  std::vector<TokenRole> roles;
  std::vector<std::string> labels;  // each token's, for tables
  std::vector<json> tokens;         // each token's, for the JSON
  MassiveCensus census;
  MassiveKinds kinds;
};

const std::string& label(const OneSequence& s, int64_t token) {
  return s.labels[size_t(token)];
}

json one_sequence_json(const OneSequence& s) {
  json layers = json::array();
  for (const auto& l : s.scan.layers)
    layers.push_back({{"layer", l.layer},
                      {"median_abs", l.median_abs},
                      {"max_abs", l.max_abs},
                      {"max_token", l.max_token},
                      {"max_dim", l.max_dim},
                      {"non_finite", l.non_finite}});
  json massive = json::array();
  for (const auto& a : s.scan.massive) {
    json row = s.tokens[size_t(a.token)];
    row.update({{"layer", a.layer},
                {"dim", a.dim},
                {"value", a.value},
                {"ratio_to_median", a.ratio},
                {"kind", kind_name(s.kinds, a.dim)}});
    massive.push_back(row);
  }
  json doc = {{"layers", layers}, {"massive", massive}};
  doc.update(layers_json(s.census, s.kinds));
  return doc;
}

Table one_sequence_table(const OneSequence& s) {
  Table table({"layer", "", "token", "text", "role", "dim", "value", "ratio"});
  for (const auto& a : s.scan.massive)
    if (s.kinds.counts(a.dim))
      table.add_row({std::to_string(a.layer), "layer " + std::to_string(a.layer + 1) + " output",
                     std::to_string(a.token), printable_token(label(s, a.token)),
                     token_role_name(s.roles[size_t(a.token)]), std::to_string(a.dim),
                     format_number(a.value, 2), format_number(a.ratio, 1)});
  return table;
}

void print_largest_ratio(const OneSequence& s) {
  const ScanResult& r = s.scan;
  const LayerMagnitudes* top = &r.layers.front();
  for (const auto& l : r.layers)
    if (l.max_abs / l.median_abs > top->max_abs / top->median_abs) top = &l;
  if (!std::isfinite(top->max_abs)) {
    std::cout << "No massive activations found: no layer output has a finite value.\n";
    return;
  }
  std::cout << "No massive activations found. The largest ratio seen: |"
            << format_number(top->max_abs) << "| at layer " << top->layer << " (layer "
            << top->layer + 1 << " output), token " << top->max_token << " "
            << printable_token(label(s, top->max_token)) << ", dim " << top->max_dim << ": "
            << format_number(top->max_abs / top->median_abs, 1) << "x the median "
            << format_number(top->median_abs) << ".\n";
}

void print_one_sequence(const OneSequence& s, const Table& massive, const Table& outliers,
                        const OutlierFeatureRule& rule) {
  print_criterion(s.scan.criterion, inputs_noun(s.input, 1),
                  size_t(input_length(s.m.model, s.input)));
  for (const auto& l : s.scan.layers)
    if (l.non_finite > 0)
      std::cout << "warning: layer " << l.layer << " output has " << l.non_finite
                << " non-finite values (NaN/inf), left out of the median and the criterion\n";
  if (s.scan.massive.empty()) return print_largest_ratio(s);
  if (massive.size() > 0) {
    massive.print(std::cout);
    std::cout << massive.size() << " massive activations\n";
  } else {
    std::cout << "No massive activations found; only outlier features.\n";
  }
  if (outliers.size() > 0) {
    std::cout << "\n";
    print_outlier_note(s.kinds, rule);
    outliers.print(std::cout);
  }
  print_layers(s.census, s.kinds, inputs_noun(s.input));
}

json fingerprint_json(const MassiveCensus& census, const MassiveKinds& kinds) {
  json rows = json::array();
  for (const auto& [key, e] : census.entries())
    rows.push_back({{"layer", key.layer},
                    {"dim", key.dim},
                    {"role", token_role_name(key.role)},
                    {"kind", kind_name(kinds, key.dim)},
                    {"fraction_of_sequences", double(e.sequences) / double(census.sequences())},
                    {"occurrences", e.values.count()},
                    {"mean_value", e.values.mean()},
                    {"mean_ratio_to_median", e.ratios.mean()}});
  json top = json::array();
  for (const auto& [layer, ratio] : census.top_ratio_by_layer())
    top.push_back({{"layer", layer}, {"mean_top_ratio_to_median", ratio.mean()}});
  json doc = {{"fingerprint", rows},
              {"top_ratio_by_layer", top},
              {"non_first_positions", census.non_first_positions()}};
  doc.update(layers_json(census, kinds));
  return doc;
}

Table fingerprint_table(const MassiveCensus& census, const MassiveKinds& kinds) {
  Table table({"layer", "", "dim", "role", "in seqs", "mean value", "mean ratio"});
  for (const auto& [key, e] : census.entries())
    if (kinds.counts(key.dim))
      table.add_row(
          {std::to_string(key.layer), "layer " + std::to_string(key.layer + 1) + " output",
           std::to_string(key.dim), token_role_name(key.role),
           format_number(100.0 * double(e.sequences) / double(census.sequences()), 1) + "%",
           format_number(e.values.mean(), 2), format_number(e.ratios.mean(), 1)});
  return table;
}

void print_no_massive(const MassiveCensus& census, const std::string& noun) {
  int best = 0;
  for (const auto& [layer, ratio] : census.top_ratio_by_layer())
    if (ratio.mean() > census.top_ratio_by_layer().at(best).mean()) best = layer;
  std::cout << "No massive activations found in any of the " << noun
            << ". The largest ratio to the median, averaged over them: "
            << format_number(census.top_ratio_by_layer().at(best).mean(), 1) << "x at layer "
            << best << " (layer " << best + 1 << " output).\n";
}

void print_fingerprint(const MassiveCensus& census, const MassiveKinds& kinds,
                       const OutlierFeatureRule& rule, const Table& massive, const Table& outliers,
                       const MassiveCriterion& c, size_t tokens, const StudyInput& any) {
  print_criterion(c, inputs_noun(any, census.sequences()), tokens);
  if (census.entries().empty()) return print_no_massive(census, inputs_noun(any));
  if (massive.size() > 0)
    massive.print(std::cout);
  else
    std::cout << "No massive activations found; only outlier features.\n";
  if (outliers.size() > 0) {
    std::cout << "\n";
    print_outlier_note(kinds, rule);
    outliers.print(std::cout);
  }
  print_layers(census, kinds, inputs_noun(any));
}

}  // namespace

void add_scan_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    StudyInputOptions input;
    MassiveCriterion criterion;
    OutlierFeatureRule outliers;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("scan", "Find massive activations in every layer's output");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  add_criterion_options(cmd, opt->criterion);
  add_outlier_options(cmd, opt->outliers);
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer());
    const std::vector<StudyInput> inputs = opt->input.resolve(m);
    json doc = result_document("massact.scan", 2, command_line(), m.model);
    doc["protocol"] = opt->input.protocol(m, inputs);
    doc["protocol"]["hook"] = "blocks.*.hook_resid_post";
    doc["protocol"]["criterion"] = criterion_json(opt->criterion);
    doc["protocol"]["outlier_features"] = outlier_rule_json(opt->outliers);

    if (inputs.size() == 1) {
      Hooks hooks;
      MassiveScan scan(opt->criterion);
      scan.attach(hooks);
      run_input(m.model, inputs[0], hooks);
      OneSequence s{scan.result(),
                    m,
                    inputs[0],
                    input_roles(m.model, inputs[0], m.text_of()),
                    input_token_labels(m.model, inputs[0], m.text_of()),
                    input_tokens_json(m, inputs[0]),
                    {},
                    {}};
      s.census.add_sequence(s.scan, s.roles);
      s.kinds = s.census.kinds(opt->outliers);
      doc["result"] = one_sequence_json(s);
      const Table massive = one_sequence_table(s),
                  outliers = outlier_features_table(s.census.feature_shares(), s.kinds);
      opt->output.emit(doc, {{"massive", &massive}, {"outlier_features", &outliers}},
                       [&] { print_one_sequence(s, massive, outliers, opt->outliers); });
      return;
    }
    MassiveCensus census = take_census(m.model, inputs, m.text_of(), opt->criterion,
                                       progress_printer("scan: sequence"));
    const MassiveKinds kinds = census.kinds(opt->outliers);
    doc["result"] = fingerprint_json(census, kinds);
    const Table massive = fingerprint_table(census, kinds),
                outliers = outlier_features_table(census.feature_shares(), kinds);
    opt->output.emit(doc, {{"massive", &massive}, {"outlier_features", &outliers}}, [&] {
      print_fingerprint(census, kinds, opt->outliers, massive, outliers, opt->criterion,
                        size_t(input_length(m.model, inputs[0])), inputs[0]);
    });
  });
}

}  // namespace massact::cli
