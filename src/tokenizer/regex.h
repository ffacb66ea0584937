// Unicode regular expressions for pre-tokenizers (GPT-2, LLaMA-3, Qwen2 patterns, ...), on PCRE2
// with UTF and Unicode properties (\p{L}, \p{N}, \s), JIT-compiled when the platform allows.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace massact {

struct Span {
  size_t begin = 0;
  size_t end = 0;
  bool is_match = false;
};

class Regex {
 public:
  // InputError naming `where` (e.g. "tokenizer.json: field 'pre_tokenizer.pattern.Regex'") and
  // PCRE2's complaint when the pattern does not compile.
  Regex(const std::string& pattern, const std::string& where);
  ~Regex();
  Regex(Regex&&) noexcept;

  // Every match, left to right, as spans of `text` (which must be valid UTF-8). Empty matches are
  // included (they cut the text where they are).
  std::vector<Span> find_all(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The text cut into alternating non-match / match spans that cover it (HF's Pattern::find_matches):
// an empty text gives one empty non-match span.
std::vector<Span> cover(std::string_view text, const std::vector<Span>& matches);

}  // namespace massact
