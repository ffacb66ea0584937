// Figures drawn by gnuplot (Debian's gnuplot-nox): one script, its data inline as a datablock,
// rendered twice, to DIR/NAME.png (cairo) and DIR/NAME.svg; the script stays beside them as
// DIR/NAME.gp, so that a reader can restyle a figure without rerunning the study. gnuplot draws 3D
// bars, log axes and labelled heatmaps from a few lines of commands, runs offline, and its SVG
// needs no script to show.
#pragma once

#include <string>

namespace massact {

// `data` becomes the datablock $data; `commands` draw it (a plot or splot that reads $data, with
// titles and axes set before). InputError naming the figure when gnuplot is missing or fails.
void draw_figure(const std::string& dir, const std::string& name, const std::string& data,
                 const std::string& commands, int width = 900, int height = 520);

// A gnuplot string literal of `text` as it is (file names).
std::string gnuplot_string(const std::string& text);
// The same for text drawn in enhanced mode (titles, tics, labels): its markup characters escaped,
// so that token texts print as they are.
std::string gnuplot_label(const std::string& text);

}  // namespace massact
