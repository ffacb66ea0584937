// A read-only memory map of a whole file. Checkpoint tensors are views into it, so weights are
// paged in by the kernel on first use and never copied.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace massact {

class MappedFile {
 public:
  // Throws InputError naming the path when the file cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  std::string path_;
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace massact
