// A tiny LLaMA checkpoint, written by the test, with massive activations planted where we know
// them: layer 0's attention writes nothing (o_proj = 0) and one MLP unit fires only on two trigger
// tokens, BOS and ".", writing a large value into feature dim kDim of the residual stream. Every
// later layer carries it on. Because the unit sees only the token's own embedding, the planted
// value of each trigger token is the same in every context: exactly the input-agnostic bias the
// paper describes.
//
// With `outlier_feature`, the model also carries an outlier feature, the other thing the criterion
// flags: a layer-0 MLP unit fed by an embedding dim that is 1 on every token writes a large value
// into dim kOutlierDim of every token, which every later layer carries on. The massive activations
// then appear one layer later, at layer 1 (its MLP holds the trigger unit; its attention is silent,
// so they stay input-agnostic), and the criterion flags the outlier feature first, at layer 0.
#pragma once

#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace massact::testing {

struct PlantedModel {
  static constexpr int64_t kDim = 7;  // the feature dim that carries the planted activations
  static constexpr int64_t kOutlierDim = 11;  // with outlier_feature: large on every token
  std::string dir;  // a model folder with config.json, model.safetensors, tokenizer
  int32_t bos = 1;
  int32_t period = 0;      // the token id of "."
  int massive_layer = 0;   // the first layer whose output holds the massive activations
  float bos_value = 0;     // layer 0 output at (BOS, kDim), from the weights (without outliers)
  float period_value = 0;  // layer 0 output at (".", kDim)

  // n sequences that start with BOS and hold "." at known places (9 + s and 25) among ordinary
  // tokens, 40 tokens each.
  std::vector<TokenIds> sequences(int n) const;
  // Token text for the studies' token roles: "." for the period, "wID" for the rest.
  std::string text_of(int32_t id) const;
};

// A text file of short sentences that the planted model's tokenizer reads, for the CLI's
// --text-file; returns its path inside `dir`.
std::string write_planted_text(const std::string& dir);

// Writes the model into a fresh folder of `parent`; uses the llama_f32 fixture's tokenizer.
PlantedModel write_planted_model(const std::string& parent, bool outlier_feature = false);

}  // namespace massact::testing
