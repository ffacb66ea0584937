// Atomic result files: a write that is interrupted leaves nothing behind, whether by SIGINT,
// SIGTERM or SIGHUP (a closed terminal); a temporary left by a process killed outright is removed
// by the next write to the same path once that process is gone; only regular files are written.
#include "io/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "test_paths.h"

namespace massact {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename());
  return names;
}

class Interrupted : public ::testing::TestWithParam<int> {};

// The signal arrives halfway through the write: the process ends with 128 + signal, and neither
// the temporary file nor the result exists.
TEST_P(Interrupted, LeavesNoFileBehind) {
  const int sig = GetParam();
  const std::string dir = testing::temp_dir();
  const std::string path = dir + "/result.json";
  EXPECT_EXIT(write_file_atomically(path,
                                    [sig](std::ostream& out) {
                                      out << "{\"half\":" << std::flush;
                                      std::raise(sig);
                                    }),
              ::testing::ExitedWithCode(128 + sig), "");
  EXPECT_TRUE(files_in(dir).empty());
}

INSTANTIATE_TEST_SUITE_P(Signals, Interrupted, ::testing::Values(SIGINT, SIGTERM, SIGHUP),
                         [](const auto& info) { return std::string(strsignal(info.param)); });

// A process id that no process has: a child that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

TEST(AtomicFile, RemovesTemporariesOfDeadWritersOnly) {
  const std::string dir = testing::temp_dir();
  const std::string path = dir + "/result.json";
  const std::string stale = path + ".tmp." + std::to_string(dead_pid());
  const std::string live = path + ".tmp." + std::to_string(getppid());  // our parent is alive
  const std::string other = dir + "/other.json.tmp." + std::to_string(dead_pid());
  for (const auto& f : {stale, live, other}) std::ofstream(f) << "partial";

  write_text_file_atomically(path, "{}\n");
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));  // another result's: not this write's business
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "{}\n");
}

TEST(AtomicFile, WritesOnlyRegularFiles) {
  for (const std::string& path : {std::string("/dev/null"), testing::temp_dir()}) {
    try {
      write_text_file_atomically(path, "{}");
      ADD_FAILURE() << "wrote over " << path;
    } catch (const InputError& e) {
      EXPECT_CONTAINS(e.what(), path + ": not a regular file");
    }
  }
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

}  // namespace
}  // namespace massact
