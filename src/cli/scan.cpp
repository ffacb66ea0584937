// massact scan MODEL INPUT: the paper's criterion on every layer's output, one row per massive
// activation, and plain words when there is none.
#include "analysis/scan.h"

#include <cmath>
#include <iostream>

#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

json to_json(const ScanResult& r, const LoadedModel& m, const TokenIds& ids) {
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

void print(const ScanResult& r, const LoadedModel& m, const TokenIds& ids) {
  const auto& c = r.criterion;
  std::cout << "criterion: |activation| > " << format_number(c.min_magnitude, 1) << " and > "
            << format_number(c.min_ratio, 1) << "x the median |activation| of the layer output ("
            << ids.size() << " tokens)\n";
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

}  // namespace

void add_scan_command(CLI::App& app) {
  struct Options {
    std::string model;
    TokenInput input;
    int64_t seq_len = 0;
    MassiveCriterion criterion;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("scan", "Find massive activations in every layer's output");
  cmd->add_option("model", opt->model, "Hugging Face model folder")->required();
  opt->input.add_options(cmd);
  cmd->add_option("--seq-len", opt->seq_len,
                  "Use at most this many tokens of the input (0: the model's context)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--min-magnitude", opt->criterion.min_magnitude,
                  "Massive when |activation| exceeds this")
      ->capture_default_str();
  cmd->add_option("--min-ratio", opt->criterion.min_ratio,
                  "... and exceeds this times the layer's median |activation|")
      ->capture_default_str();
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = load_model(opt->model, opt->input.needs_tokenizer());
    TokenIds ids = opt->input.resolve(m);
    const int64_t limit = opt->seq_len > 0 ? opt->seq_len : m.model.spec().max_positions;
    if (int64_t(ids.size()) > limit) ids.resize(size_t(limit));

    Hooks hooks;
    MassiveScan scan(opt->criterion);
    scan.attach(hooks);
    m.model.forward(ids, hooks, LogitRows::None);

    json doc = result_document("massact.scan", 1, command_line(), m.model);
    doc["protocol"] = {
        {"hook", "blocks.*.hook_resid_post"},
        {"tokens", ids.size()},
        {"min_magnitude", opt->criterion.min_magnitude},
        {"min_ratio", opt->criterion.min_ratio},
        {"median", "lower middle of |activation| over all tokens and dims of the layer"}};
    doc["result"] = to_json(scan.result(), m, ids);
    opt->output.emit(doc, [&] { print(scan.result(), m, ids); });
  });
}

}  // namespace massact::cli
