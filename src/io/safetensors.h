// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON describing each
// tensor (dtype, shape, [begin, end) byte offsets into the data section), then the data section.
// Every header is checked before any tensor is handed out.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/mapped_file.h"
#include "core/tensor.h"

namespace massact {

struct TensorInfo {
  std::string name;
  DType dtype;
  Shape shape;
  size_t begin;  // byte offsets into the data section
  size_t end;
};

class SafetensorsFile {
 public:
  // Maps and validates the file; InputError names the file, the tensor and the field at fault.
  static SafetensorsFile open(const std::string& path);

  const std::string& path() const { return file_->path(); }
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const TensorInfo* find(const std::string& name) const;
  // A view into the mapped file; InputError if the tensor is absent.
  Tensor get(const std::string& name) const;

 private:
  std::shared_ptr<const MappedFile> file_;
  size_t data_start_ = 0;
  std::vector<TensorInfo> tensors_;  // in header order
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// Writes tensors (any dtype) to a safetensors file, atomically (temporary name, then rename).
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace massact
