// The paper's ViT experiments (PAPER.md section 6): the top-1 accuracy of a vision transformer's
// classifier over labelled images, unedited; with the massive activations of one layer's output set
// to zero or to their calibration means (intervene.h's edit, on the image's token roles); and with
// Fix-Reg-Mean: at every block's output, each register token's features replaced by that
// register's mean features over calibration images. Zeroing breaks a model whose registers carry
// massive activations; the means keep its accuracy.
#pragma once

#include <vector>

#include "analysis/intervene.h"
#include "analysis/study_input.h"

namespace massact {

// Per layer, (n_registers * d_model): each register token's mean features in that block's output.
using RegisterMeans = std::vector<std::vector<float>>;
RegisterMeans register_means(const Model& model, const std::vector<StudyInput>& images,
                             const ProgressFn& progress = nullptr);

struct AccuracyResult : EditCounts {  // edited: activations, or register rows for Fix-Reg-Mean
  int64_t correct = 0;
  int64_t images = 0;
  double top1() const { return images > 0 ? double(correct) / double(images) : 0.0; }
};

// Each image's class: its label's index among the model's id2label. InputError naming the image
// when it has no label or one the classifier does not know, or when the model has no classifier.
std::vector<int64_t> image_classes(const Model& model, const std::vector<StudyInput>& images);

// setup.mode None, Zero or Mean at setup.layer's output (the means per token role).
AccuracyResult accuracy_with_intervention(const Model& model, const std::vector<StudyInput>& images,
                                          const InterventionSetup& setup,
                                          const ProgressFn& progress = nullptr);
// Fix-Reg-Mean with `means` from register_means().
AccuracyResult accuracy_with_register_means(const Model& model,
                                            const std::vector<StudyInput>& images,
                                            const RegisterMeans& means,
                                            const ProgressFn& progress = nullptr);

}  // namespace massact
