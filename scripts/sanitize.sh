#!/usr/bin/env bash
# Builds the whole test suite with AddressSanitizer and UndefinedBehaviorSanitizer (CMake option
# MASSACT_SANITIZE) in build-asan/ and runs it, the real-model tier aside. Any finding fails the
# test that triggered it. Extra arguments go to the CMake configure step, e.g.
#   scripts/sanitize.sh -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMASSACT_SANITIZE=ON \
  -DMASSACT_BUILD_BENCH=OFF "$@"
cmake --build build-asan -j"$(nproc)"

# halt_on_error / abort_on_error: every report ends the test process, so ctest sees a failure.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
ctest --test-dir build-asan -LE real-model -j"$(nproc)" --output-on-failure
