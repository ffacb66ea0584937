#include "core/tensor.h"

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "core/error.h"

namespace massact {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Tensor Tensor::zeros(DType dtype, Shape shape) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  // 64-byte alignment suits every SIMD width the kernels use.
  size_t bytes = (t.nbytes() + 63) / 64 * 64;
  void* data = std::aligned_alloc(64, bytes ? bytes : 64);
  if (!data) throw std::bad_alloc();
  std::memset(data, 0, bytes);
  t.owner_ = std::shared_ptr<void>(data, std::free);
  t.data_ = data;
  return t;
}

Tensor Tensor::view(DType dtype, Shape shape, const void* data,
                    std::shared_ptr<const void> keepalive) {
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.owner_ = std::move(keepalive);
  return t;
}

const float* Tensor::f32() const {
  if (dtype_ != DType::F32)
    throw std::logic_error(str_cat("tensor of dtype ", dtype_name(dtype_), " used as F32"));
  return static_cast<const float*>(data_);
}

float* Tensor::f32() {
  return const_cast<float*>(std::as_const(*this).f32());
}

Tensor Tensor::to_f32() const {
  Tensor out = zeros(DType::F32, shape_);
  to_f32_into(out.f32());
  return out;
}

void Tensor::to_f32_into(float* dst) const {
  massact::to_f32(dtype_, data_, dst, size_t(numel()));
}

Tensor Tensor::reshaped(Shape shape) const {
  if (shape_numel(shape) != numel())
    throw std::logic_error(str_cat("reshape ", shape_str(shape_), " -> ", shape_str(shape)));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::rows(int64_t begin, int64_t end) const {
  if (rank() == 0 || begin < 0 || begin > end || end > dim(0) ||
      (is_quantized(dtype_) && rank() < 2))
    throw std::logic_error(str_cat("rows [", begin, ", ", end, ") of ", shape_str(shape_)));
  const size_t row_bytes = nbytes() / size_t(dim(0));
  Tensor t = *this;
  t.shape_[0] = end - begin;
  t.data_ = static_cast<const std::byte*>(data_) + size_t(begin) * row_bytes;
  return t;
}

}  // namespace massact
