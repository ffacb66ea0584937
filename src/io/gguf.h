// The GGUF format (llama.cpp's single-file checkpoints): a header (magic "GGUF", version 2 or 3,
// tensor count, key-value count), typed key-values (scalars, strings, arrays), the tensor info
// table (name, dims, ggml type id, offset), then the tensor data, aligned to general.alignment.
// Every count and length is checked against the file size before it is used, so a corrupt file
// gives an InputError naming the file and the key or tensor at fault, never a crash or a huge
// allocation. The reader knows the format, not models: what the keys mean is the caller's business.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/mapped_file.h"

namespace massact {

// The value type ids of the GGUF specification.
enum class GgufType : uint32_t {
  UInt8 = 0,
  Int8 = 1,
  UInt16 = 2,
  Int16 = 3,
  UInt32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  UInt64 = 10,
  Int64 = 11,
  Float64 = 12,
};

const char* gguf_type_name(GgufType type);

// One value: a scalar (integers widened to int64/uint64, floats to double), a string, or an array
// of values that all have item_type.
struct GgufValue {
  GgufType type = GgufType::UInt8;
  std::variant<int64_t, uint64_t, double, bool, std::string> scalar;
  GgufType item_type = GgufType::UInt8;  // arrays only
  std::vector<GgufValue> items;          // arrays only
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // ggml order: dims[0] is the fastest-varying
  uint32_t ggml_type = 0;      // the ggml_type id (0 f32, 1 f16, 2 q4_0, ...); not checked here
  uint64_t offset = 0;         // from the start of the data section, a multiple of alignment
};

class GgufFile {
 public:
  // Maps and parses the file; InputError names the file and the key or tensor at fault.
  static GgufFile open(const std::string& path);

  const std::string& path() const { return file_->path(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // where the data section starts
  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const std::map<std::string, GgufValue>& metadata() const { return metadata_; }
  const std::shared_ptr<const MappedFile>& file() const { return file_; }

  bool has(const std::string& key) const { return metadata_.count(key) != 0; }
  const GgufValue& get(const std::string& key) const;  // InputError when absent

  // Typed reads; InputError names the file and the key and says what was expected.
  std::string string(const std::string& key) const;
  std::string string(const std::string& key, const std::string& fallback) const;
  uint64_t unsigned_integer(const std::string& key) const;  // any integer type, >= 0
  double number(const std::string& key) const;              // any integer or float type
  bool boolean(const std::string& key, bool fallback) const;
  std::vector<std::string> string_array(const std::string& key) const;
  std::vector<int64_t> integer_array(const std::string& key) const;
  std::vector<double> number_array(const std::string& key) const;

  [[noreturn]] void fail(const std::string& key, const std::string& expected) const;

 private:
  std::shared_ptr<const MappedFile> file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::map<std::string, GgufValue> metadata_;
  std::vector<GgufTensorInfo> tensors_;
};

}  // namespace massact
