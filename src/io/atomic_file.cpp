#include "io/atomic_file.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace massact {

namespace {

// The one temporary file being written, for the signal handler (which may only call unlink/_exit).
char g_pending_tmp[4096];

void remove_pending_and_exit(int sig) {
  if (g_pending_tmp[0]) unlink(g_pending_tmp);
  _exit(128 + sig);
}

class PendingFile {
 public:
  explicit PendingFile(const std::string& tmp) {
    std::strncpy(g_pending_tmp, tmp.c_str(), sizeof g_pending_tmp - 1);
    old_int_ = std::signal(SIGINT, remove_pending_and_exit);
    old_term_ = std::signal(SIGTERM, remove_pending_and_exit);
  }
  ~PendingFile() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
    g_pending_tmp[0] = 0;
  }

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

}  // namespace

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  PendingFile pending(tmp);
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw_input_error(path, ": cannot write (", std::strerror(errno), ")");
    write(out);
    out.flush();
    if (!out) throw_input_error(path, ": write failed (disk full?)");
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw_input_error(path, ": cannot rename the finished file into place: ", std::strerror(errno));
  }
}

void write_text_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, [&](std::ostream& out) { out << text; });
}

}  // namespace massact
