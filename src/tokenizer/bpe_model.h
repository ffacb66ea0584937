// Hugging Face's BPE model: merges applied by rank (GPT-2, LLaMA-3, Qwen2 byte-level vocabularies,
// and SentencePiece-style exports with byte_fallback such as LLaMA-2 and Mistral).
#pragma once

#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/json_file.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer/model.h"

namespace massact {

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;  // a word that is itself a token is taken whole (LLaMA-3)
};

class BpeModel : public Model {
 public:
  // `merges` are pairs of token texts, rank = position. InputError naming `where` when a merge
  // names a token that is not in the vocabulary.
  BpeModel(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges,
           BpeOptions options, const std::string& where);

  void tokenize(std::string_view word, TokenIds& out) const override;
  const Vocab& vocab() const override { return vocab_; }
  std::string name() const override { return "BPE"; }

 private:
  std::vector<BpeSymbol> initial_symbols(std::string_view word) const;
  TokenIds merge_word(std::string_view word) const;

  struct Merge {
    uint32_t rank;
    int32_t id;
  };
  static uint64_t pair_key(int32_t a, int32_t b) {
    return (uint64_t(uint32_t(a)) << 32) | uint32_t(b);
  }

  Vocab vocab_;
  std::unordered_map<uint64_t, Merge> merges_;
  BpeOptions options_;
  std::optional<int32_t> unk_id_;

  // Words repeat a lot in real text; their ids are cached (bounded, as in HF).
  static constexpr size_t kCacheCapacity = 10000;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, TokenIds, StringHash, std::equal_to<>> cache_;
};

ModelPtr bpe_model_from_json(const JsonFields& fields);

}  // namespace massact
