// WordPiece (BERT): each word is cut greedily into the longest vocabulary entries, pieces after the
// first carrying the "##" prefix; a word that cannot be cut entirely is the unknown token.
#pragma once

#include "io/json_file.h"
#include "tokenizer/model.h"

namespace massact {

class WordPieceModel : public Model {
 public:
  WordPieceModel(Vocab vocab, int32_t unk_id, std::string prefix, size_t max_chars);

  void tokenize(std::string_view word, TokenIds& out) const override;
  const Vocab& vocab() const override { return vocab_; }
  std::string name() const override { return "WordPiece"; }

 private:
  Vocab vocab_;
  int32_t unk_id_;
  std::string prefix_;
  size_t max_chars_;
};

ModelPtr wordpiece_model_from_json(const JsonFields& fields);

}  // namespace massact
