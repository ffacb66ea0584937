// One thread count for everything: massact's own loops (OpenMP) and the BLAS library's GEMMs.
#pragma once

namespace massact {

int hardware_threads();
void set_num_threads(int n);  // n <= 0: all hardware threads
int num_threads();

}  // namespace massact
