// A tiny DINOv2-with-registers checkpoint, written by the test, with a massive activation planted
// where we know it: register token kRegister's learned embedding holds kValue in feature dim kDim,
// and nothing else puts anything in that dim (the rows of dim kDim in the patch embedding, the
// class and other register tokens, the positions and every block's output projections are zero).
// So every block's output holds exactly kValue at that register and 0 at every other token, in
// dim kDim, whatever the image: the paper's DINOv2-reg finding (PAPER.md section 6) in miniature.
//
// With a classifier (labels "a" and "b", ClsAndMean as Dinov2WithRegistersForImageClassification)
// the model says "a" exactly when the register carries its value. The classifier reads dim kDim
// against dim kDim + 1, which nothing writes at any token: the final LayerNorm (weight 1, bias 0
// in both) gives every token without the value the same -mean / std in both, a difference of 0,
// and the register about 3000 / std = sqrt(31) + 0.18 = 5.75 (one large entry among 32), so the
// mean difference over the 20 tokens after the class token is 0.29 with the value and 0 without,
// and logit("a") = 100 * difference - 14 against logit("b") = 0. Zeroing the activation flips
// every image to "b"; setting it to its mean, or the registers to their means (Fix-Reg-Mean),
// does not.
#pragma once

#include <string>

namespace massact::testing {

struct PlantedVit {
  static constexpr int64_t kRegister = 1;   // of 4 registers: token 1 + kRegister
  static constexpr int64_t kDim = 7;        // of 32 feature dims
  static constexpr float kValue = 3000.0f;  // far above 100 and 1000x any median here
  std::string dir;  // config.json, model.safetensors, preprocessor_config.json
};

// Writes the model into `parent`/planted_vit, or `parent`/planted_vit_cls with the classifier.
PlantedVit write_planted_vit(const std::string& parent, bool classifier = false);

// A folder of the committed fixture images (tests/fixtures/images) in class subfolders "a" and "b"
// (all in "a" with all_a), for --image-dir; returns its path inside `parent`.
std::string write_image_folder(const std::string& parent, bool all_a = false);

}  // namespace massact::testing
