// massact bench forward MODEL --seq-len N [--logits all|last|none]: tokens/s of a forward pass
// with every layer's output observed by the scan (the study's hooks on), and the process's peak
// resident memory.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>

#include "analysis/scan.h"
#include "cli/common.h"
#include "kernels/threads.h"
#include "report/result_json.h"
#include "report/table.h"

namespace massact::cli {

namespace {
double peak_rss_mib() {
  struct rusage usage {};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}
}  // namespace

void add_bench_command(CLI::App& app) {
  struct Options {
    std::string model;
    int64_t seq_len = 512;
    int repeats = 3;
    uint32_t seed = 0;
    std::string logits = "all";
    JsonOutput output;
  };
  auto opt = std::make_shared<Options>();
  auto* bench = app.add_subcommand("bench", "Benchmarks");
  bench->require_subcommand(1);
  auto* cmd =
      bench->add_subcommand("forward", "Tokens/s of an instrumented forward pass, and peak RSS");
  add_model_argument(cmd, opt->model);
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
    LoadedModel m = load_model(opt->model, false);
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
                << " threads, logits " << opt->logits << ", peak RSS "
                << format_number(peak_rss_mib(), 1) << " MiB\n";
    });
  });
}

}  // namespace massact::cli
