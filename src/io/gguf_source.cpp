#include "io/gguf_source.h"

#include "core/error.h"
#include "io/gguf_quant.h"

namespace massact {

namespace {

// Larger than any real tensor, small enough that products of dims cannot overflow 64 bits.
constexpr uint64_t kMaxElements = uint64_t(1) << 40;

Shape row_major_shape(const GgufTensorInfo& t) {
  return Shape(t.dims.rbegin(), t.dims.rend());  // ggml's ne[0] is the last, fastest dim
}

DType plain_dtype(GgmlType type) {
  switch (type) {
    case GgmlType::F32:
      return DType::F32;
    case GgmlType::F16:
      return DType::F16;
    default:
      return DType::BF16;
  }
}

bool is_plain(GgmlType type) {
  return type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
}

std::string readable_types() {
  return "F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL or "
         "IQ4_XS";
}

// Type, shape and byte range of one tensor, against the file it sits in.
void check_tensor(const GgufFile& gguf, const GgufTensorInfo& t) {
  const auto type = ggml_type_from_id(t.ggml_type);
  if (!type)
    throw_input_error(gguf.path(), ": tensor '", t.name, "': ggml type id ", t.ggml_type,
                      " is not one massact reads (", readable_types(), ")");
  uint64_t n = 1;
  for (uint64_t d : t.dims) {
    if (d == 0 || d > kMaxElements / n)
      throw_input_error(gguf.path(), ": tensor '", t.name, "': dims ",
                        shape_str(row_major_shape(t)), " are empty or absurdly large");
    n *= d;
  }
  const int64_t row = int64_t(t.dims[0]);
  if (row % ggml_block_size(*type) != 0)
    throw_input_error(gguf.path(), ": tensor '", t.name, "': rows of ", row, " elements, expected ",
                      "a multiple of ", ggml_type_name(*type), "'s block of ",
                      ggml_block_size(*type));
  const uint64_t bytes = ggml_row_bytes(*type, row) * (n / uint64_t(row));
  const uint64_t available = gguf.file()->size() - gguf.data_offset() - t.offset;
  if (bytes > available)
    throw_input_error(gguf.path(), ": tensor '", t.name, "': data of ", bytes, " bytes at offset ",
                      t.offset, " runs past the end of the file (", available,
                      " bytes left; truncated?)");
}

}  // namespace

bool is_gguf_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".gguf") == 0;
}

GgufSource::GgufSource(std::shared_ptr<const GgufFile> gguf) : gguf_(std::move(gguf)) {
  const auto& tensors = gguf_->tensors();
  for (size_t i = 0; i < tensors.size(); ++i) {
    check_tensor(*gguf_, tensors[i]);
    if (!index_.emplace(tensors[i].name, i).second)
      throw_input_error(gguf_->path(), ": tensor '", tensors[i].name, "': listed twice");
  }
}

const GgufTensorInfo& GgufSource::info(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) throw_input_error(gguf_->path(), ": missing tensor '", name, "'");
  return gguf_->tensors()[it->second];
}

bool GgufSource::has(const std::string& name) const {
  return index_.count(name) != 0;
}

std::vector<std::string> GgufSource::names() const {
  std::vector<std::string> out;
  for (const auto& entry : index_) out.push_back(entry.first);
  return out;
}

std::string GgufSource::stored_type(const std::string& name) const {
  return std::string(ggml_type_name(*ggml_type_from_id(info(name).ggml_type)));
}

Shape GgufSource::shape(const std::string& name) const {
  return row_major_shape(info(name));
}

Tensor GgufSource::get(const std::string& name) const {
  const GgufTensorInfo& t = info(name);
  const GgmlType type = *ggml_type_from_id(t.ggml_type);  // checked at open
  const std::byte* data = gguf_->file()->data() + gguf_->data_offset() + t.offset;
  const Shape shape = row_major_shape(t);
  if (is_plain(type)) return Tensor::view(plain_dtype(type), shape, data, gguf_->file());

  Tensor out = Tensor::zeros(DType::F32, shape);
  const int64_t row = shape.back(), rows = out.numel() / row;
  const size_t row_bytes = ggml_row_bytes(type, row);
  for (int64_t r = 0; r < rows; ++r)
    dequantize_row(type, data + size_t(r) * row_bytes, out.f32() + r * row, row);
  return out;
}

}  // namespace massact
