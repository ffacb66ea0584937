// The paper's intervention (Section 3): at one layer's output, find the massive activations of each
// evaluation window by the criterion and set them to zero or to their calibration means; then
// measure perplexity. Zeroing them destroys the model; setting them to their means does not, which
// shows they act as fixed biases.
//
// Windows and BOS. Calibration and evaluation windows are cut the same way: when the tokenizer
// puts a BOS before every input, every window, evaluation (PerplexityProtocol::bos_per_window) and
// calibration (calibration_windows), is that BOS followed by text tokens; otherwise windows of the
// text tokenized whole. The official code's perplexity protocol (windows of the text tokenized
// whole, so only the first starts with BOS) suits LLaMA2, whose starting token carries the massive
// activations whatever it is; Gemma 3 270M carries them on BOS only (dim 163 at layer 3 is massive
// on no other window start of WikiText-2), so under that protocol every window but the first has
// nothing to edit, and calibration windows without BOS give no mean for the role "first".
//
// What is edited: the massive activations that `kinds` counts (outlier_features.h: not the
// outlier features, unless the rule includes them). A flagged activation whose role had no
// massive activation at (layer, dim) in calibration has no mean; it is left as it was and counted
// per (layer, dim, role), never given another role's mean.
#pragma once

#include <map>

#include "analysis/means.h"
#include "analysis/perplexity.h"
#include "analysis/sequences.h"

namespace massact {

enum class Intervention { None, Zero, Mean };
const char* intervention_name(Intervention mode);  // "original", "zero", "mean"

// What an intervention changed, over all windows (or images).
struct EditCounts {
  int64_t edited = 0;                          // activations changed
  std::map<MassiveKey, int64_t> without_mean;  // left as they were: no calibration mean
  int64_t outlier_features_left = 0;           // flagged in outlier-feature dims, left alone
  int64_t left_without_mean() const;           // the sum of without_mean
};

struct InterventionResult : EditCounts {
  PerplexityResult perplexity;
};

struct InterventionSetup {
  int layer;
  Intervention mode;
  MassiveCriterion criterion;
  const MassiveMeans* means;  // required for Mean
  MassiveKinds kinds;         // which flagged activations count as massive
};

// The edit itself, on one layer output x (T, d_model) whose tokens have `roles`: each massive
// activation that setup.kinds counts set to zero or to its role's mean (setup.mode not None).
void edit_massive_activations(Tensor& x, const InterventionSetup& setup,
                              const std::vector<TokenRole>& roles, EditCounts& counts);

InterventionResult perplexity_with_intervention(const Model& model, const TokenIds& eval_text,
                                                const PerplexityProtocol& protocol,
                                                const InterventionSetup& setup,
                                                const TokenTextFn& text_of,
                                                const ProgressFn& progress = nullptr);

// The calibration sequences: `draw` over a text tokenized without special tokens, each window
// starting with `bos` when the evaluation windows do (protocol.bos_per_window), as they are cut.
std::vector<TokenIds> calibration_windows(const TokenIds& text, const SequenceDraw& draw,
                                          const PerplexityProtocol& protocol,
                                          const std::string& text_name);

// Without a calibration text, the last `kHeldOutFraction` of the evaluation text's tokens are held
// out for calibration: removed from `eval_text` and returned.
inline constexpr double kHeldOutFraction = 0.2;
TokenIds hold_out_calibration_text(TokenIds& eval_text);

}  // namespace massact
