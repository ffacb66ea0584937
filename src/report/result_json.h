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
// Writes `doc` pretty-printed, atomically.
void write_json_file(const std::string& path, const json& doc);

}  // namespace massact
