#include "test_paths.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace massact::testing {

namespace fs = std::filesystem;

std::string fixture_dir(const std::string& name) {
  return std::string(MASSACT_FIXTURES_DIR) + "/" + name;
}

std::string shared_data_dir() {
  const char* env = std::getenv("MASSACT_SHARED_DATA");
  std::string dir = env ? env : MASSACT_SHARED_DATA_DIR;
  return fs::is_directory(dir) ? fs::canonical(dir).string() : "";
}

std::string temp_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return temp_dir(std::string(info->test_suite_name()) + "." + info->name());
}

// ctest runs each test in its own process, two at a time with -j2, and tests of one suite share a
// folder name: each process gets a folder of its own, removed when it exits.
const fs::path& process_temp_root() {
  struct Root {
    fs::path path = fs::temp_directory_path() / ("massact_tests." + std::to_string(getpid()));
    ~Root() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  };
  static const Root root;
  return root.path;
}

std::string temp_dir(const std::string& name) {
  fs::path dir = process_temp_root() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected \"" << part << "\" in: \"" << text << "\"";
}

}  // namespace massact::testing
