// run_embedded (cli/common.h): a command run in-process on a lent model, as the Python module runs
// the studies. Its result must be the JSON that the command line prints, from the model it was
// lent (never a second load), with errors as exceptions carrying the command line's message.
#include <gtest/gtest.h>

#include "cli/common.h"
#include "cli/run_cli.h"
#include "core/error.h"
#include "test_paths.h"

namespace massact {
namespace {

using testing::run_cli;

TEST(EmbeddedRun, GivesTheJsonThatTheCommandLinePrints) {
  const std::string model = testing::fixture_dir("llama_f32");
  const cli::LoadedModel lent = cli::load_model(model, true);
  cli::EmbeddedRun run;
  run.model = &lent;
  int64_t progress_calls = 0;
  run.progress = [&](int64_t, int64_t) { ++progress_calls; };
  const std::vector<std::string> args{"profile", model, "--token-ids", "1,5,9,200,3", "--top", "4"};
  json got = cli::run_embedded(args, run);

  std::vector<std::string> typed = args;
  typed.push_back("--json");
  const auto want_run = run_cli(typed);
  ASSERT_EQ(want_run.code, 0) << want_run.err;
  json want = json::parse(want_run.out);
  EXPECT_EQ(got["command"], "massact profile " + model + " --token-ids 1,5,9,200,3 --top 4");
  got.erase("command");
  want.erase("command");
  EXPECT_EQ(got, want);
  EXPECT_GT(progress_calls, 0);  // the study's progress went to the callback, not to stderr
  EXPECT_EQ(cli::current_embedded_run(), nullptr);
}

TEST(EmbeddedRun, UsesTheLentModelNotThePath) {
  const cli::LoadedModel lent = cli::load_model(testing::fixture_dir("llama_f32"), true);
  cli::EmbeddedRun run;
  run.model = &lent;
  // The path is only what the result records: nothing is read from it.
  const json got = cli::run_embedded({"inspect", "/not/read"}, run);
  EXPECT_EQ(got["architecture"]["family"], "llama");
}

TEST(EmbeddedRun, BadOptionsAndInputAreInputErrorsWithTheCommandLinesMessage) {
  const std::string model = testing::fixture_dir("llama_f32");
  const cli::LoadedModel lent = cli::load_model(model, true);
  cli::EmbeddedRun run;
  run.model = &lent;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"scan", model, "--no-such-option", "3"},
        std::vector<std::string>{"profile", model, "--token-ids", "1,2", "--layer", "99"}}) {
    std::string message;
    try {
      cli::run_embedded(args, run);
    } catch (const InputError& e) {
      message = e.what();
    }
    const auto cli = run_cli(args);
    EXPECT_EQ(cli.code, 2);
    ASSERT_FALSE(message.empty()) << "no InputError for " << args[2];
    EXPECT_CONTAINS(cli.err, message);
    EXPECT_EQ(cli::current_embedded_run(), nullptr);  // cleared when the command throws
  }
}

}  // namespace
}  // namespace massact
