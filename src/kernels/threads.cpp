#include "kernels/threads.h"

#include <cblas.h>
#include <omp.h>

#include <thread>

namespace massact {

int hardware_threads() {
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

void set_num_threads(int n) {
  if (n <= 0) n = hardware_threads();
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int num_threads() {
  return omp_get_max_threads();
}

}  // namespace massact
