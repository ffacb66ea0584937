// Which hand-written vector kernels run: chosen at run time from what the CPU has, so one build
// runs the AVX-512 kernels where they exist and the AVX2 or plain C++ ones elsewhere. Tests run
// every variant the CPU can execute, the fallbacks included, by passing the Isa explicitly.
#pragma once

#include <string>

namespace massact {

// Ordered: each level's kernels need everything the lower ones do.
enum class Isa {
  Scalar,  // plain C++
  Avx2,    // AVX2 + FMA + F16C: 8 floats a vector
  Avx512,  // AVX-512 F/BW/VL + F16C: 16 floats a vector
};

// The highest level this CPU executes.
Isa host_isa();
// The level the kernels use: host_isa(), lowered by MASSACT_ISA=scalar|avx2 (to measure a
// fallback on a CPU that has more); InputError for another value or one above host_isa().
Isa kernel_isa();
std::string isa_name(Isa isa);

}  // namespace massact
