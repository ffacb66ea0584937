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

// Usage: throw_input_error(path, ": field 'hidden_size': expected a positive integer, got ", v);
template <class... Args>
[[noreturn]] void throw_input_error(const Args&... args) {
  throw InputError(str_cat(args...));
}

}  // namespace massact
