// `massact bench gemm` measures every GEMM backend and names the one in use; `--gemm` chooses it
// for the whole process, and `bench forward` says which one ran.
#include <gtest/gtest.h>

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

TEST(BenchCommand, AnUnknownBackendIsAUsageError) {
  testing::CliResult r = run_cli({"--gemm", "mkl", "bench", "gemm"});
  EXPECT_EQ(r.code, 2);
  EXPECT_CONTAINS(r.err, "--gemm");
}

}  // namespace
}  // namespace massact
