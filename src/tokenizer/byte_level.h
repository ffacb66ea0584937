// GPT-2's byte-level alphabet: every byte maps to a printable code point (printable ASCII and
// Latin-1 map to themselves, the rest to U+0100 onwards), so that any bytes form a valid string.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace massact {

// Each byte of `bytes` as its byte-level character, in UTF-8.
std::string bytes_to_byte_level(std::string_view bytes);
// The inverse; nullopt when a character is not in the alphabet.
std::optional<std::string> byte_level_to_bytes(std::string_view text);

// GPT-2's pre-tokenizer pattern, which the ByteLevel pre-tokenizer uses when use_regex is set.
extern const char* const kGpt2Pattern;

}  // namespace massact
