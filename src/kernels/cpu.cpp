#include "kernels/cpu.h"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

namespace massact {

namespace {
// The value of the first "key : value" line of /proc/cpuinfo whose key is `key`.
std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos || line.compare(0, key.size(), key) != 0) continue;
    const size_t value = line.find_first_not_of(' ', colon + 1);
    return value == std::string::npos ? "" : line.substr(value);
  }
  return "";
}
}  // namespace

std::string cpu_model_name() {
  const std::string name = cpuinfo_field("model name");
  return name.empty() ? "unknown" : name;
}

std::string cpu_vector_isa() {
  std::istringstream flags(cpuinfo_field("flags"));
  const std::set<std::string> present{std::istream_iterator<std::string>(flags),
                                      std::istream_iterator<std::string>()};
  std::string out;
  for (const char* isa : {"avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile"})
    if (present.count(isa)) out += (out.empty() ? "" : " ") + std::string(isa);
  return out.empty() ? "none of avx2/avx512/amx" : out;
}

}  // namespace massact
