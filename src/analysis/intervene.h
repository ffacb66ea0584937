// The paper's intervention (Section 3): at one layer's output, find the massive activations of each
// evaluation window by the criterion and set them to zero or to their calibration means; then
// measure perplexity. Zeroing them destroys the model; setting them to their means does not, which
// shows they act as fixed biases.
#pragma once

#include "analysis/means.h"
#include "analysis/perplexity.h"

namespace massact {

enum class Intervention { None, Zero, Mean };
const char* intervention_name(Intervention mode);

struct InterventionResult {
  PerplexityResult perplexity;
  int64_t edited = 0;        // activations changed, over all windows
  int64_t without_mean = 0;  // massive activations left as they were: no calibration mean for them
};

struct InterventionSetup {
  int layer;
  Intervention mode;
  MassiveCriterion criterion;
  const MassiveMeans* means;  // required for Mean
};

InterventionResult perplexity_with_intervention(const Model& model, const TokenIds& eval_text,
                                                const PerplexityProtocol& protocol,
                                                const InterventionSetup& setup,
                                                const TokenTextFn& text_of,
                                                const ProgressFn& progress = nullptr);

}  // namespace massact
