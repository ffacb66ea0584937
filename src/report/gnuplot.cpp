#include "report/gnuplot.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"

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

void draw_figure(const std::string& dir, const std::string& name, const std::string& data,
                 const std::string& commands, int width, int height) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(dir) / name;
  const std::string script_path = base.string() + ".gp";
  {
    std::ofstream script(script_path);
    script << "$data << EOD\n"
           << data << "EOD\n"
           << "set terminal pngcairo size " << width << "," << height
           << " enhanced font 'DejaVu Sans,10'\n"
           << "set output " << gnuplot_string(base.string() + ".png") << "\n"
           << commands << "\n"
           << "set terminal svg size " << width << "," << height
           << " enhanced font 'DejaVu Sans,10' background '#ffffff'\n"
           << "set output " << gnuplot_string(base.string() + ".svg") << "\n"
           << commands << "\n"  // drawn again: replot cannot redraw a multiplot
           << "unset output\n";
    if (!script) throw_input_error(script_path, ": cannot write the figure's gnuplot script");
  }
  std::string quoted_path = "'";  // for the shell: inside single quotes, ' becomes '\''
  for (char c : script_path) quoted_path += c == '\'' ? std::string("'\\''") : std::string(1, c);
  const std::string command = "gnuplot " + quoted_path + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw_input_error("figure '", name, "': cannot start gnuplot");
  std::string messages;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) messages += buffer;
  const int status = pclose(pipe);
  if (!WIFEXITED(status) || WEXITSTATUS(status) == 127)
    throw_input_error("figure '", name,
                      "': gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)");
  if (WEXITSTATUS(status) != 0 || !fs::exists(base.string() + ".png") ||
      !fs::exists(base.string() + ".svg"))
    throw_input_error("figure '", name, "': gnuplot failed: ", messages.substr(0, 400));
}

}  // namespace massact
