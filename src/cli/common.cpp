#include "cli/common.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "analysis/sequences.h"
#include "core/error.h"
#include "io/atomic_file.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {
namespace fs = std::filesystem;

thread_local std::string g_command_line;

// Shell-quotes an argument when it needs it, so the recorded command can be pasted back.
std::string quoted(const std::string& arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?") == std::string::npos) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A --seq-len as given, or for 0 the default of every command: min(4096, the model's context).
int64_t seq_len_or_default(int64_t seq_len, const Model& model) {
  return seq_len > 0 ? seq_len : std::min<int64_t>(4096, model.spec().max_positions);
}
}  // namespace

const std::string& command_line() {
  return g_command_line;
}

void set_command_line(int argc, char** argv) {
  set_command_line(std::vector<std::string>(argv, argv + argc));
}

void set_command_line(const std::vector<std::string>& args) {
  g_command_line.clear();
  for (size_t i = 0; i < args.size(); ++i) g_command_line += (i ? " " : "") + quoted(args[i]);
}

EmbeddedRun*& current_embedded_run() {
  thread_local EmbeddedRun* run = nullptr;
  return run;
}

std::optional<int32_t> LoadedModel::input_bos() const {
  const TokenIds specials = tokenizer->encode("", true);
  if (!specials.empty() && specials.front() == tokenizer->bos_id()) return specials.front();
  return std::nullopt;
}

std::string LoadedModel::token_text(int32_t id) const {
  return tokenizer ? tokenizer->token_text(id) : "#" + std::to_string(id);
}

void add_model_argument(CLI::App* cmd, std::string& path) {
  cmd->add_option("model", path, "Hugging Face model folder or .gguf file")->required();
}

void add_tokenizer_option(CLI::App* cmd, std::string& path) {
  cmd->add_option("--tokenizer", path,
                  "Use this tokenizer (model folder, tokenizer.json, tokenizer.model or .gguf) "
                  "instead of the model's own");
}

namespace {

std::unique_ptr<Tokenizer> borrow_tokenizer(const std::string& path, const Model& model) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw_input_error("--tokenizer ", path, ": no such file or folder");
  std::unique_ptr<Tokenizer> tokenizer;
  try {
    tokenizer = load_tokenizer_from_path(path);
  } catch (const InputError& e) {
    throw_input_error("--tokenizer ", path, ": ", e.what());
  }
  // An id past the embedding table would index memory the model does not have.
  if (tokenizer->vocab_size() > model.spec().vocab_size)
    throw_input_error("--tokenizer ", path, ": ", tokenizer->vocab_size(),
                      " tokens, more than the model's vocabulary of ", model.spec().vocab_size);
  return tokenizer;
}

}  // namespace

// What to refuse before a tokenizer is looked for: an encoder for a command that needs a decoder
// (causal_for), and text for a vision transformer.
void check_model_use(const Model& model, bool need_tokenizer, const std::string& causal_for) {
  if (!causal_for.empty()) model.check_causal(causal_for);
  if (need_tokenizer && model.spec().vision)
    throw_input_error(model.path(), ": a vision transformer (", model.spec().family,
                      ") reads images: expected --image or --image-dir, not text");
}

LoadedModel load_model(const std::string& path, bool need_tokenizer,
                       const std::string& tokenizer_path, const std::string& causal_for) {
  if (const EmbeddedRun* embedded = current_embedded_run()) {
    const LoadedModel& lent = *embedded->model;
    check_model_use(lent.model, need_tokenizer, causal_for);
    if (!tokenizer_path.empty())
      return LoadedModel{lent.model, borrow_tokenizer(tokenizer_path, lent.model), ""};
    // The lent model has no tokenizer only because its folder has none: the error that says so.
    if (need_tokenizer && !lent.tokenizer) load_tokenizer_from_path(path);
    return LoadedModel{lent.model, lent.tokenizer, lent.tokenizer_error};
  }
  Model model = Model::load(path);
  check_model_use(model, need_tokenizer, causal_for);
  if (!tokenizer_path.empty()) {
    auto tokenizer = borrow_tokenizer(tokenizer_path, model);
    return LoadedModel{std::move(model), std::move(tokenizer), ""};
  }
  std::unique_ptr<Tokenizer> tokenizer;
  std::string error;
  try {
    tokenizer = load_tokenizer_from_path(path);  // a model folder or a .gguf file
  } catch (const InputError& e) {
    if (need_tokenizer)
      throw_input_error(e.what(), " (--tokenizer PATH borrows another model's tokenizer)");
    error = e.what();
  }
  return LoadedModel{std::move(model), std::move(tokenizer), error};
}

void ModelArgument::add_options(CLI::App* cmd) {
  add_model_argument(cmd, path);
  add_tokenizer_option(cmd, tokenizer);
  cmd->add_flag("--allow-long-context", allow_long_context,
                "Run input longer than the model's context (RoPE and ALiBi models only)");
}

LoadedModel ModelArgument::load(bool need_tokenizer, const std::string& causal_for) const {
  LoadedModel m = load_model(path, need_tokenizer, tokenizer, causal_for);
  m.allow_long_context = allow_long_context;
  return m;
}

void LoadedModel::check_length(int64_t tokens, const std::string& option) const {
  const ModelSpec& s = model.spec();
  const bool learned = s.positions == Positions::Learned;
  if (tokens <= s.max_positions || (allow_long_context && !learned)) return;
  throw_input_error(option, ": ", tokens, " tokens, more than the model's context of ",
                    s.max_positions, " positions (", s.origin.file, ": ", s.origin.noun, " '",
                    s.origin.max_positions, "'); ",
                    learned ? "its learned position table has no more rows"
                            : "--allow-long-context runs it anyway");
}

std::string read_text_file(const std::string& path, const std::string& option) {
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    throw_input_error(option, ": ", path, ": not a regular file (expected a text file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(option, ": ", path, ": cannot open text file");
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
        return "expected an integer >= " + std::to_string(minimum) + ", got " + short_quote(value);
      },
      ">=" + std::to_string(minimum));
}

CLI::Validator output_file() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (value.empty()) return "expected a file name, got an empty value";
        try {
          check_output_path(value);
        } catch (const InputError& e) {
          return e.what();
        }
        return "";
      },
      "FILE");
}

void TokenInput::add_options(CLI::App* cmd) {
  auto* p = cmd->add_option("--prompt", prompt, "Text to run");
  auto* f = cmd->add_option("--text-file", text_file, "File whose text to run");
  auto* t = cmd->add_option("--token-ids", token_ids, "Token ids to run, e.g. 1,415,2");
  t->delimiter(',');
  // CLI11 converts an empty item ("", "1,,2") to 0, a valid-looking id.
  t->check(CLI::Validator(
      [](std::string& id) -> std::string {
        return id.empty() ? "expected comma-separated token ids, got an empty item" : "";
      },
      "ID"));
  p->excludes(f)->excludes(t);
  f->excludes(t);
}

TokenIds TokenInput::encode(const LoadedModel& m) const {
  if (!token_ids.empty()) return token_ids;
  if (prompt.empty() && text_file.empty())
    throw_input_error("input: expected one of --prompt, --text-file or --token-ids");
  const std::string text = prompt.empty() ? read_text_file(text_file) : prompt;
  return m.tokenizer->encode(text, true);
}

TokenIds TokenInput::resolve(const LoadedModel& m) const {
  TokenIds ids = encode(m);
  m.check_length(int64_t(ids.size()), option());
  return ids;
}

std::string TokenInput::option() const {
  return !token_ids.empty() ? "--token-ids" : prompt.empty() ? "--text-file" : "--prompt";
}

void ImageInput::add_options(CLI::App* cmd, bool with_dir) {
  auto* i = cmd->add_option("--image", image, "Image file (PNG or JPEG) to run");
  if (!with_dir) return;
  auto* d = cmd->add_option("--image-dir", dir,
                            "Folder of images to run (class subfolders, or labels.txt)");
  i->excludes(d);
  cmd->add_option("--num-images", num_images, "Run the first N images of --image-dir (0: all)")
      ->capture_default_str()
      ->check(at_least(0));
}

std::vector<FolderImage> ImageInput::files() const {
  if (!image.empty()) return {{image, ""}};
  if (dir.empty()) throw_input_error("input: expected --image or --image-dir");
  return read_image_folder(dir, num_images);
}

std::shared_ptr<const ImageProcessorConfig> ImageInput::processor(const LoadedModel& m) const {
  if (config_) return config_;
  if (!std::filesystem::is_directory(m.model.path()))
    throw_input_error(m.model.path(), ": images need a model folder with preprocessor_config.json");
  config_ = std::make_shared<const ImageProcessorConfig>(
      read_image_processor_config(m.model.path() + "/preprocessor_config.json"));
  return config_;
}

Tensor ImageInput::pixels(const LoadedModel& m, const std::string& path) const {
  return read_pixels(path, *processor(m));
}

json ImageInput::protocol(const std::vector<FolderImage>& files) const {
  json names = json::array();
  for (const FolderImage& file : files) names.push_back(file.path);
  json p = {{"images", files.size()}, {"files", names}};
  if (!image.empty()) p["image"] = image;
  if (!dir.empty()) p["image_dir"] = dir;
  p["preprocessing"] = "preprocessor_config.json of the model folder";
  return p;
}

void StudyInputOptions::add_options(CLI::App* cmd) {
  text.add_options(cmd);
  images.add_options(cmd);
  cmd_ = cmd;
}

void StudyInputOptions::check_options_apply() const {
  if (!cmd_) return;
  if (images.given()) {
    std::vector<std::string> names = {"--prompt",   "--text-file",     "--token-ids",
                                      "--num-seqs", text.seq_len_flag, "--seed"};
    names.insert(names.end(), text_only.begin(), text_only.end());
    refuse_text_options(cmd_, names, images.image.empty() ? "--image-dir" : "--image");
  }
  if (!given_options(cmd_, {"--num-images"}).empty() && images.dir.empty())
    throw_input_error(
        "--num-images: takes the first N images of --image-dir, ",
        images.image.empty() ? "which is not given" : "and --image runs one image: not both");
}

std::vector<StudyInput> StudyInputOptions::resolve(const LoadedModel& m) const {
  check_options_apply();
  check_input_kind(m, text.input, images);
  if (!images.given()) return text_inputs(text.resolve(m));
  // Each image is read when used; the first is read now, so that a bad file or processor stops the
  // command before any pass.
  std::vector<StudyInput> inputs;
  for (const FolderImage& file : images.files())
    inputs.push_back({{}, Tensor(), file.path, file.label, images.processor(m)});
  inputs.front().image_pixels();
  return inputs;
}

json StudyInputOptions::protocol(const LoadedModel& m,
                                 const std::vector<StudyInput>& inputs) const {
  if (!images.given()) {
    std::vector<TokenIds> sequences;
    for (const StudyInput& input : inputs) sequences.push_back(input.ids);
    return text.protocol(m, sequences);
  }
  std::vector<FolderImage> files;
  for (const StudyInput& input : inputs) files.push_back({input.source, input.label});
  json p = images.protocol(files);
  p["tokens_per_image"] = input_length(m.model, inputs.front());
  return p;
}

int64_t burn_in_for(const CLI::App* cmd, int64_t burn_in, const std::vector<StudyInput>& inputs) {
  return cmd->count("--burn-in") == 0 && inputs.front().is_image() ? 0 : burn_in;
}

std::vector<json> input_tokens_json(const LoadedModel& m, const StudyInput& input) {
  std::vector<json> tokens;
  if (!input.is_image()) {
    const std::vector<TokenRole> roles = token_roles(input.ids, m.text_of());
    for (size_t t = 0; t < input.ids.size(); ++t)
      tokens.push_back(token_json(int64_t(t), input.ids[t], m.token_text(input.ids[t]), roles[t]));
    return tokens;
  }
  for (const ImageTokenPlace& place : input_places(m.model, input)) {
    json token = {{"token", tokens.size()}, {"role", token_role_name(place.role)}};
    if (place.role == TokenRole::Register) token["register"] = place.index;
    if (place.role == TokenRole::Patch) token.update({{"row", place.row}, {"col", place.col}});
    tokens.push_back(std::move(token));
  }
  return tokens;
}

void check_input_kind(const LoadedModel& m, const TokenInput& text, const ImageInput& images) {
  if (text.given() && images.given())
    throw_input_error("input: give either text (", text.option(), ") or images (",
                      images.image.empty() ? "--image-dir" : "--image", "), not both");
  const ModelSpec& s = m.model.spec();
  if (images.given() && !s.vision)
    throw_input_error("--image/--image-dir: ", m.model.path(), " is a ", s.family,
                      " model, which reads text, not images");
  if (!images.given() && s.vision)
    throw_input_error("input: ", m.model.path(), " is a vision transformer (", s.family,
                      "): expected --image or --image-dir");
}

std::vector<std::string> given_options(const CLI::App* cmd, const std::vector<std::string>& names) {
  std::vector<std::string> given;
  for (const std::string& name : names) {
    const CLI::Option* option = cmd->get_option_no_throw(name);
    if (option && option->count() > 0) given.push_back(name);
  }
  return given;
}

void refuse_text_options(const CLI::App* cmd, const std::vector<std::string>& text_options,
                         const std::string& image_option) {
  const std::vector<std::string> given = given_options(cmd, text_options);
  if (given.empty()) return;
  std::string names;
  for (const std::string& name : given) names += (names.empty() ? "" : ", ") + name;
  throw_input_error(names, ": ",
                    given.size() == 1 ? "a text option, which does" : "text options, which do",
                    " not apply to images (", image_option, "): give text or images, not both");
}

void SequenceInput::add_options(CLI::App* cmd) {
  input.add_options(cmd);
  cmd->add_option("--num-seqs", num_seqs,
                  "Draw this many windows from --text-file (0: its beginning, once)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option(seq_len_flag, seq_len,
                  "Tokens per sequence (0: a prompt or ids whole, else min(4096, the model's "
                  "context))")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--seed", seed, "Seed of the window draw")->capture_default_str();
}

void EvalWindows::add_options(CLI::App* cmd, const std::string& flag) {
  seq_len_flag = flag;
  cmd->add_option(seq_len_flag, seq_len,
                  "Evaluation window in tokens (0: min(4096, the model's context))")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--max-windows", max_windows,
                  "Evaluate only the first K windows (0: all, the paper's protocol)")
      ->capture_default_str()
      ->check(at_least(0));
}

PerplexityProtocol EvalWindows::protocol(const LoadedModel& m, const std::string& text_name) const {
  const int64_t length = seq_len_or_default(seq_len, m.model);
  m.check_length(length, seq_len_flag);
  return {length, max_windows, text_name, std::nullopt};
}

std::string windows_taken(const PerplexityResult& r) {
  if (r.windows == r.text_windows) return "all " + std::to_string(r.windows) + " windows";
  return std::to_string(r.windows) + " of the text's " + std::to_string(r.text_windows) +
         " windows (--max-windows 0: all)";
}

std::vector<TokenIds> SequenceInput::resolve(const LoadedModel& m) const {
  const int64_t length = seq_len_or_default(seq_len, m.model);
  m.check_length(length, seq_len_flag);
  if (num_seqs > 0) {
    if (input.text_file.empty())
      throw_input_error("--num-seqs: draws windows from a --text-file; none given");
    const TokenIds text = m.tokenizer->encode(read_text_file(input.text_file), false);
    // The BOS the tokenizer puts before any input starts every window too.
    return draw_sequences(text, {num_seqs, length, seed}, m.input_bos(), input.text_file);
  }
  // A text file gives its beginning; a prompt or ids run whole unless --seq-len says otherwise.
  TokenIds ids = input.encode(m);
  const bool cut = seq_len > 0 || !input.text_file.empty();
  if (cut && int64_t(ids.size()) > length) ids.resize(size_t(length));
  m.check_length(int64_t(ids.size()), input.option());
  return {ids};
}

json SequenceInput::protocol(const LoadedModel& m, const std::vector<TokenIds>& sequences) const {
  json p = {{"sequences", sequences.size()}, {"tokens_per_sequence", sequences.front().size()}};
  if (!input.text_file.empty()) p["text_file"] = input.text_file;
  if (num_seqs > 0)
    p["draw"] = {{"seed", seed},
                 {"method",
                  "text tokenized whole without special tokens; window starts uniform from "
                  "mt19937_64(seed); BOS prepended when the tokenizer adds one"}};
  else
    p["draw"] = input.text_file.empty() ? "the given input" : "the beginning of the text";
  return p;
}

void add_criterion_options(CLI::App* cmd, MassiveCriterion& criterion) {
  cmd->add_option("--min-magnitude", criterion.min_magnitude,
                  "Massive when |activation| exceeds this")
      ->capture_default_str();
  cmd->add_option("--min-ratio", criterion.min_ratio,
                  "... and exceeds this times the median |activation| of the layer output")
      ->capture_default_str();
}

json criterion_json(const MassiveCriterion& criterion) {
  return {{"min_magnitude", criterion.min_magnitude},
          {"min_ratio", criterion.min_ratio},
          {"median", "lower middle of |activation| over all tokens and dims of the layer output"}};
}

namespace {
std::string duration_text(double seconds) {
  const auto s = int64_t(std::lround(seconds));
  return s < 60 ? std::to_string(s) + " s"
                : std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
}
}  // namespace

ProgressFn progress_printer(const std::string& label) {
  if (const EmbeddedRun* embedded = current_embedded_run())
    return embedded->progress ? embedded->progress : [](int64_t, int64_t) {};
  const auto start = std::chrono::steady_clock::now();
  return [label, start](int64_t done, int64_t total) {
    const bool tty = isatty(STDERR_FILENO);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << (tty ? "\r" : "") << label << ": " << done << "/" << total << ", "
              << duration_text(elapsed);
    // The steps left are taken to last as long as those done did, on average.
    if (done > 0 && done < total)
      std::cerr << ", about " << duration_text(elapsed / double(done) * double(total - done))
                << " left";
    std::cerr << (tty && done < total ? "   " : "\n") << std::flush;
  };
}

RunEstimate::RunEstimate(std::string command) : state_(std::make_shared<State>()) {
  state_->command = std::move(command);
}

void RunEstimate::plan(int64_t passes, int64_t tokens_per_pass) {
  state_->plan.push_back({passes, tokens_per_pass});
}

double planned_seconds(const std::vector<PlannedPasses>& plan,
                       const std::map<int64_t, double>& timed) {
  double all = 0.0;
  for (const PlannedPasses& p : plan) {
    auto near = timed.lower_bound(p.tokens_per_pass);
    if (near == timed.end() ||
        (near != timed.begin() &&
         near->first - p.tokens_per_pass > p.tokens_per_pass - std::prev(near)->first))
      near = std::prev(near);
    all += double(p.passes) * near->second * double(p.tokens_per_pass) / double(near->first);
  }
  return all;
}

ProgressFn RunEstimate::phase(const std::string& label, int64_t tokens_per_pass) const {
  const auto start = std::chrono::steady_clock::now();
  return [state = state_, print = progress_printer(label), start, tokens_per_pass](int64_t done,
                                                                                   int64_t total) {
    print(done, total);
    if (done != 1 || state->timed.count(tokens_per_pass)) return;
    const double first =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state->timed[tokens_per_pass] = first;
    const double all = planned_seconds(state->plan, state->timed);
    const bool revised = state->printed > 0.0;
    if (revised && all < 1.25 * state->printed && all > 0.8 * state->printed) return;
    state->printed = all;
    int64_t passes = 0, tokens = 0;
    for (const PlannedPasses& p : state->plan) {
      passes += p.passes;
      tokens += p.passes * p.tokens_per_pass;
    }
    std::cerr << (isatty(STDERR_FILENO) ? "\n" : "") << state->command << ": about "
              << duration_text(all) << " in all (" << passes << " forward passes, " << tokens
              << " tokens; " << (revised ? "revised after the first pass of " : "the first pass, ")
              << tokens_per_pass << " tokens, " << (revised ? "which took " : "took ")
              << duration_text(first) << ")\n";
  };
}

void JsonOutput::add_options(CLI::App* cmd, bool with_csv) {
  auto* j = cmd->add_flag("--json", as_json, "Print the result as JSON instead of a table");
  if (with_csv)
    j->excludes(cmd->add_flag("--csv", as_csv,
                              "Print the tables as CSV instead (each after a line \"# NAME\")"));
  cmd->add_option("--out", out, "Also write the JSON result to this file")->check(output_file());
}

void JsonOutput::emit(const massact::json& doc, const NamedTables& tables,
                      const std::function<void()>& print_text) const {
  if (EmbeddedRun* embedded = current_embedded_run()) {
    embedded->result = doc;
    if (!out.empty()) write_json_file(out, doc);
    return;
  }
  if (as_json)
    std::cout << json_text(doc) << "\n";
  else if (as_csv)
    write_csv(tables, std::cout);
  else
    print_text();
  if (!out.empty()) write_json_file(out, doc);
}

void add_outlier_options(CLI::App* cmd, OutlierFeatureRule& rule) {
  cmd->add_option("--outlier-fraction", rule.min_share,
                  "A dim over the criterion on more than this share of the non-first tokens "
                  "in some layer is an outlier feature, not a massive activation")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_flag("--include-outlier-features", rule.include,
                "Count outlier features as massive activations (the criterion alone)");
}

json outlier_rule_json(const OutlierFeatureRule& rule) {
  return {{"outlier_fraction", rule.min_share},
          {"share",
           "flagged non-first token positions / all non-first token positions, per "
           "(layer, dim); a dim above outlier_fraction in some layer is an outlier feature"},
          {"outlier_features_count_as_massive", rule.include}};
}

json outlier_features_json(const FeatureShares& shares, const MassiveKinds& kinds) {
  json features = json::array();
  for (int64_t dim : kinds.outlier_dims()) {
    json layers = json::array();
    double max_share = 0.0;
    for (const auto& [where, share] : shares)
      if (where.second == dim) {
        layers.push_back({{"layer", where.first}, {"non_first_share", share}});
        max_share = std::max(max_share, share);
      }
    features.push_back({{"dim", dim}, {"max_share", max_share}, {"layers", layers}});
  }
  return features;
}

Table outlier_features_table(const FeatureShares& shares, const MassiveKinds& kinds) {
  Table table({"dim", "layer", "", "non-first tokens over the criterion"});
  for (int64_t dim : kinds.outlier_dims())
    for (const auto& [where, share] : shares)
      if (where.second == dim)
        table.add_row({std::to_string(dim), std::to_string(where.first),
                       "layer " + std::to_string(where.first + 1) + " output",
                       format_number(100 * share, 2) + "%"});
  return table;
}

void print_outlier_note(const MassiveKinds& kinds, const OutlierFeatureRule& rule) {
  if (kinds.outlier_dims().empty()) return;
  std::cout << "outlier features (over the criterion on more than "
            << format_number(100 * rule.min_share, 0)
            << "% of the non-first tokens in some layer): dim";
  for (int64_t dim : kinds.outlier_dims()) std::cout << " " << dim;
  std::cout << (rule.include ? "; counted as massive activations (--include-outlier-features)\n"
                             : "; not counted as massive activations\n");
}

json token_json(int64_t position, int32_t id, const std::string& text, TokenRole role) {
  return {
      {"token", position}, {"token_id", id}, {"token_text", text}, {"role", token_role_name(role)}};
}

}  // namespace massact::cli
