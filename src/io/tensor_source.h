// Named tensors from a checkpoint, whatever its file format. Models ask a TensorSource for weights
// by name; the source knows nothing about models.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/safetensors.h"

namespace massact {

class TensorSource {
 public:
  virtual ~TensorSource() = default;
  virtual bool has(const std::string& name) const = 0;
  // InputError naming the checkpoint and the tensor when it is absent.
  virtual Tensor get(const std::string& name) const = 0;
  virtual std::vector<std::string> names() const = 0;
  // What a tensor is without reading it: its shape, and its type as the file stores it ("BF16",
  // "Q4_K", ...), which may differ from the dtype get() returns.
  virtual Shape shape(const std::string& name) const { return get(name).shape(); }
  virtual std::string stored_type(const std::string& name) const {
    return std::string(dtype_name(get(name).dtype()));
  }
};

// One safetensors file, or the shards listed by a model.safetensors.index.json.
class SafetensorsSource : public TensorSource {
 public:
  static std::unique_ptr<SafetensorsSource> single(const std::string& path);
  static std::unique_ptr<SafetensorsSource> sharded(const std::string& index_path);

  bool has(const std::string& name) const override;
  Tensor get(const std::string& name) const override;
  std::vector<std::string> names() const override;

 private:
  std::string description_;  // what error messages call this checkpoint
  std::vector<SafetensorsFile> files_;
  std::vector<std::pair<std::string, size_t>> index_;  // sorted name -> file
  const std::pair<std::string, size_t>* lookup(const std::string& name) const;
};

}  // namespace massact
