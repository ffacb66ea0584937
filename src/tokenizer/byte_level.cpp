#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/unicode.h"

namespace massact {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

struct Alphabet {
  std::array<std::string, 256> encoded;  // byte -> UTF-8 of its character
  std::array<int, 0x144> decoded;        // code point -> byte, -1 when not in the alphabet

  Alphabet() {
    decoded.fill(-1);
    char32_t next_free = 0x100;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      char32_t c = printable ? char32_t(b) : next_free++;
      append_utf8(encoded[size_t(b)], c);
      decoded[c] = b;
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

std::string bytes_to_byte_level(std::string_view bytes) {
  const Alphabet& a = alphabet();
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) out += a.encoded[b];
  return out;
}

std::optional<std::string> byte_level_to_bytes(std::string_view text) {
  const Alphabet& a = alphabet();
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t c = next_code_point(text, pos);
    if (c >= a.decoded.size() || a.decoded[c] < 0) return std::nullopt;
    out += char(a.decoded[c]);
  }
  return out;
}

}  // namespace massact
