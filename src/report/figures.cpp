#include "report/figures.h"

#include <cmath>
#include <sstream>

#include "report/gnuplot.h"
#include "report/table.h"

namespace massact {

namespace {

// A JSON number, or NaN (which gnuplot leaves undrawn) for null.
std::string value_or_nan(const json& v) {
  if (!v.is_number()) return "NaN";
  std::ostringstream out;
  out.precision(9);
  out << v.get<double>();
  return out.str();
}

// gnuplot's `set xtics (...)` from labels at 0, 1, 2, ...
std::string tic_labels(const std::vector<std::string>& labels) {
  std::string out = "(";
  for (size_t i = 0; i < labels.size(); ++i)
    out += (i ? ", " : "") + gnuplot_label(labels[i]) + " " + std::to_string(i);
  return out + ")";
}

// "first dim 400" -> 400; -1 when the text names no dim.
int64_t dim_of_place(const std::string& place) {
  const size_t at = place.rfind("dim ");
  return at == std::string::npos ? -1 : std::stoll(place.substr(at + 4));
}

std::string data_description(const json& doc) {
  const json& p = doc["protocol"];
  std::ostringstream out;
  if (on_images(doc)) {
    out << p["images"].get<int64_t>() << " image(s) of " << p.value("tokens_per_image", 0)
        << " tokens";
    if (p.contains("image_dir")) out << " from " << p["image_dir"].get<std::string>();
    return out.str();
  }
  out << p.value("sequences", 0) << " sequence(s) of " << p.value("tokens_per_sequence", 0)
      << " tokens";
  if (p.contains("text_file")) out << " from " << p["text_file"].get<std::string>();
  return out.str();
}

}  // namespace

bool on_images(const json& doc) {
  return doc.contains("protocol") && doc["protocol"].contains("images");
}

FigureFile draw_landscape(const std::string& dir, const Tensor& x,
                          const std::vector<std::string>& labels, int layer,
                          const std::vector<TokenDim>& massive, const std::string& input) {
  const int64_t T = x.dim(0), d = x.dim(1);
  std::ostringstream data, commands;
  for (int64_t t = 0; t < T; ++t)
    for (int64_t j = 0; j < d; ++j)
      data << t << " " << j << " " << std::fabs(x.f32()[t * d + j]) << "\n";
  commands
      << "set title " << gnuplot_label("layer " + std::to_string(layer + 1) + " output") << "\n"
      << "set xtics " << tic_labels(labels) << " rotate by 30 right offset 0,-0.5\n"
      << "set ylabel 'feature dim' rotate parallel\nset zlabel '|activation|' rotate parallel\n"
      << "set view 58, 28\nset xyplane 0\nset grid\nunset key\n";
  for (const TokenDim& m : massive) {
    const float v = std::fabs(x.f32()[m.token * d + m.dim]);
    commands << "set label " << gnuplot_label("dim " + std::to_string(m.dim)) << " at " << m.token
             << "," << m.dim << "," << v << " front offset 0.5,0.5 tc rgb '#b2182b'\n";
  }
  commands << "splot $data using 1:2:3 with impulses lw 1.5 lc rgb '#2166ac'\n";
  draw_figure(dir, "landscape", data.str(), commands.str(), 900, 620);
  return {"landscape", "Activation landscape of layer " + std::to_string(layer + 1) + " output",
          "|activation| of every (token, feature dim) of blocks." + std::to_string(layer) +
              ".hook_resid_post for the input " + input + "; massive activations labelled by dim."};
}

FigureFile draw_layer_profile(const std::string& dir, const json& profile,
                              const std::set<int64_t>& outlier_dims) {
  std::ostringstream data;
  for (const json& l : profile["result"]["layers"]) {
    data << l["layer"].get<int>() + 1;
    std::vector<std::string> marked;
    for (size_t k = 0; k < 3; ++k) {
      const bool present = k < l["top"].size();
      const json mean = present ? l["top"][k]["mean"] : json(nullptr);
      data << " " << value_or_nan(mean);
      const bool outlier =
          present && outlier_dims.count(dim_of_place(l["top"][k].value("usual_place", "")));
      marked.push_back(outlier ? value_or_nan(mean) : "NaN");
    }
    data << " " << value_or_nan(l["median"]["mean"]);
    for (const auto& m : marked) data << " " << m;
    data << "\n";
  }
  std::ostringstream commands;
  commands << "set logscale y\nset xlabel 'layer output'\nset ylabel '|activation|'\n"
           << "set xtics 1\nset mxtics 1\n"
           << "set grid\nset key outside right\n"
           << "plot $data u 1:2 w lp pt 7 lc rgb '#b2182b' t 'top 1', "
           << "'' u 1:3 w lp pt 7 lc rgb '#ef8a62' t 'top 2', "
           << "'' u 1:4 w lp pt 7 lc rgb '#fddbc7' t 'top 3', "
           << "'' u 1:5 w lp pt 5 lc rgb '#2166ac' t 'median', "
           << "'' u 1:6 w p pt 6 ps 2.2 lc rgb 'black' t 'on an outlier-feature dim', "
           << "'' u 1:7 w p pt 6 ps 2.2 lc rgb 'black' notitle, "
           << "'' u 1:8 w p pt 6 ps 2.2 lc rgb 'black' notitle\n";
  draw_figure(dir, "layer_profile", data.str(), commands.str());
  return {"layer_profile", "Largest activations per layer",
          "Top-1, top-2, top-3 and median |activation| of each layer output "
          "(blocks.*.hook_resid_post), mean over " +
              data_description(profile) +
              "; circled: a top value whose usual place is a feature dim large on most tokens "
              "(an outlier feature, not a massive activation)."};
}

FigureFile draw_attention_heatmap(const std::string& dir, const json& attention, int layer,
                                  bool probabilities) {
  const json& heatmap = attention["result"]["heatmap"];
  const json& matrix = heatmap[probabilities ? "head_mean_probs" : "head_mean_logits"][layer];
  std::vector<std::string> labels = heatmap["token_texts"].get<std::vector<std::string>>();
  // (T, T), nested or flattened row by row.
  const size_t T = labels.size();
  std::ostringstream data;
  for (size_t i = 0; i < T; ++i) {
    for (size_t j = 0; j < T; ++j)
      data << (j ? " " : "")
           << value_or_nan(matrix[0].is_array() ? matrix[i][j] : matrix[i * T + j]);
    data << "\n";
  }
  const std::string what = probabilities ? "probabilities" : "logits";
  const std::string name = "attention_" + what;
  std::ostringstream commands;
  commands << "set title "
           << gnuplot_label("layer " + std::to_string(layer + 1) + " attention " + what +
                            ", mean over heads")
           << "\n"
           << "set xtics " << tic_labels(labels) << " rotate by 60 right font ',8'\n"
           << "set ytics " << tic_labels(labels) << " font ',8'\n"
           << "set yrange [] reverse\nset xlabel 'key'\nset ylabel 'query'\n"
           << "set palette defined (0 '#f7fbff', 0.5 '#6baed6', 1 '#08306b')\nunset key\n"
           << "plot $data matrix with image\n";
  draw_figure(dir, name, data.str(), commands.str(), 760, 700);
  return {name, "Attention " + what + " of layer " + std::to_string(layer + 1),
          "Head-averaged attention " + what + " (blocks." + std::to_string(layer) + ".attn.hook_" +
              (probabilities ? "pattern" : "attn_scores") + ") of the first " +
              std::to_string(labels.size()) + " tokens of the first " +
              (on_images(attention)
                   ? "image (class token, registers, patches in row-major order); every query "
                     "sees every key."
                   : "sequence; masked (future) positions left blank.")};
}

FigureFile draw_attention_mass(const std::string& dir, const json& attention) {
  std::ostringstream data;
  for (const json& l : attention["result"]["layers"]) {
    double massive = 0, first = 0, rest = 0;
    for (const json& h : l["heads"]) {
      massive += h["on_massive"].get<double>();
      first += h["on_first"].get<double>();
      rest += h["on_rest"].get<double>();
    }
    const double n = double(l["heads"].size());
    data << l["layer"].get<int>() + 1 << " " << massive / n << " " << first / n << " " << rest / n
         << "\n";
  }
  const std::string first = on_images(attention) ? "the class token" : "the first token";
  std::ostringstream commands;
  commands << "set xtics 1\nset xlabel 'layer (attention)'\nset ylabel 'attention probability "
              "(mean over heads)'\n"
           << "set yrange [0:1]\nset grid\nset key outside right\n"
           << "plot $data u 1:2 w lp pt 7 lc rgb '#b2182b' t 'on massive tokens', "
           << "'' u 1:3 w lp pt 9 lc rgb '#ef8a62' t " << gnuplot_label("on " + first) << ", "
           << "'' u 1:4 w lp pt 5 lc rgb '#2166ac' t 'on the rest'\n";
  draw_figure(dir, "attention_mass", data.str(), commands.str());
  return {"attention_mass", "Where attention goes, per layer",
          "Attention probability that queries after the first " +
              std::to_string(attention["protocol"].value("burn_in", 0)) +
              " tokens put on tokens with a massive activation in the previous layer's output, "
              "on " +
              first + ", and on the rest; mean over heads and " + data_description(attention) +
              "."};
}

FigureFile draw_value_updates(const std::string& dir, const json& decompose) {
  std::ostringstream data;
  for (const json& h : decompose["result"]["heads"])
    data << h["head"].get<int>() << " " << value_or_nan(h["mean_pairwise_cosine"]) << " "
         << value_or_nan(h["norm_massive"]) << " " << value_or_nan(h["norm_rest"]) << "\n";
  std::ostringstream commands;
  commands << "set multiplot layout 1,2\nset xlabel 'head'\nset grid\nset style fill solid 0.8\n"
           << "set boxwidth 0.7\nset yrange [-1:1]\nset title 'cosine between value updates from "
              "massive tokens'\nplot $data u 1:2 w boxes lc rgb '#b2182b' notitle\n"
           << "set yrange [0:*]\nset title 'size of the value update'\nset boxwidth 0.35\n"
           << "plot $data u ($1-0.18):3 w boxes lc rgb '#b2182b' t 'from massive tokens', "
           << "'' u ($1+0.18):4 w boxes lc rgb '#2166ac' t 'from the rest'\nunset multiplot\n";
  draw_figure(dir, "value_updates", data.str(), commands.str(), 1000, 440);
  const int layer = decompose["protocol"].value("layer", 0);
  return {"value_updates",
          "Value updates from massive tokens in layer " + std::to_string(layer + 1) + " attention",
          "Eq. 2: for each head of blocks." + std::to_string(layer) + ".attn" +
              ", the mean pairwise cosine over queries of u_C, the value update from the tokens "
              "with massive activations, and the mean norms of u_C and of the rest's update; " +
              data_description(decompose) + "."};
}

}  // namespace massact
