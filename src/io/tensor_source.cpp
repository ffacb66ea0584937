#include "io/tensor_source.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "io/json_file.h"

namespace massact {

namespace fs = std::filesystem;

std::unique_ptr<SafetensorsSource> SafetensorsSource::single(const std::string& path) {
  auto source = std::make_unique<SafetensorsSource>();
  source->description_ = path;
  source->files_.push_back(SafetensorsFile::open(path));
  for (const auto& info : source->files_[0].tensors()) source->index_.emplace_back(info.name, 0);
  std::sort(source->index_.begin(), source->index_.end());
  return source;
}

// The index maps every tensor name to a shard file name; each shard must hold what the index says.
std::unique_ptr<SafetensorsSource> SafetensorsSource::sharded(const std::string& index_path) {
  auto source = std::make_unique<SafetensorsSource>();
  source->description_ = index_path;
  json index = read_json_file(index_path);
  JsonFields fields(index, index_path);
  const json& weight_map = fields.raw("weight_map");
  if (!weight_map.is_object()) fields.fail("weight_map", "an object of tensor name -> shard file");

  std::map<std::string, size_t> shard_of_file;
  fs::path dir = fs::path(index_path).parent_path();
  for (const auto& [name, file] : weight_map.items()) {
    if (!file.is_string()) fields.fail("weight_map." + quote_prefix(name), "a shard file name");
    std::string shard = file.get<std::string>();
    if (shard.find('/') != std::string::npos)
      fields.fail("weight_map." + quote_prefix(name), "a file name inside the model folder");
    auto [it, added] = shard_of_file.emplace(shard, source->files_.size());
    // The error_code form: a name the OS refuses (over 255 bytes, say) is the file's fault too.
    std::error_code error;
    if (added && !fs::is_regular_file(dir / shard, error))
      throw_input_error(index_path, ": field 'weight_map.", quote_prefix(name), "': shard file ",
                        quote_prefix((dir / shard).string(), 300),
                        " does not exist or is not a file",
                        error ? " (" + error.message() + ")" : "");
    if (added) source->files_.push_back(SafetensorsFile::open((dir / shard).string()));
    if (!source->files_[it->second].find(name))
      throw_input_error(index_path, ": field 'weight_map.", quote_prefix(name), "': shard ",
                        quote_prefix(shard), " has no tensor of that name");
    source->index_.emplace_back(name, it->second);
  }
  std::sort(source->index_.begin(), source->index_.end());
  return source;
}

const std::pair<std::string, size_t>* SafetensorsSource::lookup(const std::string& name) const {
  auto it =
      std::lower_bound(index_.begin(), index_.end(), name,
                       [](const auto& entry, const std::string& n) { return entry.first < n; });
  return it != index_.end() && it->first == name ? &*it : nullptr;
}

bool SafetensorsSource::has(const std::string& name) const {
  return lookup(name) != nullptr;
}

Tensor SafetensorsSource::get(const std::string& name) const {
  const auto* entry = lookup(name);
  if (!entry) throw_input_error(description_, ": missing tensor '", name, "'");
  return files_[entry->second].get(name);
}

std::vector<std::string> SafetensorsSource::names() const {
  std::vector<std::string> out;
  for (const auto& entry : index_) out.push_back(entry.first);
  return out;
}

}  // namespace massact
