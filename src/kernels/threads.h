// One thread count for everything: massact's own loops (OpenMP) and the GEMM backends (oneDNN and
// the OpenMP build of OpenBLAS, so all three use the same pool).
#pragma once

namespace massact {

int hardware_threads();
void set_num_threads(int n);  // n <= 0: all hardware threads
int num_threads();

// Loops over fewer elements than this run on one thread: waking the pool costs more than it saves.
inline constexpr long kMinParallelWork = 1 << 15;

}  // namespace massact
