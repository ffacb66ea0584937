#!/usr/bin/env bash
# What the Python module costs over the CLI on the same job: one sequence (TEXT_FILE, whole)
# through MODEL with every layer output kept, `massact forward --hooks 'blocks.*.hook_resid_post'
# --out` against `m.run_with_cache(text, names=["blocks.*.hook_resid_post"])`, each run R times,
# interleaved, under GNU time (wall time and peak RSS of the whole process: the interpreter, numpy
# and the import included), and CPU time (user + system). The Python runs also print their own
# import, load and run_with_cache times.
#
#   bench/python_overhead.sh MODEL TEXT_FILE [REPEATS]     (REPEATS: 3)
#
# Needs the build (build/massact, build/python) and /usr/bin/time. See README.md, "Python".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODEL="${1:?usage: bench/python_overhead.sh MODEL TEXT_FILE [REPEATS]}"
TEXT="${2:?usage: bench/python_overhead.sh MODEL TEXT_FILE [REPEATS]}"
REPEATS="${3:-3}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

# "wall_s cpu_s peak_rss_mib" of a command (cpu: user + system), from GNU time's report.
measure() {
  /usr/bin/time -v -o "$OUT/time" "$@" > "$OUT/stdout"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                                          for (i = 1; i <= n; i++) s = s * 60 + t[i]; wall = s }
              /User time|System time/ { cpu += $2 }
              /Maximum resident set size/ { rss = $2 / 1024 }
              END { printf "%.2f %.2f %.0f", wall, cpu, rss }' "$OUT/time"
}

echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; model: $MODEL; text: $TEXT"
for r in $(seq "$REPEATS"); do
  cli=$(measure "$ROOT/build/massact" forward "$MODEL" --text-file "$TEXT" \
          --hooks 'blocks.*.hook_resid_post' --out "$OUT/dump.safetensors")
  echo "run $r cli    wall_s cpu_s rss_mib: $cli"
  py=$(PYTHONPATH="$ROOT/build/python" measure /usr/bin/python3 -c "
import sys, time
t0 = time.perf_counter()
import massact
t1 = time.perf_counter()
m = massact.load(sys.argv[1])
t2 = time.perf_counter()
logits, cache = m.run_with_cache(open(sys.argv[2], encoding='utf-8').read(),
                                 names=['blocks.*.hook_resid_post'])
t3 = time.perf_counter()
print(f'import {t1 - t0:.2f} s, load {t2 - t1:.2f} s, run_with_cache {t3 - t2:.2f} s, '
      f'{logits.shape[1]} tokens, {len(cache)} layers')
" "$MODEL" "$TEXT")
  echo "run $r python wall_s cpu_s rss_mib: $py ($(cat "$OUT/stdout"))"
done
