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

// A bad value as an error message quotes it: whole when short, else its first `max_bytes` bytes
// and how long it was, so that a 1 MB argument or line does not become a 1 MB message.
inline std::string short_quote(const std::string& value, size_t max_bytes = 64) {
  if (value.size() <= max_bytes) return "'" + value + "'";
  return str_cat("'", value.substr(0, max_bytes), "...' (", value.size(), " bytes)");
}

// Usage: throw_input_error(path, ": field 'hidden_size': expected a positive integer, got ", v);
template <class... Args>
[[noreturn]] void throw_input_error(const Args&... args) {
  throw InputError(str_cat(args...));
}

}  // namespace massact
