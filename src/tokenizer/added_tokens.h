// Added tokens (special tokens like "<|endoftext|>" and user-added words): found in the text before
// the model runs, leftmost-longest, and emitted whole (HF's AddedVocabulary).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "tokenizer/pieces.h"

namespace massact {

struct AddedToken {
  std::string content;
  int32_t id = -1;
  bool special = false;
  bool single_word = false;  // only where not inside a word
  bool lstrip = false;       // swallows whitespace on its left
  bool rstrip = false;       // ... and on its right
  bool normalized = false;   // matched in normalized text rather than raw text
};

class AddedTokens {
 public:
  explicit AddedTokens(std::vector<AddedToken> tokens);

  // Cuts the text pieces at the tokens whose `normalized` flag equals `normalized`.
  void split(Pieces& pieces, bool normalized) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  struct Match {
    size_t begin, end;
    int32_t id;
  };
  std::vector<Match> find(std::string_view text, bool normalized) const;

  std::vector<AddedToken> tokens_;
  std::array<std::vector<size_t>, 256> by_first_byte_;  // token indexes, longest first
};

}  // namespace massact
