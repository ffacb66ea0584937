// massact forward MODEL INPUT --hooks PATTERN --out F.safetensors: one sequence (or, for a vision
// transformer, one image) through the model, the chosen hook points and the outputs saved where
// numpy and torch read them directly.
#include <iostream>

#include "cli/common.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "report/result_json.h"

namespace massact::cli {

namespace {

// An int32 tensor of `values`.
Tensor int32_tensor(const std::vector<int32_t>& values) {
  Tensor t = Tensor::zeros(DType::I32, {int64_t(values.size())});
  std::copy(values.begin(), values.end(), static_cast<int32_t*>(t.raw_mut()));
  return t;
}

// The text run: its hooks fire; the input ids and the logits (T, vocab) go to `saved`.
int64_t run_text(const LoadedModel& m, const TokenInput& input, const Hooks& hooks,
                 NamedTensors& saved) {
  const TokenIds ids = input.resolve(m);
  Tensor logits = m.model.forward(ids, hooks, LogitRows::All);
  saved.emplace_back("input_ids", int32_tensor(ids));
  saved.emplace_back("logits", logits);
  return int64_t(ids.size());
}

// The image run: its hooks fire; the pixel values (3, H, W), the pooled output (d_model) and, with
// a classifier, the logits (labels). `token_axis` says what the hooks' token axis holds.
int64_t run_image(const LoadedModel& m, const ImageInput& input, const Hooks& hooks,
                  NamedTensors& saved, std::string& token_axis) {
  const Tensor pixels = input.pixels(m, input.image);
  const ImageOutputs out = m.model.forward_image(pixels, hooks);
  const VisionSpec& v = *m.model.spec().vision;
  const PatchGrid grid = patch_grid(pixels.dim(1), pixels.dim(2), v.patch_size);
  token_axis = str_cat("class token, ", v.n_registers, " registers, ", grid.rows, " x ", grid.cols,
                       " patches in row-major order");
  saved.emplace_back("pixel_values", pixels);
  saved.emplace_back("pooled", out.pooled);
  if (!out.logits.empty()) saved.emplace_back("logits", out.logits);
  return 1 + v.n_registers + grid.count();
}

}  // namespace

void add_forward_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    TokenInput input;
    ImageInput image;
    std::vector<std::string> hooks{"blocks.*.hook_resid_post"};
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "forward", "Run one sequence (or image) and save hook points and the model's outputs");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  opt->image.add_options(cmd, false);
  cmd->add_option("--hooks", opt->hooks,
                  "Glob(s) over hook names to save, e.g. 'blocks.*.attn.hook_pattern'")
      ->capture_default_str();
  cmd->add_option("--out", opt->out, "Output .safetensors file")->required()->check(output_file());
  cmd->callback([opt] {
    const bool images = opt->image.given();
    LoadedModel m = opt->model.load(!images && opt->input.needs_tokenizer());
    check_input_kind(m, opt->input, opt->image);

    // The pass reuses its buffers, so each watched tensor is copied as it goes by.
    NamedTensors saved;
    Hooks hooks;
    for (const auto& pattern : opt->hooks)
      hooks.observe(pattern, [&saved](const HookEvent& e, const Tensor& t) {
        Tensor copy = Tensor::zeros(DType::F32, t.shape());
        std::copy(t.f32(), t.f32() + t.numel(), copy.f32());
        saved.emplace_back(e.name, std::move(copy));
      });
    NamedTensors outputs;
    std::string token_axis = "input tokens in order";
    const int64_t tokens = images ? run_image(m, opt->image, hooks, outputs, token_axis)
                                  : run_text(m, opt->input, hooks, outputs);
    if (saved.empty()) {
      std::string names;
      for (const auto& n : all_hook_names(1)) names += " " + n;
      throw_input_error("--hooks: no hook point matched; names look like:", names);
    }
    for (auto& output : outputs) saved.push_back(std::move(output));
    write_safetensors(opt->out, saved,
                      {{"massact_version", kMassactVersion},
                       {"command", command_line()},
                       {"model", opt->model.path},
                       {"token_axis", token_axis}});
    std::cout << "wrote " << saved.size() << " tensors (" << tokens << " tokens) to " << opt->out
              << "\n";
  });
}

}  // namespace massact::cli
