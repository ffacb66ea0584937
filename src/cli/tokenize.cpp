// massact tokenize TOKENIZER (--text T | --text-file F) [--pair T2] [--no-special] [--json]: the
// ids and pieces of a text (or a pair of texts), to check a tokenizer token for token against its
// reference.
#include <iostream>
#include <optional>

#include "analysis/token_roles.h"
#include "cli/common.h"
#include "core/error.h"
#include "report/csv.h"
#include "report/table.h"

namespace massact::cli {

namespace {

struct TokenizeOptions {
  std::string tokenizer;
  std::string text;
  std::string text_file;
  std::optional<std::string> pair;  // --pair: a second text, joined by the pair template
  bool no_special = false;
  bool as_json = false;
  bool as_csv = false;
};

void run_tokenize(const TokenizeOptions& o) {
  auto tokenizer = load_tokenizer_from_path(o.tokenizer);
  const std::string text = o.text_file.empty() ? o.text : read_text_file(o.text_file);
  const TokenIds ids = o.pair ? tokenizer->encode_pair(text, *o.pair, !o.no_special)
                              : tokenizer->encode(text, !o.no_special);
  const auto text_of = [&](int32_t id) { return tokenizer->token_text(id); };
  const std::vector<TokenRole> roles = token_roles(ids, text_of);
  if (o.as_json) {
    json pieces = json::array(), tokens = json::array();
    for (size_t i = 0; i < ids.size(); ++i) {
      pieces.push_back(text_of(ids[i]));
      tokens.push_back(token_json(int64_t(i), ids[i], text_of(ids[i]), roles[i]));
    }
    // Pieces may hold bytes of a split character (shown as <0xNN>), so keep the dump lossless.
    std::cout << json{{"ids", ids}, {"pieces", pieces}, {"tokens", tokens}}.dump(
                     -1, ' ', false, json::error_handler_t::replace)
              << "\n";
    return;
  }
  Table table({"#", "id", "piece", "role"});
  for (size_t i = 0; i < ids.size(); ++i)
    table.add_row({std::to_string(i), std::to_string(ids[i]), printable_token(text_of(ids[i])),
                   token_role_name(roles[i])});
  if (o.as_csv) return write_csv({{"tokens", &table}}, std::cout);
  std::cout << tokenizer->describe() << ": " << ids.size() << " tokens\n";
  table.print(std::cout);
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto opts = std::make_shared<TokenizeOptions>();
  auto* cmd = app.add_subcommand("tokenize", "Token ids and pieces of a text");
  cmd->add_option("tokenizer", opts->tokenizer,
                  "Model folder, tokenizer.json, tokenizer.model or .gguf file")
      ->required();
  auto* t = cmd->add_option("--text", opts->text, "Text to tokenize");
  auto* f = cmd->add_option("--text-file", opts->text_file, "File whose text to tokenize");
  t->excludes(f);
  cmd->add_option("--pair", opts->pair,
                  "Second text of a pair (e.g. a passage after a question), joined as the "
                  "tokenizer's pair template says");
  cmd->add_flag("--no-special", opts->no_special,
                "No BOS/EOS or other post-processing (as llama.cpp's test vectors)");
  cmd->add_flag("--json", opts->as_json, "Print {\"ids\": [...], \"pieces\": [...]}")
      ->excludes(cmd->add_flag("--csv", opts->as_csv, "Print the table as CSV instead"));
  cmd->callback([opts, t, f] {
    if (t->count() == 0 && f->count() == 0)
      throw InputError("tokenize: expected --text or --text-file");
    run_tokenize(*opts);
  });
}

}  // namespace massact::cli
