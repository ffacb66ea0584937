// What the CPU is, for benchmark output: its model name and the vector extensions that decide
// which GEMM kernels can run (Linux: /proc/cpuinfo).
#pragma once

#include <string>

namespace massact {

std::string cpu_model_name();  // "unknown" when /proc/cpuinfo does not say
// The widest vector extensions present, e.g. "avx2 fma avx512f avx512_bf16 amx_tile".
std::string cpu_vector_isa();

}  // namespace massact
