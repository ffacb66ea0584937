// The file parsers as the fuzz targets (tests/fuzz/fuzz_target.cpp) and the regression suite
// (tests/fuzz/regression_test.cpp) drive them: each entry takes a file's bytes, writes them where
// the parser expects its file, and parses it as the command line would, then uses the result a
// little (tokenizers encode and decode a sample text). A hostile file may make an entry throw
// InputError; anything else (another exception, a crash, a sanitizer report) is a bug.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace massact::fuzz {

struct ParserEntry {
  const char* name;       // the fuzz target and its corpus folder, e.g. "gguf_metadata"
  const char* file_name;  // what the bytes are written as, e.g. "model.gguf"
  void (*run)(const std::string& path);
};

const std::vector<ParserEntry>& parser_entries();
const ParserEntry* find_parser_entry(std::string_view name);  // nullptr when unknown

// Writes `bytes` as entry.file_name into dir/entry.name/ and runs the entry on it.
void run_parser_entry(const ParserEntry& entry, std::string_view bytes, const std::string& dir);

}  // namespace massact::fuzz
