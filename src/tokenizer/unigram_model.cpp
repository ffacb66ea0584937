#include "tokenizer/unigram_model.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "tokenizer/unicode.h"

namespace massact {

namespace {

constexpr double kUnknownPenalty = 10.0;  // HF's K_UNK_PENALTY

struct PathNode {
  double score = 0.0;
  size_t start = std::string_view::npos;  // npos: no path ends here yet
  int32_t id = -1;
};

}  // namespace

UnigramModel::UnigramModel(Vocab vocab, std::vector<double> scores, int32_t unk_id,
                           bool byte_fallback)
    : vocab_(std::move(vocab)),
      scores_(std::move(scores)),
      unk_id_(unk_id),
      byte_fallback_(byte_fallback) {
  double min_score = std::numeric_limits<double>::infinity();
  for (double s : scores_) min_score = std::min(min_score, s);
  unk_score_ = min_score - kUnknownPenalty;
  for (int32_t i = 0; i < vocab_.size(); ++i)
    max_token_bytes_ = std::max(max_token_bytes_, vocab_.text(i).size());
}

// Viterbi over byte offsets: best[end] is the best path covering word[0, end).
std::vector<std::string_view> UnigramModel::best_segmentation(std::string_view word) const {
  std::vector<PathNode> best(word.size() + 1);
  for (size_t start = 0; start < word.size();) {
    size_t char_end = start;
    next_code_point(word, char_end);
    bool has_single_char = false;
    const size_t limit = std::min(word.size(), start + max_token_bytes_);
    for (size_t end = char_end; end <= limit; ++end) {
      auto id = vocab_.find(word.substr(start, end - start));
      if (!id) continue;
      double score = best[start].score + scores_[size_t(*id)];
      if (best[end].start == std::string_view::npos || score > best[end].score)
        best[end] = {score, start, *id};
      has_single_char |= end == char_end;
    }
    if (!has_single_char) {
      double score = best[start].score + unk_score_;
      if (best[char_end].start == std::string_view::npos || score > best[char_end].score)
        best[char_end] = {score, start, unk_id_};
    }
    start = char_end;
  }
  // Walk back from the end; runs of unknown pieces are fused into one.
  std::vector<std::string_view> pieces;
  size_t unknown_run_end = std::string_view::npos;
  for (size_t end = word.size(); end > 0;) {
    const PathNode& node = best[end];
    if (node.id == unk_id_) {
      if (unknown_run_end == std::string_view::npos) unknown_run_end = end;
    } else {
      if (unknown_run_end != std::string_view::npos)
        pieces.push_back(word.substr(end, unknown_run_end - end));
      unknown_run_end = std::string_view::npos;
      pieces.push_back(word.substr(node.start, end - node.start));
    }
    end = node.start;
  }
  if (unknown_run_end != std::string_view::npos) pieces.push_back(word.substr(0, unknown_run_end));
  std::reverse(pieces.begin(), pieces.end());
  return pieces;
}

void UnigramModel::tokenize(std::string_view word, TokenIds& out) const {
  for (std::string_view piece : best_segmentation(word)) {
    if (auto id = vocab_.find(piece)) {
      out.push_back(*id);
      continue;
    }
    if (byte_fallback_) {
      TokenIds bytes;
      for (unsigned char b : piece)
        if (auto id = vocab_.find(byte_token_text(b))) bytes.push_back(*id);
      if (bytes.size() == piece.size()) {
        out.insert(out.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    out.push_back(unk_id_);
  }
}

ModelPtr unigram_model_from_json(const JsonFields& f) {
  const json& list = f.raw("vocab");
  if (!list.is_array() || list.empty()) f.fail("vocab", "a non-empty array of [token, score]");
  std::vector<std::string> tokens;
  std::vector<double> scores;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& entry = list[i];
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
      throw_input_error(f.where(), ": field '", f.field_name("vocab"), "[", i,
                        "]': expected [token, score], got ", quote_json(entry));
    tokens.push_back(entry[0].get<std::string>());
    scores.push_back(entry[1].get<double>());
  }
  int64_t unk_id = f.integer("unk_id");
  if (unk_id < 0 || unk_id >= int64_t(tokens.size()))
    f.fail("unk_id", "an id in 0.." + std::to_string(tokens.size() - 1));
  return std::make_unique<UnigramModel>(Vocab(std::move(tokens)), std::move(scores),
                                        int32_t(unk_id), f.boolean("byte_fallback", false));
}

}  // namespace massact
