#include "io/gguf.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <variant>

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
  explicit Cursor(const MappedFile& file, uint64_t pos = 0) : file_(file), pos_(pos) {}

  template <class T>
  T read(const std::string& context) {
    need(sizeof(T), context);
    T value;
    std::memcpy(&value, file_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  std::string_view read_string(const std::string& context) {
    uint64_t length = read<uint64_t>(context);
    need(length, context);
    std::string_view s(reinterpret_cast<const char*>(file_.data() + pos_), length);
    pos_ += length;
    return s;
  }

  void skip(uint64_t bytes, const std::string& context) {
    need(bytes, context);
    pos_ += bytes;
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

// Checks that a value of `type` lies inside the file and moves past it, returning where it is.
// Nothing is decoded or allocated: an array of scalars is skipped whole, strings and nested
// arrays one by one, the nesting bounded by kMaxGgufArrayDepth.
GgufValue skip_value(Cursor& in, GgufType type, const std::string& context, int depth) {
  GgufValue value;
  value.type = type;
  value.offset = in.pos();
  if (type == GgufType::String) {
    in.read_string(context);
  } else if (type != GgufType::Array) {
    in.skip(scalar_size(type), context);
  } else {
    if (depth >= kMaxGgufArrayDepth)
      in.fail(context, str_cat("arrays nested deeper than ", kMaxGgufArrayDepth, " levels"));
    value.item_type = read_type(in, context);
    value.count = in.read<uint64_t>(context);
    in.need_items(value.count, scalar_size(value.item_type), context);
    value.offset = in.pos();
    if (value.item_type == GgufType::String || value.item_type == GgufType::Array) {
      for (uint64_t i = 0; i < value.count; ++i)
        skip_value(in, value.item_type, context, depth + 1);
    } else {
      in.skip(value.count * scalar_size(value.item_type), context);  // need_items: no overflow
    }
  }
  return value;
}

// A scalar or string, integers widened to int64/uint64 and floats to double.
using Scalar = std::variant<int64_t, uint64_t, double, bool, std::string>;

// Decodes the scalar or string of `type` at the cursor (checked at open, so the reads succeed).
Scalar read_scalar(Cursor& in, GgufType type) {
  const std::string context = "value";
  switch (type) {
    case GgufType::UInt8:
      return uint64_t(in.read<uint8_t>(context));
    case GgufType::Int8:
      return int64_t(in.read<int8_t>(context));
    case GgufType::UInt16:
      return uint64_t(in.read<uint16_t>(context));
    case GgufType::Int16:
      return int64_t(in.read<int16_t>(context));
    case GgufType::UInt32:
      return uint64_t(in.read<uint32_t>(context));
    case GgufType::Int32:
      return int64_t(in.read<int32_t>(context));
    case GgufType::UInt64:
      return in.read<uint64_t>(context);
    case GgufType::Int64:
      return in.read<int64_t>(context);
    case GgufType::Float32:
      return double(in.read<float>(context));
    case GgufType::Float64:
      return in.read<double>(context);
    case GgufType::Bool:
      return in.read<uint8_t>(context) != 0;
    case GgufType::String:
      return std::string(in.read_string(context));
    case GgufType::Array:
      break;
  }
  throw std::logic_error("read_scalar: an array is not a scalar");
}

// The value itself when it is not an array.
std::optional<Scalar> scalar_of(const GgufFile& gguf, const GgufValue& v) {
  if (v.type == GgufType::Array) return std::nullopt;
  Cursor in(*gguf.file(), v.offset);
  return read_scalar(in, v.type);
}

// An integer or float scalar as a double; nullopt for anything else.
std::optional<double> as_number(const Scalar& s) {
  if (const auto* d = std::get_if<double>(&s)) return *d;
  if (const auto* u = std::get_if<uint64_t>(&s)) return double(*u);
  if (const auto* i = std::get_if<int64_t>(&s)) return double(*i);
  return std::nullopt;
}

// Calls visit(Scalar) on each item of an array whose items are scalars or strings.
template <class Visit>
void for_each_item(const GgufFile& gguf, const GgufValue& v, Visit visit) {
  Cursor in(*gguf.file(), v.offset);
  for (uint64_t i = 0; i < v.count; ++i) visit(read_scalar(in, v.item_type));
}

GgufTensorInfo read_tensor_info(Cursor& in, uint64_t index) {
  GgufTensorInfo info;
  info.name = std::string(in.read_string(str_cat("tensor #", index, " name")));
  const std::string context = "tensor '" + quote_prefix(info.name) + "'";
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
      throw_input_error(gguf.path(), ": tensor '", quote_prefix(t.name), "': offset ", t.offset,
                        " is not a multiple of the alignment ", gguf.alignment());
    if (t.offset > file_size - gguf.data_offset())
      throw_input_error(gguf.path(), ": tensor '", quote_prefix(t.name), "': offset ", t.offset,
                        " is past the end of the file");
  }
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

  gguf.metadata_.reserve(kv_count);
  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string_view key = in.read_string(str_cat("key #", i));
    const std::string context = "key '" + quote_prefix(std::string(key)) + "'";
    GgufType type = read_type(in, context);
    gguf.metadata_.emplace_back(key, skip_value(in, type, context, 0));
  }
  std::stable_sort(gguf.metadata_.begin(), gguf.metadata_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < gguf.metadata_.size(); ++i)
    if (gguf.metadata_[i].first == gguf.metadata_[i - 1].first)
      throw_input_error(path, ": key '", quote_prefix(std::string(gguf.metadata_[i].first)),
                        "': listed twice");
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

const GgufValue* GgufFile::find(const std::string& key) const {
  auto it = std::lower_bound(metadata_.begin(), metadata_.end(), std::string_view(key),
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != metadata_.end() && it->first == key ? &it->second : nullptr;
}

const GgufValue& GgufFile::get(const std::string& key) const {
  const GgufValue* v = find(key);
  if (!v) throw_input_error(path(), ": key '", key, "': missing");
  return *v;
}

void GgufFile::fail(const std::string& key, const std::string& expected) const {
  const GgufValue& v = get(key);
  std::string got = gguf_type_name(v.type);
  if (v.type == GgufType::Array) got += str_cat(" of ", gguf_type_name(v.item_type));
  throw_input_error(path(), ": key '", key, "': expected ", expected, ", got ", got);
}

std::string GgufFile::string(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::String) fail(key, "a string");
  return std::get<std::string>(*scalar_of(*this, v));
}

std::string GgufFile::string(const std::string& key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}

uint64_t GgufFile::unsigned_integer(const std::string& key) const {
  const std::optional<Scalar> v = scalar_of(*this, get(key));
  if (const auto* u = v ? std::get_if<uint64_t>(&*v) : nullptr) return *u;
  if (const auto* i = v ? std::get_if<int64_t>(&*v) : nullptr; i && *i >= 0) return uint64_t(*i);
  fail(key, "a non-negative integer");
}

double GgufFile::number(const std::string& key) const {
  const std::optional<Scalar> v = scalar_of(*this, get(key));
  if (const std::optional<double> d = v ? as_number(*v) : std::nullopt) return *d;
  fail(key, "a number");
}

bool GgufFile::boolean(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  if (get(key).type != GgufType::Bool) fail(key, "a bool");
  return std::get<bool>(*scalar_of(*this, get(key)));
}

std::vector<std::string> GgufFile::string_array(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::Array || v.item_type != GgufType::String)
    fail(key, "an array of strings");
  std::vector<std::string> out;
  out.reserve(v.count);  // each item takes at least 8 bytes of the file
  for_each_item(*this, v, [&](Scalar s) { out.push_back(std::move(std::get<std::string>(s))); });
  return out;
}

std::vector<int64_t> GgufFile::integer_array(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::Array || v.item_type == GgufType::Array)
    fail(key, "an array of integers");
  std::vector<int64_t> out;
  out.reserve(v.count);
  for_each_item(*this, v, [&](const Scalar& s) {
    if (const auto* i = std::get_if<int64_t>(&s))
      out.push_back(*i);
    else if (const auto* u = std::get_if<uint64_t>(&s); u && *u <= uint64_t(INT64_MAX))
      out.push_back(int64_t(*u));
    else
      fail(key, "an array of integers");
  });
  return out;
}

std::vector<double> GgufFile::number_array(const std::string& key) const {
  const GgufValue& v = get(key);
  if (v.type != GgufType::Array || v.item_type == GgufType::Array) fail(key, "an array of numbers");
  std::vector<double> out;
  out.reserve(v.count);
  for_each_item(*this, v, [&](const Scalar& s) {
    const std::optional<double> d = as_number(s);
    if (!d) fail(key, "an array of numbers");
    out.push_back(*d);
  });
  return out;
}

}  // namespace massact
