#include "io/safetensors.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/json_file.h"

namespace massact {

namespace {

// Real headers are a few hundred kilobytes even for the largest sharded checkpoints; a length far
// beyond that means the file is not safetensors (or is corrupt), and must not drive an allocation.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

// Larger than any real tensor, small enough that products of dims cannot overflow 64 bits.
constexpr uint64_t kMaxElements = uint64_t(1) << 40;

uint64_t read_u64_le(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint64_t(p[i]);
  return v;
}

TensorInfo parse_tensor_entry(const std::string& path, const std::string& name, const json& entry,
                              size_t data_size) {
  std::string where = path + ": tensor '" + name + "'";
  if (!entry.is_object())
    throw_input_error(where, ": expected an object with dtype, shape, data_offsets");
  JsonFields fields(entry, where);
  TensorInfo info{name, DType::F32, {}, 0, 0};

  auto dtype = dtype_from_name(fields.string("dtype"));
  if (!dtype) fields.fail("dtype", "one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL");
  info.dtype = *dtype;

  const json& shape = fields.raw("shape");
  if (!shape.is_array()) fields.fail("shape", "an array of non-negative integers");
  uint64_t numel = 1, nonzero_product = 1;
  for (const json& d : shape) {
    if (!d.is_number_unsigned()) fields.fail("shape", "an array of non-negative integers");
    uint64_t dim = d.get<uint64_t>();
    if (dim != 0 && numel > data_size / dim) fields.fail("shape", "a size that fits in the file");
    // Beside a 0 dim the product stays 0 whatever the others are: bound them too, so that no
    // stride computed from the shape can overflow.
    if (dim != 0 && nonzero_product > kMaxElements / dim)
      fields.fail("shape", "dims whose product is below 2^40");
    if (dim != 0) nonzero_product *= dim;
    numel *= dim;
    info.shape.push_back(int64_t(dim));
  }

  const json& offsets = fields.raw("data_offsets");
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fields.fail("data_offsets", "[begin, end] with non-negative integers");
  info.begin = offsets[0].get<uint64_t>();
  info.end = offsets[1].get<uint64_t>();
  if (info.begin > info.end) fields.fail("data_offsets", "begin <= end");
  if (info.end > data_size)
    fields.fail("data_offsets", str_cat("an end within the data section (", data_size, " bytes)"));
  if (info.end - info.begin != numel * dtype_size(info.dtype))
    fields.fail("data_offsets", str_cat("a byte span equal to dtype size x shape = ",
                                        numel * dtype_size(info.dtype), " bytes"));
  return info;
}

void check_no_overlap(const std::string& path, std::vector<TensorInfo> tensors) {
  // Empty tensors occupy no bytes: they can neither overlap nor hide an overlap between others.
  std::erase_if(tensors, [](const TensorInfo& t) { return t.begin == t.end; });
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < tensors.size(); ++i)
    if (tensors[i].begin < tensors[i - 1].end)
      throw_input_error(path, ": tensor '", tensors[i].name,
                        "': field 'data_offsets': overlaps tensor '", tensors[i - 1].name, "'");
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile st;
  st.file_ = MappedFile::open(path);
  const size_t size = st.file_->size();
  if (size < 8)
    throw_input_error(path, ": truncated: ", size,
                      " bytes, expected at least an 8-byte header length");
  uint64_t header_len = read_u64_le(st.file_->data());
  if (header_len > kMaxHeaderBytes)
    throw_input_error(path, ": header length ", header_len, " exceeds the ", kMaxHeaderBytes,
                      "-byte sanity bound (not a safetensors file?)");
  if (8 + header_len > size)
    throw_input_error(path, ": truncated: header claims ", header_len, " bytes but the file has ",
                      size - 8);

  std::string header(reinterpret_cast<const char*>(st.file_->data()) + 8, header_len);
  json root = parse_json(header, path + ": header");
  if (!root.is_object()) throw_input_error(path, ": header: expected a JSON object");
  st.data_start_ = 8 + header_len;
  const size_t data_size = size - st.data_start_;

  for (const auto& [name, entry] : root.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw_input_error(path, ": field '__metadata__': expected an object");
      for (const auto& [k, v] : entry.items()) {
        if (!v.is_string())
          throw_input_error(path, ": field '__metadata__.", k, "': expected a string");
        st.metadata_[k] = v.get<std::string>();
      }
      continue;
    }
    st.index_[name] = st.tensors_.size();
    st.tensors_.push_back(parse_tensor_entry(path, name, entry, data_size));
  }
  check_no_overlap(path, st.tensors_);
  return st;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

Tensor SafetensorsFile::get(const std::string& name) const {
  const TensorInfo* info = find(name);
  if (!info) throw_input_error(path(), ": no tensor named '", name, "'");
  return Tensor::view(info->dtype, info->shape, file_->data() + data_start_ + info->begin, file_);
}

void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const auto& [name, t] : tensors) {
    header[name] = {{"dtype", dtype_name(t.dtype())},
                    {"shape", t.shape()},
                    {"data_offsets", {offset, offset + t.nbytes()}}};
    offset += t.nbytes();
  }
  // Metadata quotes arguments (the command line), which need not be valid UTF-8.
  std::string text = header.dump(-1, ' ', false, json::error_handler_t::replace);
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps the data section 8-byte aligned
  write_file_atomically(path, [&](std::ostream& out) {
    uint64_t n = text.size();
    char len[8];
    for (int i = 0; i < 8; ++i) len[i] = char((n >> (8 * i)) & 0xff);
    out.write(len, 8);
    out.write(text.data(), std::streamsize(text.size()));
    for (const auto& [name, t] : tensors)
      out.write(static_cast<const char*>(t.raw()), std::streamsize(t.nbytes()));
  });
}

}  // namespace massact
