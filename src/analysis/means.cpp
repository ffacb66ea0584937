#include "analysis/means.h"

#include "core/error.h"

namespace massact {

namespace {
constexpr const char* kSchema = "massact.means";
}

void MassiveMeans::add(const MassiveKey& key, double mean, int64_t count) {
  means_[key] = {mean, count};
  // A count-weighted running mean over the roles of (layer, dim).
  auto& [any_mean, any_count] = any_role_[{key.layer, key.dim}];
  any_mean += (mean - any_mean) * double(count) / double(any_count + count);
  any_count += count;
}

MassiveMeans MassiveMeans::from_census(const MassiveCensus& census) {
  MassiveMeans means;
  for (const auto& [key, entry] : census.entries())
    means.add(key, entry.values.mean(), entry.values.count());
  return means;
}

json MassiveMeans::to_json() const {
  json rows = json::array();
  for (const auto& [key, value] : means_)
    rows.push_back({{"layer", key.layer},
                    {"dim", key.dim},
                    {"role", token_role_name(key.role)},
                    {"mean", value.first},
                    {"count", value.second}});
  return {{"schema", {{"name", kSchema}, {"version", 1}}}, {"means", rows}};
}

MassiveMeans MassiveMeans::read(const std::string& path) {
  json doc = read_json_file(path);
  JsonFields fields(doc, path);
  if (fields.object("schema").string("name") != kSchema)
    fields.fail("schema.name",
                std::string("\"") + kSchema + "\" (a file written by massact stats --means-out)");
  const json& rows = fields.raw("means");
  if (!rows.is_array()) fields.fail("means", "an array");
  MassiveMeans means;
  for (size_t i = 0; i < rows.size(); ++i) {
    JsonFields row(rows[i], path, "means[" + std::to_string(i) + "]");
    means.add(
        {int(row.integer("layer")), row.integer("dim"), token_role_from_name(row.string("role"))},
        row.number("mean"), row.positive_integer("count"));
  }
  return means;
}

std::optional<int> MassiveMeans::first_layer() const {
  if (means_.empty()) return std::nullopt;
  return means_.begin()->first.layer;  // keys sort by layer first
}

std::optional<float> MassiveMeans::lookup(int layer, int64_t dim, TokenRole role) const {
  if (auto it = means_.find({layer, dim, role}); it != means_.end()) return float(it->second.first);
  if (auto it = any_role_.find({layer, dim}); it != any_role_.end()) return float(it->second.first);
  return std::nullopt;
}

}  // namespace massact
