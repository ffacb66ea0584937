#include "kernels/isa.h"

#include "core/env_choice.h"

namespace massact {

Isa host_isa() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl"))
    return Isa::Avx512;
  if (avx2) return Isa::Avx2;
#endif
  return Isa::Scalar;
}

namespace {
Isa isa_from_environment() {
  const Isa host = host_isa();
  const Isa isa =
      choice_from_environment("MASSACT_ISA", host, {Isa::Scalar, Isa::Avx2, Isa::Avx512}, isa_name);
  if (isa > host)
    throw InputError("environment variable MASSACT_ISA: this CPU does not have " + isa_name(isa) +
                     " (it has up to " + isa_name(host) + ")");
  return isa;
}
}  // namespace

Isa kernel_isa() {
  static const Isa isa = isa_from_environment();
  return isa;
}

std::string isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return "scalar";
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
  }
  return "?";
}

}  // namespace massact
