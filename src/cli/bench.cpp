// massact bench forward MODEL --seq-len N [--logits all|last|none]: tokens/s of a forward pass
// with every layer's output observed by the scan (the study's hooks on), the process's peak
// resident memory, and the share and rate of the linear layers within the pass (with
// --reference-gemm, beside the large GEMM's rate measured between the passes).
// massact bench gemm: the GFLOP/s of each GEMM backend on this CPU.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <random>

#include "analysis/scan.h"
#include "cli/common.h"
#include "core/dtype.h"
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

// GFLOP/s of `run`, a product of `flops` floating-point operations: the best of `rounds` runs of
// at least `seconds` each.
double best_gflops(double flops, const std::function<void()>& run, int rounds, double seconds) {
  double best = INFINITY;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    int calls = 0;
    std::chrono::duration<double> took{};
    do {
      run();
      ++calls;
      took = std::chrono::steady_clock::now() - start;
    } while (took.count() < seconds);
    best = std::min(best, took.count() / calls);
  }
  return flops / best / 1e9;
}

// Random operands of the product a linear layer of `in` -> `out` features runs on `tokens` rows:
// (tokens, in) x (out, in)^T.
struct GemmOperands {
  int64_t tokens, out, in;
  std::vector<float> x, w, y;
  GemmOperands(int64_t tokens_, int64_t out_, int64_t in_)
      : tokens(tokens_),
        out(out_),
        in(in_),
        x(size_t(tokens * in)),
        w(size_t(out * in)),
        y(size_t(tokens * out)) {
    std::mt19937 rng(0);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    for (auto& v : x) v = uniform(rng);
    for (auto& v : w) v = uniform(rng);
  }
  double flops() const { return 2.0 * double(tokens * out * in); }
  void sgemm_once() {
    sgemm(Op::Transpose, tokens, out, in, 1.0f, x.data(), in, w.data(), in, 0.0f, y.data(), out);
  }
};

// The best of five runs of about 0.2 s, in GFLOP/s, of the current backend's SGEMM.
double sgemm_gflops(GemmOperands& g) {
  g.sgemm_once();  // JIT compilation and page faults
  return best_gflops(
      g.flops(), [&] { g.sgemm_once(); }, 5, 0.2);
}

// The large-matmul rates that `bench forward` sets its linear layers beside: 2048^3 through every
// SGEMM backend, or under --compute bf16 through every bf16 kernel this CPU has. Measured between
// the timed passes, so that the machine's state at the time hits both, and the best kept.
class ReferenceGemms {
 public:
  ReferenceGemms() : g_(2048, 2048, 2048) {
    if (compute_mode() == Compute::Bf16) {
      xb_.resize(g_.x.size());
      wb_.resize(g_.w.size());
      for (size_t i = 0; i < xb_.size(); ++i) xb_[i] = f32_to_bf16(g_.x[i]);
      for (size_t i = 0; i < wb_.size(); ++i) wb_[i] = f32_to_bf16(g_.w[i]);
    }
  }

  void measure() {
    if (compute_mode() == Compute::Bf16) {
      for (Bf16Kernel k : {Bf16Kernel::Widened, Bf16Kernel::OneDnn})
        if (k == Bf16Kernel::Widened || cpu_has_avx512bf16())
          keep("bf16 " + bf16_kernel_name(k), [&] {
            gemm_bf16(xb_.data(), wb_.data(), g_.tokens, g_.out, g_.in, g_.y.data(), g_.out, k);
          });
      return;
    }
    const GemmBackend chosen = gemm_backend();
    for (GemmBackend b : {GemmBackend::OneDnn, GemmBackend::OpenBlas}) {
      set_gemm_backend(b);
      keep("sgemm " + gemm_backend_name(b), [&] { g_.sgemm_once(); });
    }
    set_gemm_backend(chosen);
  }

  const std::map<std::string, double>& rates() const { return best_; }
  double best() const {
    double b = 0;
    for (const auto& [name, rate] : best_) b = std::max(b, rate);
    return b;
  }

 private:
  void keep(const std::string& name, const std::function<void()>& run) {
    run();  // JIT compilation and page faults
    double& best = best_[name];
    best = std::max(best, best_gflops(g_.flops(), run, 1, 0.1));
  }

  GemmOperands g_;
  std::vector<uint16_t> xb_, wb_;
  std::map<std::string, double> best_;
};

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
    GemmOperands operands(opt->tokens, opt->out, opt->in);
    json rates = json::object();
    for (GemmBackend b : {GemmBackend::OneDnn, GemmBackend::OpenBlas}) {
      set_gemm_backend(b);
      rates[gemm_backend_name(b)] = sgemm_gflops(operands);
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
    bool reference_gemm = false;
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
  cmd->add_flag("--reference-gemm", opt->reference_gemm,
                "After each timed pass, time a 2048^3 GEMM through every backend (every bf16 "
                "kernel under --compute bf16), and set the linear layers' rate beside the best");
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
    struct Pass {
      double seconds;
      LinearTally linear;  // the linear layers within the pass
    };
    std::vector<Pass> passes;
    // Created after the first timed pass, and the forward's peak RSS read before: the reference
    // GEMMs' operands take 48 MiB.
    std::optional<ReferenceGemms> reference;
    double peak_rss = 0;
    for (int r = 0; r <= opt->repeats; ++r) {  // pass 0 warms up caches and page-ins
      Hooks hooks;
      MassiveScan scan(MassiveCriterion{});
      scan.attach(hooks);
      reset_linear_tally();
      auto start = std::chrono::steady_clock::now();
      m.model.forward(ids, hooks, rows);
      std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      if (r == 0) continue;
      passes.push_back({took.count(), linear_tally()});
      if (!opt->reference_gemm) continue;
      if (!reference) {
        peak_rss = peak_rss_mib();
        reference.emplace();
      }
      reference->measure();
    }
    if (!reference) peak_rss = peak_rss_mib();
    std::sort(passes.begin(), passes.end(),
              [](const Pass& a, const Pass& b) { return a.seconds < b.seconds; });
    const Pass& median_pass = passes[passes.size() / 2];
    const double median = median_pass.seconds;
    const double tokens_per_s = double(opt->seq_len) / median;
    // The linear layers of the median pass: their share of its time, and their rate.
    const LinearTally& linear = median_pass.linear;
    const double linear_share = linear.seconds / median;
    const double linear_gflops = 2.0 * double(linear.multiply_adds) / linear.seconds * 1e-9;

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
    doc["result"] = {{"seconds_median", median},          {"seconds_best", passes.front().seconds},
                     {"tokens_per_second", tokens_per_s}, {"linear_share_of_time", linear_share},
                     {"linear_gflops", linear_gflops},    {"peak_rss_mib", peak_rss}};
    if (opt->reference_gemm)
      doc["result"]["reference_gemm"] = {
          {"shape", {2048, 2048, 2048}},
          {"gflops", reference->rates()},
          {"linear_share_of_best", linear_gflops / reference->best()}};
    opt->output.emit(doc, [&] {
      std::cout << "forward " << opt->seq_len << " tokens: " << format_number(median, 3)
                << " s median of " << opt->repeats << " (best "
                << format_number(passes.front().seconds, 3) << " s), "
                << format_number(tokens_per_s, 1) << " tokens/s, " << num_threads()
                << " threads, gemm " << gemm_backend_name(gemm_backend()) << ", compute "
                << compute_name(compute_mode()) << " (" << kernels_in_use() << "), logits "
                << opt->logits << ", peak RSS " << format_number(peak_rss, 1) << " MiB\n"
                << "linear layers: " << format_number(100 * linear_share, 1) << "% of the time, "
                << format_number(linear_gflops, 1) << " GFLOP/s";
      if (opt->reference_gemm) {
        std::cout << " = " << format_number(100 * linear_gflops / reference->best(), 0)
                  << "% of the best 2048^3 GEMM measured between the passes (";
        const char* sep = "";
        for (const auto& [name, rate] : reference->rates()) {
          std::cout << sep << name << " " << format_number(rate, 1) << " GFLOP/s";
          sep = ", ";
        }
        std::cout << ")";
      }
      std::cout << "\n";
    });
  });
}

}  // namespace massact::cli
