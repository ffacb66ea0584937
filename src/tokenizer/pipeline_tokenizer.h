// A tokenizer assembled from components, as Hugging Face tokenizers runs them: added tokens found
// in the raw text, normalizer, added tokens found in normalized text, pre-tokenizer, model, then
// the post-processor's special tokens. tokenizer.json files and GGUF vocabularies both build one.
#pragma once

#include "tokenizer/added_tokens.h"
#include "tokenizer/decoders.h"
#include "tokenizer/model.h"
#include "tokenizer/normalizers.h"
#include "tokenizer/post_processors.h"
#include "tokenizer/pre_tokenizers.h"
#include "tokenizer/tokenizer.h"

namespace massact {

struct TokenizerParts {
  std::string description;  // e.g. "tokenizer.json (BPE, 50257 tokens)"
  ModelPtr model;
  AddedTokens added{{}};
  NormalizerPtr normalizer;       // may be null
  PreTokenizerPtr pre_tokenizer;  // may be null
  PostProcessor post_processor;
  DecoderPtr decoder;  // may be null
  std::optional<int32_t> bos_id, eos_id;
};

class PipelineTokenizer : public Tokenizer {
 public:
  explicit PipelineTokenizer(TokenizerParts parts) : p_(std::move(parts)) {}

  // InputError when `text` is not valid UTF-8.
  TokenIds encode(const std::string& text, bool with_special = true) const override;
  TokenIds encode_pair(const std::string& first, const std::string& second,
                       bool with_special = true) const override;
  std::string decode(const TokenIds& ids) const override;
  std::string token_text(int32_t id) const override;
  int32_t vocab_size() const override;
  std::optional<int32_t> bos_id() const override { return p_.bos_id; }
  std::optional<int32_t> eos_id() const override { return p_.eos_id; }
  std::string describe() const override { return p_.description; }

 private:
  // The raw text of a token id: an added token's content or the model's vocabulary entry.
  std::string raw_token(int32_t id) const;

  TokenizerParts p_;
};

}  // namespace massact
