// massact decompose MODEL [--layer L]: the paper's Eq. 2 per head at one layer: how alike the value
// updates from the massive-activation tokens are across queries and inputs, how large they are
// against the rest, and (with --eval-text) perplexity when they are replaced by one fixed vector or
// removed: the implicit attention bias test (PAPER.md §4).
#include "analysis/decompose.h"

#include <cmath>
#include <iostream>

#include "cli/common.h"
#include "core/error.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

void add_decompose_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    StudyInputOptions input;
    MassiveCriterion criterion;
    OutlierFeatureRule outliers;
    int layer = -1;
    int64_t burn_in = 8;
    std::string eval_text;
    EvalWindows windows;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "decompose", "Value updates from massive tokens: similarity, size, implicit bias");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  opt->input.text_only = {"--eval-text", "--eval-seq-len", "--max-windows"};
  add_criterion_options(cmd, opt->criterion);
  add_outlier_options(cmd, opt->outliers);
  cmd->add_option("--layer", opt->layer,
                  "Attention layer (default: the one after massive activations appear)")
      ->check(at_least(0));
  cmd->add_option("--burn-in", opt->burn_in,
                  "Use queries from this position on (images: 0 unless given)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--eval-text", opt->eval_text,
                  "Run the implicit-bias perplexity test on this text (disjoint "
                  "from the calibration sequences)");
  opt->windows.add_options(cmd, "--eval-seq-len");
  opt->output.add_options(cmd);
  cmd->callback([opt, cmd] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer() || !opt->eval_text.empty(),
                                    opt->eval_text.empty() ? "" : "decompose --eval-text");
    const ModelSpec& spec = m.model.spec();
    const std::vector<StudyInput> inputs = opt->input.resolve(m);
    const int64_t burn_in = burn_in_for(cmd, opt->burn_in, inputs);
    if (opt->layer >= spec.n_layers)
      throw_input_error("--layer: expected a layer below ", spec.n_layers, ", got ", opt->layer);
    // Two passes over the sequences (census, then the value updates), then three perplexities.
    RunEstimate estimate("decompose");
    int64_t tokens = 0;
    for (const StudyInput& input : inputs) tokens += input_length(m.model, input);
    const int64_t per_sequence = tokens / int64_t(inputs.size());
    estimate.plan(2 * int64_t(inputs.size()), per_sequence);
    TokenIds eval_tokens;
    PerplexityProtocol protocol;
    if (!opt->eval_text.empty()) {
      protocol = opt->windows.protocol(m, opt->eval_text);
      eval_tokens = m.tokenizer->encode(read_text_file(opt->eval_text, "--eval-text"), true);
      estimate.plan(3 * perplexity_windows(protocol, int64_t(eval_tokens.size())),
                    protocol.seq_len);
    }
    // A first pass tells outlier features from massive activations (which alone make up C) and
    // finds where massive activations appear.
    const MassiveCensus census =
        take_census(m.model, inputs, m.text_of(), opt->criterion,
                    estimate.phase("decompose: census, sequence", per_sequence));
    const MassiveKinds kinds = census.kinds(opt->outliers);
    const int layer =
        opt->layer >= 0 ? opt->layer : default_attention_layer(census, kinds, int(spec.n_layers));
    Decomposition d =
        decompose_value_updates(m.model, inputs, layer, opt->criterion, kinds, burn_in,
                                estimate.phase("decompose: sequence", per_sequence));

    json heads = json::array();
    Table table({"head", "cos(u_C, u_C')", "|u_C|", "|u_rest|"});
    std::vector<std::vector<float>> fixed;
    for (size_t h = 0; h < d.heads.size(); ++h) {
      const HeadUpdates& u = d.heads[h];
      const double cosine = u.mean_pairwise_cosine();
      heads.push_back({{"head", h},
                       {"mean_pairwise_cosine", std::isnan(cosine) ? json(nullptr) : json(cosine)},
                       {"norm_massive", u.norm_massive.mean()},
                       {"norm_rest", u.norm_rest.mean()}});
      table.add_row({std::to_string(h), std::isnan(cosine) ? "-" : format_number(cosine, 3),
                     format_number(u.norm_massive.mean(), 3),
                     format_number(u.norm_rest.mean(), 3)});
      fixed.push_back(u.mean());
    }

    json doc = result_document("massact.decompose", 2, command_line(), m.model);
    doc["protocol"] = opt->input.protocol(m, inputs);
    doc["protocol"]["layer"] = layer;
    doc["protocol"]["burn_in"] = burn_in;
    doc["protocol"]["criterion"] = criterion_json(opt->criterion);
    doc["protocol"]["C"] =
        "tokens with a massive activation in the output of the layer before this one, "
        "outlier features aside";
    doc["protocol"]["outlier_features"] = outlier_rule_json(opt->outliers);
    doc["result"] = {{"heads", heads},
                     {"sequences_with_massive", d.sequences_with_massive},
                     {"outlier_features", outlier_features_json(census.feature_shares(), kinds)}};

    Table bias({"u_C", "perplexity"});
    std::string windows;  // what the passes ran on (the same windows for every edit)
    if (!opt->eval_text.empty()) {
      json rows = json::array();
      for (auto edit : {ValueUpdateEdit::None, ValueUpdateEdit::Fixed, ValueUpdateEdit::Removed}) {
        PerplexityResult r = perplexity_with_value_update_edit(
            m.model, eval_tokens, protocol, layer, edit, opt->criterion, kinds, fixed,
            estimate.phase(std::string("decompose: ") + value_update_edit_name(edit) + ", window",
                           protocol.seq_len));
        windows = windows_taken(r);
        rows.push_back({{"u_C", value_update_edit_name(edit)},
                        {"perplexity", r.perplexity},
                        {"mean_nll", r.mean_nll},
                        {"windows", r.windows},
                        {"text_windows", r.text_windows}});
        bias.add_row({value_update_edit_name(edit), format_number(r.perplexity)});
      }
      doc["protocol"]["eval"] = {
          {"text", opt->eval_text},
          {"seq_len", protocol.seq_len},
          {"fixed", "each head's mean u_C over the calibration sequences' queries"}};
      doc["result"]["implicit_bias"] = rows;
    }
    NamedTables tables{{"heads", &table}};
    if (!opt->eval_text.empty()) tables.push_back({"implicit_bias", &bias});
    opt->output.emit(doc, tables, [&] {
      print_outlier_note(kinds, opt->outliers);
      std::cout << "layer " << layer
                << " attention; u_C: value update from massive tokens C, u_rest: from the rest; "
                << d.sequences_with_massive << " of " << inputs_noun(inputs.front(), d.sequences)
                << " have massive tokens\n";
      table.print(std::cout);
      if (!opt->eval_text.empty()) {
        std::cout << "\nimplicit-bias test on " << opt->eval_text << ", " << windows << ":\n";
        bias.print(std::cout);
      }
    });
  });
}

}  // namespace massact::cli
