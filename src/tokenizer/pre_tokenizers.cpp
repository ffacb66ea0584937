#include "tokenizer/pre_tokenizers.h"

#include "tokenizer/byte_level.h"
#include "tokenizer/json_components.h"
#include "tokenizer/unicode.h"

namespace massact {

namespace {

bool is_ascii_digit(char32_t c) {
  return c >= '0' && c <= '9';
}

// The "\w+|[^\w\s]+" of HF's Whitespace pre-tokenizer, compiled once, with Oniguruma's Unicode
// \w (alphabetic, marks, decimal digits, connector punctuation, ZWNJ and ZWJ), which PCRE2's
// narrower \w would split at combining marks and emoji joiners.
const Regex& word_regex() {
  static const Regex regex(
      R"([\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]+|[^\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}\s]+)",
      "Whitespace pre-tokenizer");
  return regex;
}

class WhitespacePreTokenizer : public PreTokenizer {
 public:
  void pre_tokenize(Pieces& pieces) const override {
    for_each_text_piece(pieces, [](const Piece& p, Pieces& out) {
      split_piece(p, cover(p.text, word_regex().find_all(p.text)), SplitBehavior::Removed, true,
                  out);
    });
  }
};

PreTokenizerPtr split_from_json(const JsonFields& f) {
  PatternField pattern = pattern_from_json(f, "pattern");
  SplitBehavior behavior = split_behavior_from_json(f, "behavior");
  bool invert = f.boolean("invert", false);
  if (pattern.is_regex)
    return std::make_unique<SplitPreTokenizer>(Regex(pattern.text, pattern.where), behavior,
                                               invert);
  return std::make_unique<SplitPreTokenizer>(pattern.text, behavior, invert);
}

PreTokenizerPtr metaspace_from_json(const JsonFields& f) {
  return std::make_unique<MetaspacePreTokenizer>(f.string("replacement", "\xE2\x96\x81"),
                                                 prepend_scheme_from_json(f),
                                                 f.boolean("split", true));
}

PreTokenizerPtr sequence_from_json(const JsonFields& f) {
  std::vector<PreTokenizerPtr> steps;
  for (const JsonFields& step : object_array(f, "pretokenizers"))
    steps.push_back(pre_tokenizer_from_json(step));
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

}  // namespace

bool is_bert_punctuation(char32_t c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
         (c >= 123 && c <= 126) || is_punctuation(c);
}

ByteLevelPreTokenizer::ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex)
    : add_prefix_space_(add_prefix_space) {
  if (use_regex) regex_.emplace(kGpt2Pattern, "ByteLevel pre-tokenizer");
}

void ByteLevelPreTokenizer::pre_tokenize(Pieces& pieces) const {
  for_each_text_piece(pieces, [this](const Piece& p, Pieces& out) {
    Piece spaced = p;
    if (add_prefix_space_ && spaced.text.rfind(' ', 0) != 0) spaced.text.insert(0, " ");
    size_t first = out.size();
    if (regex_)
      split_piece(spaced, cover(spaced.text, regex_->find_all(spaced.text)),
                  SplitBehavior::Isolated, false, out);
    else if (!spaced.text.empty())
      out.push_back(spaced);
    for (size_t i = first; i < out.size(); ++i) out[i].text = bytes_to_byte_level(out[i].text);
  });
}

SplitPreTokenizer::SplitPreTokenizer(std::string literal, SplitBehavior behavior, bool invert)
    : literal_(std::move(literal)), behavior_(behavior), invert_(invert) {}

SplitPreTokenizer::SplitPreTokenizer(Regex regex, SplitBehavior behavior, bool invert)
    : regex_(std::move(regex)), behavior_(behavior), invert_(invert) {}

void SplitPreTokenizer::pre_tokenize(Pieces& pieces) const {
  for_each_text_piece(pieces, [this](const Piece& p, Pieces& out) {
    std::vector<Span> spans =
        regex_ ? cover(p.text, regex_->find_all(p.text)) : literal_spans(p.text, literal_);
    split_piece(p, std::move(spans), behavior_, invert_, out);
  });
}

void CharSplitPreTokenizer::pre_tokenize(Pieces& pieces) const {
  for_each_text_piece(pieces, [this](const Piece& p, Pieces& out) {
    split_piece(p, char_spans(p.text, pred_), behavior_, false, out);
  });
}

void MetaspacePreTokenizer::pre_tokenize(Pieces& pieces) const {
  for_each_text_piece(pieces, [this](const Piece& p, Pieces& out) {
    Piece replaced = p;
    std::string& text = replaced.text;
    for (size_t at = 0; (at = text.find(' ', at)) != std::string::npos; at += replacement_.size())
      text.replace(at, 1, replacement_);
    bool prepend =
        scheme_ == PrependScheme::Always || (scheme_ == PrependScheme::First && p.at_start);
    // HF prepends nothing to an empty text (there is no character to attach it to).
    if (prepend && !text.empty() && text.rfind(replacement_, 0) != 0) text.insert(0, replacement_);
    if (split_)
      split_piece(replaced, literal_spans(text, replacement_), SplitBehavior::MergedWithNext, false,
                  out);
    else if (!text.empty())
      out.push_back(replaced);
  });
}

PreTokenizerPtr make_bert_pre_tokenizer() {
  std::vector<PreTokenizerPtr> steps;
  steps.push_back(std::make_unique<CharSplitPreTokenizer>(is_whitespace, SplitBehavior::Removed));
  steps.push_back(
      std::make_unique<CharSplitPreTokenizer>(is_bert_punctuation, SplitBehavior::Isolated));
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

PrependScheme prepend_scheme_from_json(const JsonFields& f) {
  if (!f.has("prepend_scheme"))  // files from before prepend_scheme had add_prefix_space
    return f.boolean("add_prefix_space", true) ? PrependScheme::Always : PrependScheme::Never;
  const std::string scheme = f.string("prepend_scheme");
  if (scheme == "always") return PrependScheme::Always;
  if (scheme == "first") return PrependScheme::First;
  if (scheme == "never") return PrependScheme::Never;
  f.fail("prepend_scheme", "one of always, first, never");
}

PreTokenizerPtr pre_tokenizer_from_json(const JsonFields& f) {
  const std::string type = f.string("type");
  if (type == "ByteLevel")
    return std::make_unique<ByteLevelPreTokenizer>(f.boolean("add_prefix_space", true),
                                                   f.boolean("use_regex", true));
  if (type == "Split") return split_from_json(f);
  if (type == "Metaspace") return metaspace_from_json(f);
  if (type == "Whitespace") return std::make_unique<WhitespacePreTokenizer>();
  if (type == "WhitespaceSplit")
    return std::make_unique<CharSplitPreTokenizer>(is_whitespace, SplitBehavior::Removed);
  if (type == "BertPreTokenizer") return make_bert_pre_tokenizer();
  if (type == "Punctuation")
    return std::make_unique<CharSplitPreTokenizer>(
        is_bert_punctuation,
        f.has("behavior") ? split_behavior_from_json(f, "behavior") : SplitBehavior::Isolated);
  if (type == "Digits")
    return std::make_unique<CharSplitPreTokenizer>(
        is_ascii_digit, f.boolean("individual_digits", false) ? SplitBehavior::Isolated
                                                              : SplitBehavior::Contiguous);
  if (type == "Sequence") return sequence_from_json(f);
  f.fail("type",
         "one of ByteLevel, Split, Metaspace, Whitespace, WhitespaceSplit, BertPreTokenizer, "
         "Punctuation, Digits, Sequence");
}

}  // namespace massact
