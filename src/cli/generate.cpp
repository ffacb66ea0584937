// massact generate MODEL --prompt TEXT: greedy continuation, the first sanity check on a new model.
#include "model/generate.h"

#include <unistd.h>

#include <iostream>

#include "analysis/token_roles.h"
#include "cli/common.h"
#include "report/result_json.h"

namespace massact::cli {

void add_generate_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    TokenInput input;
    int max_new_tokens = 32;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("generate", "Greedy continuation of a prompt");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  cmd->add_option("--max-new-tokens", opt->max_new_tokens, "Tokens to generate")
      ->capture_default_str()
      ->check(at_least(1));
  opt->output.add_options(cmd, false);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer(), "generate");
    TokenIds prompt = opt->input.resolve(m);
    // The last pass runs the prompt and all but the last new token.
    m.check_length(int64_t(prompt.size()) + opt->max_new_tokens - 1, "--max-new-tokens");
    TokenIds all =
        greedy_generate(m.model, prompt, opt->max_new_tokens, m.model.spec().eos_token_id);
    TokenIds added(all.begin() + int64_t(prompt.size()), all.end());
    // Decoding the pieces apart would drop the space that opens the continuation's first piece.
    const std::string prompt_text = m.tokenizer ? m.tokenizer->decode(prompt) : "";
    const std::string all_text = m.tokenizer ? m.tokenizer->decode(all) : "";
    const std::string added_text = all_text.substr(std::min(prompt_text.size(), all_text.size()));

    json doc = result_document("massact.generate", 1, command_line(), m.model);
    doc["protocol"] = {{"decoding", "greedy"}, {"max_new_tokens", opt->max_new_tokens}};
    doc["result"] = {{"prompt_ids", prompt},
                     {"new_ids", added},
                     {"prompt_text", prompt_text},
                     {"new_text", added_text}};
    if (m.tokenizer) {  // every token of prompt and continuation, with its text and role
      const std::vector<TokenRole> roles = token_roles(all, m.text_of());
      json tokens = json::array();
      for (size_t i = 0; i < all.size(); ++i)
        tokens.push_back(token_json(int64_t(i), all[i], m.token_text(all[i]), roles[i]));
      doc["result"]["tokens"] = tokens;
    }
    opt->output.emit(doc, [&] {
      const bool tty = isatty(STDOUT_FILENO);
      if (m.tokenizer)  // the continuation in bold on a terminal
        std::cout << prompt_text << (tty ? "\x1b[1m" : "") << added_text << (tty ? "\x1b[0m" : "")
                  << "\n";
      else
        std::cout << json(added).dump() << "\n";
    });
  });
}

}  // namespace massact::cli
