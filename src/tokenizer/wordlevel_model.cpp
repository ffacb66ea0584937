#include "tokenizer/wordlevel_model.h"

#include "core/error.h"
#include "tokenizer/json_components.h"

namespace massact {

WordLevelModel::WordLevelModel(Vocab vocab, std::optional<int32_t> unk_id, std::string unk_token,
                               std::string where)
    : vocab_(std::move(vocab)),
      unk_id_(unk_id),
      unk_token_(std::move(unk_token)),
      where_(std::move(where)) {}

void WordLevelModel::tokenize(std::string_view word, TokenIds& out) const {
  if (auto id = vocab_.find(word)) {
    out.push_back(*id);
  } else if (unk_id_) {
    out.push_back(*unk_id_);
  } else {
    throw_input_error(where_, ": the word \"", quote_prefix(std::string(word)),
                      "\" is not in the WordLevel vocabulary, and neither is its unk_token \"",
                      quote_prefix(unk_token_), "\"");
  }
}

ModelPtr wordlevel_model_from_json(const JsonFields& f) {
  Vocab vocab(token_map_from_json(f, "vocab"));
  const std::string unk = f.string("unk_token", "<unk>");
  auto unk_id = vocab.find(unk);
  return std::make_unique<WordLevelModel>(std::move(vocab), unk_id, unk, f.where());
}

}  // namespace massact
