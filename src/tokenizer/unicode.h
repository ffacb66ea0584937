// UTF-8 code points and the Unicode operations that tokenizers need, on top of ICU (normalization
// forms, case mapping, character properties), so that no Unicode table is written by hand.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace massact {

// Decodes the code point at `pos` and moves `pos` past it (one byte and U+FFFD for a stray or
// truncated sequence).
char32_t next_code_point(std::string_view text, size_t& pos);
void append_utf8(std::string& out, char32_t c);
// The byte offset of the first invalid UTF-8 sequence, or npos when the text is valid.
size_t find_invalid_utf8(std::string_view text);

enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::string normalize(std::string_view text, NormalForm form);
std::string to_lower(std::string_view text);  // full Unicode lowercase mapping (root locale)

bool is_whitespace(char32_t c);       // the White_Space property (Rust's char::is_whitespace)
bool is_punctuation(char32_t c);      // general category P*
bool is_other(char32_t c);            // general category C* (control, format, unassigned, ...)
bool is_nonspacing_mark(char32_t c);  // general category Mn
bool is_mark(char32_t c);             // general category M* (Mn, Mc, Me)
bool is_numeric(char32_t c);          // general category N* (Rust's char::is_numeric)
bool is_alphanumeric(char32_t c);     // Alphabetic or N* (Rust's char::is_alphanumeric)

}  // namespace massact
