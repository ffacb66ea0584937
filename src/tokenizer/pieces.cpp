#include "tokenizer/pieces.h"

#include "tokenizer/unicode.h"

namespace massact {

namespace {

// Joins each delimiter to the piece before it (or after it, when `forward` is false, walking from
// the end), the way HF folds MergedWithPrevious and MergedWithNext.
std::vector<Span> merge_delimiters(const std::vector<Span>& spans, bool with_previous) {
  std::vector<Span> out;
  bool previous_match = false;
  auto visit = [&](const Span& s) {
    if (s.is_match && !previous_match && !out.empty()) {
      if (with_previous)
        out.back().end = s.end;
      else
        out.back().begin = s.begin;
    } else {
      out.push_back({s.begin, s.end, false});
    }
    previous_match = s.is_match;
  };
  if (with_previous) {
    for (const Span& s : spans) visit(s);
  } else {
    for (auto it = spans.rbegin(); it != spans.rend(); ++it) visit(*it);
    std::reverse(out.begin(), out.end());
  }
  return out;
}

std::vector<Span> merge_contiguous(const std::vector<Span>& spans) {
  std::vector<Span> out;
  bool previous_match = false;
  for (const Span& s : spans) {
    if (s.is_match == previous_match && !out.empty())
      out.back().end = s.end;
    else
      out.push_back({s.begin, s.end, false});
    previous_match = s.is_match;
  }
  return out;
}

std::vector<Span> apply_behavior(const std::vector<Span>& spans, SplitBehavior behavior) {
  switch (behavior) {
    case SplitBehavior::Removed: {
      std::vector<Span> out;
      for (const Span& s : spans)
        if (!s.is_match) out.push_back(s);
      return out;
    }
    case SplitBehavior::Isolated:
      return spans;
    case SplitBehavior::MergedWithPrevious:
      return merge_delimiters(spans, true);
    case SplitBehavior::MergedWithNext:
      return merge_delimiters(spans, false);
    case SplitBehavior::Contiguous:
      return merge_contiguous(spans);
  }
  return spans;
}

}  // namespace

SplitBehavior split_behavior_from_json(const JsonFields& fields, const std::string& key) {
  const std::string name = fields.string(key);
  if (name == "Removed") return SplitBehavior::Removed;
  if (name == "Isolated") return SplitBehavior::Isolated;
  if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
  if (name == "Contiguous") return SplitBehavior::Contiguous;
  fields.fail(key, "one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous");
}

void split_piece(const Piece& piece, std::vector<Span> spans, SplitBehavior behavior, bool invert,
                 Pieces& out) {
  if (invert)
    for (Span& s : spans) s.is_match = !s.is_match;
  bool first = true;
  for (const Span& s : apply_behavior(spans, behavior)) {
    if (s.end == s.begin) continue;
    out.push_back({piece.text.substr(s.begin, s.end - s.begin), -1, piece.at_start && first});
    first = false;
  }
}

std::vector<Span> char_spans(std::string_view text, const std::function<bool(char32_t)>& pred) {
  std::vector<Span> spans;
  size_t last = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t begin = pos;
    if (!pred(next_code_point(text, pos))) continue;
    if (begin > last) spans.push_back({last, begin, false});
    spans.push_back({begin, pos, true});
    last = pos;
  }
  if (last < text.size()) spans.push_back({last, text.size(), false});
  return spans;
}

std::vector<Span> literal_spans(std::string_view text, const std::string& literal) {
  std::vector<Span> matches;
  if (literal.empty()) return cover(text, matches);
  for (size_t at = text.find(literal); at != std::string_view::npos;
       at = text.find(literal, at + literal.size()))
    matches.push_back({at, at + literal.size(), true});
  return cover(text, matches);
}

void for_each_text_piece(Pieces& pieces, const std::function<void(const Piece&, Pieces&)>& split) {
  Pieces out;
  out.reserve(pieces.size());
  for (const Piece& p : pieces) {
    if (p.is_text())
      split(p, out);
    else
      out.push_back(p);
  }
  pieces = std::move(out);
}

}  // namespace massact
