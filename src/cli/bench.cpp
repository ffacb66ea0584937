// massact bench forward MODEL --seq-len N [--logits all|last|none]: tokens/s of a forward pass
// with every layer's output observed by the scan (the study's hooks on), and the process's peak
// resident memory. massact bench gemm: the GFLOP/s of each GEMM backend on this CPU.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>

#include "analysis/scan.h"
#include "cli/common.h"
#include "kernels/cpu.h"
#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"
#include "kernels/isa.h"
#include "kernels/linear.h"
#include "kernels/packed_linear.h"
#include "kernels/threads.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {

// The hand-written kernels this run takes: the quantized matrix-vector products' instruction set
// and the GEMM of non-f32 weights: under --compute bf16 the bf16 one, else widened rows or packed
// blocks (kernels/packed_linear.h).
std::string kernels_in_use() {
  std::string out = "matvec " + isa_name(kernel_isa());
  if (compute_mode() == Compute::Bf16)
    out += ", bf16 gemm " + bf16_kernel_name(best_bf16_kernel());
  else
    out += ", weights " +
           prefill_gemm_name(linear_packs() ? PrefillGemm::Packed : PrefillGemm::Widened);
  return out;
}
double peak_rss_mib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The best of five runs of about 0.2 s, in GFLOP/s, of the product a linear layer of `in` -> `out`
// features runs on `tokens` rows: (tokens, in) x (out, in)^T.
double sgemm_gflops(int64_t tokens, int64_t out, int64_t in) {
  std::vector<float> x(size_t(tokens * in)), w(size_t(out * in)), y(size_t(tokens * out));
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (auto& v : x) v = uniform(rng);
  for (auto& v : w) v = uniform(rng);
  auto run = [&] {
    sgemm(Op::Transpose, tokens, out, in, 1.0f, x.data(), in, w.data(), in, 0.0f, y.data(), out);
  };
  run();  // JIT compilation and page faults
  double best = INFINITY;
  for (int r = 0; r < 5; ++r) {
    const auto start = std::chrono::steady_clock::now();
    int calls = 0;
    std::chrono::duration<double> took{};
    do {
      run();
      ++calls;
      took = std::chrono::steady_clock::now() - start;
    } while (took.count() < 0.2);
    best = std::min(best, took.count() / calls);
  }
  return 2.0 * double(tokens * out * in) / best / 1e9;
}

void add_gemm_bench(CLI::App& bench) {
  struct Options {
    int64_t tokens = 512, out = 2048, in = 2048;
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "gemm", "GFLOP/s of float32 GEMM through each backend (what --gemm chooses between)");
  cmd->add_option("--tokens", opt->tokens, "Rows of the activations")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--out-features", opt->out, "Output features")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--in-features", opt->in, "Input features")
      ->capture_default_str()
      ->check(at_least(1));
  opt->output.add_options(cmd);
  cmd->callback([opt] {
    const GemmBackend chosen = gemm_backend();
    json rates = json::object();
    for (GemmBackend b : {GemmBackend::OneDnn, GemmBackend::OpenBlas}) {
      set_gemm_backend(b);
      rates[gemm_backend_name(b)] = sgemm_gflops(opt->tokens, opt->out, opt->in);
    }
    set_gemm_backend(chosen);
    json doc = result_document("massact.bench.gemm", 1, command_line());
    doc["protocol"] = {{"shape", {opt->tokens, opt->out, opt->in}},
                       {"threads", num_threads()},
                       {"cpu", cpu_model_name()},
                       {"isa", cpu_vector_isa()},
                       {"timing", "best of 5 runs of about 0.2 s, after one untimed call"}};
    doc["result"] = {{"gflops", rates}, {"backend", gemm_backend_name(chosen)}};
    opt->output.emit(doc, [&] {
      std::cout << "CPU: " << cpu_model_name() << " (" << cpu_vector_isa() << "), " << num_threads()
                << " threads\n"
                << "float32 GEMM (" << opt->tokens << " x " << opt->in << ") x (" << opt->in
                << " x " << opt->out << "):\n";
      for (auto& [name, rate] : rates.items())
        std::cout << "  " << name << ": " << format_number(rate.get<double>(), 1) << " GFLOP/s"
                  << (name == gemm_backend_name(chosen) ? "  (in use)" : "") << "\n";
    });
  });
}
}  // namespace

void add_bench_command(CLI::App& app) {
  struct Options {
    ModelArgument model;
    int64_t seq_len = 512;
    int repeats = 3;
    uint32_t seed = 0;
    std::string logits = "all";
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  add_gemm_bench(*bench);
  auto* cmd =
      bench->add_subcommand("forward", "Tokens/s of an instrumented forward pass, and peak RSS");
  opt->model.add_options(cmd);
  cmd->add_option("--seq-len", opt->seq_len, "Tokens per forward pass")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--repeats", opt->repeats, "Timed passes (after one warm-up)")
      ->capture_default_str()
      ->check(at_least(1));
  cmd->add_option("--seed", opt->seed, "Seed of the random token ids")->capture_default_str();
  cmd->add_option(
         "--logits", opt->logits,
         "Logit rows computed: all (perplexity's work), last (a prompt's), none (a scan's)")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "last", "none"}));
  opt->output.add_options(cmd, false);
  cmd->callback([opt] {
    LoadedModel m = opt->model.load(false);
    m.check_length(opt->seq_len, "--seq-len");
    std::mt19937 rng(opt->seed);
    std::uniform_int_distribution<int32_t> token(0, int32_t(m.model.spec().vocab_size - 1));
    TokenIds ids(size_t(opt->seq_len));
    for (auto& id : ids) id = token(rng);

    const LogitRows rows = opt->logits == "all"    ? LogitRows::All
                           : opt->logits == "last" ? LogitRows::Last
                                                   : LogitRows::None;
    std::vector<double> seconds;
    for (int r = 0; r <= opt->repeats; ++r) {  // pass 0 warms up caches and page-ins
      Hooks hooks;
      MassiveScan scan(MassiveCriterion{});
      scan.attach(hooks);
      auto start = std::chrono::steady_clock::now();
      m.model.forward(ids, hooks, rows);
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      if (r > 0) seconds.push_back(took.count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    const double tokens_per_s = double(opt->seq_len) / median;

    json doc = result_document("massact.bench.forward", 1, command_line(), m.model);
    doc["protocol"] = {{"seq_len", opt->seq_len},
                       {"repeats", opt->repeats},
                       {"threads", num_threads()},
                       {"gemm", gemm_backend_name(gemm_backend())},
                       {"compute", compute_name(compute_mode())},
                       {"kernels", kernels_in_use()},
                       {"cpu", cpu_model_name()},
                       {"isa", cpu_vector_isa()},
                       {"hooks", "blocks.*.hook_resid_post observed by scan"},
                       {"logits", opt->logits}};
    doc["result"] = {{"seconds_median", median},
                     {"seconds_best", seconds.front()},
                     {"tokens_per_second", tokens_per_s},
                     {"peak_rss_mib", peak_rss_mib()}};
    opt->output.emit(doc, [&] {
      std::cout << "forward " << opt->seq_len << " tokens: " << format_number(median, 3)
                << " s median of " << opt->repeats << " (best " << format_number(seconds.front(), 3)
                << " s), " << format_number(tokens_per_s, 1) << " tokens/s, " << num_threads()
                << " threads, gemm " << gemm_backend_name(gemm_backend()) << ", compute "
                << compute_name(compute_mode()) << " (" << kernels_in_use() << "), logits "
                << opt->logits << ", peak RSS " << format_number(peak_rss_mib(), 1) << " MiB\n";
    });
  });
}

}  // namespace massact::cli
