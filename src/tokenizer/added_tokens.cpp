#include "tokenizer/added_tokens.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace massact {

namespace {

bool is_word_char(char32_t c) {
  return c == '_' || is_alphanumeric(c);
}

// The code point that ends at byte `end` (which is > 0).
char32_t code_point_before(std::string_view text, size_t end) {
  size_t begin = end - 1;
  while (begin > 0 && (static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80) --begin;
  return next_code_point(text, begin);
}

}  // namespace

AddedTokens::AddedTokens(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i)
    if (!tokens_[i].content.empty())
      by_first_byte_[static_cast<unsigned char>(tokens_[i].content[0])].push_back(i);
  for (auto& list : by_first_byte_)
    std::stable_sort(list.begin(), list.end(), [this](size_t a, size_t b) {
      return tokens_[a].content.size() > tokens_[b].content.size();
    });
}

std::vector<AddedTokens::Match> AddedTokens::find(std::string_view text, bool normalized) const {
  std::vector<Match> matches;
  for (size_t at = 0; at < text.size();) {
    const AddedToken* hit = nullptr;
    for (size_t i : by_first_byte_[static_cast<unsigned char>(text[at])]) {
      const AddedToken& t = tokens_[i];
      if (t.normalized == normalized && text.compare(at, t.content.size(), t.content) == 0) {
        hit = &t;
        break;
      }
    }
    if (!hit) {
      ++at;
      continue;
    }
    size_t end = at + hit->content.size();
    if (hit->single_word) {
      bool word_before = at > 0 && is_word_char(code_point_before(text, at));
      size_t after = end;
      bool word_after = end < text.size() && is_word_char(next_code_point(text, after));
      // Inside a word: the match is dropped and its text stays text. HF's leftmost-longest scan
      // goes on after it, so neither a shorter token at the same place nor one starting inside
      // it is tried (tokenizers 0.19: "pqq" with "pq" single-word and "qq" finds neither).
      if (word_before || word_after) {
        at = end;
        continue;
      }
    }
    size_t begin = at;
    if (hit->lstrip) {
      const size_t floor = matches.empty() ? 0 : matches.back().end;
      while (begin > floor && is_whitespace(code_point_before(text, begin))) {
        do --begin;  // back over one whole code point
        while ((static_cast<unsigned char>(text[begin]) & 0xC0) == 0x80);
      }
    }
    if (hit->rstrip) {
      for (size_t pos = end; pos < text.size() && is_whitespace(next_code_point(text, pos));)
        end = pos;
    }
    matches.push_back({begin, end, hit->id});
    at = end;
  }
  return matches;
}

void AddedTokens::split(Pieces& pieces, bool normalized) const {
  if (tokens_.empty()) return;
  for_each_text_piece(pieces, [&](const Piece& p, Pieces& out) {
    size_t prev = 0;
    for (const Match& m : find(p.text, normalized)) {
      if (m.begin > prev)
        out.push_back({p.text.substr(prev, m.begin - prev), -1, p.at_start && prev == 0});
      out.push_back({"", m.id, false});
      prev = m.end;
    }
    if (prev < p.text.size()) out.push_back({p.text.substr(prev), -1, p.at_start && prev == 0});
  });
}

}  // namespace massact
