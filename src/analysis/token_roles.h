// The role of each token in a sequence, the vocabulary in which the paper describes where massive
// activations sit: the starting token, the first strong delimiter ("." or a newline), later
// delimiters, and everything else.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace massact {

enum class TokenRole { First, FirstDelimiter, Delimiter, Word };
inline constexpr int kNumTokenRoles = 4;

const char* token_role_name(TokenRole role);  // "first", "first-delimiter", "delimiter", "word"
TokenRole token_role_from_name(const std::string& name);  // InputError for an unknown name

// A delimiter is a token whose text, spaces aside, is "." or consists of line breaks.
bool is_delimiter_text(const std::string& text);

std::vector<TokenRole> token_roles(const TokenIds& ids,
                                   const std::function<std::string(int32_t)>& text_of);

}  // namespace massact
