// Long studies report progress through this callback; the CLI prints it on stderr.
#pragma once

#include <cstdint>
#include <functional>

namespace massact {

using ProgressFn = std::function<void(int64_t done, int64_t total)>;

}  // namespace massact
