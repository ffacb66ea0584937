#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/common.h"
#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"
#include "kernels/isa.h"
#include "kernels/linear.h"
#include "kernels/packed_linear.h"
#include "kernels/threads.h"
#include "report/result_json.h"

namespace massact::cli {

namespace {

// CLI11 quotes a bad value whole ("Could not convert: --min-ratio = <value>"); each word of its
// message past 256 bytes is cut to a short prefix, so a 1 MB argument does not make a 1 MB message.
std::string shorten_long_words(const std::string& message) {
  constexpr size_t kLongWord = 256;
  std::string out;
  for (size_t begin = 0; begin < message.size();) {
    const size_t end = std::min(message.find_first_of(" \n", begin), message.size());
    const std::string word = message.substr(begin, end - begin);
    out += word.size() > kLongWord ? short_quote(word) : word;
    if (end < message.size()) out += message[end];
    begin = end + 1;
  }
  return out;
}

}  // namespace

void add_commands(CLI::App& app) {
  add_inspect_command(app);
  add_forward_command(app);
  add_perplexity_command(app);
  add_scan_command(app);
  add_generate_command(app);
  add_tokenize_command(app);
  add_profile_command(app);
  add_stats_command(app);
  add_intervene_command(app);
  add_attention_command(app);
  add_decompose_command(app);
  add_report_command(app);
  add_bench_command(app);
}

int run(int argc, char** argv) {
  set_command_line(argc, argv);
  CLI::App app{"massact: find, measure and intervene on massive activations in transformers"};
  app.set_version_flag("--version", kMassactVersion);
  app.require_subcommand(1);
  app.failure_message([](const CLI::App* a, const CLI::Error& e) {
    return shorten_long_words(CLI::FailureMessage::simple(a, e));
  });
  int threads = 0;
  // At most one thread per online CPU: more only contend, and OpenBLAS reserves a buffer per
  // thread (32 threads hang under a 4 GiB address-space limit).
  app.add_option("--threads", threads, "Threads for BLAS and massact's own loops (0: all cores)")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            const std::string err = at_least(0)(value);
            if (!err.empty() || std::stoll(value) <= hardware_threads()) return err;
            return str_cat("expected at most ", hardware_threads(), " (the online CPUs), got ",
                           short_quote(value));
          },
          "0.." + std::to_string(hardware_threads())));
  std::string gemm = gemm_backend_name(GemmBackend::OneDnn);
  app.add_option("--gemm", gemm,
                 "Matrix-product backend: onednn (kernels chosen from the CPU's features) or "
                 "openblas (kernels chosen by its CPU detection)")
      ->capture_default_str()
      ->envname("MASSACT_GEMM")
      ->check(CLI::IsMember(
          {gemm_backend_name(GemmBackend::OneDnn), gemm_backend_name(GemmBackend::OpenBlas)}));
  std::string compute = compute_name(Compute::F32);
  app.add_option("--compute", compute,
                 "Precision of the linear layers' products: f32 (exact on the stored weights) or "
                 "bf16 (inputs rounded to bf16, f32 accumulation, as the paper's GPU runs; "
                 "attention stays f32)")
      ->capture_default_str()
      ->check(CLI::IsMember({compute_name(Compute::F32), compute_name(Compute::Bf16)}));
  app.parse_complete_callback([&] {
    set_num_threads(threads);
    set_compute(compute == compute_name(Compute::Bf16) ? Compute::Bf16 : Compute::F32);
    // MASSACT_ISA, MASSACT_BF16_GEMM and MASSACT_PREFILL_GEMM are read where a kernel first runs,
    // which a model without such products never reaches: a bad value is refused here, before any
    // work.
    kernel_isa();
    best_bf16_kernel();
    prefill_gemm();
    set_gemm_backend(gemm == gemm_backend_name(GemmBackend::OpenBlas) ? GemmBackend::OpenBlas
                                                                      : GemmBackend::OneDnn);
  });
  add_commands(app);

  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a mistyped subcommand as "A subcommand is required"; name the word instead.
    if (app.get_subcommands().empty() && !app.remaining().empty() &&
        app.remaining().front().rfind("-", 0) != 0) {
      std::string names;
      for (const auto* sub : app.get_subcommands({}))
        names += (names.empty() ? "" : ", ") + sub->get_name();
      std::cerr << "massact: error: unknown command " << short_quote(app.remaining().front())
                << " (expected one of: " << names << ")\n";
      return 2;
    }
    app.exit(e);
    return 2;
  } catch (const InputError& e) {
    std::cerr << "massact: error: " << e.what() << "\n";
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // The operating system refused a path the user gave or a file named (a component over 255
    // bytes, a permission): bad input, named by the path.
    std::cerr << "massact: error: " << e.path1().string() << ": " << e.code().message() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "massact: internal error (a bug, please report it): " << e.what() << "\n";
    return 1;
  }
}

json run_embedded(const std::vector<std::string>& args, EmbeddedRun& run) {
  CLI::App app{"massact"};
  app.require_subcommand(1);
  add_commands(app);
  std::vector<std::string> argv{"massact"};
  argv.insert(argv.end(), args.begin(), args.end());
  set_command_line(argv);  // what the result records: the same command typed in a shell
  struct Scope {           // the run is this thread's until the command returns or throws
    explicit Scope(EmbeddedRun* r) { current_embedded_run() = r; }
    ~Scope() { current_embedded_run() = nullptr; }
  } scope(&run);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw InputError(shorten_long_words(e.what()));
  } catch (const std::filesystem::filesystem_error& e) {
    throw InputError(e.path1().string() + ": " + e.code().message());  // as run() says it
  }
  return std::move(run.result);
}

}  // namespace massact::cli
