// Result files appear whole or not at all: they are written under a temporary name in the same
// folder and renamed when complete. If the program is interrupted (SIGINT/SIGTERM) meanwhile, the
// temporary file is removed.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace massact {

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);
void write_text_file_atomically(const std::string& path, const std::string& text);

}  // namespace massact
