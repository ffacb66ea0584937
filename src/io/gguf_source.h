// The tensors of a GGUF file as a TensorSource. GGUF lists dims fastest-first (ggml's ne[0] is the
// row length); tensors come out in the row-major order the rest of massact uses, (ne[1], ne[0]).
// Every tensor, quantized or not, is a view of the memory-mapped file in its stored type (a block
// type for quantized ones, core/quantized.h); the forward pass widens each matrix just before it
// multiplies by it, so a quantized model stays its file size in memory.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/gguf.h"
#include "io/tensor_source.h"

namespace massact {

// The DType of a ggml type id; nullopt for an id massact does not read (the caller names the file
// and tensor in its error).
std::optional<DType> dtype_from_ggml_id(uint32_t id);

// A path that names a GGUF file (by its extension) rather than a model folder.
bool is_gguf_path(const std::string& path);

class GgufSource : public TensorSource {
 public:
  // Checks every tensor's type, shape and byte range against the file up front, so that a bad
  // file fails at open with an InputError naming the tensor, never later in the forward pass.
  explicit GgufSource(std::shared_ptr<const GgufFile> gguf);

  bool has(const std::string& name) const override;
  Tensor get(const std::string& name) const override;
  std::vector<std::string> names() const override;

  Shape shape(const std::string& name) const override;
  const GgufFile& file() const { return *gguf_; }
  std::string stored_type(const std::string& name) const override;  // ggml's name: "Q4_K"

 private:
  const GgufTensorInfo& info(const std::string& name) const;

  std::shared_ptr<const GgufFile> gguf_;
  std::map<std::string, size_t> index_;  // name -> position in gguf_->tensors()
};

}  // namespace massact
