#include "analysis/image_accuracy.h"

#include <algorithm>

#include "core/error.h"

namespace massact {

namespace {

int64_t registers_of(const Model& model) {
  const ModelSpec& s = model.spec();
  if (!s.vision || s.vision->n_registers == 0)
    throw_input_error(model.path(), ": Fix-Reg-Mean needs a model with register tokens");
  return s.vision->n_registers;
}

// The argmax of each image's logits against its class; hooks_for(image) gives its edits.
template <typename HooksFor>
AccuracyResult accuracy(const Model& model, const std::vector<StudyInput>& images,
                        HooksFor hooks_for, AccuracyResult result, const ProgressFn& progress) {
  const std::vector<int64_t> classes = image_classes(model, images);
  for (size_t i = 0; i < images.size(); ++i) {
    const Hooks hooks = hooks_for(images[i], result);
    const Tensor logits = model.forward_image(images[i].image_pixels(), hooks).logits;  // (labels,)
    const float* l = logits.f32();
    const int64_t best = std::max_element(l, l + logits.numel()) - l;
    result.correct += best == classes[i] ? 1 : 0;
    ++result.images;
    if (progress) progress(int64_t(i + 1), int64_t(images.size()));
  }
  return result;
}

}  // namespace

RegisterMeans register_means(const Model& model, const std::vector<StudyInput>& images,
                             const ProgressFn& progress) {
  const int64_t n = registers_of(model), d = model.spec().d_model;
  std::vector<std::vector<double>> sums(size_t(model.spec().n_layers),
                                        std::vector<double>(size_t(n * d), 0.0));
  for (size_t i = 0; i < images.size(); ++i) {
    Hooks hooks;
    hooks.observe("blocks.*.hook_resid_post", [&](const HookEvent& e, const Tensor& x) {
      const float* rows = x.f32() + d;  // the registers follow the class token
      for (int64_t j = 0; j < n * d; ++j) sums[size_t(e.layer)][size_t(j)] += rows[j];
    });
    run_input(model, images[i], hooks);
    if (progress) progress(int64_t(i + 1), int64_t(images.size()));
  }
  RegisterMeans means;
  for (const auto& sum : sums) {
    std::vector<float> mean;
    for (double total : sum) mean.push_back(float(total / double(images.size())));
    means.push_back(mean);
  }
  return means;
}

std::vector<int64_t> image_classes(const Model& model, const std::vector<StudyInput>& images) {
  if (!model.spec().vision || model.weights().vision.classifier.empty())
    throw_input_error(model.path(),
                      ": top-1 accuracy needs an image classifier (a *ForImageClassification "
                      "checkpoint); this one has none");
  const std::vector<std::string>& labels = model.spec().vision->labels;
  std::vector<int64_t> classes;
  for (const StudyInput& image : images) {
    const auto it = std::find(labels.begin(), labels.end(), image.label);
    if (image.label.empty() || it == labels.end())
      throw_input_error(image.source, ": label '", image.label,
                        "' is not one of the classifier's classes (id2label in config.json)");
    classes.push_back(it - labels.begin());
  }
  return classes;
}

AccuracyResult accuracy_with_intervention(const Model& model, const std::vector<StudyInput>& images,
                                          const InterventionSetup& setup,
                                          const ProgressFn& progress) {
  auto hooks_for = [&](const StudyInput& image, AccuracyResult& result) {
    Hooks hooks;
    if (setup.mode == Intervention::None) return hooks;
    hooks.edit("blocks." + std::to_string(setup.layer) + ".hook_resid_post",
               [&, roles = input_roles(model, image, nullptr)](const HookEvent&, Tensor& x) {
                 edit_massive_activations(x, setup, roles, result);
               });
    return hooks;
  };
  return accuracy(model, images, hooks_for, AccuracyResult{}, progress);
}

AccuracyResult accuracy_with_register_means(const Model& model,
                                            const std::vector<StudyInput>& images,
                                            const RegisterMeans& means,
                                            const ProgressFn& progress) {
  const int64_t n = registers_of(model), d = model.spec().d_model;
  auto hooks_for = [&](const StudyInput&, AccuracyResult& result) {
    Hooks hooks;
    hooks.edit("blocks.*.hook_resid_post", [&](const HookEvent& e, Tensor& x) {
      const std::vector<float>& mean = means.at(size_t(e.layer));
      std::copy(mean.begin(), mean.end(), x.f32() + d);  // rows 1..n: the registers
      result.edited += n;
    });
    return hooks;
  };
  return accuracy(model, images, hooks_for, AccuracyResult{}, progress);
}

}  // namespace massact
