#include "test_paths.h"

#include <cstdlib>
#include <filesystem>

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

std::string temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / "massact_tests" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected \"" << part << "\" in: \"" << text << "\"";
}

}  // namespace massact::testing
