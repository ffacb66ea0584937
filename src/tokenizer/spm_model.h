// SentencePiece's BPE as llama.cpp runs it on GGUF "llama" vocabularies: the adjacent pair whose
// concatenation is the highest-scoring token merges first; characters left that are not tokens
// become their bytes' <0xXX> tokens (or the unknown token).
#pragma once

#include <optional>
#include <vector>

#include "tokenizer/bpe_merge.h"
#include "tokenizer/model.h"

namespace massact {

class SpmModel : public Model {
 public:
  // `mergeable[i]`: whether token i may be the result of a merge (normal and user-defined pieces;
  // not control, unknown or byte pieces, as in SentencePiece).
  SpmModel(Vocab vocab, std::vector<float> scores, std::vector<bool> mergeable,
           std::optional<int32_t> unk_id);

  void tokenize(std::string_view word, TokenIds& out) const override;
  const Vocab& vocab() const override { return vocab_; }
  std::string name() const override { return "SentencePiece BPE"; }

 private:
  void emit_unmerged(std::string_view text, TokenIds& out) const;

  Vocab vocab_;
  std::vector<float> scores_;
  std::vector<bool> mergeable_;
  std::optional<int32_t> unk_id_;
};

}  // namespace massact
