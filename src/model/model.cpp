#include "model/model.h"

#include <set>

#include "io/checkpoint.h"
#include "io/gguf_source.h"
#include "model/arch/arch.h"

namespace massact {

Model Model::load(const std::string& path) {
  if (is_gguf_path(path)) {
    auto source = std::make_shared<GgufSource>(std::make_shared<GgufFile>(GgufFile::open(path)));
    ModelSpec spec = spec_from_gguf(source->file(), *source);
    return Model(path, std::move(spec), std::move(source));
  }
  Checkpoint ckpt = open_checkpoint(path);
  ModelSpec spec = spec_from_config(ckpt.config, ckpt.config_path);
  return Model(path, std::move(spec), std::move(ckpt.tensors));
}

Model::Model(std::string path, ModelSpec spec, std::shared_ptr<const TensorSource> source)
    : path_(std::move(path)),
      spec_(std::move(spec)),
      source_(std::move(source)),
      weights_(load_weights(spec_, *source_, path_)) {}

int64_t Model::parameter_count() const {
  int64_t n = 0;
  for (const auto& name : source_->names()) n += shape_numel(source_->shape(name));
  return n;
}

std::string Model::weight_dtype() const {
  std::set<std::string> kinds;
  for (const auto& name : source_->names()) kinds.insert(source_->stored_type(name));
  std::string out;
  for (const auto& k : kinds) out += (out.empty() ? "" : "+") + k;
  return out;
}

}  // namespace massact
