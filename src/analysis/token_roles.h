// The role of each token in a sequence, the vocabulary in which the paper describes where massive
// activations sit: in text, the starting token, the first strong delimiter ("." or a newline),
// later delimiters, and everything else; in a vision transformer's input, the class token, the
// register tokens and the patches.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace massact {

enum class TokenRole { First, FirstDelimiter, Delimiter, Word, Cls, Register, Patch };
inline constexpr int kNumTokenRoles = 7;

// "first", "first-delimiter", "delimiter", "word", "cls", "register", "patch"
const char* token_role_name(TokenRole role);
TokenRole token_role_from_name(const std::string& name);  // InputError for an unknown name

// A delimiter is a token whose text, spaces aside, is "." or consists of line breaks.
bool is_delimiter_text(const std::string& text);

std::vector<TokenRole> token_roles(const TokenIds& ids,
                                   const std::function<std::string(int32_t)>& text_of);

// Where a token of a vision transformer's input [class, registers..., patches in row-major order]
// sits: its role, and the register's index or the patch's row and column (0-based).
struct ImageTokenPlace {
  TokenRole role = TokenRole::Cls;
  int64_t index = 0;  // Register: which one
  int64_t row = 0;    // Patch: its place in the grid
  int64_t col = 0;
};
// The places of all 1 + n_registers + rows * cols tokens, in order.
std::vector<ImageTokenPlace> image_token_places(int64_t n_registers, int64_t rows, int64_t cols);

}  // namespace massact
