// massact intervene MODEL --eval-text F: perplexity with the massive activations of one layer's
// output left alone, set to zero, and set to their calibration means, side by side (the paper's
// Section 3; analysis/intervene.h states the protocol: windows, BOS, what is edited).
// massact intervene MODEL --image-dir D: for a vision transformer with a classifier, top-1
// accuracy over the labelled images the same three ways, and with Fix-Reg-Mean for a model with
// registers (the paper's section on ViTs; analysis/image_accuracy.h).
#include "analysis/intervene.h"

#include <iostream>

#include "analysis/image_accuracy.h"
#include "cli/common.h"
#include "core/error.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

struct Calibration {
  MassiveMeans means;
  json protocol;
};

// Means from the calibration text (--text-file), else from the held-out end of the evaluation
// text; windows cut as the evaluation windows are (analysis/intervene.h).
Calibration calibrate(const LoadedModel& m, const SequenceInput& input, TokenIds& eval_tokens,
                      const PerplexityProtocol& eval, const MassiveCriterion& criterion,
                      RunEstimate& estimate, int64_t eval_passes) {
  const bool own_text = !input.input.text_file.empty();
  const TokenIds text =
      own_text ? m.tokenizer->encode(read_text_file(input.input.text_file), !eval.bos_per_window)
               : hold_out_calibration_text(eval_tokens);
  const std::string text_name = own_text ? input.input.text_file : eval.text_name;
  const int64_t seq_len =
      input.seq_len > 0 ? input.seq_len : std::min<int64_t>(512, int64_t(text.size()));
  m.check_length(seq_len, input.seq_len_flag);
  const std::vector<TokenIds> sequences =
      calibration_windows(text, {input.num_seqs, seq_len, input.seed}, eval, text_name);
  json protocol = {
      {"text", own_text ? input.input.text_file
                        : "the last 20% of the evaluation text's tokens, held out from evaluation"},
      {"windows", "start uniform from mt19937_64(seed); cut as the evaluation windows are"},
      {"sequences", sequences.size()},
      {"tokens_per_sequence", seq_len},
      {"seed", input.seed}};
  // The evaluation windows come from what is left of the text once the calibration is held out.
  estimate.plan(int64_t(sequences.size()), seq_len);
  estimate.plan(eval_passes * perplexity_windows(eval, int64_t(eval_tokens.size())), eval.seq_len);
  MassiveCensus census = take_census(m.model, text_inputs(sequences), m.text_of(), criterion,
                                     estimate.phase("intervene: calibration sequence", seq_len));
  return {MassiveMeans::from_census(census), protocol};
}

// Whether --mode asks for `name` ("all" asks for every mode).
bool asks_for(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end() ||
         std::find(names.begin(), names.end(), "all") != names.end();
}

// --mode values, in the order they run.
std::vector<Intervention> modes_of(const std::vector<std::string>& names) {
  auto has = [&](const char* name) { return asks_for(names, name); };
  std::vector<Intervention> modes;
  for (Intervention mode : {Intervention::None, Intervention::Zero, Intervention::Mean})
    if (has(intervention_name(mode))) modes.push_back(mode);
  return modes;
}

json without_mean_json(const InterventionResult& r) {
  json rows = json::array();
  for (const auto& [key, count] : r.without_mean)
    rows.push_back({{"layer", key.layer},
                    {"dim", key.dim},
                    {"role", token_role_name(key.role)},
                    {"count", count}});
  return rows;
}

// A means file names the model it was measured on (stats --means-out); another model's means would
// set the wrong values, or none, so they are refused before anything runs.
void check_means_model(const std::string& path, const LoadedModel& m) {
  const json file = read_json_file(path);
  JsonFields fields(file, path);
  const JsonFields written_for = fields.object("model");
  const json here = model_identity(m.model);
  for (const char* key : {"type", "parameters", "layers", "d_model"})
    if (written_for.raw(key) != here[key])
      written_for.fail(key, "this model's " + here[key].dump() + " (the means were measured on " +
                                quote_prefix(written_for.string("path", "?")) + ")");
}

struct Options {
  ModelArgument model;
  std::string eval_text;
  ImageInput images;
  std::string calib_image_dir;
  int layer = -1;
  std::vector<std::string> modes{"all"};
  std::string means_file;
  EvalWindows windows;
  SequenceInput calibration;
  MassiveCriterion criterion;
  OutlierFeatureRule outliers;
  JsonOutput output;
};

json accuracy_row(const char* mode, const AccuracyResult& r) {
  return {{"mode", mode},
          {"top1", r.top1()},
          {"correct", r.correct},
          {"images", r.images},
          {"edited", r.edited},
          {"left_without_mean", r.left_without_mean()},
          {"outlier_features_left", r.outlier_features_left}};
}

// The image study: calibration on --calib-image-dir (default: the evaluation images themselves),
// then top-1 accuracy per mode. The perplexity study's options are refused rather than ignored.
void intervene_on_images(const Options& opt, const CLI::App* cmd) {
  refuse_text_options(cmd,
                      {"--text-file", "--num-seqs", "--calib-seq-len", "--seed",
                       opt.windows.seq_len_flag, "--max-windows", "--means"},
                      "--image-dir");
  LoadedModel m = opt.model.load(false);
  ImageInput calib_input = opt.images;
  calib_input.image.clear();
  if (!opt.calib_image_dir.empty()) calib_input.dir = opt.calib_image_dir;
  StudyInputOptions eval_options, calib_options;
  eval_options.images = opt.images;
  calib_options.images = calib_input;
  const std::vector<StudyInput> images = eval_options.resolve(m);
  const bool registers = m.model.spec().vision->n_registers > 0;
  const bool named =
      std::find(opt.modes.begin(), opt.modes.end(), "fix-reg-mean") != opt.modes.end();
  if (named && !registers)
    throw_input_error("--mode fix-reg-mean: ", m.model.path(), " has no register tokens");
  image_classes(m.model, images);  // refuses a model without a classifier before any pass
  const std::vector<StudyInput> calibration =
      opt.calib_image_dir.empty() ? images : calib_options.resolve(m);
  if (opt.layer >= m.model.spec().n_layers)
    throw_input_error("--layer: expected a layer below ", m.model.spec().n_layers, ", got ",
                      opt.layer);
  const MassiveMeans means =
      MassiveMeans::from_census(take_census(m.model, calibration, m.text_of(), opt.criterion,
                                            progress_printer("intervene: calibration")));
  const MassiveKinds kinds = means.kinds(opt.outliers);
  const std::optional<int> first_layer = means.first_layer(kinds);
  const int layer = opt.layer >= 0 ? opt.layer : first_layer.value_or(0);

  json rows = json::array();
  Table table({"activations", "top-1", "correct", "edited", "left (no mean)"});
  auto add = [&](const char* mode, const AccuracyResult& r) {
    rows.push_back(accuracy_row(mode, r));
    table.add_row({mode, format_number(100.0 * r.top1(), 1) + "%",
                   str_cat(r.correct, "/", r.images), std::to_string(r.edited),
                   std::to_string(r.left_without_mean())});
  };
  for (Intervention mode : modes_of(opt.modes))
    add(intervention_name(mode),
        accuracy_with_intervention(
            m.model, images, {layer, mode, opt.criterion, &means, kinds},
            progress_printer(std::string("intervene: ") + intervention_name(mode) + ", image")));
  if (registers && asks_for(opt.modes, "fix-reg-mean")) {
    const RegisterMeans register_mean =
        register_means(m.model, calibration, progress_printer("intervene: register means, image"));
    add("fix-reg-mean",
        accuracy_with_register_means(m.model, images, register_mean,
                                     progress_printer("intervene: fix-reg-mean, image")));
  }

  json doc = result_document("massact.intervene", 2, command_line(), m.model);
  doc["protocol"] = eval_options.protocol(m, images);
  doc["protocol"].update(
      {{"layer", layer},
       {"hook", "blocks." + std::to_string(layer) + ".hook_resid_post"},
       {"which",
        "zero, mean: massive activations of each image by the criterion at the layer, outlier "
        "features left alone; fix-reg-mean: every register token's features at every block's "
        "output replaced by that register's calibration mean"},
       {"criterion", criterion_json(opt.criterion)},
       {"outlier_features", outlier_rule_json(opt.outliers)},
       {"calibration",
        opt.calib_image_dir.empty() ? "the evaluation images" : opt.calib_image_dir}});
  doc["result"] = {{"rows", rows},
                   {"layer_found_by_calibration", first_layer ? json(*first_layer) : json(nullptr)},
                   {"outlier_features", outlier_features_json(means.feature_shares(), kinds)}};
  opt.output.emit(doc, {{"accuracy", &table}}, [&] {
    std::cout << "layer " << layer << " (layer " << layer + 1 << " output), " << images.size()
              << " images\n";
    print_outlier_note(kinds, opt.outliers);
    table.print(std::cout);
  });
}

}  // namespace

void add_intervene_command(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  opt->calibration.num_seqs = 10;
  opt->calibration.seq_len_flag = "--calib-seq-len";
  auto* cmd = app.add_subcommand(
      "intervene", "Perplexity with massive activations zeroed or set to their means");
  opt->model.add_options(cmd);
  auto* eval =
      cmd->add_option("--eval-text", opt->eval_text, "Evaluation text (perplexity protocol)");
  auto* images = cmd->add_option("--image-dir", opt->images.dir,
                                 "Labelled images to classify (a vision transformer with a "
                                 "classifier): top-1 accuracy instead of perplexity");
  eval->excludes(images);
  cmd->add_option("--num-images", opt->images.num_images,
                  "Classify the first N images of --image-dir (0: all)")
      ->capture_default_str()
      ->check(at_least(0));
  cmd->add_option("--calib-image-dir", opt->calib_image_dir,
                  "Images for the means (default: the --image-dir images)");
  cmd->add_option("--layer", opt->layer,
                  "Layer whose output is edited (default: where massive activations appear)")
      ->check(at_least(0));
  cmd->add_option("--mode", opt->modes,
                  "Passes to run, comma-separated: original, zero, mean, and for images with "
                  "registers fix-reg-mean; all is every one")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::IsMember({"original", "zero", "mean", "fix-reg-mean", "all"}));
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
  add_outlier_options(cmd, opt->outliers);
  opt->output.add_options(cmd);
  cmd->callback([opt, cmd] {
    if (!opt->images.dir.empty()) return intervene_on_images(*opt, cmd);
    if (opt->eval_text.empty())
      throw_input_error("intervene: expected --eval-text (perplexity) or --image-dir (accuracy)");
    for (const std::string& name : given_options(cmd, {"--num-images", "--calib-image-dir"}))
      throw_input_error(name, ": for images, with --image-dir; perplexity runs on --eval-text");
    if (std::find(opt->modes.begin(), opt->modes.end(), "fix-reg-mean") != opt->modes.end())
      throw_input_error(
          "--mode fix-reg-mean: for a vision transformer with registers, on "
          "--image-dir");
    LoadedModel m = opt->model.load(true, "intervene (perplexity)");
    PerplexityProtocol protocol = opt->windows.protocol(m, opt->eval_text);
    protocol.bos_per_window = m.input_bos();
    TokenIds eval_tokens = m.tokenizer->encode(read_text_file(opt->eval_text, "--eval-text"),
                                               !protocol.bos_per_window);

    const std::vector<Intervention> modes = modes_of(opt->modes);
    RunEstimate estimate("intervene");
    MassiveMeans means;
    json calibration;
    if (!opt->means_file.empty()) {
      means = MassiveMeans::read(opt->means_file);
      check_means_model(opt->means_file, m);
      calibration = {{"means_file", opt->means_file}};
      estimate.plan(
          int64_t(modes.size()) * perplexity_windows(protocol, int64_t(eval_tokens.size())),
          protocol.seq_len);
    } else {
      Calibration c = calibrate(m, opt->calibration, eval_tokens, protocol, opt->criterion,
                                estimate, int64_t(modes.size()));
      means = std::move(c.means);
      calibration = c.protocol;
    }
    if (opt->layer >= m.model.spec().n_layers)
      throw_input_error("--layer: expected a layer below ", m.model.spec().n_layers, ", got ",
                        opt->layer);
    const MassiveKinds kinds = means.kinds(opt->outliers);
    const std::optional<int> first_layer = means.first_layer(kinds);
    const int layer = opt->layer >= 0 ? opt->layer : first_layer.value_or(0);

    json rows = json::array();
    std::string windows;  // what the passes ran on (the same windows for every mode)
    Table table({"activations", "perplexity", "edited", "left (no mean)"});
    Table left({"mode", "layer", "dim", "role", "left (no calibration mean)"});
    for (Intervention mode : modes) {
      InterventionResult r = perplexity_with_intervention(
          m.model, eval_tokens, protocol, {layer, mode, opt->criterion, &means, kinds}, m.text_of(),
          estimate.phase(std::string("intervene: ") + intervention_name(mode) + ", window",
                         protocol.seq_len));
      windows = windows_taken(r.perplexity);
      rows.push_back({{"mode", intervention_name(mode)},
                      {"perplexity", r.perplexity.perplexity},
                      {"mean_nll", r.perplexity.mean_nll},
                      {"edited", r.edited},
                      {"left_without_mean", r.left_without_mean()},
                      {"without_mean", without_mean_json(r)},
                      {"outlier_features_left", r.outlier_features_left},
                      {"windows", r.perplexity.windows},
                      {"text_windows", r.perplexity.text_windows},
                      {"scored_tokens", r.perplexity.scored_tokens}});
      table.add_row({intervention_name(mode), format_number(r.perplexity.perplexity),
                     std::to_string(r.edited), std::to_string(r.left_without_mean())});
      for (const auto& [key, count] : r.without_mean)
        left.add_row({intervention_name(mode), std::to_string(key.layer), std::to_string(key.dim),
                      token_role_name(key.role), std::to_string(count)});
    }

    json doc = result_document("massact.intervene", 2, command_line(), m.model);
    doc["protocol"] = {
        {"eval_text", opt->eval_text},
        {"seq_len", protocol.seq_len},
        {"windows", protocol.bos_per_window
                        ? "BOS, then seq_len - 1 tokens of the text (tokenized without special "
                          "tokens), non-overlapping, tail dropped, every position but the first "
                          "scored; calibration windows start with BOS too"
                        : "the text tokenized whole, non-overlapping, tail dropped, every "
                          "position but each window's first scored"},
        {"layer", layer},
        {"hook", "blocks." + std::to_string(layer) + ".hook_resid_post"},
        {"which",
         "massive activations of each window by the criterion, outlier features left alone; "
         "an activation whose role has no calibration mean is left and counted (mean mode)"},
        {"criterion", criterion_json(opt->criterion)},
        {"outlier_features", outlier_rule_json(opt->outliers)},
        {"calibration", calibration}};
    doc["result"] = {
        {"rows", rows},
        {"layer_found_by_calibration", first_layer ? json(*first_layer) : json(nullptr)},
        {"outlier_features", outlier_features_json(means.feature_shares(), kinds)}};
    opt->output.emit(doc, {{"perplexity", &table}, {"left_without_mean", &left}}, [&] {
      std::cout << "layer " << layer << " (layer " << layer + 1 << " output), windows of "
                << protocol.seq_len << " tokens from " << opt->eval_text << ", " << windows << "\n";
      print_outlier_note(kinds, opt->outliers);
      if (!first_layer && opt->layer < 0)
        std::cout << "note: calibration found no massive activations; editing layer 0, where the "
                     "criterion finds nothing to edit\n";
      table.print(std::cout);
      if (left.size() > 0) {
        std::cout << "\nleft as they were, no calibration mean for their role at (layer, dim):\n";
        left.print(std::cout);
      }
    });
  });
}

}  // namespace massact::cli
