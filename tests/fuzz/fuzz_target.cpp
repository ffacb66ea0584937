// One libFuzzer target per parser entry, chosen at compile time by MASSACT_FUZZ_ENTRY (see
// tests/fuzz/CMakeLists.txt). InputError is the expected answer to a bad file; any other
// exception escapes and aborts, which libFuzzer reports as a crash with the input that caused it.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "fuzz/parser_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const massact::fuzz::ParserEntry* entry = [] {
    const auto* e = massact::fuzz::find_parser_entry(MASSACT_FUZZ_ENTRY);
    if (!e) {
      std::fprintf(stderr, "no parser entry named %s\n", MASSACT_FUZZ_ENTRY);
      std::abort();
    }
    return e;
  }();
  // Files are written under $TMPDIR, in a folder of this process.
  static const std::string dir =
      (std::filesystem::temp_directory_path() / ("massact-fuzz-" + std::to_string(getpid())))
          .string();
  try {
    massact::fuzz::run_parser_entry(*entry, {reinterpret_cast<const char*>(data), size}, dir);
  } catch (const massact::InputError&) {
  }
  return 0;
}
