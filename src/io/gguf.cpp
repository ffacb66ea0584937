#include "io/gguf.h"

#include <cstring>

#include "core/error.h"

namespace massact {

namespace {

constexpr uint32_t kMaxDims = 4;  // GGML_MAX_DIMS

size_t scalar_size(GgufType type) {
  switch (type) {
    case GgufType::UInt8:
    case GgufType::Int8:
    case GgufType::Bool:
      return 1;
    case GgufType::UInt16:
    case GgufType::Int16:
      return 2;
    case GgufType::UInt32:
    case GgufType::Int32:
    case GgufType::Float32:
      return 4;
    case GgufType::UInt64:
    case GgufType::Int64:
    case GgufType::Float64:
      return 8;
    case GgufType::String:
      return 8;  // at least its length
    case GgufType::Array:
      return 12;  // at least its item type and count
  }
  return 0;
}

bool is_known(uint32_t type) {
  return type <= uint32_t(GgufType::Float64);
}

// Reads little-endian values from the mapped bytes, checking every read against the end of the
// file. `context` names what is being read ("key 'general.name'"), for the error message.
class Cursor {
 public:
  Cursor(const MappedFile& file) : file_(file) {}

  template <class T>
  T read(const std::string& context) {
    need(sizeof(T), context);
    T value;
    std::memcpy(&value, file_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string read_string(const std::string& context) {
    uint64_t length = read<uint64_t>(context);
    need(length, context);
    std::string s(reinterpret_cast<const char*>(file_.data() + pos_), length);
    pos_ += length;
    return s;
  }

  // Fails unless `count` items of at least `item_size` bytes each can fit in what is left, so that
  // a corrupt count cannot make the reader loop or allocate far past the file.
  void need_items(uint64_t count, size_t item_size, const std::string& context) {
    if (count > remaining() / item_size)
      fail(context, str_cat(count, " items run past the end of the file"));
  }

  void need(uint64_t bytes, const std::string& context) {
    if (bytes > remaining())
      fail(context, str_cat("needs ", bytes, " bytes at offset ", pos_, ", only ", remaining(),
                            " left (truncated file?)"));
  }

  [[noreturn]] void fail(const std::string& context, const std::string& what) const {
    throw_input_error(file_.path(), ": ", context, ": ", what);
  }

  uint64_t remaining() const { return file_.size() - pos_; }
  uint64_t pos() const { return pos_; }

 private:
  const MappedFile& file_;
  uint64_t pos_ = 0;
};

GgufType read_type(Cursor& in, const std::string& context) {
  uint32_t type = in.read<uint32_t>(context);
  if (!is_known(type)) in.fail(context, str_cat("unknown value type ", type));
  return GgufType(type);
}

GgufValue read_value(Cursor& in, GgufType type, const std::string& context);

GgufValue read_array(Cursor& in, const std::string& context) {
  GgufValue value;
  value.type = GgufType::Array;
  value.item_type = read_type(in, context);
  uint64_t count = in.read<uint64_t>(context);
  in.need_items(count, scalar_size(value.item_type), context);
  value.items.reserve(count);
  for (uint64_t i = 0; i < count; ++i)
    value.items.push_back(read_value(in, value.item_type, context));
  return value;
}

GgufValue read_value(Cursor& in, GgufType type, const std::string& context) {
  GgufValue value;
  value.type = type;
  switch (type) {
    case GgufType::UInt8:
      value.scalar = uint64_t(in.read<uint8_t>(context));
      break;
    case GgufType::Int8:
      value.scalar = int64_t(in.read<int8_t>(context));
      break;
    case GgufType::UInt16:
      value.scalar = uint64_t(in.read<uint16_t>(context));
      break;
    case GgufType::Int16:
      value.scalar = int64_t(in.read<int16_t>(context));
      break;
    case GgufType::UInt32:
      value.scalar = uint64_t(in.read<uint32_t>(context));
      break;
    case GgufType::Int32:
      value.scalar = int64_t(in.read<int32_t>(context));
      break;
    case GgufType::UInt64:
      value.scalar = in.read<uint64_t>(context);
      break;
    case GgufType::Int64:
      value.scalar = in.read<int64_t>(context);
      break;
    case GgufType::Float32:
      value.scalar = double(in.read<float>(context));
      break;
    case GgufType::Float64:
      value.scalar = in.read<double>(context);
      break;
    case GgufType::Bool:
      value.scalar = in.read<uint8_t>(context) != 0;
      break;
    case GgufType::String:
      value.scalar = in.read_string(context);
      break;
    case GgufType::Array:
      return read_array(in, context);
  }
  return value;
}

GgufTensorInfo read_tensor_info(Cursor& in, uint64_t index) {
  GgufTensorInfo info;
  info.name = in.read_string(str_cat("tensor #", index, " name"));
  const std::string context = "tensor '" + info.name + "'";
  uint32_t n_dims = in.read<uint32_t>(context);
  if (n_dims == 0 || n_dims > kMaxDims)
    in.fail(context, str_cat("expected 1 to ", kMaxDims, " dims, got ", n_dims));
  for (uint32_t d = 0; d < n_dims; ++d) info.dims.push_back(in.read<uint64_t>(context));
  info.ggml_type = in.read<uint32_t>(context);
  info.offset = in.read<uint64_t>(context);
  return info;
}

// The start of the data section and every tensor offset must be multiples of the alignment, and
// every tensor must start inside the file.
void check_tensor_offsets(const GgufFile& gguf, const std::vector<GgufTensorInfo>& tensors,
                          uint64_t file_size) {
  for (const auto& t : tensors) {
    if (t.offset % gguf.alignment() != 0)
      throw_input_error(gguf.path(), ": tensor '", t.name, "': offset ", t.offset,
                        " is not a multiple of the alignment ", gguf.alignment());
    if (t.offset > file_size - gguf.data_offset())
      throw_input_error(gguf.path(), ": tensor '", t.name, "': offset ", t.offset,
                        " is past the end of the file");
  }
}

template <class T>
const T* scalar_as(const GgufValue& v) {
  return v.type == GgufType::Array ? nullptr : std::get_if<T>(&v.scalar);
}

}  // namespace

const char* gguf_type_name(GgufType type) {
  static const char* const names[] = {"uint8",  "int8",    "uint16", "int16",  "uint32",
                                      "int32",  "float32", "bool",   "string", "array",
                                      "uint64", "int64",   "float64"};
  return is_known(uint32_t(type)) ? names[uint32_t(type)] : "unknown";
}

GgufFile GgufFile::open(const std::string& path) {
  GgufFile gguf;
  gguf.file_ = MappedFile::open(path);
  Cursor in(*gguf.file_);
  if (in.read<uint32_t>("header") != 0x46554747)  // "GGUF" little-endian
    in.fail("header", "bad magic (expected \"GGUF\")");
  gguf.version_ = in.read<uint32_t>("header");
  if (gguf.version_ != 2 && gguf.version_ != 3)
    in.fail("header", str_cat("expected version 2 or 3, got ", gguf.version_));
  uint64_t tensor_count = in.read<uint64_t>("header tensor count");
  uint64_t kv_count = in.read<uint64_t>("header key-value count");
  in.need_items(kv_count, 8 + 4 + 1, "header key-value count");
  in.need_items(tensor_count, 8 + 4 + 8 + 4 + 8, "header tensor count");

  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string key = in.read_string(str_cat("key #", i));
    const std::string context = "key '" + key + "'";
    GgufType type = read_type(in, context);
    gguf.metadata_[key] = read_value(in, type, context);
  }
  if (gguf.has("general.alignment")) {
    gguf.alignment_ = gguf.unsigned_integer("general.alignment");
    if (gguf.alignment_ == 0 || (gguf.alignment_ & (gguf.alignment_ - 1)) != 0)
      gguf.fail("general.alignment", "a power of two");
  }
  for (uint64_t i = 0; i < tensor_count; ++i) gguf.tensors_.push_back(read_tensor_info(in, i));

  uint64_t misalignment = in.pos() % gguf.alignment_;
  gguf.data_offset_ = in.pos() + (misalignment ? gguf.alignment_ - misalignment : 0);
  if (!gguf.tensors_.empty() && gguf.data_offset_ > gguf.file_->size())
    in.fail("data section", "starts past the end of the file");
  check_tensor_offsets(gguf, gguf.tensors_, gguf.file_->size());
  return gguf;
}

const GgufValue& GgufFile::get(const std::string& key) const {
  auto it = metadata_.find(key);
  if (it == metadata_.end()) throw_input_error(path(), ": key '", key, "': missing");
  return it->second;
}

void GgufFile::fail(const std::string& key, const std::string& expected) const {
  const GgufValue& v = get(key);
  std::string got = gguf_type_name(v.type);
  if (v.type == GgufType::Array) got += str_cat(" of ", gguf_type_name(v.item_type));
  throw_input_error(path(), ": key '", key, "': expected ", expected, ", got ", got);
}

std::string GgufFile::string(const std::string& key) const {
  if (const auto* s = scalar_as<std::string>(get(key))) return *s;
  fail(key, "a string");
}

std::string GgufFile::string(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

uint64_t GgufFile::unsigned_integer(const std::string& key) const {
  const GgufValue& v = get(key);
  if (const auto* u = scalar_as<uint64_t>(v)) return *u;
  if (const auto* i = scalar_as<int64_t>(v); i && *i >= 0) return uint64_t(*i);
  fail(key, "a non-negative integer");
}

double GgufFile::number(const std::string& key) const {
  const GgufValue& v = get(key);
  if (const auto* d = scalar_as<double>(v)) return *d;
  if (const auto* u = scalar_as<uint64_t>(v)) return double(*u);
  if (const auto* i = scalar_as<int64_t>(v)) return double(*i);
  fail(key, "a number");
}

bool GgufFile::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  if (const auto* b = scalar_as<bool>(get(key))) return *b;
  fail(key, "a bool");
}

std::vector<std::string> GgufFile::string_array(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::Array || v.item_type != GgufType::String)
    fail(key, "an array of strings");
  std::vector<std::string> out;
  out.reserve(v.items.size());
  for (const auto& item : v.items) out.push_back(std::get<std::string>(item.scalar));
  return out;
}

std::vector<int64_t> GgufFile::integer_array(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::Array) fail(key, "an array of integers");
  std::vector<int64_t> out;
  out.reserve(v.items.size());
  for (const auto& item : v.items) {
    if (const auto* i = scalar_as<int64_t>(item))
      out.push_back(*i);
    else if (const auto* u = scalar_as<uint64_t>(item); u && *u <= uint64_t(INT64_MAX))
      out.push_back(int64_t(*u));
    else
      fail(key, "an array of integers");
  }
  return out;
}

std::vector<double> GgufFile::number_array(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::Array) fail(key, "an array of numbers");
  std::vector<double> out;
  out.reserve(v.items.size());
  for (const auto& item : v.items) {
    if (const auto* d = scalar_as<double>(item))
      out.push_back(*d);
    else if (const auto* i = scalar_as<int64_t>(item))
      out.push_back(double(*i));
    else if (const auto* u = scalar_as<uint64_t>(item))
      out.push_back(double(*u));
    else
      fail(key, "an array of numbers");
  }
  return out;
}

}  // namespace massact
