#include "analysis/study_input.h"

#include <stdexcept>

#include "core/error.h"
#include "vision/patches.h"

namespace massact {

Tensor StudyInput::image_pixels() const {
  if (!pixels.empty() || !processor) return pixels;
  return read_pixels(source, *processor);
}

std::vector<StudyInput> text_inputs(const std::vector<TokenIds>& sequences) {
  std::vector<StudyInput> inputs;
  for (const TokenIds& ids : sequences) inputs.push_back({ids, Tensor(), "", "", nullptr});
  return inputs;
}

void run_input(const Model& model, const StudyInput& input, const Hooks& hooks) {
  if (input.is_image())
    model.forward_image(input.image_pixels(), hooks);
  else
    model.forward(input.ids, hooks, LogitRows::None);
}

int64_t input_length(const Model& model, const StudyInput& input) {
  return input.is_image() ? model.image_tokens(input.image_pixels()) : int64_t(input.ids.size());
}

std::string inputs_noun(const StudyInput& input, int64_t count) {
  const std::string noun =
      std::string(input.is_image() ? "image" : "sequence") + (count == 1 ? "" : "s");
  return count < 0 ? noun : str_cat(count, " ", noun);
}

std::vector<ImageTokenPlace> input_places(const Model& model, const StudyInput& input) {
  if (!input.is_image()) throw_input_error("input: token places exist for images only");
  const Tensor pixels = input.image_pixels();         // (C, H, W)
  const int64_t tokens = model.image_tokens(pixels);  // checks the model reads images
  const VisionSpec& v = *model.spec().vision;
  const PatchGrid grid = patch_grid(pixels.dim(1), pixels.dim(2), v.patch_size);
  if (tokens != 1 + v.n_registers + grid.count())
    throw std::logic_error("input_places: the token count disagrees with the patch grid");
  return image_token_places(v.n_registers, grid.rows, grid.cols);
}

std::vector<TokenRole> input_roles(const Model& model, const StudyInput& input,
                                   const TokenTextFn& text_of) {
  if (!input.is_image()) return token_roles(input.ids, text_of);
  std::vector<TokenRole> roles;
  for (const ImageTokenPlace& place : input_places(model, input)) roles.push_back(place.role);
  return roles;
}

namespace {
std::string place_label(const ImageTokenPlace& place) {
  switch (place.role) {
    case TokenRole::Register:
      return str_cat("register ", place.index);
    case TokenRole::Patch:
      return str_cat("patch (", place.row, ", ", place.col, ")");
    default:
      return token_role_name(place.role);
  }
}
}  // namespace

std::vector<std::string> input_token_labels(const Model& model, const StudyInput& input,
                                            const TokenTextFn& text_of) {
  std::vector<std::string> labels;
  if (!input.is_image()) {
    for (int32_t id : input.ids) labels.push_back(text_of(id));
    return labels;
  }
  for (const ImageTokenPlace& place : input_places(model, input))
    labels.push_back(place_label(place));
  return labels;
}

}  // namespace massact
