#include "report/result_json.h"

#include "io/atomic_file.h"

namespace massact {

json model_identity(const Model& model) {
  const ModelSpec& s = model.spec();
  return {{"path", model.path()},
          {"type", s.family},
          {"parameters", model.parameter_count()},
          {"dtype", model.weight_dtype()},
          {"layers", s.n_layers},
          {"d_model", s.d_model}};
}

json result_document(const std::string& schema, int version, const std::string& command_line) {
  return {{"schema", {{"name", schema}, {"version", version}}},
          {"massact_version", kMassactVersion},
          {"command", command_line}};
}

json result_document(const std::string& schema, int version, const std::string& command_line,
                     const Model& model) {
  json doc = result_document(schema, version, command_line);
  doc["model"] = model_identity(model);
  return doc;
}

std::string json_text(const json& doc, int indent) {
  return doc.dump(indent, ' ', false, json::error_handler_t::replace);
}

void write_json_file(const std::string& path, const json& doc) {
  write_text_file_atomically(path, json_text(doc) + "\n");
}

}  // namespace massact
