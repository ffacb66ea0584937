// Pre-tokenizers: cut text into the words that the model tokenizes one by one (Hugging Face
// tokenizers' pre_tokenizers component).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/json_file.h"
#include "tokenizer/pieces.h"
#include "tokenizer/regex.h"

namespace massact {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(Pieces& pieces) const = 0;
};

using PreTokenizerPtr = std::unique_ptr<PreTokenizer>;

// GPT-2's: optional leading space, the GPT-2 regex, then bytes to the byte-level alphabet.
class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex);
  void pre_tokenize(Pieces& pieces) const override;

 private:
  bool add_prefix_space_;
  std::optional<Regex> regex_;
};

// Splits at the matches of a literal string or a regex.
class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(std::string literal, SplitBehavior behavior, bool invert);
  SplitPreTokenizer(Regex regex, SplitBehavior behavior, bool invert);
  void pre_tokenize(Pieces& pieces) const override;

 private:
  std::string literal_;
  std::optional<Regex> regex_;
  SplitBehavior behavior_;
  bool invert_;
};

// Splits where a code point satisfies a predicate (whitespace, punctuation, digits, ...).
class CharSplitPreTokenizer : public PreTokenizer {
 public:
  CharSplitPreTokenizer(bool (*pred)(char32_t), SplitBehavior behavior)
      : pred_(pred), behavior_(behavior) {}
  void pre_tokenize(Pieces& pieces) const override;

 private:
  bool (*pred_)(char32_t);
  SplitBehavior behavior_;
};

enum class PrependScheme { Always, First, Never };

// SentencePiece's: spaces become `replacement` ("▁"), one is prepended, words start at each one.
class MetaspacePreTokenizer : public PreTokenizer {
 public:
  MetaspacePreTokenizer(std::string replacement, PrependScheme scheme, bool split)
      : replacement_(std::move(replacement)), scheme_(scheme), split_(split) {}
  void pre_tokenize(Pieces& pieces) const override;

 private:
  std::string replacement_;
  PrependScheme scheme_;
  bool split_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<PreTokenizerPtr> steps) : steps_(std::move(steps)) {}
  void pre_tokenize(Pieces& pieces) const override {
    for (const auto& step : steps_) step->pre_tokenize(pieces);
  }

 private:
  std::vector<PreTokenizerPtr> steps_;
};

// BERT's punctuation: ASCII punctuation or general category P*.
bool is_bert_punctuation(char32_t c);

// BERT's pre-tokenizer: whitespace removed, then each punctuation character on its own.
PreTokenizerPtr make_bert_pre_tokenizer();

PrependScheme prepend_scheme_from_json(const JsonFields& fields);
PreTokenizerPtr pre_tokenizer_from_json(const JsonFields& fields);

}  // namespace massact
