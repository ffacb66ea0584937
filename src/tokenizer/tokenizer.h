// Text <-> token ids. One interface for every tokenizer format; a study only ever sees ids and the
// text of each token.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace massact {

using TokenIds = std::vector<int32_t>;

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // with_special: add BOS/EOS as the model's tokenizer_config.json says (as Hugging Face does).
  virtual TokenIds encode(const std::string& text, bool with_special = true) const = 0;
  // Two texts as one input (e.g. a question and a passage): with_special joins them as the
  // tokenizer's pair template says (InputError when it has none), without it they are concatenated.
  virtual TokenIds encode_pair(const std::string& first, const std::string& second,
                               bool with_special = true) const;
  virtual std::string decode(const TokenIds& ids) const = 0;
  // The text a token stands for, readable in a table (SentencePiece's "▁" shown as a space).
  virtual std::string token_text(int32_t id) const = 0;
  virtual int32_t vocab_size() const = 0;
  virtual std::optional<int32_t> bos_id() const = 0;
  virtual std::optional<int32_t> eos_id() const = 0;
  virtual std::string describe() const = 0;  // e.g. "sentencepiece (tokenizer.model, 512 pieces)"
};

// The tokenizer of a model folder: tokenizer.json (Hugging Face tokenizers) if present, else
// tokenizer.model (SentencePiece), with the BOS/EOS of tokenizer_config.json. InputError when the
// folder has neither.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& model_dir);

// A tokenizer from a model folder, a tokenizer.json, a tokenizer.model or a .gguf file.
std::unique_ptr<Tokenizer> load_tokenizer_from_path(const std::string& path);

}  // namespace massact
