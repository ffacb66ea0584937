#include "tokenizer/unicode.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <vector>

#include "core/error.h"

namespace massact {

namespace {

std::u16string to_utf16(std::string_view text) {
  std::u16string out(text.size(), u'\0');  // UTF-16 never needs more units than UTF-8 has bytes
  int32_t length = 0;
  UErrorCode status = U_ZERO_ERROR;
  u_strFromUTF8(reinterpret_cast<UChar*>(out.data()), int32_t(out.size()), &length, text.data(),
                int32_t(text.size()), &status);
  if (U_FAILURE(status)) throw InputError("text: not valid UTF-8");
  out.resize(size_t(length));
  return out;
}

std::string to_utf8(const std::u16string& text) {
  std::string out(text.size() * 3, '\0');  // each UTF-16 unit becomes at most 3 bytes
  int32_t length = 0;
  UErrorCode status = U_ZERO_ERROR;
  u_strToUTF8(out.data(), int32_t(out.size()), &length, reinterpret_cast<const UChar*>(text.data()),
              int32_t(text.size()), &status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: UTF-16 to UTF-8 failed");
  out.resize(size_t(length));
  return out;
}

const UNormalizer2* normalizer(NormalForm form) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* n = nullptr;
  switch (form) {
    case NormalForm::NFC:
      n = unorm2_getNFCInstance(&status);
      break;
    case NormalForm::NFD:
      n = unorm2_getNFDInstance(&status);
      break;
    case NormalForm::NFKC:
      n = unorm2_getNFKCInstance(&status);
      break;
    case NormalForm::NFKD:
      n = unorm2_getNFKDInstance(&status);
      break;
  }
  if (U_FAILURE(status)) throw std::runtime_error("ICU: no normalizer instance");
  return n;
}

// Calls an ICU "write into a buffer" function twice when the first buffer is too small.
template <class F>
std::u16string with_buffer(size_t guess, F&& f) {
  std::u16string out(guess, u'\0');
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = f(reinterpret_cast<UChar*>(out.data()), int32_t(out.size()), &status);
  if (status == U_BUFFER_OVERFLOW_ERROR) {
    out.assign(size_t(length), u'\0');
    status = U_ZERO_ERROR;
    length = f(reinterpret_cast<UChar*>(out.data()), int32_t(out.size()), &status);
  }
  if (U_FAILURE(status)) throw std::runtime_error("ICU: Unicode operation failed");
  out.resize(size_t(length));
  return out;
}

bool is_ascii(std::string_view text) {
  for (unsigned char c : text)
    if (c >= 0x80) return false;
  return true;
}

}  // namespace

char32_t next_code_point(std::string_view text, size_t& pos) {
  auto byte = [&](size_t i) { return char32_t(static_cast<unsigned char>(text[i])); };
  char32_t c = byte(pos);
  if (c < 0x80) {
    pos += 1;
    return c;
  }
  // A sequence cut short (only in unchecked text such as a vocabulary's) reads as U+FFFD.
  const size_t length = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (c < 0xC0 || pos + length > text.size()) {
    pos += 1;
    return 0xFFFD;
  }
  if (c < 0xE0) {
    pos += 2;
    return ((c & 0x1F) << 6) | (byte(pos - 1) & 0x3F);
  }
  if (c < 0xF0) {
    pos += 3;
    return ((c & 0x0F) << 12) | ((byte(pos - 2) & 0x3F) << 6) | (byte(pos - 1) & 0x3F);
  }
  pos += 4;
  return ((c & 0x07) << 18) | ((byte(pos - 3) & 0x3F) << 12) | ((byte(pos - 2) & 0x3F) << 6) |
         (byte(pos - 1) & 0x3F);
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += char(c);
  } else if (c < 0x800) {
    out += char(0xC0 | (c >> 6));
    out += char(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += char(0xE0 | (c >> 12));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  } else {
    out += char(0xF0 | (c >> 18));
    out += char(0x80 | ((c >> 12) & 0x3F));
    out += char(0x80 | ((c >> 6) & 0x3F));
    out += char(0x80 | (c & 0x3F));
  }
}

size_t find_invalid_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text.data()) + i;
    const size_t left = text.size() - i;
    auto cont = [&](size_t k) { return k < left && (p[k] & 0xC0) == 0x80; };
    size_t n = 0;
    if (p[0] < 0x80)
      n = 1;
    else if (p[0] >= 0xC2 && p[0] < 0xE0 && cont(1))
      n = 2;
    else if (p[0] >= 0xE0 && p[0] < 0xF0 && cont(1) && cont(2)) {
      char32_t c = ((p[0] & 0x0F) << 12) | ((p[1] & 0x3F) << 6);
      n = (c >= 0x800 && (c < 0xD800 || c > 0xDFFF)) ? 3 : 0;  // no overlongs, no surrogates
    } else if (p[0] >= 0xF0 && p[0] < 0xF5 && cont(1) && cont(2) && cont(3)) {
      char32_t c = ((p[0] & 0x07) << 18) | ((p[1] & 0x3F) << 12);
      n = (c >= 0x10000 && c <= 0x10FFFF) ? 4 : 0;
    }
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string normalize(std::string_view text, NormalForm form) {
  if (is_ascii(text)) return std::string(text);  // ASCII is invariant under every form
  const UNormalizer2* n = normalizer(form);
  std::u16string in = to_utf16(text);
  return to_utf8(with_buffer(in.size() * 2 + 8, [&](UChar* dest, int32_t cap, UErrorCode* s) {
    return unorm2_normalize(n, reinterpret_cast<const UChar*>(in.data()), int32_t(in.size()), dest,
                            cap, s);
  }));
}

std::string to_lower(std::string_view text) {
  if (is_ascii(text)) {
    std::string out(text);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return out;
  }
  std::u16string in = to_utf16(text);
  return to_utf8(with_buffer(in.size() + 8, [&](UChar* dest, int32_t cap, UErrorCode* s) {
    return u_strToLower(dest, cap, reinterpret_cast<const UChar*>(in.data()), int32_t(in.size()),
                        "", s);
  }));
}

bool is_whitespace(char32_t c) {
  return u_hasBinaryProperty(UChar32(c), UCHAR_WHITE_SPACE);
}

bool is_punctuation(char32_t c) {
  return (U_GET_GC_MASK(UChar32(c)) & U_GC_P_MASK) != 0;
}

bool is_other(char32_t c) {
  return (U_GET_GC_MASK(UChar32(c)) & U_GC_C_MASK) != 0;
}

bool is_nonspacing_mark(char32_t c) {
  return u_charType(UChar32(c)) == U_NON_SPACING_MARK;
}

bool is_mark(char32_t c) {
  return (U_GET_GC_MASK(UChar32(c)) & U_GC_M_MASK) != 0;
}

bool is_numeric(char32_t c) {
  return (U_GET_GC_MASK(UChar32(c)) & U_GC_N_MASK) != 0;
}

bool is_alphanumeric(char32_t c) {
  return u_hasBinaryProperty(UChar32(c), UCHAR_ALPHABETIC) || is_numeric(c);
}

}  // namespace massact
