#include "cli/run_cli.h"

#include <gtest/gtest.h>

#include <iostream>

#include "cli/common.h"

namespace massact::testing {

CliResult run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "massact");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int code = cli::run(int(args.size()), argv.data());
  std::cout.flush();
  std::cerr.flush();
  CliResult r{code, ::testing::internal::GetCapturedStdout(),
              ::testing::internal::GetCapturedStderr()};
  return r;
}

}  // namespace massact::testing
