#include "analysis/means.h"

#include "core/error.h"

namespace massact {

namespace {
constexpr const char* kSchema = "massact.means";
constexpr int kVersion = 2;  // 2: per-key sequences and the feature shares
}  // namespace

MassiveMeans MassiveMeans::from_census(const MassiveCensus& census) {
  MassiveMeans means;
  means.sequences_ = census.sequences();
  for (const auto& [key, entry] : census.entries())
    means.means_[key] = {entry.values.mean(), entry.values.count(), entry.sequences};
  means.shares_ = census.feature_shares();
  return means;
}

json MassiveMeans::to_json() const {
  json rows = json::array(), shares = json::array();
  for (const auto& [key, value] : means_)
    rows.push_back({{"layer", key.layer},
                    {"dim", key.dim},
                    {"role", token_role_name(key.role)},
                    {"mean", value.mean},
                    {"count", value.count},
                    {"sequences", value.sequences}});
  for (const auto& [where, share] : shares_)
    shares.push_back({{"layer", where.first}, {"dim", where.second}, {"non_first_share", share}});
  return {{"schema", {{"name", kSchema}, {"version", kVersion}}},
          {"sequences", sequences_},
          {"means", rows},
          {"feature_shares", shares}};
}

MassiveMeans MassiveMeans::read(const std::string& path) {
  json doc = read_json_file(path);
  JsonFields fields(doc, path);
  JsonFields schema = fields.object("schema");
  if (schema.string("name") != kSchema)
    fields.fail("schema.name",
                std::string("\"") + kSchema + "\" (a file written by massact stats --means-out)");
  if (schema.integer("version") != kVersion)
    fields.fail("schema.version", std::to_string(kVersion) +
                                      " (an older massact wrote this file; run massact stats "
                                      "--means-out again)");
  MassiveMeans means;
  means.sequences_ = fields.positive_integer("sequences");
  const json& rows = fields.raw("means");
  if (!rows.is_array()) fields.fail("means", "an array");
  for (size_t i = 0; i < rows.size(); ++i) {
    JsonFields row(rows[i], path, "means[" + std::to_string(i) + "]");
    means.means_[{int(row.integer("layer")), row.integer("dim"),
                  token_role_from_name(row.string("role"))}] = {
        row.number("mean"), row.positive_integer("count"), row.positive_integer("sequences")};
  }
  const json& shares = fields.raw("feature_shares");
  if (!shares.is_array()) fields.fail("feature_shares", "an array");
  for (size_t i = 0; i < shares.size(); ++i) {
    JsonFields row(shares[i], path, "feature_shares[" + std::to_string(i) + "]");
    means.shares_[{int(row.integer("layer")), row.integer("dim")}] = row.number("non_first_share");
  }
  return means;
}

std::optional<int> MassiveMeans::first_layer(const MassiveKinds& kinds) const {
  for (const auto& [key, value] : means_)  // keys sort by layer first
    if (kinds.counts(key.dim) && 2 * value.sequences >= sequences_) return key.layer;
  return std::nullopt;
}

std::optional<float> MassiveMeans::lookup(int layer, int64_t dim, TokenRole role) const {
  if (auto it = means_.find({layer, dim, role}); it != means_.end()) return float(it->second.mean);
  return std::nullopt;
}

}  // namespace massact
