#include "tokenizer/bpe_model.h"

#include "core/error.h"
#include "tokenizer/json_components.h"
#include "tokenizer/unicode.h"

namespace massact {

namespace {

// Merges are "a b" strings, or [a, b] pairs in files from tokenizers 0.20 on.
std::vector<std::pair<std::string, std::string>> merges_from_json(const JsonFields& f) {
  const json& list = f.raw("merges");
  if (!list.is_array()) f.fail("merges", "an array");
  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const json& m = list[i];
    const std::string field = "merges[" + std::to_string(i) + "]";
    if (m.is_string()) {
      const std::string& s = m.get_ref<const std::string&>();
      size_t space = s.find(' ', 1);  // the first token may itself be a space in some vocabularies
      if (space == std::string::npos)
        throw_input_error(f.where(), ": field '", f.field_name(field),
                          "': expected \"left right\", got ", quote_json(m));
      merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      throw_input_error(f.where(), ": field '", f.field_name(field),
                        "': expected \"left right\" or [left, right], got ", quote_json(m));
    }
  }
  return merges;
}

}  // namespace

BpeModel::BpeModel(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges,
                   BpeOptions options, const std::string& where)
    : vocab_(std::move(vocab)), options_(std::move(options)) {
  const size_t prefix = options_.continuing_subword_prefix.size();
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto left = vocab_.find(a), right = vocab_.find(b);
    // The merged token drops the right side's continuing-subword prefix ("##").
    std::string merged =
        a + (b.compare(0, prefix, options_.continuing_subword_prefix) == 0 ? b.substr(prefix) : b);
    auto id = vocab_.find(merged);
    if (!left || !right || !id)
      throw_input_error(where, ": merge #", rank, " \"", quote_prefix(a + " " + b),
                        "\": expected both sides and their concatenation in the vocabulary");
    merges_.emplace(pair_key(*left, *right), Merge{uint32_t(rank), *id});
  }
  if (options_.unk_token) unk_id_ = vocab_.find(*options_.unk_token);
}

std::vector<BpeSymbol> BpeModel::initial_symbols(std::string_view word) const {
  std::vector<BpeSymbol> symbols;
  symbols.reserve(word.size());
  std::string unit;
  for (size_t pos = 0; pos < word.size();) {
    const size_t begin = pos;
    next_code_point(word, pos);
    const uint32_t length = uint32_t(pos - begin);
    unit.clear();
    if (begin > 0) unit += options_.continuing_subword_prefix;
    unit.append(word, begin, length);
    if (pos == word.size()) unit += options_.end_of_word_suffix;
    if (auto id = vocab_.find(unit)) {
      symbols.push_back({*id, uint32_t(begin), length});
      continue;
    }
    if (options_.byte_fallback) {
      std::vector<BpeSymbol> bytes;
      for (uint32_t i = 0; i < length; ++i)
        if (auto id = vocab_.find(byte_token_text(uint8_t(word[begin + i]))))
          bytes.push_back({*id, uint32_t(begin + i), 1});
      if (bytes.size() == length) {
        symbols.insert(symbols.end(), bytes.begin(), bytes.end());
        continue;
      }
    }
    if (!unk_id_) continue;  // no unknown token: the character is dropped
    if (options_.fuse_unk && !symbols.empty() && symbols.back().id == *unk_id_ &&
        symbols.back().begin + symbols.back().length == begin)
      symbols.back().length += length;
    else
      symbols.push_back({*unk_id_, uint32_t(begin), length});
  }
  return symbols;
}

TokenIds BpeModel::merge_word(std::string_view word) const {
  auto find_merge = [this](const BpeSymbol& l, const BpeSymbol& r) -> std::optional<BpeMerge> {
    auto it = merges_.find(pair_key(l.id, r.id));
    if (it == merges_.end()) return std::nullopt;
    return BpeMerge{double(it->second.rank), it->second.id};
  };
  TokenIds ids;
  for (const BpeSymbol& s : merge_symbols(initial_symbols(word), find_merge)) ids.push_back(s.id);
  return ids;
}

void BpeModel::tokenize(std::string_view word, TokenIds& out) const {
  if (options_.ignore_merges)
    if (auto id = vocab_.find(word)) {
      out.push_back(*id);
      return;
    }
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  TokenIds ids = merge_word(word);
  out.insert(out.end(), ids.begin(), ids.end());
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), std::move(ids));
}

ModelPtr bpe_model_from_json(const JsonFields& f) {
  if (f.has("dropout") && f.number("dropout") != 0.0)
    f.fail("dropout", "null or 0 (BPE dropout is random; a study needs fixed ids)");
  BpeOptions options;
  if (f.has("unk_token")) options.unk_token = f.string("unk_token");
  options.continuing_subword_prefix = f.string("continuing_subword_prefix", "");
  options.end_of_word_suffix = f.string("end_of_word_suffix", "");
  options.fuse_unk = f.boolean("fuse_unk", false);
  options.byte_fallback = f.boolean("byte_fallback", false);
  options.ignore_merges = f.boolean("ignore_merges", false);
  return std::make_unique<BpeModel>(Vocab(token_map_from_json(f, "vocab")), merges_from_json(f),
                                    std::move(options),
                                    f.where() + ": field '" + f.field_name("merges") + "'");
}

}  // namespace massact
