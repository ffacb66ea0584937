// What the subcommands share: the model argument, the text/token input options, JSON output and the
// command line that results record. A subcommand is a thin shell over these and the library.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "analysis/census.h"
#include "analysis/perplexity.h"
#include "analysis/progress.h"
#include "analysis/scan.h"
#include "io/json_file.h"
#include "model/model.h"
#include "report/csv.h"
#include "tokenizer/tokenizer.h"
#include "vision/image_folder.h"
#include "vision/image_processor.h"

namespace massact::cli {

// The command line as typed, recorded in every JSON result (per thread: an embedded run on one
// thread does not rename another's).
const std::string& command_line();
void set_command_line(int argc, char** argv);
void set_command_line(const std::vector<std::string>& args);

struct LoadedModel {
  Model model;
  // Shared, so that an embedded run (EmbeddedRun) can lend a loaded model to a command.
  std::shared_ptr<const Tokenizer> tokenizer;  // null when the folder has none and ids were given
  std::string tokenizer_error;                 // why there is no tokenizer, when there is none
  bool allow_long_context = false;             // --allow-long-context

  // InputError naming `option` when `tokens` exceed the model's context (its max positions),
  // before anything is computed: attention's memory grows with the square of the length, and a
  // model has not been trained on positions past its context. --allow-long-context lifts this for
  // RoPE and ALiBi models, whose positions extend; a learned position table ends where it ends.
  void check_length(int64_t tokens, const std::string& option) const;

  std::string token_text(int32_t id) const;
  // The BOS that the tokenizer puts before every input, if it does.
  std::optional<int32_t> input_bos() const;
  // token_text as a function, for the studies that label tokens.
  TokenTextFn text_of() const {
    return [this](int32_t id) { return token_text(id); };
  }
};

// Loads the model folder or .gguf file (whose vocabulary is its tokenizer); the tokenizer is
// required only when text must be encoded. A non-empty `tokenizer_path` (--tokenizer) borrows
// that tokenizer instead: InputError naming the option when it cannot be loaded or has more tokens
// than the model has embedding rows.
// A non-empty `causal_for` names what the command does with the model ("generate"): an encoder,
// such as a vision transformer, has no next-token distribution, and is refused before the
// tokenizer is looked for (Model::check_causal).
LoadedModel load_model(const std::string& path, bool need_tokenizer,
                       const std::string& tokenizer_path = "", const std::string& causal_for = "");
// The MODEL argument every model command takes: what load_model() accepts.
void add_model_argument(CLI::App* cmd, std::string& path);
// --tokenizer PATH: a model folder, tokenizer.json, tokenizer.model or .gguf whose tokenizer to use
// for a model that has none, or one this program cannot run.
void add_tokenizer_option(CLI::App* cmd, std::string& path);

// The MODEL argument of a command that runs the model, with --allow-long-context and --tokenizer.
struct ModelArgument {
  std::string path;
  std::string tokenizer;
  bool allow_long_context = false;

  void add_options(CLI::App* cmd);
  LoadedModel load(bool need_tokenizer, const std::string& causal_for = "") const;
};

// The whole file; InputError naming `option` and the path when it is not a readable regular file
// (a folder would read as empty text).
std::string read_text_file(const std::string& path, const std::string& option = "--text-file");

// --prompt TEXT | --text-file F | --token-ids 1,2,3 (exactly one).
struct TokenInput {
  std::string prompt;
  std::string text_file;
  std::vector<int32_t> token_ids;

  void add_options(CLI::App* cmd);
  bool needs_tokenizer() const { return token_ids.empty(); }
  bool given() const { return !prompt.empty() || !text_file.empty() || !token_ids.empty(); }
  // Encodes with the tokenizer's BOS/EOS rules; ids are taken as given. Checked against the
  // model's context (LoadedModel::check_length).
  TokenIds resolve(const LoadedModel& m) const;
  // The same, unchecked, for callers that cut the input first.
  TokenIds encode(const LoadedModel& m) const;
  // The option that gave the input: "--prompt", "--text-file" or "--token-ids".
  std::string option() const;
};

// The images a command runs on instead of text, for a vision transformer:
//   --image F                      one PNG or JPEG file
//   --image-dir D [--num-images N] the folder's images (vision/image_folder.h: class subfolders or
//                                  labels.txt), the first N of them in its order (0: all)
// each preprocessed as the model folder's preprocessor_config.json says.
struct ImageInput {
  std::string image;
  std::string dir;
  int64_t num_images = 0;

  // with_dir: also --image-dir and --num-images (a command that runs one input has only --image).
  void add_options(CLI::App* cmd, bool with_dir = true);
  bool given() const { return !image.empty() || !dir.empty(); }
  // The files in order, labelled when the folder is. InputError when none is given.
  std::vector<FolderImage> files() const;
  // One file's pixel values (3, H, W) for model m: InputError naming the file, or the
  // preprocessor_config.json (a .gguf file or a folder without one has no image processor).
  Tensor pixels(const LoadedModel& m, const std::string& path) const;
  // The image processor of model m (the same InputErrors).
  std::shared_ptr<const ImageProcessorConfig> processor(const LoadedModel& m) const;
  json protocol(const std::vector<FolderImage>& files) const;

 private:
  mutable std::shared_ptr<const ImageProcessorConfig> config_;  // read once, on the first image
};

// InputError unless exactly one of the text input and the image input is given, and the model
// reads what is given (images for a vision transformer, text otherwise).
void check_input_kind(const LoadedModel& m, const TokenInput& text, const ImageInput& images);

// The options among `names` given on `cmd` (or in one of its option groups), in that order.
std::vector<std::string> given_options(const CLI::App* cmd, const std::vector<std::string>& names);
// InputError naming every option of `text_options` given on `cmd`, when the command runs on images
// (given by `image_option`): a text option would otherwise be silently ignored.
void refuse_text_options(const CLI::App* cmd, const std::vector<std::string>& text_options,
                         const std::string& image_option);

// The sequences a study runs on:
//   --prompt TEXT | --token-ids IDS        one sequence
//   --text-file F                          its first --seq-len tokens, as one sequence
//   --text-file F --num-seqs N [--seed S]  N windows of --seq-len tokens drawn from it
//                                          (analysis/sequences.h says how)
// --seq-len 0 means min(4096, the model's context) for a text file; a prompt or ids run whole
// unless --seq-len cuts them. Every sequence is checked against the model's context.
struct SequenceInput {
  TokenInput input;
  int64_t num_seqs = 0;
  int64_t seq_len = 0;
  uint64_t seed = 0;
  std::string seq_len_flag = "--seq-len";  // its name in error messages

  void add_options(CLI::App* cmd);
  bool needs_tokenizer() const { return input.needs_tokenizer(); }
  std::vector<TokenIds> resolve(const LoadedModel& m) const;
  json protocol(const LoadedModel& m, const std::vector<TokenIds>& sequences) const;
};

// The inputs of a study (analysis/study_input.h): text sequences (SequenceInput) for a language
// model, or images (ImageInput) for a vision transformer; check_input_kind() says which is due.
// Images are read from their files when each is used, one at a time.
// resolve() refuses an option that does not apply to the inputs given: a text option (those of
// SequenceInput, and the command's own `text_only`) with images, --num-images without --image-dir.
struct StudyInputOptions {
  SequenceInput text;
  ImageInput images;
  std::vector<std::string> text_only;  // the command's other options that only text uses

  void add_options(CLI::App* cmd);
  bool needs_tokenizer() const { return !images.given() && text.needs_tokenizer(); }
  std::vector<StudyInput> resolve(const LoadedModel& m) const;
  json protocol(const LoadedModel& m, const std::vector<StudyInput>& inputs) const;

 private:
  const CLI::App* cmd_ = nullptr;  // where the options were added (null: nothing to refuse)
  void check_options_apply() const;
};

// --burn-in (on `cmd`) as given; when not given, 0 for images, whose queries all see every key
// (the burn-in skips a causal text's first queries, which see few keys), else `burn_in`.
int64_t burn_in_for(const CLI::App* cmd, int64_t burn_in, const std::vector<StudyInput>& inputs);

// Every token of a study input for a result: token_json() for text; for an image its position,
// role, and the register's index or the patch's row and column (the image read once for all).
std::vector<json> input_tokens_json(const LoadedModel& m, const StudyInput& input);

// Windows a perplexity evaluation takes unless --max-windows says otherwise: few enough that a
// 270M model's intervene run (three passes over windows of 4096 tokens, each pass through a
// 262k-entry vocabulary) takes minutes on two cores, while zeroing the massive activations still
// moves perplexity by orders of magnitude more than the windows' spread; --max-windows 0 is the
// paper's protocol.
inline constexpr int64_t kDefaultEvalWindows = 4;

// The windows of a perplexity evaluation: SEQ_LEN_FLAG (0: min(4096, the model's context)) and
// --max-windows.
struct EvalWindows {
  int64_t seq_len = 0;
  int64_t max_windows = kDefaultEvalWindows;
  std::string seq_len_flag = "--seq-len";

  void add_options(CLI::App* cmd, const std::string& flag = "--seq-len");
  // The protocol over the text file `text_name`; its window checked against the context.
  PerplexityProtocol protocol(const LoadedModel& m, const std::string& text_name) const;
};

// "all 5 windows" or "8 of the text's 71 windows (--max-windows 0: all)", for a result's table.
std::string windows_taken(const PerplexityResult& r);

// --min-magnitude and --min-ratio: the paper's criterion, both options.
void add_criterion_options(CLI::App* cmd, MassiveCriterion& criterion);
json criterion_json(const MassiveCriterion& criterion);

// --outlier-fraction and --include-outlier-features: which flagged activations are outlier features
// (analysis/outlier_features.h) and whether the studies count them as massive anyway.
void add_outlier_options(CLI::App* cmd, OutlierFeatureRule& rule);
json outlier_rule_json(const OutlierFeatureRule& rule);
// The outlier features among `shares`: per dim, its share of non-first tokens in every layer where
// the criterion flagged it (JSON: [{"dim", "max_share", "layers": [{"layer",
// "non_first_share"}]}]).
json outlier_features_json(const FeatureShares& shares, const MassiveKinds& kinds);
Table outlier_features_table(const FeatureShares& shares, const MassiveKinds& kinds);
// One line that names the outlier-feature dims and says how they were treated.
void print_outlier_note(const MassiveKinds& kinds, const OutlierFeatureRule& rule);
// A token of a result: its position, id, text and role.
json token_json(int64_t position, int32_t id, const std::string& text, TokenRole role);

// Prints "LABEL: k/n, 12 s, about 30 s left" on stderr (one rewritten line on a terminal).
ProgressFn progress_printer(const std::string& label);

// Passes of one length: how many, and their tokens each.
struct PlannedPasses {
  int64_t passes, tokens_per_pass;
};
// Seconds for every planned pass, from the lengths timed so far (tokens per pass -> seconds of
// one pass; at least one): a pass of a timed length takes what it took; another, the nearest timed
// length's seconds per token times its tokens (short where attention's square term grows).
double planned_seconds(const std::vector<PlannedPasses>& plan,
                       const std::map<int64_t, double>& timed);

// One estimate of a whole command that runs forward passes in several phases (calibration, then
// a perplexity per mode): the command declares every phase's passes up front, the first pass of
// each length is timed, and the whole run's time is printed on stderr after the run's first pass
// ("intervene: about 9 min in all, ..."), and again when the first pass of another length moves
// it by more than a quarter, so a run too long for the machine can be stopped early.
class RunEstimate {
 public:
  explicit RunEstimate(std::string command);
  void plan(int64_t passes, int64_t tokens_per_pass);
  // progress_printer(label) for passes of tokens_per_pass tokens, which also times the phase's
  // first pass and prints the estimate as above.
  ProgressFn phase(const std::string& label, int64_t tokens_per_pass) const;

 private:
  struct State {
    std::string command;
    std::vector<PlannedPasses> plan;
    std::map<int64_t, double> timed;
    double printed = 0.0;  // seconds in the last estimate printed; 0: none yet
  };
  std::shared_ptr<State> state_;
};

// --json (print the JSON result instead of the tables), --csv (print the tables as CSV instead,
// report/csv.h) and --out FILE (also write the JSON there; see output_file()).
struct JsonOutput {
  bool as_json = false;
  bool as_csv = false;
  std::string out;

  // with_csv: the command prints tables (a command that prints sentences has no --csv).
  void add_options(CLI::App* cmd, bool with_csv = true);
  // Prints the JSON, the CSV of `tables`, or the text view (print_text).
  void emit(const massact::json& doc, const NamedTables& tables,
            const std::function<void()>& print_text) const;
  void emit(const massact::json& doc, const std::function<void()>& print_text) const {
    emit(doc, {}, print_text);
  }
};

// Option checks whose messages say what was expected ("expected an integer >= 0, got -3").
CLI::Validator at_least(int64_t minimum);
// An output file name: not empty, and not something other than a regular file (a device, a folder
// or a pipe, which the atomic rename would replace).
CLI::Validator output_file();

// Registration of each subcommand (one file each).
void add_inspect_command(CLI::App& app);
void add_forward_command(CLI::App& app);
void add_perplexity_command(CLI::App& app);
void add_scan_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_profile_command(CLI::App& app);
void add_stats_command(CLI::App& app);
void add_intervene_command(CLI::App& app);
void add_attention_command(CLI::App& app);
void add_decompose_command(CLI::App& app);
void add_report_command(CLI::App& app);

// Every subcommand above, registered on `app`.
void add_commands(CLI::App& app);

// Parses and runs; returns the process exit code (0 ok, 2 bad input or usage, 1 internal error).
int run(int argc, char** argv);

// A command run in-process by another front end (the Python module, python/), so that it returns
// exactly the JSON that `--json` prints, from the same code:
//   - load_model() lends `model` (already loaded) instead of reading MODEL again;
//   - JsonOutput::emit() keeps the result in `result` and prints nothing (--out still writes);
//   - progress_printer() calls `progress` instead of printing; it may throw to stop the study.
struct EmbeddedRun {
  const LoadedModel* model = nullptr;
  ProgressFn progress;
  json result;
};
// Runs `args` (a command and its options, as typed after "massact", MODEL included) under `run` on
// this thread and returns the JSON result. Errors are exceptions, not exit codes: InputError for
// bad input or usage, with the message the command line prints.
json run_embedded(const std::vector<std::string>& args, EmbeddedRun& run);
// The embedded run in progress on this thread, or null (the command line's own run).
EmbeddedRun*& current_embedded_run();

}  // namespace massact::cli
