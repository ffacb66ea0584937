// massact scan MODEL INPUT: the paper's criterion on every layer's output. One sequence: one row
// per massive activation. Many (--num-seqs): the model's fingerprint, massive activations grouped
// by (layer, dim, token role) with the fraction of sequences in which each occurs. Plain words when
// there is none.
#include <cmath>
#include <iostream>

#include "analysis/census.h"
#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

void print_criterion(const MassiveCriterion& c, size_t sequences, size_t tokens) {
  std::cout << "criterion: |activation| > " << format_number(c.min_magnitude, 1) << " and > "
            << format_number(c.min_ratio, 1) << "x the median |activation| of the layer output ("
            << sequences << (sequences == 1 ? " sequence of " : " sequences of ") << tokens
            << " tokens)\n";
}

json one_sequence_json(const ScanResult& r, const LoadedModel& m, const TokenIds& ids) {
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"layer", l.layer},
                      {"median_abs", l.median_abs},
                      {"max_abs", l.max_abs},
                      {"max_token", l.max_token},
                      {"max_dim", l.max_dim},
                      {"non_finite", l.non_finite}});
  json massive = json::array();
  for (const auto& a : r.massive)
    massive.push_back({{"layer", a.layer},
                       {"token", a.token},
                       {"token_id", ids[size_t(a.token)]},
                       {"token_text", m.token_text(ids[size_t(a.token)])},
                       {"dim", a.dim},
                       {"value", a.value},
                       {"ratio_to_median", a.ratio}});
  return {{"layers", layers}, {"massive", massive}};
}

void print_one_sequence(const ScanResult& r, const LoadedModel& m, const TokenIds& ids) {
  print_criterion(r.criterion, 1, ids.size());
  for (const auto& l : r.layers)
    if (l.non_finite > 0)
      std::cout << "warning: layer " << l.layer << " output has " << l.non_finite
                << " non-finite values (NaN/inf), left out of the median and the criterion\n";
  if (r.massive.empty()) {
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
              << printable_token(m.token_text(ids[size_t(top->max_token)])) << ", dim "
              << top->max_dim << ": " << format_number(top->max_abs / top->median_abs, 1)
              << "x the median " << format_number(top->median_abs) << ".\n";
    return;
  }
  Table table({"layer", "", "token", "text", "dim", "value", "ratio"});
  for (const auto& a : r.massive)
    table.add_row({std::to_string(a.layer), "layer " + std::to_string(a.layer + 1) + " output",
                   std::to_string(a.token), printable_token(m.token_text(ids[size_t(a.token)])),
                   std::to_string(a.dim), format_number(a.value, 2), format_number(a.ratio, 1)});
  table.print(std::cout);
  std::cout << r.massive.size() << " massive activations\n";
}

json fingerprint_json(const MassiveCensus& census) {
  json rows = json::array();
  for (const auto& [key, e] : census.entries())
    rows.push_back({{"layer", key.layer},
                    {"dim", key.dim},
                    {"role", token_role_name(key.role)},
                    {"fraction_of_sequences", double(e.sequences) / double(census.sequences())},
                    {"occurrences", e.values.count()},
                    {"mean_value", e.values.mean()},
                    {"mean_ratio_to_median", e.ratios.mean()}});
  json top = json::array();
  for (const auto& [layer, ratio] : census.top_ratio_by_layer())
    top.push_back({{"layer", layer}, {"mean_top_ratio_to_median", ratio.mean()}});
  json doc = {{"fingerprint", rows}, {"top_ratio_by_layer", top}};
  doc["first_layer"] = census.first_layer() ? json(*census.first_layer()) : json(nullptr);
  doc["last_layer"] = census.last_layer() ? json(*census.last_layer()) : json(nullptr);
  return doc;
}

void print_fingerprint(const MassiveCensus& census, const MassiveCriterion& c, size_t tokens) {
  print_criterion(c, size_t(census.sequences()), tokens);
  if (census.entries().empty()) {
    int best = 0;
    for (const auto& [layer, ratio] : census.top_ratio_by_layer())
      if (ratio.mean() > census.top_ratio_by_layer().at(best).mean()) best = layer;
    std::cout << "No massive activations found in any sequence. The largest ratio to the median, "
                 "averaged "
                 "over sequences: "
              << format_number(census.top_ratio_by_layer().at(best).mean(), 1) << "x at layer "
              << best << " (layer " << best + 1 << " output).\n";
    return;
  }
  Table table({"layer", "", "dim", "role", "in seqs", "mean value", "mean ratio"});
  for (const auto& [key, e] : census.entries())
    table.add_row({std::to_string(key.layer), "layer " + std::to_string(key.layer + 1) + " output",
                   std::to_string(key.dim), token_role_name(key.role),
                   format_number(100.0 * double(e.sequences) / double(census.sequences()), 1) + "%",
                   format_number(e.values.mean(), 2), format_number(e.ratios.mean(), 1)});
  table.print(std::cout);
  if (auto first = census.first_layer())
    std::cout << "massive activations appear at layer " << *first << " (layer " << *first + 1
              << " output) and hold until layer " << *census.last_layer()
              << " (in at least half the sequences)\n";
}

}  // namespace

void add_scan_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    SequenceInput input;
    MassiveCriterion criterion;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("scan", "Find massive activations in every layer's output");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  add_criterion_options(cmd, opt->criterion);
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer());
    std::vector<TokenIds> sequences = opt->input.resolve(m);
    json doc = result_document("massact.scan", 1, command_line(), m.model);
    doc["protocol"] = opt->input.protocol(m, sequences);
    doc["protocol"]["hook"] = "blocks.*.hook_resid_post";
    doc["protocol"]["criterion"] = criterion_json(opt->criterion);

    if (sequences.size() == 1) {
      Hooks hooks;
      MassiveScan scan(opt->criterion);
      scan.attach(hooks);
      m.model.forward(sequences[0], hooks, LogitRows::None);
      doc["result"] = one_sequence_json(scan.result(), m, sequences[0]);
      opt->output.emit(doc, [&] { print_one_sequence(scan.result(), m, sequences[0]); });
      return;
    }
    MassiveCensus census = take_census(m.model, sequences, m.text_of(), opt->criterion,
                                       progress_printer("scan: sequence"));
    doc["result"] = fingerprint_json(census);
    opt->output.emit(doc, [&] { print_fingerprint(census, opt->criterion, sequences[0].size()); });
  });
}

}  // namespace massact::cli
