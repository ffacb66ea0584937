#include "io/gguf_source.h"

#include <array>

#include "core/error.h"

namespace massact {

namespace {

// Larger than any real tensor, small enough that products of dims cannot overflow 64 bits.
constexpr uint64_t kMaxElements = uint64_t(1) << 40;

Shape row_major_shape(const GgufTensorInfo& t) {
  return Shape(t.dims.rbegin(), t.dims.rend());  // ggml's ne[0] is the last, fastest dim
}

// ggml's type ids (GGMLQuantizationType in the gguf package); the gaps are types massact does not
// read (Q8_1, Q8_K, the IQ1/IQ2/IQ3 grids, TQ, MXFP4, ...).
struct GgmlId {
  uint32_t id;
  DType type;
};
constexpr std::array kGgmlIds = {
    GgmlId{0, DType::F32},     GgmlId{1, DType::F16},     GgmlId{2, DType::Q4_0},
    GgmlId{3, DType::Q4_1},    GgmlId{6, DType::Q5_0},    GgmlId{7, DType::Q5_1},
    GgmlId{8, DType::Q8_0},    GgmlId{10, DType::Q2_K},   GgmlId{11, DType::Q3_K},
    GgmlId{12, DType::Q4_K},   GgmlId{13, DType::Q5_K},   GgmlId{14, DType::Q6_K},
    GgmlId{20, DType::IQ4_NL}, GgmlId{23, DType::IQ4_XS}, GgmlId{30, DType::BF16},
};

std::string readable_types() {
  std::string out;
  for (const GgmlId& g : kGgmlIds)
    out += (out.empty() ? "" : ", ") + std::string(dtype_name(g.type));
  return out;
}

// Type, shape and byte range of one tensor, against the file it sits in.
void check_tensor(const GgufFile& gguf, const GgufTensorInfo& t) {
  const auto type = dtype_from_ggml_id(t.ggml_type);
  if (!type)
    throw_input_error(gguf.path(), ": tensor '", quote_prefix(t.name), "': ggml type id ",
                      t.ggml_type, " is not one massact reads (", readable_types(), ")");
  uint64_t n = 1;
  for (uint64_t d : t.dims) {
    if (d == 0 || d > kMaxElements / n)
      throw_input_error(gguf.path(), ": tensor '", quote_prefix(t.name), "': dims ",
                        shape_str(row_major_shape(t)), " are empty or absurdly large");
    n *= d;
  }
  const int64_t row = int64_t(t.dims[0]);
  if (row % dtype_block_size(*type) != 0)
    throw_input_error(gguf.path(), ": tensor '", quote_prefix(t.name), "': rows of ", row,
                      " elements, expected ", "a multiple of ", dtype_name(*type), "'s block of ",
                      dtype_block_size(*type));
  const uint64_t bytes = dtype_row_bytes(*type, row) * (n / uint64_t(row));
  const uint64_t available = gguf.file()->size() - gguf.data_offset() - t.offset;
  if (bytes > available)
    throw_input_error(gguf.path(), ": tensor '", quote_prefix(t.name), "': data of ", bytes,
                      " bytes at offset ", t.offset, " runs past the end of the file (", available,
                      " bytes left; truncated?)");
}

}  // namespace

std::optional<DType> dtype_from_ggml_id(uint32_t id) {
  for (const GgmlId& g : kGgmlIds)
    if (g.id == id) return g.type;
  return std::nullopt;
}

bool is_gguf_path(const std::string& path) {
  return path.size() > 5 && path.compare(path.size() - 5, 5, ".gguf") == 0;
}

GgufSource::GgufSource(std::shared_ptr<const GgufFile> gguf) : gguf_(std::move(gguf)) {
  const auto& tensors = gguf_->tensors();
  for (size_t i = 0; i < tensors.size(); ++i) {
    check_tensor(*gguf_, tensors[i]);
    if (!index_.emplace(tensors[i].name, i).second)
      throw_input_error(gguf_->path(), ": tensor '", quote_prefix(tensors[i].name),
                        "': listed twice");
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
  return std::string(dtype_name(*dtype_from_ggml_id(info(name).ggml_type)));
}

Shape GgufSource::shape(const std::string& name) const {
  return row_major_shape(info(name));
}

Tensor GgufSource::get(const std::string& name) const {
  const GgufTensorInfo& t = info(name);
  const DType type = *dtype_from_ggml_id(t.ggml_type);  // checked at open
  const std::byte* data = gguf_->file()->data() + gguf_->data_offset() + t.offset;
  return Tensor::view(type, row_major_shape(t), data, gguf_->file());
}

}  // namespace massact
