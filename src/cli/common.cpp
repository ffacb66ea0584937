#include "cli/common.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "core/error.h"
#include "report/result_json.h"

namespace massact::cli {

namespace {
std::string g_command_line;

// Shell-quotes an argument when it needs it, so the recorded command can be pasted back.
std::string quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

const std::string& command_line() {
  return g_command_line;
}

void set_command_line(int argc, char** argv) {
  g_command_line.clear();
  for (int i = 0; i < argc; ++i) g_command_line += (i ? " " : "") + quoted(argv[i]);
}

std::string LoadedModel::token_text(int32_t id) const {
  return tokenizer ? tokenizer->token_text(id) : "#" + std::to_string(id);
}

LoadedModel load_model(const std::string& path, bool need_tokenizer) {
  Model model = Model::load(path);
  std::unique_ptr<Tokenizer> tokenizer;
  try {
    tokenizer = load_tokenizer(path);
  } catch (const InputError&) {
    if (need_tokenizer) throw;
  }
  return LoadedModel{std::move(model), std::move(tokenizer)};
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(path, ": cannot open text file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

CLI::Validator at_least(int64_t minimum) {
  return CLI::Validator(
      [minimum](std::string& value) -> std::string {
        try {
          size_t used = 0;
          if (std::stoll(value, &used) >= minimum && used == value.size()) return "";
        } catch (const std::exception&) {
        }
        return "expected an integer >= " + std::to_string(minimum) + ", got " + value;
      },
      ">=" + std::to_string(minimum));
}

void TokenInput::add_options(CLI::App* cmd) {
  auto* p = cmd->add_option("--prompt", prompt, "Text to run");
  auto* f = cmd->add_option("--text-file", text_file, "File whose text to run");
  auto* t = cmd->add_option("--token-ids", token_ids, "Token ids to run, e.g. 1,415,2");
  t->delimiter(',');
  p->excludes(f)->excludes(t);
  f->excludes(t);
}

TokenIds TokenInput::resolve(const LoadedModel& m) const {
  if (!token_ids.empty()) return token_ids;
  if (prompt.empty() && text_file.empty())
    throw_input_error("input: expected one of --prompt, --text-file or --token-ids");
  const std::string text = prompt.empty() ? read_text_file(text_file) : prompt;
  return m.tokenizer->encode(text, true);
}

void JsonOutput::add_options(CLI::App* cmd) {
  cmd->add_flag("--json", as_json, "Print the result as JSON instead of a table");
  cmd->add_option("--out", out, "Also write the JSON result to this file");
}

void JsonOutput::emit(const massact::json& doc, const std::function<void()>& print_table) const {
  if (as_json)
    std::cout << doc.dump(2) << "\n";
  else
    print_table();
  if (!out.empty()) write_json_file(out, doc);
}

}  // namespace massact::cli
