// Runs the massact command line in-process, as a user would from a shell.
#pragma once

#include <string>
#include <vector>

namespace massact::testing {

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

// `massact ARGS...`, with stdout and stderr captured.
CliResult run_cli(std::vector<std::string> args);

}  // namespace massact::testing
