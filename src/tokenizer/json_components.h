// Reading the component objects of a tokenizer.json: arrays of sub-objects, and the "String" or
// "Regex" patterns that Split and Replace use, with errors that name the field.
#pragma once

#include <string>
#include <vector>

#include "io/json_file.h"

namespace massact {

// The objects of the array field `key`, each with its path ("normalizers[2]") for errors.
std::vector<JsonFields> object_array(const JsonFields& fields, const std::string& key);

// A pattern field: {"String": "..."} or {"Regex": "..."}.
struct PatternField {
  bool is_regex = false;
  std::string text;
  std::string where;  // the field, for regex compile errors
};
PatternField pattern_from_json(const JsonFields& fields, const std::string& key);

// A {"token": id, ...} object as the list of token texts by id. Ids need not be dense: a gap is an
// empty text, a token that can never be produced.
std::vector<std::string> token_map_from_json(const JsonFields& fields, const std::string& key);

}  // namespace massact
