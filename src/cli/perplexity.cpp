// massact perplexity MODEL --text-file F: the official code's protocol (see analysis/perplexity.h).
#include "analysis/perplexity.h"

#include <iostream>

#include "cli/common.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

void add_perplexity_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    std::string text_file;
    EvalWindows windows;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "perplexity", "Perplexity on a text, non-overlapping windows, every position scored");
  opt->model.add_options(cmd);
  cmd->add_option("--text-file", opt->text_file, "Evaluation text (tokenized as a whole)")
      ->required();
  opt->windows.add_options(cmd);
  opt->output.add_options(cmd, false);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(true, "perplexity");
    TokenIds text = m.tokenizer->encode(read_text_file(opt->text_file), true);
    const PerplexityProtocol protocol = opt->windows.protocol(m, opt->text_file);
    RunEstimate estimate("perplexity");
    estimate.plan(perplexity_windows(protocol, int64_t(text.size())), protocol.seq_len);
    PerplexityResult r = perplexity(m.model, text, protocol, Hooks(),
                                    estimate.phase("perplexity: window", protocol.seq_len));

    json doc = result_document("massact.perplexity", 1, command_line(), m.model);
    doc["protocol"] = {{"text_file", opt->text_file},
                       {"tokenization", "whole text, tokenizer's BOS/EOS rules"},
                       {"seq_len", protocol.seq_len},
                       {"windows", "non-overlapping, tail dropped"},
                       {"scored", "every position but the first of each window"},
                       {"max_windows", protocol.max_windows}};
    doc["result"] = {{"perplexity", r.perplexity},     {"mean_nll", r.mean_nll},
                     {"text_tokens", r.text_tokens},   {"windows", r.windows},
                     {"text_windows", r.text_windows}, {"scored_tokens", r.scored_tokens}};
    opt->output.emit(doc, [&] {
      std::cout << "perplexity " << format_number(r.perplexity) << "  (mean NLL "
                << format_number(r.mean_nll) << " nats over " << r.scored_tokens
                << " scored tokens)\n"
                << "protocol: " << opt->text_file << " tokenized whole (" << r.text_tokens
                << " tokens), non-overlapping windows of " << protocol.seq_len
                << " tokens, every position but each window's first scored; " << windows_taken(r)
                << "\n";
    });
  });
}

}  // namespace massact::cli
