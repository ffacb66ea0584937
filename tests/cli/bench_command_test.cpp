// `massact bench gemm` measures every GEMM backend and names the one in use; `--gemm` chooses it
// for the whole process, and `bench forward` says which one ran and how fast its linear layers
// ran beside the machine's large GEMM.
#include <gtest/gtest.h>

#include <algorithm>

#include "cli/run_cli.h"
#include "io/json_file.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::run_cli;

TEST(BenchCommand, GemmRatesEveryBackendAndNamesTheOneInUse) {
  for (const std::string backend : {"onednn", "openblas"}) {
    testing::CliResult r = run_cli({"--gemm", backend, "bench", "gemm", "--tokens", "8",
                                    "--out-features", "16", "--in-features", "32", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_EQ(doc["result"]["backend"], backend);
    EXPECT_GT(doc["result"]["gflops"]["onednn"].get<double>(), 0.0);
    EXPECT_GT(doc["result"]["gflops"]["openblas"].get<double>(), 0.0);
    EXPECT_FALSE(doc["protocol"]["cpu"].get<std::string>().empty());
  }
}

TEST(BenchCommand, ForwardSaysWhichGemmRan) {
  testing::CliResult r =
      run_cli({"--gemm", "openblas", "bench", "forward", testing::fixture_dir("llama_f32"),
               "--seq-len", "4", "--repeats", "1", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["protocol"]["gemm"], "openblas");
}

TEST(BenchCommand, ForwardSetsItsLinearLayersBesideTheBestReferenceGemm) {
  testing::CliResult r =
      run_cli({"bench", "forward", testing::fixture_dir("llama_f32"), "--seq-len", "16",
               "--repeats", "1", "--reference-gemm", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json result = json::parse(r.out)["result"];
  const double share = result["linear_share_of_time"], rate = result["linear_gflops"];
  EXPECT_GT(share, 0.0);
  EXPECT_LE(share, 1.0);  // the linear layers are timed inside the pass
  double best = 0;
  for (const std::string backend : {"sgemm onednn", "sgemm openblas"}) {
    const double gflops = result["reference_gemm"]["gflops"][backend];
    EXPECT_GT(gflops, 0.0) << backend;
    best = std::max(best, gflops);
  }
  EXPECT_DOUBLE_EQ(result["reference_gemm"]["linear_share_of_best"].get<double>(), rate / best);
}

TEST(BenchCommand, AnUnknownBackendIsAUsageError) {
  testing::CliResult r = run_cli({"--gemm", "mkl", "bench", "gemm"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--gemm");
}

}  // namespace
}  // namespace massact
