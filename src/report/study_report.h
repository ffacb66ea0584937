// The paper's whole study of one model as one HTML page: a verdict in words computed from the
// results, the figures, and Tables 1-3, from the JSON documents that the study commands write
// (scan, profile, stats, intervene, attention, decompose), so that the page says exactly what the
// JSON files beside it hold.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "io/json_file.h"
#include "report/figures.h"

namespace massact {

struct StudyDocuments {
  json scan;  // on the short prompt of the landscape
  json profile, stats, intervene, attention, decompose;
};

// Feature dims that the results call outlier features (large on most tokens), if they say.
std::set<int64_t> outlier_feature_dims(const StudyDocuments& docs);

// What the results show, in sentences with their numbers; nothing written for one model.
std::vector<std::string> study_verdict(const StudyDocuments& docs);

// Draws the figures and writes DIR/index.html (atomically). `landscape` is drawn already.
void write_study_report(const std::string& dir, const StudyDocuments& docs,
                        const FigureFile& landscape);

}  // namespace massact
