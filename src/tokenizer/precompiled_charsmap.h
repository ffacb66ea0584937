// SentencePiece's precompiled_charsmap, the normalization rules that T5, ALBERT, XLM-R and other
// SentencePiece models carry (in tokenizer.model, in tokenizer.json's Precompiled normalizer and in
// GGUF files): a darts-clone double-array trie over UTF-8 keys whose values index NUL-terminated
// replacement strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace massact {

// InputError "`where`<what is wrong>" unless every lookup a normalizer can make stays inside the
// blob (libsentencepiece trusts it).
void check_precompiled_charsmap(std::string_view blob, const std::string& where);

class PrecompiledCharsmap {
 public:
  // InputError naming `where` for a blob that fails the check or whose strings are not UTF-8.
  PrecompiledCharsmap(std::string_view blob, const std::string& where);

  // The replacement string of the shortest rule whose key is a prefix of `chunk`; nullopt when no
  // rule matches. The whole chunk is replaced, whatever the key's length (as HF does).
  std::optional<std::string_view> transform(std::string_view chunk) const;

  // Hugging Face's Precompiled normalizer: each extended grapheme cluster under 6 bytes is
  // replaced whole when a rule matches it, otherwise each of its code points is looked up alone.
  std::string normalize(std::string_view text) const;

 private:
  std::vector<uint32_t> units_;  // empty for an empty blob (the identity)
  std::string strings_;
};

}  // namespace massact
