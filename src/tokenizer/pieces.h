// The text between normalization and the model: a list of pieces, each either text still to be
// tokenized or an added token already recognized. Pre-tokenizers cut text pieces into smaller ones
// with the split behaviors of Hugging Face tokenizers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/json_file.h"
#include "tokenizer/regex.h"

namespace massact {

struct Piece {
  std::string text;
  int32_t token = -1;     // >= 0: an added token, passed through to the output as is
  bool at_start = false;  // begins the input (Metaspace's prepend_scheme "first" needs to know)

  bool is_text() const { return token < 0; }
};
using Pieces = std::vector<Piece>;

// What happens to the delimiters a pattern finds (HF's SplitDelimiterBehavior).
enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

SplitBehavior split_behavior_from_json(const JsonFields& fields, const std::string& key);

// Cuts `piece` at `spans` (alternating non-match / match spans covering its text, from cover()),
// treating the matches (the non-matches when `invert`) as delimiters, and appends the non-empty
// results to `out`. Only the first result keeps the piece's at_start.
void split_piece(const Piece& piece, std::vector<Span> spans, SplitBehavior behavior, bool invert,
                 Pieces& out);

// Spans where each code point satisfying `pred` is a match of its own (HF's char patterns).
std::vector<Span> char_spans(std::string_view text, const std::function<bool(char32_t)>& pred);

// Spans for every occurrence of a literal string (HF's string patterns).
std::vector<Span> literal_spans(std::string_view text, const std::string& literal);

// Applies `split` to every text piece, leaving added tokens alone.
void for_each_text_piece(Pieces& pieces, const std::function<void(const Piece&, Pieces&)>& split);

}  // namespace massact
