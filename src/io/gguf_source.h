// The tensors of a GGUF file as a TensorSource. GGUF lists dims fastest-first (ggml's ne[0] is the
// row length); tensors come out in the row-major order the rest of massact uses, (ne[1], ne[0]).
// F32, F16 and BF16 tensors are views of the memory-mapped file. A quantized tensor is widened to
// float32 each time it is asked for (dequantize_row, exact); the model keeps what it loads. The
// forward pass multiplies by float weights, so a quantized model costs 4 bytes a parameter in
// memory once loaded.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/gguf.h"
#include "io/tensor_source.h"

namespace massact {

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
