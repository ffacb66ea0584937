// SentencePiece tokenizer.model files (LLaMA-1/2, Mistral, ...), through libsentencepiece.
#pragma once

#include <memory>
#include <string>

#include "tokenizer/tokenizer.h"

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace massact {

struct SpecialTokenRules {
  bool add_bos = true;  // LlamaTokenizer's defaults
  bool add_eos = false;
};

// Reads add_bos_token / add_eos_token from a tokenizer_config.json; defaults when the file is
// absent.
SpecialTokenRules read_special_token_rules(const std::string& tokenizer_config_path);

class SentencePieceTokenizer : public Tokenizer {
 public:
  SentencePieceTokenizer(const std::string& model_path, SpecialTokenRules rules);
  ~SentencePieceTokenizer() override;

  TokenIds encode(const std::string& text, bool with_special = true) const override;
  std::string decode(const TokenIds& ids) const override;
  std::string token_text(int32_t id) const override;
  int32_t vocab_size() const override;
  std::optional<int32_t> bos_id() const override;
  std::optional<int32_t> eos_id() const override;
  std::string describe() const override;

 private:
  std::string path_;
  SpecialTokenRules rules_;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
};

}  // namespace massact
