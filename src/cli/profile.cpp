// massact profile MODEL: per layer, the top-1/2/3 |activation| and the median of the layer output,
// mean and std over sequences, with where each top value sits; --top K adds the paper's Table 1
// view of one layer (top-1..top-K and the median).
#include "analysis/profile.h"

#include <iostream>

#include "cli/common.h"
#include "core/error.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

std::string mean_std(const RunningStats& s) {
  return format_number(s.mean(), 2) + " ± " + format_number(s.stddev(), 2);
}

// The (role, dim) where the k-th value sat most often, and in what share of the sequences.
std::pair<std::string, double> usual_place(const RankProfile& rank) {
  const std::pair<TokenRole, int64_t>* best = nullptr;
  int64_t best_count = 0, total = 0;
  for (const auto& [place, count] : rank.where) {
    total += count;
    if (count > best_count) best = &place, best_count = count;
  }
  if (!best) return {"-", 0.0};
  return {std::string(token_role_name(best->first)) + " dim " + std::to_string(best->second),
          double(best_count) / double(total)};
}

json to_json(const MagnitudeProfile& profile, const MassiveCensus& census,
             const MassiveKinds& kinds) {
  json layers = json::array();
  for (size_t l = 0; l < profile.layers().size(); ++l) {
    const LayerProfile& p = profile.layers()[l];
    json top = json::array();
    for (const auto& rank : p.top) {
      auto [place, share] = usual_place(rank);
      top.push_back({{"mean", rank.magnitude.mean()},
                     {"std", rank.magnitude.stddev()},
                     {"usual_place", place},
                     {"usual_place_share", share}});
    }
    layers.push_back({{"layer", l},
                      {"top", top},
                      {"median", {{"mean", p.median.mean()}, {"std", p.median.stddev()}}}});
  }
  json doc = {{"layers", layers}};
  const auto first = census.first_layer(kinds), last = census.last_layer(kinds);
  doc["first_layer"] = first ? json(*first) : json(nullptr);
  doc["last_layer"] = last ? json(*last) : json(nullptr);
  doc["outlier_features"] = outlier_features_json(census.feature_shares(), kinds);
  return doc;
}

Table layers_table(const MagnitudeProfile& profile) {
  Table table({"layer", "", "top-1", "where (usually)", "top-2", "top-3", "median"});
  for (size_t l = 0; l < profile.layers().size(); ++l) {
    const LayerProfile& p = profile.layers()[l];
    auto [place, share] = usual_place(p.top[0]);
    table.add_row({std::to_string(l), "layer " + std::to_string(l + 1) + " output",
                   mean_std(p.top[0].magnitude),
                   place + " (" + format_number(100 * share, 0) + "%)",
                   mean_std(p.top[1].magnitude), mean_std(p.top[2].magnitude), mean_std(p.median)});
  }
  return table;
}

// `noun`: "sequences" or "images".
void print_layers(const Table& table, const MassiveCensus& census, const MassiveKinds& kinds,
                  const std::string& noun) {
  table.print(std::cout);
  if (auto first = census.first_layer(kinds))
    std::cout << "massive activations (by the criterion, in at least half the " << noun
              << ") appear at layer " << *first << " (layer " << *first + 1
              << " output) and hold until layer " << *census.last_layer(kinds) << " (layer "
              << *census.last_layer(kinds) + 1 << " output)\n";
  else
    std::cout << "no layer meets the massive-activation criterion in at least half the " << noun
              << "\n";
}

Table top_view_table(const MagnitudeProfile& profile, int layer, int k) {
  Table table({"rank", "|activation|", "where (usually)"});
  const LayerProfile& p = profile.layers()[size_t(layer)];
  for (int r = 0; r < k; ++r)
    table.add_row({"top-" + std::to_string(r + 1), mean_std(p.top[size_t(r)].magnitude),
                   usual_place(p.top[size_t(r)]).first});
  table.add_row({"median", mean_std(p.median), ""});
  return table;
}

}  // namespace

void add_profile_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    StudyInputOptions input;
    MassiveCriterion criterion;
    OutlierFeatureRule outliers;
    int top = 3;
    int layer = -1;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("profile", "Top-1/2/3 and median |activation| of every layer output");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  add_criterion_options(cmd, opt->criterion);
  add_outlier_options(cmd, opt->outliers);
  cmd->add_option("--top", opt->top, "Also list top-1..top-K of one layer (the paper's Table 1)")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--layer", opt->layer,
                  "Layer of the --top view (default: where massive activations appear)")
      ->check(at_least(0));
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer());
    const std::vector<StudyInput> inputs = opt->input.resolve(m);
    if (opt->layer >= m.model.spec().n_layers)
      throw_input_error("--layer: expected a layer below ", m.model.spec().n_layers, ", got ",
                        opt->layer);
    MassiveCensus census;
    MagnitudeProfile profile =
        profile_magnitudes(m.model, inputs, m.text_of(), opt->top, opt->criterion, census,
                           progress_printer("profile: sequence"));
    const MassiveKinds kinds = census.kinds(opt->outliers);
    const int layer = opt->layer >= 0 ? opt->layer : default_output_layer(census, kinds);

    json doc = result_document("massact.profile", 2, command_line(), m.model);
    doc["protocol"] = opt->input.protocol(m, inputs);
    doc["protocol"]["hook"] = "blocks.*.hook_resid_post";
    doc["protocol"]["criterion"] = criterion_json(opt->criterion);
    doc["protocol"]["outlier_features"] = outlier_rule_json(opt->outliers);
    doc["result"] = to_json(profile, census, kinds);
    doc["result"]["top_view_layer"] = layer;
    const Table layers = layers_table(profile), top_view = top_view_table(profile, layer, opt->top),
                outliers = outlier_features_table(census.feature_shares(), kinds);
    const bool show_top = opt->top > 3 || opt->layer >= 0;
    NamedTables tables{{"layers", &layers}};
    if (show_top) tables.push_back({"top_view", &top_view});
    tables.push_back({"outlier_features", &outliers});
    opt->output.emit(doc, tables, [&] {
      print_layers(layers, census, kinds, inputs_noun(inputs.front()));
      if (show_top) {
        std::cout << "\nlayer " << layer << " (layer " << layer + 1 << " output):\n";
        top_view.print(std::cout);
      }
      if (outliers.size() > 0) {
        std::cout << "\n";
        print_outlier_note(kinds, opt->outliers);
        outliers.print(std::cout);
      }
    });
  });
}

}  // namespace massact::cli
