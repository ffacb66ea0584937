// massact intervene MODEL --eval-text F: perplexity with the massive activations of one layer's
// output left alone, set to zero, and set to their calibration means, side by side (PAPER.md §3).
#include "analysis/intervene.h"

#include <iostream>

#include "analysis/sequences.h"
#include "cli/common.h"
#include "core/error.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

// Without --means or --text-file, the last fifth of the evaluation text is held out for
// calibration.
constexpr double kHeldOutFraction = 0.2;

struct Calibration {
  MassiveMeans means;
  std::optional<int> first_layer;
  json protocol;
};

Calibration calibrate(const LoadedModel& m, const SequenceInput& input, TokenIds& eval_tokens,
                      const MassiveCriterion& criterion, const std::string& eval_name) {
  std::vector<TokenIds> sequences;
  json protocol;
  if (!input.input.text_file.empty()) {
    sequences = input.resolve(m);
    protocol = input.protocol(m, sequences);
  } else {
    const size_t keep = size_t(double(eval_tokens.size()) * (1 - kHeldOutFraction));
    TokenIds held_out(eval_tokens.begin() + int64_t(keep), eval_tokens.end());
    eval_tokens.resize(keep);
    const int64_t seq_len =
        input.seq_len > 0 ? input.seq_len : std::min<int64_t>(512, int64_t(held_out.size()));
    m.check_length(seq_len, input.seq_len_flag);
    sequences =
        draw_sequences(held_out, {input.num_seqs, seq_len, input.seed}, std::nullopt, eval_name);
    protocol = {{"text", "the last 20% of the evaluation text's tokens, held out from evaluation"},
                {"sequences", sequences.size()},
                {"tokens_per_sequence", seq_len},
                {"seed", input.seed}};
  }
  MassiveCensus census = take_census(m.model, sequences, m.text_of(), criterion,
                                     progress_printer("intervene: calibration sequence"));
  return {MassiveMeans::from_census(census), census.first_layer(), protocol};
}

}  // namespace

void add_intervene_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    std::string eval_text;
    int layer = -1;
    std::string mode = "all";
    std::string means_file;
    EvalWindows windows;
    SequenceInput calibration;
    MassiveCriterion criterion;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  opt->calibration.num_seqs = 10;
  opt->calibration.seq_len_flag = "--calib-seq-len";
  auto* cmd = app.add_subcommand(
      "intervene", "Perplexity with massive activations zeroed or set to their means");
  opt->model.add_options(cmd);
  cmd->add_option("--eval-text", opt->eval_text, "Evaluation text (perplexity protocol)")
      ->required();
  cmd->add_option("--layer", opt->layer,
                  "Layer whose output is edited (default: where massive activations appear)")
      ->check(at_least(0));
  cmd->add_option("--mode", opt->mode, "zero, mean, or all (original, zero and mean side by side)")
      ->capture_default_str()
      ->check(CLI::IsMember({"zero", "mean", "all"}));
  cmd->add_option("--means", opt->means_file,
                  "Means file from `massact stats --means-out` (else calibrate)");
  opt->windows.add_options(cmd);
  auto* calib =
      cmd->add_option_group("calibration", "Calibration text (disjoint from the evaluation text)");
  calib->add_option("--text-file", opt->calibration.input.text_file,
                    "Calibration text (default: hold out the "
                    "last 20% of the evaluation text)");
  calib->add_option("--num-seqs", opt->calibration.num_seqs, "Calibration sequences")
      ->capture_default_str();
  calib->add_option("--calib-seq-len", opt->calibration.seq_len, "Tokens per calibration sequence");
  calib->add_option("--seed", opt->calibration.seed, "Seed of the calibration draw")
      ->capture_default_str();
  add_criterion_options(cmd, opt->criterion);
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(true);
    TokenIds eval_tokens = m.tokenizer->encode(read_text_file(opt->eval_text, "--eval-text"), true);

    MassiveMeans means;
    std::optional<int> first_layer;
    json calibration;
    if (!opt->means_file.empty()) {
      means = MassiveMeans::read(opt->means_file);
      first_layer = means.first_layer();
      calibration = {{"means_file", opt->means_file}};
    } else {
      Calibration c = calibrate(m, opt->calibration, eval_tokens, opt->criterion, opt->eval_text);
      means = std::move(c.means);
      first_layer = c.first_layer;
      calibration = c.protocol;
    }
    if (opt->layer >= m.model.spec().n_layers)
      throw_input_error("--layer: expected a layer below ", m.model.spec().n_layers, ", got ",
                        opt->layer);
    const int layer = opt->layer >= 0 ? opt->layer : first_layer.value_or(0);

    const PerplexityProtocol protocol = opt->windows.protocol(m, opt->eval_text);
    std::vector<Intervention> modes{Intervention::None};
    if (opt->mode != "mean") modes.push_back(Intervention::Zero);
    if (opt->mode != "zero") modes.push_back(Intervention::Mean);

    json rows = json::array();
    Table table({"activations", "perplexity", "edited", "left (no mean)"});
    for (Intervention mode : modes) {
      InterventionResult r = perplexity_with_intervention(
          m.model, eval_tokens, protocol, {layer, mode, opt->criterion, &means}, m.text_of(),
          progress_printer(std::string("intervene: ") + intervention_name(mode) + ", window"));
      rows.push_back({{"mode", intervention_name(mode)},
                      {"perplexity", r.perplexity.perplexity},
                      {"mean_nll", r.perplexity.mean_nll},
                      {"edited", r.edited},
                      {"without_mean", r.without_mean},
                      {"windows", r.perplexity.windows},
                      {"scored_tokens", r.perplexity.scored_tokens}});
      table.add_row({intervention_name(mode), format_number(r.perplexity.perplexity),
                     std::to_string(r.edited), std::to_string(r.without_mean)});
    }

    json doc = result_document("massact.intervene", 1, command_line(), m.model);
    doc["protocol"] = {
        {"eval_text", opt->eval_text},
        {"seq_len", protocol.seq_len},
        {"windows", "non-overlapping, tail dropped, every position but each window's first scored"},
        {"layer", layer},
        {"hook", "blocks." + std::to_string(layer) + ".hook_resid_post"},
        {"which", "massive activations of each window by the criterion"},
        {"criterion", criterion_json(opt->criterion)},
        {"calibration", calibration}};
    doc["result"] = {
        {"rows", rows},
        {"layer_found_by_calibration", first_layer ? json(*first_layer) : json(nullptr)}};
    opt->output.emit(doc, [&] {
      std::cout << "layer " << layer << " (layer " << layer + 1 << " output), windows of "
                << protocol.seq_len << " tokens from " << opt->eval_text << "\n";
      if (!first_layer && opt->layer < 0)
        std::cout << "note: calibration found no massive activations; editing layer 0, where the "
                     "criterion finds "
                     "nothing to edit\n";
      table.print(std::cout);
    });
  });
}

}  // namespace massact::cli
