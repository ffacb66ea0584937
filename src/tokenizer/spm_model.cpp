#include "tokenizer/spm_model.h"

#include "tokenizer/unicode.h"

namespace massact {

SpmModel::SpmModel(Vocab vocab, std::vector<float> scores, std::vector<bool> mergeable,
                   std::optional<int32_t> unk_id)
    : vocab_(std::move(vocab)),
      scores_(std::move(scores)),
      mergeable_(std::move(mergeable)),
      unk_id_(unk_id) {}

void SpmModel::emit_unmerged(std::string_view text, TokenIds& out) const {
  if (auto id = vocab_.find(text)) {
    out.push_back(*id);
    return;
  }
  for (unsigned char byte : text) {
    if (auto id = vocab_.find(byte_token_text(byte)))
      out.push_back(*id);
    else if (unk_id_)
      out.push_back(*unk_id_);
  }
}

void SpmModel::tokenize(std::string_view word, TokenIds& out) const {
  std::vector<BpeSymbol> symbols;
  for (size_t pos = 0; pos < word.size();) {
    size_t begin = pos;
    next_code_point(word, pos);
    symbols.push_back({-1, uint32_t(begin), uint32_t(pos - begin)});
  }
  auto find_merge = [&](const BpeSymbol& l, const BpeSymbol& r) -> std::optional<BpeMerge> {
    auto id = vocab_.find(word.substr(l.begin, l.length + r.length));
    if (!id || !mergeable_[size_t(*id)]) return std::nullopt;
    return BpeMerge{-double(scores_[size_t(*id)]), *id};
  };
  for (const BpeSymbol& s : merge_symbols(std::move(symbols), find_merge)) {
    if (s.id >= 0)
      out.push_back(s.id);
    else
      emit_unmerged(word.substr(s.begin, s.length), out);
  }
}

}  // namespace massact
