#include "io/json_file.h"

#include <fstream>
#include <sstream>

#include "core/error.h"

namespace massact {

namespace {

// Fails when brackets outside strings nest deeper than kMaxJsonDepth; a linear scan before the
// parser, which (like every walk of the parsed tree) recurses once per level.
void check_nesting(const std::string& text, const std::string& where) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        throw_input_error(where, ": not valid JSON: arrays and objects nested deeper than ",
                          kMaxJsonDepth, " levels at byte ", i);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace

json parse_json(const std::string& text, const std::string& where) {
  check_nesting(text, where);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number like 1e400
    throw_input_error(where, ": not valid JSON: ", quote_prefix(e.what(), 200));
  }
}

std::string quote_json(const json& value) {
  return quote_prefix(value.dump());
}

json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(path, ": cannot open");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_json(buffer.str(), path);
}

JsonFields::JsonFields(const json& object, std::string where, std::string path)
    : object_(object), where_(std::move(where)), path_(std::move(path)) {
  if (!object_.is_object())
    throw_input_error(where_, path_.empty() ? "" : ": field '" + path_ + "'",
                      ": expected a JSON object");
}

std::string JsonFields::field_name(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void JsonFields::fail(const std::string& key, const std::string& expected) const {
  std::string got = has(key) ? ", got " + quote_json(object_.at(key)) : " (missing)";
  throw_input_error(where_, ": field '", field_name(key), "': expected ", expected, got);
}

bool JsonFields::has(const std::string& key) const {
  auto it = object_.find(key);
  return it != object_.end() && !it->is_null();
}

const json& JsonFields::raw(const std::string& key) const {
  if (!has(key)) fail(key, "a value");
  return object_.at(key);
}

int64_t JsonFields::integer(const std::string& key) const {
  if (!has(key) || !object_.at(key).is_number_integer()) fail(key, "an integer");
  return object_.at(key).get<int64_t>();
}

int64_t JsonFields::integer(const std::string& key, int64_t fallback) const {
  return has(key) ? integer(key) : fallback;
}

int64_t JsonFields::positive_integer(const std::string& key) const {
  if (!has(key) || !object_.at(key).is_number_integer() || object_.at(key).get<int64_t>() <= 0)
    fail(key, "a positive integer");
  return object_.at(key).get<int64_t>();
}

double JsonFields::number(const std::string& key) const {
  if (!has(key) || !object_.at(key).is_number()) fail(key, "a number");
  return object_.at(key).get<double>();
}

double JsonFields::number(const std::string& key, double fallback) const {
  return has(key) ? number(key) : fallback;
}

bool JsonFields::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  if (!object_.at(key).is_boolean()) fail(key, "true or false");
  return object_.at(key).get<bool>();
}

std::string JsonFields::string(const std::string& key) const {
  if (!has(key) || !object_.at(key).is_string()) fail(key, "a string");
  return object_.at(key).get<std::string>();
}

std::string JsonFields::string(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

JsonFields JsonFields::object(const std::string& key) const {
  if (!has(key) || !object_.at(key).is_object()) fail(key, "an object");
  return JsonFields(object_.at(key), where_, field_name(key));
}

}  // namespace massact
