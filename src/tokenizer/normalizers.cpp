#include "tokenizer/normalizers.h"

#include "tokenizer/json_components.h"
#include "tokenizer/pieces.h"

namespace massact {

namespace {

// The CJK ideograph blocks that BERT surrounds with spaces (as in Google's original BERT code).
bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_bert_whitespace(char32_t c) {
  return c == '\t' || c == '\n' || c == '\r' || is_whitespace(c);
}

bool is_bert_control(char32_t c) {
  return c != '\t' && c != '\n' && c != '\r' && is_other(c);
}

std::string bert_clean(const std::string& text, bool clean_text, bool chinese_chars) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = next_code_point(text, pos);
    if (clean_text && (c == 0 || c == 0xFFFD || is_bert_control(c))) continue;
    if (clean_text && is_bert_whitespace(c)) {
      out += ' ';
    } else if (chinese_chars && is_chinese_char(c)) {
      out += ' ';
      append_utf8(out, c);
      out += ' ';
    } else {
      append_utf8(out, c);
    }
  }
  return out;
}

std::string without(const std::string& text, bool (*drop)(char32_t)) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = next_code_point(text, pos);
    if (!drop(c)) append_utf8(out, c);
  }
  return out;
}

NormalizerPtr replace_from_json(const JsonFields& f) {
  PatternField pattern = pattern_from_json(f, "pattern");
  std::string content = f.string("content");
  if (pattern.is_regex)
    return std::make_unique<ReplaceNormalizer>(Regex(pattern.text, pattern.where), content);
  return std::make_unique<ReplaceNormalizer>(pattern.text, content);
}

NormalizerPtr bert_from_json(const JsonFields& f) {
  bool lowercase = f.boolean("lowercase", true);
  return std::make_unique<BertNormalizer>(f.boolean("clean_text", true),
                                          f.boolean("handle_chinese_chars", true),
                                          f.boolean("strip_accents", lowercase), lowercase);
}

// RFC 4648 base64 (with or without '=' padding, as serde writes Vec<u8>); nullopt on any other
// character.
std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = c >= 'A' && c <= 'Z'   ? c - 'A'
            : c >= 'a' && c <= 'z' ? c - 'a' + 26
            : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+'             ? 62
            : c == '/'             ? 63
                                   : -1;
    if (c == '=') break;
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | uint32_t(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += char((bits >> count) & 0xFF);
    }
  }
  return out;
}

// {"type": "Precompiled", "precompiled_charsmap": BASE64}; an empty or null charsmap is the
// identity, as in HF.
NormalizerPtr precompiled_from_json(const JsonFields& f) {
  const std::string key = "precompiled_charsmap";
  const std::string text = f.has(key) ? f.string(key) : "";
  std::optional<std::string> blob = decode_base64(text);
  if (!blob) f.fail(key, "base64 text");
  return std::make_unique<PrecompiledNormalizer>(
      PrecompiledCharsmap(*blob, f.where() + ": field '" + f.field_name(key) + "': "));
}

}  // namespace

void StripNormalizer::normalize(std::string& text) const {
  size_t begin = 0, end = text.size();
  if (left_) {
    for (size_t pos = 0; pos < text.size() && is_whitespace(next_code_point(text, pos));)
      begin = pos;
  }
  if (right_) {
    // Walk forward remembering where the trailing whitespace run starts.
    size_t run_start = text.size();
    for (size_t pos = begin; pos < text.size();) {
      size_t at = pos;
      if (!is_whitespace(next_code_point(text, pos)))
        run_start = text.size();
      else if (run_start == text.size())
        run_start = at;
    }
    end = std::max(begin, run_start);
  }
  text = text.substr(begin, end - begin);
}

void StripAccentsNormalizer::normalize(std::string& text) const {
  text = without(text, is_mark);
}

ReplaceNormalizer::ReplaceNormalizer(std::string literal, std::string content)
    : literal_(std::move(literal)), content_(std::move(content)) {}

ReplaceNormalizer::ReplaceNormalizer(Regex regex, std::string content)
    : regex_(std::move(regex)), content_(std::move(content)) {}

void ReplaceNormalizer::normalize(std::string& text) const {
  std::vector<Span> spans =
      regex_ ? cover(text, regex_->find_all(text)) : literal_spans(text, literal_);
  std::string out;
  out.reserve(text.size());
  for (const Span& s : spans) {
    if (s.is_match)
      out += content_;
    else
      out.append(text, s.begin, s.end - s.begin);
  }
  text = std::move(out);
}

void BertNormalizer::normalize(std::string& text) const {
  text = bert_clean(text, clean_text_, chinese_chars_);
  if (strip_accents_) {
    // BERT drops only non-spacing marks, unlike StripAccents (which drops every mark).
    text = without(massact::normalize(text, NormalForm::NFD), is_nonspacing_mark);
  }
  if (lowercase_) text = to_lower(text);
}

NormalizerPtr normalizer_from_json(const JsonFields& f) {
  const std::string type = f.string("type");
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(NormalForm::NFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(NormalForm::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(NormalForm::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(NormalForm::NFKD);
  if (type == "Lowercase") return std::make_unique<LowercaseNormalizer>();
  if (type == "StripAccents") return std::make_unique<StripAccentsNormalizer>();
  if (type == "Strip")
    return std::make_unique<StripNormalizer>(f.boolean("strip_left", true),
                                             f.boolean("strip_right", true));
  if (type == "Replace") return replace_from_json(f);
  if (type == "Prepend") return std::make_unique<PrependNormalizer>(f.string("prepend"));
  if (type == "BertNormalizer") return bert_from_json(f);
  if (type == "Precompiled") return precompiled_from_json(f);
  if (type == "Sequence") {
    std::vector<NormalizerPtr> steps;
    for (const JsonFields& step : object_array(f, "normalizers"))
      steps.push_back(normalizer_from_json(step));
    return std::make_unique<SequenceNormalizer>(std::move(steps));
  }
  f.fail("type",
         "one of NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Replace, Prepend, "
         "BertNormalizer, Precompiled, Sequence");
}

}  // namespace massact
