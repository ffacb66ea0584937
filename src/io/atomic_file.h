// Result files appear whole or not at all: they are written under a temporary name in the same
// folder (PATH.tmp.PID) and renamed when complete. If the program is interrupted (SIGINT, SIGTERM,
// SIGHUP) meanwhile, the temporary file is removed; one left by a process that was killed
// outright is removed by the next write to the same path, once that process is gone.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace massact {

// InputError unless `path` is a regular file or does not exist yet: the rename would replace a
// device node, a folder or a pipe with a regular file.
void check_output_path(const std::string& path);

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write);
void write_text_file_atomically(const std::string& path, const std::string& text);

}  // namespace massact
