// The envelope every JSON result shares: schema name and version, the command line, massact's
// version and the model's identity. Studies add their protocol and numbers beside it.
#pragma once

#include <string>

#include "io/json_file.h"
#include "model/model.h"

namespace massact {

inline constexpr const char* kMassactVersion = "0.1.0";

json model_identity(const Model& model);
json result_document(const std::string& schema, int version, const std::string& command_line,
                     const Model& model);
json result_document(const std::string& schema, int version,
                     const std::string& command_line);  // a result about no model
// `doc` pretty-printed (indent < 0: on one line). Strings that are not valid UTF-8 (an argument,
// a folder name or a token in another encoding) have their invalid bytes replaced by U+FFFD
// rather than failing: a result is never lost to the bytes of a name.
std::string json_text(const json& doc, int indent = 2);
// Writes json_text(doc), atomically.
void write_json_file(const std::string& path, const json& doc);

}  // namespace massact
