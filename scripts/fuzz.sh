#!/usr/bin/env bash
# Builds the parser fuzz targets (libFuzzer + ASan/UBSan, clang; CMake option MASSACT_FUZZ) into
# build-fuzz/ and runs each for a bounded time, one after the other on one core:
#   scripts/fuzz.sh [seconds-per-target] [target...]     (default 300 s, every target)
# The seed corpus is the committed fixtures and the regression corpus (tests/fuzz/regressions);
# what a run adds is kept in build-fuzz/corpus/<target>. A crash leaves its input in
# build-fuzz/artifacts/<target>/: fix the parser, then commit the input (small) under
# tests/fuzz/regressions/<target>/, where the normal test suite replays it.
# The llama.cpp vocabularies in ../shared/data (or $MASSACT_SHARED_DATA) seed gguf_vocab when present.
# Needs clang and its libFuzzer runtime (Debian clang, libclang-rt-14-dev, libomp-14-dev); they
# are installed here when missing, not by setup.sh, since the normal build does not use them.
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-300}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) ||
  TARGETS=(safetensors config sharded_index gguf_metadata gguf_vocab tokenizer_json tokenizer_model)

source scripts/debian_packages.sh
install_debian_packages fuzz clang libclang-rt-14-dev libomp-14-dev || exit 1

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMASSACT_FUZZ=ON \
  -DMASSACT_NATIVE=OFF -DMASSACT_BUILD_TESTS=OFF -DMASSACT_BUILD_BENCH=OFF "${launcher[@]}" \
  >/dev/null || exit 1
cmake --build build-fuzz -j"${JOBS:-2}" --target "${TARGETS[@]/#/fuzz_}" || exit 1

# Seeds: the fixtures each parser reads, small inputs kept for fuzzing only (tests/fuzz/seeds: a
# tokenizer.model with a precompiled_charsmap, trained with custom rules), the regression inputs.
seeds() {
  local fx=tests/fixtures
  case "$1" in
    safetensors) ls $fx/*/*.safetensors ;;
    config) ls $fx/*/config.json ;;
    sharded_index) ls $fx/*/model.safetensors.index.json ;;
    gguf_metadata | gguf_vocab)
      ls $fx/gguf/*.gguf
      ls "${MASSACT_SHARED_DATA:-../shared/data}"/tokenizers/llamacpp-vocab/*.gguf ;;
    tokenizer_json) ls $fx/tokenizers/*/tokenizer.json $fx/*/tokenizer.json ;;
    tokenizer_model) ls $fx/llama_f32/tokenizer.model ;;
  esac 2>/dev/null
  ls -d tests/fuzz/seeds/"$1"/* tests/fuzz/regressions/"$1"/* 2>/dev/null
}

MAX_LEN=524288
export TMPDIR="$PWD/build-fuzz/tmp"
mkdir -p "$TMPDIR"
status=0
summary=()
for t in "${TARGETS[@]}"; do
  corpus=build-fuzz/corpus/$t
  artifacts=build-fuzz/artifacts/$t/
  mkdir -p "$corpus" "$artifacts" build-fuzz/logs
  max_len=$MAX_LEN
  [ "$t" = gguf_vocab ] && max_len=$((2 << 20))  # the llama.cpp vocabularies are up to 1.8 MB
  seeds "$t" | while read -r f; do
    (($(stat -c %s "$f") <= max_len)) || continue  # libFuzzer would cut it short
    cp -n "$f" "$corpus/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  dict=()
  case "$t" in config | sharded_index | tokenizer_json | safetensors) dict=(-dict=tests/fuzz/json.dict) ;; esac
  log=build-fuzz/logs/$t.log
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s (log $log)"
  build-fuzz/tests/fuzz/fuzz_"$t" "$corpus" -max_total_time="$SECONDS_PER_TARGET" \
    -max_len=$max_len -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" "${dict[@]}" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=$(find "$artifacts" -type f | wc -l)
  summary+=("$t: rc $rc, ${runs:-?} executions, $crashes crash inputs in $artifacts")
  ((rc == 0)) || status=1
  rm -rf "$TMPDIR"/massact-fuzz-*
done
printf 'fuzz: %s\n' "${summary[@]}"
exit $status
