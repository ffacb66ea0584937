#include "tokenizer/wordpiece_model.h"

#include "tokenizer/json_components.h"
#include "tokenizer/unicode.h"

namespace massact {

WordPieceModel::WordPieceModel(Vocab vocab, int32_t unk_id, std::string prefix, size_t max_chars)
    : vocab_(std::move(vocab)),
      unk_id_(unk_id),
      prefix_(std::move(prefix)),
      max_chars_(max_chars) {}

void WordPieceModel::tokenize(std::string_view word, TokenIds& out) const {
  std::vector<size_t> boundaries;  // byte offset of every code point, then the end
  for (size_t pos = 0; pos < word.size(); next_code_point(word, pos)) boundaries.push_back(pos);
  boundaries.push_back(word.size());
  if (boundaries.size() - 1 > max_chars_) {
    out.push_back(unk_id_);
    return;
  }
  TokenIds pieces;
  std::string candidate;
  for (size_t start = 0; start + 1 < boundaries.size();) {
    std::optional<int32_t> found;
    size_t end = boundaries.size() - 1;
    for (; end > start; --end) {  // longest match first
      candidate.assign(start > 0 ? prefix_ : "");
      candidate.append(word, boundaries[start], boundaries[end] - boundaries[start]);
      if ((found = vocab_.find(candidate))) break;
    }
    if (!found) {
      out.push_back(unk_id_);
      return;
    }
    pieces.push_back(*found);
    start = end;
  }
  out.insert(out.end(), pieces.begin(), pieces.end());
}

ModelPtr wordpiece_model_from_json(const JsonFields& f) {
  Vocab vocab(token_map_from_json(f, "vocab"));
  const std::string unk = f.string("unk_token", "[UNK]");
  auto unk_id = vocab.find(unk);
  if (!unk_id) f.fail("unk_token", "a token of the vocabulary");
  int64_t max_chars = f.integer("max_input_chars_per_word", 100);
  return std::make_unique<WordPieceModel>(std::move(vocab), *unk_id,
                                          f.string("continuing_subword_prefix", "##"),
                                          size_t(std::max<int64_t>(max_chars, 0)));
}

}  // namespace massact
