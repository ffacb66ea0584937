// massact forward MODEL INPUT --hooks PATTERN --out F.safetensors: one sequence through the model,
// the chosen hook points and the logits saved where numpy and torch read them directly.
#include <iostream>

#include "cli/common.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "report/result_json.h"

namespace massact::cli {

void add_forward_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    TokenInput input;
    std::vector<std::string> hooks{"blocks.*.hook_resid_post"};
    std::string out;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("forward", "Run one sequence and save hook points and logits");
  opt->model.add_options(cmd);
  opt->input.add_options(cmd);
  cmd->add_option("--hooks", opt->hooks,
                  "Glob(s) over hook names to save, e.g. 'blocks.*.attn.hook_pattern'")
      ->capture_default_str();
  cmd->add_option("--out", opt->out, "Output .safetensors file")->required()->check(output_file());
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(opt->input.needs_tokenizer());
    TokenIds ids = opt->input.resolve(m);

    // The pass reuses its buffers, so each watched tensor is copied as it goes by.
    NamedTensors saved;
    Hooks hooks;
    for (const auto& pattern : opt->hooks)
      hooks.observe(pattern, [&saved](const HookEvent& e, const Tensor& t) {
        Tensor copy = Tensor::zeros(DType::F32, t.shape());
        std::copy(t.f32(), t.f32() + t.numel(), copy.f32());
        saved.emplace_back(e.name, std::move(copy));
      });
    Tensor logits = m.model.forward(ids, hooks, LogitRows::All);
    if (saved.empty()) {
      std::string names;
      for (const auto& n : all_hook_names(1)) names += " " + n;
      throw_input_error("--hooks: no hook point matched; names look like:", names);
    }

    Tensor ids_tensor = Tensor::zeros(DType::I32, {int64_t(ids.size())});
    std::copy(ids.begin(), ids.end(), static_cast<int32_t*>(ids_tensor.raw_mut()));
    saved.emplace_back("input_ids", ids_tensor);
    saved.emplace_back("logits", logits);
    write_safetensors(opt->out, saved,
                      {{"massact_version", kMassactVersion},
                       {"command", command_line()},
                       {"model", opt->model.path}});
    std::cout << "wrote " << saved.size() << " tensors (" << ids.size() << " tokens) to "
              << opt->out << "\n";
  });
}

}  // namespace massact::cli
