// WordLevel: each pre-tokenized word is one token, or the unknown token when the vocabulary does
// not have it (Hugging Face's simplest model, used by word-level and character-level tokenizers).
#pragma once

#include <optional>

#include "io/json_file.h"
#include "tokenizer/model.h"

namespace massact {

class WordLevelModel : public Model {
 public:
  // `where` names the tokenizer in the error for a word that is not in the vocabulary when there
  // is no unknown token.
  WordLevelModel(Vocab vocab, std::optional<int32_t> unk_id, std::string unk_token,
                 std::string where);

  // InputError when `word` is unknown and the vocabulary has no unknown token (HF fails too).
  void tokenize(std::string_view word, TokenIds& out) const override;
  const Vocab& vocab() const override { return vocab_; }
  std::string name() const override { return "WordLevel"; }

 private:
  Vocab vocab_;
  std::optional<int32_t> unk_id_;
  std::string unk_token_;
  std::string where_;
};

ModelPtr wordlevel_model_from_json(const JsonFields& fields);

}  // namespace massact
