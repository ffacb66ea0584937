#include "tokenizer/pipeline_tokenizer.h"

#include <cstdio>

#include "core/error.h"
#include "tokenizer/unicode.h"

namespace massact {

namespace {

// Bytes that do not form valid UTF-8 (a token holding part of a character) shown as <0xNN>.
std::string escape_invalid_utf8(std::string_view bytes) {
  std::string out;
  while (!bytes.empty()) {
    size_t bad = find_invalid_utf8(bytes);
    out.append(bytes.substr(0, std::min(bad, bytes.size())));
    if (bad == std::string_view::npos) break;
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", static_cast<unsigned char>(bytes[bad]));
    out += hex;
    bytes.remove_prefix(bad + 1);
  }
  return out;
}

// As Rust's String::from_utf8_lossy: each invalid sequence becomes U+FFFD.
std::string lossy_utf8(std::string_view bytes) {
  std::string out;
  while (!bytes.empty()) {
    size_t bad = find_invalid_utf8(bytes);
    out.append(bytes.substr(0, std::min(bad, bytes.size())));
    if (bad == std::string_view::npos) break;
    out += "\xEF\xBF\xBD";
    bytes.remove_prefix(bad + 1);
  }
  return out;
}

}  // namespace

TokenIds PipelineTokenizer::encode(const std::string& text, bool with_special) const {
  if (size_t bad = find_invalid_utf8(text); bad != std::string::npos)
    throw_input_error("text: expected UTF-8, got an invalid byte at offset ", bad);
  Pieces pieces{{text, -1, true}};
  p_.added.split(pieces, false);
  for (Piece& piece : pieces)
    if (piece.is_text() && p_.normalizer) p_.normalizer->normalize(piece.text);
  p_.added.split(pieces, true);
  if (p_.pre_tokenizer) p_.pre_tokenizer->pre_tokenize(pieces);
  TokenIds ids;
  for (const Piece& piece : pieces) {
    if (!piece.is_text())
      ids.push_back(piece.token);
    else if (!piece.text.empty())
      p_.model->tokenize(piece.text, ids);
  }
  if (with_special) p_.post_processor.apply(ids);
  return ids;
}

TokenIds PipelineTokenizer::encode_pair(const std::string& first, const std::string& second,
                                        bool with_special) const {
  const auto& pair = p_.post_processor.pair;
  if (with_special && !pair)
    throw_input_error(describe(), ": no pair template (its post-processor joins no two texts)");
  TokenIds ids = with_special ? pair->before : TokenIds{};
  const TokenIds a = encode(first, false), b = encode(second, false);
  ids.insert(ids.end(), a.begin(), a.end());
  if (with_special) ids.insert(ids.end(), pair->middle.begin(), pair->middle.end());
  ids.insert(ids.end(), b.begin(), b.end());
  if (with_special) ids.insert(ids.end(), pair->after.begin(), pair->after.end());
  return ids;
}

std::string PipelineTokenizer::raw_token(int32_t id) const {
  for (const AddedToken& t : p_.added.tokens())
    if (t.id == id) return t.content;
  return id < p_.model->vocab().size() ? p_.model->vocab().text(id) : "";
}

std::string PipelineTokenizer::decode(const TokenIds& ids) const {
  std::vector<std::string> tokens;
  for (int32_t id : ids)
    if (id >= 0 && id < vocab_size()) tokens.push_back(raw_token(id));
  if (p_.decoder) p_.decoder->decode(tokens, true);
  std::string text;
  for (const std::string& t : tokens) text += t;
  return lossy_utf8(text);
}

std::string PipelineTokenizer::token_text(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return "<invalid " + std::to_string(id) + ">";
  std::vector<std::string> tokens{raw_token(id)};
  if (p_.decoder) p_.decoder->decode(tokens, false);
  std::string text;
  for (const std::string& t : tokens) text += t;
  return escape_invalid_utf8(text);
}

int32_t PipelineTokenizer::vocab_size() const {
  int32_t size = p_.model->vocab().size();
  for (const AddedToken& t : p_.added.tokens()) size = std::max(size, t.id + 1);
  return size;
}

}  // namespace massact
