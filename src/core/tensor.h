// Tensor: a dtype, a shape and a pointer to row-major bytes, either owned or a view that keeps its
// backing store (for example a memory-mapped checkpoint) alive.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace massact {

using Shape = std::vector<int64_t>;

int64_t shape_numel(const Shape& shape);
std::string shape_str(const Shape& shape);  // "(2, 64)"

class Tensor {
 public:
  Tensor() = default;

  // An owned, zero-filled tensor.
  static Tensor zeros(DType dtype, Shape shape);
  // A view of bytes owned elsewhere; `keepalive` holds their owner (may be null for static data).
  static Tensor view(DType dtype, Shape shape, const void* data,
                     std::shared_ptr<const void> keepalive);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return int(shape_.size()); }
  int64_t dim(int i) const { return shape_.at(i < 0 ? shape_.size() + i : i); }
  int64_t numel() const { return shape_numel(shape_); }
  // A block-typed tensor's rows are whole blocks (the loaders check), so its bytes are counted
  // like a plain one's.
  size_t nbytes() const { return dtype_row_bytes(dtype_, numel()); }
  bool empty() const { return data_ == nullptr; }

  const void* raw() const { return data_; }
  void* raw_mut() { return const_cast<void*>(data_); }
  // Typed access; throws std::logic_error if the dtype is not float32.
  const float* f32() const;
  float* f32();

  // A float32 copy of a tensor of any float dtype, block types included.
  Tensor to_f32() const;
  // Widens all elements into dst (numel floats).
  void to_f32_into(float* dst) const;
  // The same bytes seen with another shape of equal numel.
  Tensor reshaped(Shape shape) const;
  // Rows [begin, end) along dimension 0: a view of the same bytes (rank >= 2 for a block type,
  // whose rows are whole blocks).
  Tensor rows(int64_t begin, int64_t end) const;

 private:
  DType dtype_ = DType::F32;
  Shape shape_;
  const void* data_ = nullptr;
  std::shared_ptr<const void> owner_;
};

}  // namespace massact
