// A choice among named alternatives read from an environment variable (MASSACT_GEMM, MASSACT_ISA,
// ...): the kernels a whole process runs, including the test suite, can be switched without a
// command-line option.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"

namespace massact {

// The choice whose name(choice) is the value of `variable`; `unset` when the variable is not set.
// InputError naming the variable, the names allowed and the value given otherwise. `where`
// qualifies the names (" on this CPU" where the CPU narrows them).
template <class Choice>
Choice choice_from_environment(const char* variable, Choice unset,
                               const std::vector<Choice>& choices, std::string (*name)(Choice),
                               const std::string& where = "") {
  const char* value = std::getenv(variable);
  if (value == nullptr) return unset;
  std::string expected;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (name(choices[i]) == value) return choices[i];
    expected += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + name(choices[i]);
  }
  throw InputError("environment variable " + std::string(variable) + ": expected " + expected +
                   where + ", got '" + std::string(value).substr(0, 40) + "'");
}

}  // namespace massact
