#include "analysis/token_roles.h"

#include "core/error.h"

namespace massact {

namespace {
constexpr const char* kRoleNames[kNumTokenRoles] = {"first", "first-delimiter", "delimiter", "word",
                                                    "cls",   "register",        "patch"};
}

const char* token_role_name(TokenRole role) {
  return kRoleNames[int(role)];
}

TokenRole token_role_from_name(const std::string& name) {
  for (int r = 0; r < kNumTokenRoles; ++r)
    if (name == kRoleNames[r]) return TokenRole(r);
  std::string names;
  for (int r = 0; r < kNumTokenRoles; ++r) names += (r ? ", " : "") + std::string(kRoleNames[r]);
  throw_input_error("token role '", name, "': expected one of ", names);
}

bool is_delimiter_text(const std::string& text) {
  std::string core;
  bool newline = false;
  for (char c : text) {
    if (c == '\n' || c == '\r')
      newline = true;
    else if (c != ' ' && c != '\t')
      core += c;
  }
  return core == "." || (newline && core.empty());
}

std::vector<TokenRole> token_roles(const TokenIds& ids,
                                   const std::function<std::string(int32_t)>& text_of) {
  std::vector<TokenRole> roles(ids.size(), TokenRole::Word);
  bool seen_delimiter = false;
  for (size_t t = 0; t < ids.size(); ++t) {
    if (t == 0) {
      roles[t] = TokenRole::First;
    } else if (is_delimiter_text(text_of(ids[t]))) {
      roles[t] = seen_delimiter ? TokenRole::Delimiter : TokenRole::FirstDelimiter;
      seen_delimiter = true;
    }
  }
  return roles;
}

std::vector<ImageTokenPlace> image_token_places(int64_t n_registers, int64_t rows, int64_t cols) {
  std::vector<ImageTokenPlace> places{{TokenRole::Cls}};
  for (int64_t r = 0; r < n_registers; ++r) places.push_back({TokenRole::Register, r});
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t col = 0; col < cols; ++col) places.push_back({TokenRole::Patch, 0, row, col});
  return places;
}

}  // namespace massact
