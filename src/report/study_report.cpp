#include "report/study_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <optional>
#include <sstream>

#include "io/atomic_file.h"
#include "report/html.h"
#include "report/table.h"

namespace massact {

namespace {

// `digits` significant digits, without trailing zeros: 5359.4, 69950, 0.077.
std::string sig(double v, int digits = 5) {
  std::ostringstream out;
  out << std::setprecision(digits) << v;
  return out.str();
}

std::string layer_output(int layer) {
  return "layer " + std::to_string(layer + 1) + " output";
}

std::string percent_change(double from, double to) {
  const double p = 100.0 * (to - from) / from;
  return (p >= 0 ? "+" : "") + sig(p, 3) + "%";
}

// The stats rows of one layer, largest mean magnitude first.
std::vector<json> massive_rows(const json& stats, int layer) {
  std::vector<json> rows;
  for (const json& r : stats["result"]["massive"])
    if (r["layer"].get<int>() == layer) rows.push_back(r);
  std::sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return std::fabs(a["mean"].get<double>()) > std::fabs(b["mean"].get<double>());
  });
  return rows;
}

std::string where_massive(const std::vector<json>& rows, const std::set<int64_t>& outliers) {
  std::map<int64_t, std::vector<std::string>> by_dim;  // dim -> "role (mean ± std)"
  for (const json& r : rows) {
    if (outliers.count(r["dim"].get<int64_t>())) continue;
    by_dim[r["dim"].get<int64_t>()].push_back(r["role"].get<std::string>() + " token " +
                                              sig(r["mean"].get<double>()) + " ± " +
                                              sig(r["std"].get<double>(), 3));
  }
  std::string out;
  for (const auto& [dim, places] : by_dim) {
    out += (out.empty() ? "" : "; ") + std::string("dim ") + std::to_string(dim) + ": ";
    for (size_t i = 0; i < places.size(); ++i) out += (i ? ", " : "") + places[i];
  }
  return out;
}

// "10 sequences" or "6 images": what a study ran on.
std::string inputs_of(const json& doc) {
  return on_images(doc) ? std::to_string(doc["protocol"]["images"].get<int64_t>()) + " images"
                        : std::to_string(doc["protocol"].value("sequences", 0)) + " sequences";
}

std::string percent(double fraction) {
  return sig(100.0 * fraction, 3) + "%";
}

// What intervene found, in one sentence: perplexity for text, top-1 accuracy for images; none
// when it did not run or lacks a mode.
std::optional<std::string> intervene_verdict(const json& intervene) {
  if (intervene.is_null()) return std::nullopt;
  const bool images = on_images(intervene);
  std::map<std::string, double> value;
  for (const json& r : intervene["result"]["rows"])
    value[r["mode"].get<std::string>()] = r[images ? "top1" : "perplexity"].get<double>();
  if (!value.count("original") || !value.count("zero") || !value.count("mean")) return std::nullopt;
  const std::string where = "Setting the massive activations of " +
                            layer_output(intervene["protocol"]["layer"].get<int>()) +
                            " to zero moves ";
  if (!images)
    return where + "perplexity from " + sig(value["original"]) + " to " + sig(value["zero"]) +
           " (" + percent_change(value["original"], value["zero"]) +
           "); setting them to their means gives " + sig(value["mean"]) + " (" +
           percent_change(value["original"], value["mean"]) + ").";
  std::string out = where + "top-1 accuracy over " + inputs_of(intervene) + " from " +
                    percent(value["original"]) + " to " + percent(value["zero"]) +
                    "; setting them to their means gives " + percent(value["mean"]);
  if (value.count("fix-reg-mean"))
    out += "; replacing every register token by its mean at every layer (Fix-Reg-Mean) gives " +
           percent(value["fix-reg-mean"]);
  return out + ".";
}

double mean_over_heads(const json& layer, const char* key) {
  double sum = 0;
  for (const json& h : layer["heads"]) sum += h[key].get<double>();
  return layer["heads"].empty() ? NAN : sum / double(layer["heads"].size());
}

// Table 3: perplexity (text) or top-1 accuracy (images) per intervention; or why it did not run.
void write_intervene_table(HtmlPage& page, const StudyDocuments& docs) {
  const json& intervene = docs.intervene;
  if (intervene.is_null()) {
    page.paragraph("Table 3 (top-1 accuracy with the massive activations edited) did not run: " +
                   docs.intervene_skipped + ".");
    return;
  }
  const std::string layer = layer_output(intervene["protocol"]["layer"].get<int>());
  std::vector<std::vector<std::string>> rows;
  if (on_images(intervene)) {
    for (const json& r : intervene["result"]["rows"])
      rows.push_back({r["mode"].get<std::string>(), percent(r["top1"].get<double>()),
                      std::to_string(r["correct"].get<int64_t>()) + "/" +
                          std::to_string(r["images"].get<int64_t>()),
                      std::to_string(r["edited"].get<int64_t>())});
    page.table({"massive activations", "top-1 accuracy", "correct", "edited"}, rows,
               "Table 3: top-1 accuracy over " + inputs_of(intervene) +
                   " with the massive activations of " + layer +
                   " untouched, zeroed and set to their calibration means, and (fix-reg-mean, "
                   "for a model with registers) every register token replaced by its mean at "
                   "every layer (intervene.json).");
    return;
  }
  for (const json& r : intervene["result"]["rows"])
    rows.push_back({r["mode"].get<std::string>(), format_number(r["perplexity"].get<double>()),
                    std::to_string(r["edited"].get<int64_t>()),
                    std::to_string(r["windows"].get<int64_t>())});
  page.table({"massive activations", "perplexity", "edited", "windows"}, rows,
             "Table 3: perplexity with the massive activations of " + layer +
                 " untouched, zeroed and set to their calibration means, windows of " +
                 std::to_string(intervene["protocol"]["seq_len"].get<int64_t>()) +
                 " tokens (intervene.json).");
}

}  // namespace

std::set<int64_t> outlier_feature_dims(const StudyDocuments& docs) {
  std::set<int64_t> dims;
  if (docs.profile["result"].contains("outlier_features"))
    for (const json& f : docs.profile["result"]["outlier_features"])
      dims.insert(f["dim"].get<int64_t>());
  return dims;
}

std::vector<std::string> study_verdict(const StudyDocuments& docs) {
  std::vector<std::string> out;
  const json& profile = docs.profile["result"];
  const std::set<int64_t> outliers = outlier_feature_dims(docs);
  if (!profile["first_layer"].is_number()) {
    out.push_back("No activation met the criterion (|value| > " +
                  sig(docs.profile["protocol"]["criterion"]["min_magnitude"].get<double>()) +
                  " and > " +
                  sig(docs.profile["protocol"]["criterion"]["min_ratio"].get<double>()) +
                  " x the layer's median) in any layer output: this model shows no massive "
                  "activations on this data.");
    return out;
  }
  const int first = profile["first_layer"].get<int>(), last = profile["last_layer"].get<int>();
  out.push_back("Massive activations appear in " + layer_output(first) + " and last through " +
                layer_output(last) + " (of " + std::to_string(profile["layers"].size()) + ").");
  const json& at_first = profile["layers"][size_t(first)];
  out.push_back(
      "There the largest magnitude is " + sig(at_first["top"][0]["mean"].get<double>(), 5) + " (" +
      at_first["top"][0].value("usual_place", std::string("?")) + "), against a median of " +
      sig(at_first["median"]["mean"].get<double>(), 3) + ": " +
      sig(at_first["top"][0]["mean"].get<double>() / at_first["median"]["mean"].get<double>(), 4) +
      " times.");
  const auto rows = massive_rows(docs.stats, first);
  if (!rows.empty())
    out.push_back("Where, and how constant over " + inputs_of(docs.stats) +
                  " (mean ± std): " + where_massive(rows, outliers) + ".");
  if (!outliers.empty()) {
    std::string dims;
    for (int64_t d : outliers) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
    out.push_back("Feature dim(s) " + dims +
                  " meet the criterion on most tokens: outlier features, kept apart from the "
                  "massive activations.");
  }
  if (const auto sentence = intervene_verdict(docs.intervene)) out.push_back(*sentence);
  double mass = 0;
  int layers = 0;
  for (const json& l : docs.attention["result"]["layers"])
    if (l["layer"].get<int>() > first) {
      mass += mean_over_heads(l, "on_massive");
      ++layers;
    }
  if (layers > 0)
    out.push_back("In the " + std::to_string(layers) +
                  " layers after the one where they appear, heads put on average " +
                  sig(100.0 * mass / layers, 3) +
                  "% of their attention on the tokens that carry them.");
  double cosine = 0;
  int heads = 0;
  for (const json& h : docs.decompose["result"]["heads"])
    if (h["mean_pairwise_cosine"].is_number()) {
      cosine += h["mean_pairwise_cosine"].get<double>();
      ++heads;
    }
  if (heads > 0)
    out.push_back(
        "In layer " + std::to_string(docs.decompose["protocol"]["layer"].get<int>() + 1) +
        " attention the value updates from those tokens point the same way for every query "
        "(mean pairwise cosine " +
        sig(cosine / heads, 4) + " over " + std::to_string(heads) +
        " heads): an implicit attention bias.");
  return out;
}

void write_study_report(const std::string& dir, const StudyDocuments& docs,
                        const FigureFile& landscape) {
  const json& model = docs.profile["model"];
  HtmlPage page("Massive activations in " +
                std::filesystem::path(model["path"].get<std::string>()).filename().string());
  page.paragraph(model["type"].get<std::string>() + ", " +
                 std::to_string(model["layers"].get<int>()) + " layers, d_model " +
                 std::to_string(model["d_model"].get<int64_t>()) + ", " +
                 format_number(double(model["parameters"].get<int64_t>()) / 1e6, 4) +
                 "M parameters, weights " + model["dtype"].get<std::string>() + "; " +
                 model["path"].get<std::string>() + ".");
  page.heading("What the results show");
  page.list(study_verdict(docs));

  page.heading("Where they are");
  page.figure(landscape);
  page.figure(draw_layer_profile(dir, docs.profile, outlier_feature_dims(docs)));
  const json& profile = docs.profile["result"];
  const int top_layer = profile["top_view_layer"].get<int>();
  std::vector<std::vector<std::string>> top_rows;
  const json& tops = profile["layers"][size_t(top_layer)]["top"];
  for (size_t k = 0; k < tops.size(); ++k)
    top_rows.push_back({"top " + std::to_string(k + 1),
                        format_number(tops[k]["mean"].get<double>(), 5),
                        format_number(tops[k]["std"].get<double>(), 3),
                        tops[k].value("usual_place", std::string("-"))});
  top_rows.push_back(
      {"median",
       format_number(profile["layers"][size_t(top_layer)]["median"]["mean"].get<double>(), 4),
       format_number(profile["layers"][size_t(top_layer)]["median"]["std"].get<double>(), 3), "-"});
  page.table({"rank", "|activation| mean", "std", "usual place (token role, dim)"}, top_rows,
             "Table 1: the largest magnitudes of " + layer_output(top_layer) +
                 ", mean and std over the sequences (profile.json).");

  page.heading("They are input-agnostic");
  std::vector<std::vector<std::string>> stat_rows;
  for (const json& r : docs.stats["result"]["massive"])
    stat_rows.push_back(
        {layer_output(r["layer"].get<int>()), std::to_string(r["dim"].get<int64_t>()),
         r["role"].get<std::string>(), format_number(r["mean"].get<double>(), 5),
         format_number(r["std"].get<double>(), 3), format_number(r["min"].get<double>(), 5),
         format_number(r["max"].get<double>(), 5), std::to_string(r["count"].get<int64_t>())});
  page.table({"layer", "dim", "token role", "mean", "std", "min", "max", "count"}, stat_rows,
             "Table 2: every massive (layer, dim, token role) over the sequences (stats.json).");

  page.heading("They act as biases");
  write_intervene_table(page, docs);

  page.heading("Attention concentrates on them");
  page.figure(draw_attention_mass(dir, docs.attention));
  const int heat_layer =
      std::min<int>(profile["first_layer"].is_number() ? profile["first_layer"].get<int>() + 1 : 0,
                    int(docs.attention["result"]["heatmap"]["head_mean_probs"].size()) - 1);
  page.figure(draw_attention_heatmap(dir, docs.attention, heat_layer, false));
  page.figure(draw_attention_heatmap(dir, docs.attention, heat_layer, true));
  page.figure(draw_value_updates(dir, docs.decompose));
  if (docs.decompose["result"].contains("implicit_bias")) {
    std::vector<std::vector<std::string>> bias_rows;
    for (const json& r : docs.decompose["result"]["implicit_bias"])
      bias_rows.push_back(
          {r["u_C"].get<std::string>(), format_number(r["perplexity"].get<double>())});
    page.table({"value update from massive tokens", "perplexity"}, bias_rows,
               "The implicit-bias test: perplexity with each head's u_C as computed, fixed to its "
               "mean, or removed (decompose.json).");
  }
  if (on_images(docs.profile))
    page.paragraph(
        "Perplexity (Table 3 of a language model's report) and the implicit-bias perplexity "
        "test do not apply here: a vision transformer predicts no next token. The same studies "
        "ran on " +
        inputs_of(docs.profile) + ", with token roles cls, register and patch.");
  page.paragraph(
      "Every number on this page comes from the JSON files beside it; each figure's "
      "gnuplot script (.gp) is there too.");
  write_text_file_atomically((std::filesystem::path(dir) / "index.html").string(), page.html());
}

}  // namespace massact
