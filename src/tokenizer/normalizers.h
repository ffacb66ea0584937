// Normalizers: rewrite text before it is split (Hugging Face tokenizers' normalizers component).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/json_file.h"
#include "tokenizer/precompiled_charsmap.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode.h"

namespace massact {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(std::string& text) const = 0;
};

using NormalizerPtr = std::unique_ptr<Normalizer>;

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(NormalForm form) : form_(form) {}
  void normalize(std::string& text) const override { text = massact::normalize(text, form_); }

 private:
  NormalForm form_;
};

class LowercaseNormalizer : public Normalizer {
 public:
  void normalize(std::string& text) const override { text = to_lower(text); }
};

// Removes Unicode whitespace from either end.
class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& text) const override;

 private:
  bool left_, right_;
};

// Removes combining marks (general category M*); meant to follow NFD.
class StripAccentsNormalizer : public Normalizer {
 public:
  void normalize(std::string& text) const override;
};

// Replaces every match of a literal string or a regex with `content`.
class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(std::string literal, std::string content);
  ReplaceNormalizer(Regex regex, std::string content);
  void normalize(std::string& text) const override;

 private:
  std::string literal_;
  std::optional<Regex> regex_;
  std::string content_;
};

// Prepends `prefix` to non-empty text (LLaMA-2's "▁").
class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

// BERT's: control characters dropped and whitespace made ' ', CJK ideographs spaced out, accents
// stripped, lowercased.
class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        chinese_chars_(chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}
  void normalize(std::string& text) const override;

 private:
  bool clean_text_, chinese_chars_, strip_accents_, lowercase_;
};

// SentencePiece's normalization rules, as tokenizer.json's Precompiled normalizer carries them
// (T5, ALBERT, XLM-R, mT5): see precompiled_charsmap.h.
class PrecompiledNormalizer : public Normalizer {
 public:
  explicit PrecompiledNormalizer(PrecompiledCharsmap map) : map_(std::move(map)) {}
  void normalize(std::string& text) const override { text = map_.normalize(text); }

 private:
  PrecompiledCharsmap map_;
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<NormalizerPtr> steps) : steps_(std::move(steps)) {}
  void normalize(std::string& text) const override {
    for (const auto& step : steps_) step->normalize(text);
  }

 private:
  std::vector<NormalizerPtr> steps_;
};

// A normalizer from its tokenizer.json object; InputError names the field for unknown types.
NormalizerPtr normalizer_from_json(const JsonFields& fields);

}  // namespace massact
