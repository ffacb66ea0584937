// A token vocabulary: id -> text and text -> id, looked up by string_view without copies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace massact {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Vocab {
 public:
  Vocab() = default;
  // `tokens[i]` is the text of id i. A text listed twice maps to its last id, as in llama.cpp;
  // an empty text (a gap in the ids) is never found.
  explicit Vocab(std::vector<std::string> tokens);

  std::optional<int32_t> find(std::string_view text) const {
    auto it = ids_.find(text);
    return it == ids_.end() ? std::nullopt : std::optional<int32_t>(it->second);
  }
  const std::string& text(int32_t id) const { return tokens_[size_t(id)]; }
  int32_t size() const { return int32_t(tokens_.size()); }

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> ids_;
};

// "<0x41>": how SentencePiece-style vocabularies name the token for one byte (byte fallback).
std::string byte_token_text(uint8_t byte);

}  // namespace massact
