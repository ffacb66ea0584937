// massact stats MODEL: for each massive (layer, dim, token role), the mean, std, min and max of its
// value over the sequences (or images): the evidence that massive activations are input-agnostic.
// --means-out writes the means for `massact intervene --means`.
#include <iostream>

#include "analysis/means.h"
#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

void add_stats_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    StudyInputOptions input;
    MassiveCriterion criterion;
    OutlierFeatureRule outliers;
    std::string means_out;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("stats", "Value distribution of each massive activation over sequences");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  add_criterion_options(cmd, opt->criterion);
  add_outlier_options(cmd, opt->outliers);
  cmd->add_option("--means-out", opt->means_out,
                  "Write the mean of each massive (layer, dim, role) here")
      ->check(output_file());
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer());
    const std::vector<StudyInput> inputs = opt->input.resolve(m);
    MassiveCensus census = take_census(m.model, inputs, m.text_of(), opt->criterion,
                                       progress_printer("stats: sequence"));
    const MassiveKinds kinds = census.kinds(opt->outliers);

    json rows = json::array();
    Table table({"layer", "dim", "role", "in seqs", "count", "mean", "std", "min", "max"});
    for (const auto& [key, e] : census.entries()) {
      const double share = double(e.sequences) / double(census.sequences());
      rows.push_back({{"layer", key.layer},
                      {"dim", key.dim},
                      {"role", token_role_name(key.role)},
                      {"kind", kinds.is_outlier_feature(key.dim) ? "outlier-feature" : "massive"},
                      {"fraction_of_sequences", share},
                      {"count", e.values.count()},
                      {"mean", e.values.mean()},
                      {"std", e.values.stddev()},
                      {"min", e.values.min()},
                      {"max", e.values.max()}});
      if (!kinds.counts(key.dim)) continue;
      table.add_row({std::to_string(key.layer), std::to_string(key.dim), token_role_name(key.role),
                     format_number(100 * share, 1) + "%", std::to_string(e.values.count()),
                     format_number(e.values.mean(), 2), format_number(e.values.stddev(), 2),
                     format_number(e.values.min(), 2), format_number(e.values.max(), 2)});
    }
    json doc = result_document("massact.stats", 2, command_line(), m.model);
    doc["protocol"] = opt->input.protocol(m, inputs);
    doc["protocol"]["criterion"] = criterion_json(opt->criterion);
    doc["protocol"]["outlier_features"] = outlier_rule_json(opt->outliers);
    doc["result"] = {{"massive", rows},
                     {"outlier_features", outlier_features_json(census.feature_shares(), kinds)}};
    const Table outliers = outlier_features_table(census.feature_shares(), kinds);
    if (!opt->means_out.empty()) {
      json means = MassiveMeans::from_census(census).to_json();
      means["model"] = model_identity(m.model);
      means["protocol"] = doc["protocol"];
      write_json_file(opt->means_out, means);
    }
    opt->output.emit(doc, {{"massive", &table}, {"outlier_features", &outliers}}, [&] {
      if (census.entries().empty())
        std::cout << "No massive activations found in "
                  << inputs_noun(inputs.front(), census.sequences())
                  << " by the criterion; nothing to summarize.\n";
      else
        table.print(std::cout);
      if (outliers.size() > 0) {
        std::cout << "\n";
        print_outlier_note(kinds, opt->outliers);
        outliers.print(std::cout);
      }
      if (!opt->means_out.empty()) std::cout << "means written to " << opt->means_out << "\n";
    });
  });
}

}  // namespace massact::cli
