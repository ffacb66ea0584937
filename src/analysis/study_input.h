// What a study runs a model on: a sequence of token ids, or, for a vision transformer, one image's
// pixel values. Either way the study sees hook points over a token axis; this file says how to run
// an input and what each of its tokens is (a role and a short label), so that each study is
// written once for text and images.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "analysis/token_roles.h"
#include "core/tensor.h"
#include "model/model.h"
#include "vision/image_processor.h"

namespace massact {

using TokenTextFn = std::function<std::string(int32_t)>;

// An image is either its pixels, held, or its file with the processor that turns it into pixels
// each time it is used, so that a study over a large folder holds one image at a time.
struct StudyInput {
  TokenIds ids;        // text; empty for an image
  Tensor pixels;       // (C, H, W) preprocessed pixel values, when held
  std::string source;  // the image's file ("" for text)
  std::string label;   // the image's class when its folder is labelled, else ""
  std::shared_ptr<const ImageProcessorConfig> processor;  // reads `source` when pixels are not held
  bool is_image() const { return !pixels.empty() || processor != nullptr; }
  // (C, H, W): the held pixels, or `source` read and preprocessed now.
  Tensor image_pixels() const;
};

// Token sequences as study inputs.
std::vector<StudyInput> text_inputs(const std::vector<TokenIds>& sequences);

// Runs the model on the input: forward() without logits, or forward_image().
void run_input(const Model& model, const StudyInput& input, const Hooks& hooks);
// The length of the input's token axis.
int64_t input_length(const Model& model, const StudyInput& input);
// Each token's role: token_roles() for text, the image_token_places() roles for an image.
std::vector<TokenRole> input_roles(const Model& model, const StudyInput& input,
                                   const TokenTextFn& text_of);
// Every token for a table: its text, or "cls", "register 2", "patch (3, 4)" (an image is read
// once for all of them).
std::vector<std::string> input_token_labels(const Model& model, const StudyInput& input,
                                            const TokenTextFn& text_of);
// What `count` inputs of the kind of `input` are called in a sentence: "1 sequence", "6 images";
// the noun alone ("images") with count < 0.
std::string inputs_noun(const StudyInput& input, int64_t count = -1);
// The places of an image input's tokens (InputError for text, which has none).
std::vector<ImageTokenPlace> input_places(const Model& model, const StudyInput& input);

}  // namespace massact
