// Unigram (SentencePiece's unigram language model, as Hugging Face runs it): the segmentation with
// the highest total score (Viterbi); characters no token covers are the unknown token, fused, or
// their bytes' <0xXX> tokens with byte_fallback.
#pragma once

#include <vector>

#include "io/json_file.h"
#include "tokenizer/model.h"

namespace massact {

class UnigramModel : public Model {
 public:
  UnigramModel(Vocab vocab, std::vector<double> scores, int32_t unk_id, bool byte_fallback);

  void tokenize(std::string_view word, TokenIds& out) const override;
  const Vocab& vocab() const override { return vocab_; }
  std::string name() const override { return "Unigram"; }

 private:
  std::vector<std::string_view> best_segmentation(std::string_view word) const;

  Vocab vocab_;
  std::vector<double> scores_;
  int32_t unk_id_;
  bool byte_fallback_;
  double unk_score_;  // the lowest score minus a penalty, as in HF
  size_t max_token_bytes_ = 0;
};

ModelPtr unigram_model_from_json(const JsonFields& fields);

}  // namespace massact
