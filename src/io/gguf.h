// The GGUF format (llama.cpp's single-file checkpoints): a header (magic "GGUF", version 2 or 3,
// tensor count, key-value count), typed key-values (scalars, strings, arrays), the tensor info
// table (name, dims, ggml type id, offset), then the tensor data, aligned to general.alignment.
// Every count and length is checked against the file size before it is used, so a corrupt file
// gives an InputError naming the file and the key or tensor at fault, never a crash or a huge
// allocation. The reader knows the format, not models: what the keys mean is the caller's business.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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

// Arrays of arrays nest at most this deep (llama.cpp writes none); a deeper value is refused at
// open, so that no walk of a hostile file recurses far.
constexpr int kMaxGgufArrayDepth = 8;

// One metadata value where it lies in the mapped file, decoded only when read: an array is its
// item type, count and the offset of its first item, so metadata costs a few bytes of memory per
// key however many items its arrays hold (a hostile file may hold tens of millions).
struct GgufValue {
  GgufType type = GgufType::UInt8;
  GgufType item_type = GgufType::UInt8;  // arrays only
  uint64_t count = 0;                    // arrays only: the number of items
  uint64_t offset = 0;                   // the value's bytes (an array's: its first item's)
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
  const std::shared_ptr<const MappedFile>& file() const { return file_; }

  bool has(const std::string& key) const { return find(key) != nullptr; }
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
  const GgufValue* find(const std::string& key) const;

  std::shared_ptr<const MappedFile> file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  // Sorted by key; the keys are views into the mapped file, which file_ keeps alive.
  std::vector<std::pair<std::string_view, GgufValue>> metadata_;
  std::vector<GgufTensorInfo> tensors_;
};

}  // namespace massact
