#include "report/gnuplot.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "core/error.h"
#include "io/atomic_file.h"

namespace massact {

std::string gnuplot_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out + "\"";
}

std::string gnuplot_label(const std::string& text) {
  // Enhanced text treats these as markup (sub/superscript, braces, font, overprint, escape); a
  // backslash before one, itself escaped inside the double-quoted string, prints it as it is.
  std::string plain;
  for (char c : text) {
    if (std::string("_^{}@&~\\").find(c) != std::string::npos) plain += '\\';
    plain += c;
  }
  return gnuplot_string(plain);
}

namespace {

std::string shell_quote(const std::string& text) {
  std::string out = "'";  // inside single quotes, ' becomes '\''
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `gnuplot SCRIPT` in `dir`; InputError naming the figure when it is missing or fails.
void run_gnuplot(const std::filesystem::path& dir, const std::string& script,
                 const std::string& name) {
  const std::string command = "cd " + shell_quote(dir.string()) + " && gnuplot " + script + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw_input_error("figure '", name, "': cannot start gnuplot");
  std::string messages;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) messages += buffer;
  const int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
    throw_input_error("figure '", name,
                      "': gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)");
  if (WEXITSTATUS(status) != 0)
    throw_input_error("figure '", name, "': gnuplot failed: ", messages.substr(0, 400));
}

}  // namespace

void draw_figure(const std::string& dir, const std::string& name, const std::string& data,
                 const std::string& commands, int width, int height) {
  namespace fs = std::filesystem;
  // gnuplot draws in a folder of this process's own, and each file then appears in `dir` whole
  // (write_text_file_atomically), so an interrupted report leaves no half-drawn figure there.
  const fs::path work = fs::temp_directory_path() / ("massact-figure-" + std::to_string(getpid()));
  fs::create_directories(work);
  std::ostringstream script;
  script << "$data << EOD\n"
         << data << "EOD\n"
         << "set terminal pngcairo size " << width << "," << height
         << " enhanced font 'DejaVu Sans,10'\n"
         << "set output " << gnuplot_string(name + ".png") << "\n"
         << commands << "\n"
         << "set terminal svg size " << width << "," << height
         << " enhanced font 'DejaVu Sans,10' background '#ffffff'\n"
         << "set output " << gnuplot_string(name + ".svg") << "\n"
         << commands << "\n"  // drawn again: replot cannot redraw a multiplot
         << "unset output\n";
  std::ofstream(work / (name + ".gp")) << script.str();
  run_gnuplot(work, name + ".gp", name);
  for (const char* extension : {".png", ".svg", ".gp"}) {
    const fs::path drawn = work / (name + extension);
    if (!fs::is_regular_file(drawn))
      throw_input_error("figure '", name, "': gnuplot wrote no ", extension, " file");
    write_text_file_atomically((fs::path(dir) / (name + extension)).string(), read_bytes(drawn));
  }
  fs::remove_all(work);
}

}  // namespace massact
