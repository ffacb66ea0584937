// The paper's figures, drawn from massact's own results (the studies' JSON documents) with
// gnuplot: each function writes DIR/NAME.png, .svg and .gp and returns what the page shows.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/json_file.h"

namespace massact {

struct FigureFile {
  std::string name;     // file stem inside the report folder
  std::string title;    // what it shows
  std::string caption;  // what was measured and how
};

// Whether a study's result document ran on images (its protocol counts images, not sequences).
bool on_images(const json& doc);

struct TokenDim {
  int64_t token, dim;
};

// Figure 1: |activation| over (tokens x dims) of one layer output, massive pairs labelled.
// x: (T, d_model); labels: the T token texts.
FigureFile draw_landscape(const std::string& dir, const Tensor& x,
                          const std::vector<std::string>& labels, int layer,
                          const std::vector<TokenDim>& massive, const std::string& input);

// Figure 2: top-1/2/3 and median |activation| per layer (log scale), from `massact profile`;
// a top value whose usual place is one of `outlier_dims` is marked apart.
FigureFile draw_layer_profile(const std::string& dir, const json& profile,
                              const std::set<int64_t>& outlier_dims);

// Figure 4: head-averaged attention logits or probabilities of one layer (T x T, null where
// masked), from `massact attention`'s heatmap.
FigureFile draw_attention_heatmap(const std::string& dir, const json& attention, int layer,
                                  bool probabilities);

// Attention mass on massive tokens, on the first token (an image's class token) and on the rest,
// per layer (mean over heads), from `massact attention`.
FigureFile draw_attention_mass(const std::string& dir, const json& attention);

// Eq. 2: mean pairwise cosine of the value updates from massive tokens, and their size against the
// rest, per head, from `massact decompose`.
FigureFile draw_value_updates(const std::string& dir, const json& decompose);

}  // namespace massact
