#include "tokenizer/json_components.h"

#include "core/error.h"

namespace massact {

std::vector<JsonFields> object_array(const JsonFields& fields, const std::string& key) {
  const json& array = fields.raw(key);
  if (!array.is_array()) fields.fail(key, "an array");
  std::vector<JsonFields> out;
  for (size_t i = 0; i < array.size(); ++i)
    out.emplace_back(array[i], fields.where(),
                     fields.field_name(key) + "[" + std::to_string(i) + "]");
  return out;
}

PatternField pattern_from_json(const JsonFields& fields, const std::string& key) {
  JsonFields pattern = fields.object(key);
  if (pattern.has("String")) return {false, pattern.string("String"), ""};
  if (pattern.has("Regex"))
    return {true, pattern.string("Regex"),
            pattern.where() + ": field '" + pattern.field_name("Regex") + "'"};
  fields.fail(key, "{\"String\": ...} or {\"Regex\": ...}");
}

std::vector<std::string> token_map_from_json(const JsonFields& f, const std::string& key) {
  const json& map = f.raw(key);
  if (!map.is_object()) f.fail(key, "an object of token -> id");
  std::vector<std::string> tokens;
  for (const auto& [text, id] : map.items()) {
    const int64_t i = id.is_number_integer() ? id.get<int64_t>() : -1;
    if (i < 0 || i >= int64_t(map.size()) * 2 + 1024)  // ids far past the count are corrupt
      throw_input_error(f.where(), ": field '", f.field_name(key), "': token \"", text,
                        "\": expected an id in 0..", map.size() - 1, ", got ", quote_json(id));
    if (size_t(i) >= tokens.size()) tokens.resize(size_t(i) + 1);
    tokens[size_t(i)] = text;
  }
  return tokens;
}

}  // namespace massact
