#include "io/atomic_file.h"

#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace massact {

namespace {

namespace fs = std::filesystem;

// The one temporary file being written, for the signal handler (which may only call unlink/_exit).
char g_pending_tmp[4096];

void remove_pending_and_exit(int sig) {
  if (g_pending_tmp[0]) unlink(g_pending_tmp);
  _exit(128 + sig);
}

// The signals that end the program by default and that it can catch: a closed terminal (SIGHUP)
// is an interruption like Ctrl-C or kill.
constexpr int kInterruptions[] = {SIGINT, SIGTERM, SIGHUP};

class PendingFile {
 public:
  explicit PendingFile(const std::string& tmp) {
    std::strncpy(g_pending_tmp, tmp.c_str(), sizeof g_pending_tmp - 1);
    for (size_t i = 0; i < std::size(kInterruptions); ++i)
      old_[i] = std::signal(kInterruptions[i], remove_pending_and_exit);
  }
  ~PendingFile() {
    for (size_t i = 0; i < std::size(kInterruptions); ++i) std::signal(kInterruptions[i], old_[i]);
    g_pending_tmp[0] = 0;
  }

 private:
  void (*old_[std::size(kInterruptions)])(int);
};

// Whether process `pid` is gone (a signal 0 reaches no process).
bool process_gone(pid_t pid) {
  return kill(pid, 0) != 0 && errno == ESRCH;
}

// Removes PATH.tmp.PID files whose writer is gone (killed by SIGKILL, or a crash); those of live
// processes, which may be writing, are left alone.
void remove_stale_temporaries(const fs::path& path) {
  const std::string prefix = path.filename().string() + ".tmp.";
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const std::string digits = name.substr(prefix.size());
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (process_gone(pid_t(std::stol(digits)))) fs::remove(it->path(), ec);
  }
}

}  // namespace

void check_output_path(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::exists(status) && !fs::is_regular_file(status))
    throw_input_error(path, ": not a regular file (a ",
                      fs::is_directory(status) ? "folder" : "device, pipe or socket",
                      "); results are written only to regular files");
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& write) {
  check_output_path(path);
  remove_stale_temporaries(path);
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
