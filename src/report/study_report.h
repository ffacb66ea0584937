// The paper's whole study of one model as one HTML page: a verdict in words computed from the
// results, the figures, and Tables 1-3, from the JSON documents that the study commands write
// (scan, profile, stats, intervene, attention, decompose), so that the page says exactly what the
// JSON files beside it hold. The studies ran on text or on images (a vision transformer), as
// their protocols say (on_images()); on images intervene reports top-1 accuracy instead of
// perplexity, and the page says that the perplexity tests do not apply.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "io/json_file.h"
#include "report/figures.h"

namespace massact {

struct StudyDocuments {
  json scan;  // on the one input of the landscape: a short prompt, or one image
  json profile, stats, intervene, attention, decompose;
  std::string intervene_skipped;  // why intervene did not run (then `intervene` is null)
};

// Feature dims that the results call outlier features (large on most tokens), if they say.
std::set<int64_t> outlier_feature_dims(const StudyDocuments& docs);

// What the results show, in sentences with their numbers; nothing written for one model.
std::vector<std::string> study_verdict(const StudyDocuments& docs);

// Draws the figures and writes DIR/index.html (atomically). `landscape` is drawn already.
void write_study_report(const std::string& dir, const StudyDocuments& docs,
                        const FigureFile& landscape);

}  // namespace massact
