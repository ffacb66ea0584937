// Errors that carry their context. massact distinguishes two kinds of failure:
//   InputError: the user's input is wrong (a file, a field, an option); the CLI exits with code 2
//   and
//               prints the message, which names the file or option, the field and what was
//               expected.
//   anything else (std::exception): a bug in massact; the CLI exits with code 1.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace massact {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

// A bad value as an error message quotes it: at most the first `max` bytes, then how long it was,
// so that a megabyte line does not become a megabyte message.
inline std::string quote_prefix(const std::string& text, size_t max = 80) {
  if (text.size() <= max) return text;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole chars
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

// quote_prefix in single quotes, for arguments: 'value' or 'its first 64 bytes... (N bytes)'.
inline std::string short_quote(const std::string& value, size_t max_bytes = 64) {
  return "'" + quote_prefix(value, max_bytes) + "'";
}

// Usage: throw_input_error(path, ": field 'hidden_size': expected a positive integer, got ", v);
template <class... Args>
[[noreturn]] void throw_input_error(const Args&... args) {
  throw InputError(str_cat(args...));
}

}  // namespace massact
