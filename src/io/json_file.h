// JSON files and typed access to their fields, with errors that name the file and the field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace massact {

using json = nlohmann::json;

// Arrays and objects nest at most this deep in any file massact reads (real configs and
// tokenizers nest under 10 levels). Bounding it at parse time keeps every recursive walk of a
// parsed value (parsing, dump(), destruction, the tokenizer's component builders) shallow.
constexpr int kMaxJsonDepth = 64;

// Parses a whole JSON file; InputError names the path and the parser's complaint, including
// nesting deeper than kMaxJsonDepth and numbers outside the range of a double.
json read_json_file(const std::string& path);
json parse_json(const std::string& text, const std::string& where);

// The JSON text of a value for an error message, cut to a short prefix when it is long.
std::string quote_json(const json& value);

// Typed, checked reads of an object's fields. `where` names the file, `path` the object inside it,
// so that an error reads: "config.json: field 'rope_scaling.factor': expected a number, got \"x\"".
class JsonFields {
 public:
  JsonFields(const json& object, std::string where, std::string path = "");

  bool has(const std::string& key) const;  // present and not null
  int64_t integer(const std::string& key) const;
  int64_t integer(const std::string& key, int64_t fallback) const;
  int64_t positive_integer(const std::string& key) const;
  double number(const std::string& key) const;
  double number(const std::string& key, double fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  std::string string(const std::string& key) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  JsonFields object(const std::string& key) const;
  const json& raw(const std::string& key) const;

  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;
  std::string field_name(const std::string& key) const;
  const std::string& where() const { return where_; }

 private:
  const json& object_;
  std::string where_;
  std::string path_;
};

}  // namespace massact
