// The model: turns one pre-tokenized word into token ids (BPE, WordPiece, Unigram, ...).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab.h"

namespace massact {

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of `word` to `out`.
  virtual void tokenize(std::string_view word, TokenIds& out) const = 0;
  virtual const Vocab& vocab() const = 0;
  virtual std::string name() const = 0;  // "BPE", "WordPiece", ...
};

using ModelPtr = std::unique_ptr<Model>;

}  // namespace massact
