#include "tokenizer/sentencepiece_tokenizer.h"

#include <sentencepiece_processor.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "io/json_file.h"
#include "tokenizer/sentencepiece_model_check.h"

namespace massact {

SpecialTokenRules read_special_token_rules(const std::string& tokenizer_config_path) {
  SpecialTokenRules rules;
  if (!std::filesystem::exists(tokenizer_config_path)) return rules;
  json config = read_json_file(tokenizer_config_path);
  JsonFields fields(config, tokenizer_config_path);
  rules.add_bos = fields.boolean("add_bos_token", rules.add_bos);
  rules.add_eos = fields.boolean("add_eos_token", rules.add_eos);
  return rules;
}

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path,
                                               SpecialTokenRules rules)
    : path_(model_path),
      rules_(rules),
      sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {
  std::ifstream in(model_path, std::ios::binary);
  if (!in) throw_input_error(model_path, ": cannot open");
  const std::string proto{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  check_sentencepiece_model(proto, model_path);
  auto status = sp_->LoadFromSerializedProto(proto);
  if (!status.ok())
    throw_input_error(model_path, ": not a SentencePiece model: ", status.ToString());
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

TokenIds SentencePieceTokenizer::encode(const std::string& text, bool with_special) const {
  std::vector<int> pieces;
  auto status = sp_->Encode(text, &pieces);
  if (!status.ok()) throw_input_error(path_, ": cannot encode text: ", status.ToString());
  TokenIds ids;
  ids.reserve(pieces.size() + 2);
  if (with_special && rules_.add_bos && bos_id()) ids.push_back(*bos_id());
  ids.insert(ids.end(), pieces.begin(), pieces.end());
  if (with_special && rules_.add_eos && eos_id()) ids.push_back(*eos_id());
  return ids;
}

std::string SentencePieceTokenizer::decode(const TokenIds& ids) const {
  std::vector<int> pieces(ids.begin(), ids.end());
  return sp_->DecodeIds(pieces);
}

std::string SentencePieceTokenizer::token_text(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return "<invalid " + std::to_string(id) + ">";
  std::string piece = sp_->IdToPiece(id);
  // "▁" (U+2581) is SentencePiece's mark for a space.
  for (size_t pos; (pos = piece.find("\xE2\x96\x81")) != std::string::npos;)
    piece.replace(pos, 3, " ");
  return piece;
}

int32_t SentencePieceTokenizer::vocab_size() const {
  return sp_->GetPieceSize();
}

std::optional<int32_t> SentencePieceTokenizer::bos_id() const {
  int id = sp_->bos_id();
  return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
}

std::optional<int32_t> SentencePieceTokenizer::eos_id() const {
  int id = sp_->eos_id();
  return id >= 0 ? std::optional<int32_t>(id) : std::nullopt;
}

std::string SentencePieceTokenizer::describe() const {
  return "sentencepiece (" + path_ + ", " + std::to_string(vocab_size()) + " pieces)";
}

}  // namespace massact
