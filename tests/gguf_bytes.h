// Little-endian GGUF bytes, built field by field, for tests that write malformed GGUF files.
#pragma once

#include <cstdint>
#include <string>

namespace massact::testing {

struct GgufBytes {
  std::string data;
  template <class T>
  GgufBytes& put(T v) {
    data.append(reinterpret_cast<const char*>(&v), sizeof(v));
    return *this;
  }
  GgufBytes& str(const std::string& s) {
    put<uint64_t>(s.size());
    data += s;
    return *this;
  }
  // The magic "GGUF", the version, the tensor count and the metadata key count.
  GgufBytes& header(uint32_t version, uint64_t tensors, uint64_t kvs) {
    return put<uint32_t>(0x46554747).put(version).put(tensors).put(kvs);
  }
};

}  // namespace massact::testing
