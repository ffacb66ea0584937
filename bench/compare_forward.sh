#!/usr/bin/env bash
# Forward-pass speed of massact against its PyTorch/transformers peer, on one model, one sequence
# length and one thread count, plus the rate of massact's linear layers inside the forward against
# the machine's large-SGEMM rate, both measured in massact's run (bench forward --reference-gemm).
#
#   bench/compare_forward.sh [--threads T] [--seq-len N] [--repeats R] [--model DIR]
#                            [--python PY] [--massact BIN]
#
# Defaults: T = all cores, N = 512, R = 3, DIR = /tmp/massact-bench/llama100m,
# PY = /tmp/refenv/bin/python (or $MASSACT_BENCH_PYTHON), massact from build/.
# Run from anywhere; paths are relative to the repository root. See bench/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
THREADS="$(nproc)"
SEQ_LEN=512
REPEATS=3
MODEL=/tmp/massact-bench/llama100m
PY="${MASSACT_BENCH_PYTHON:-/tmp/refenv/bin/python}"
MASSACT="$ROOT/build/massact"

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "compare_forward: error: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="${2:?--threads needs a value}"; shift 2 ;;
    --seq-len) SEQ_LEN="${2:?--seq-len needs a value}"; shift 2 ;;
    --repeats) REPEATS="${2:?--repeats needs a value}"; shift 2 ;;
    --model) MODEL="${2:?--model needs a value}"; shift 2 ;;
    --python) PY="${2:?--python needs a value}"; shift 2 ;;
    --massact) MASSACT="${2:?--massact needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
for v in THREADS SEQ_LEN REPEATS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done

# ---- preconditions, each with the command that fixes it ----
if [[ ! -x "$MASSACT" ]]; then
  die "massact is not built ($MASSACT missing); build it with
  cmake -S '$ROOT' -B '$ROOT/build' -DCMAKE_BUILD_TYPE=Release && cmake --build '$ROOT/build' -j$(nproc)"
fi
if [[ ! -x "$PY" ]] || ! "$PY" -c 'import torch, transformers, safetensors' >/dev/null 2>&1; then
  die "no Python with torch + transformers at '$PY'; create the reference venv with
  sudo apt-get install python3-torch python3-numpy python3-venv
  python3 -m venv --system-site-packages /tmp/refenv
  /tmp/refenv/bin/pip install -r '$ROOT/tests/reference/requirements.txt'
(or point --python / MASSACT_BENCH_PYTHON at another interpreter)"
fi
if [[ ! -f "$MODEL/config.json" ]] || ! compgen -G "$MODEL/*.safetensors" >/dev/null; then
  die "no model at '$MODEL'; create it with
  '$PY' '$ROOT/bench/make_bench_model.py' --out '$MODEL'"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/massact-compare.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# ---- context: what else shares the machine, and the BLAS environment ----
echo "compare_forward: model $MODEL, seq-len $SEQ_LEN, threads $THREADS, repeats $REPEATS (+1 warm-up each)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
blas_env="$(env | grep -E '^(OPENBLAS_|GOTO|OMP_|MKL_)' | sort | tr '\n' ' ' || true)"
echo "BLAS/OpenMP environment: ${blas_env:-(none set)}"
echo "massact links: $(ldd "$MASSACT" 2>/dev/null | grep -o '/[^ ]*openblas[^ ]*' | xargs -r realpath | tr '\n' ' ')"
echo "massact: $("$MASSACT" --version 2>&1 | head -1), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+local changes')"
echo

# ---- runs ----
echo "running massact (bf16 weights, f32 compute) ..." >&2
"$MASSACT" --threads "$THREADS" bench forward "$MODEL" --seq-len "$SEQ_LEN" --repeats "$REPEATS" \
  --reference-gemm --json \
  >"$TMP/massact.json" || die "massact bench forward failed (command above)"
# The three rows of the protocol, then one diagnostic row: f32 with libgomp's threads sleeping
# instead of spinning between parallel regions (see bench/README.md, "Threads").
for run in bf16:default f32:default f32:passive; do
  dt="${run%%:*}" pol="${run##*:}"
  echo "running PyTorch peer --dtype $dt --omp-wait-policy $pol ..." >&2
  "$PY" "$ROOT/bench/pytorch_forward.py" "$MODEL" --seq-len "$SEQ_LEN" --threads "$THREADS" \
    --repeats "$REPEATS" --dtype "$dt" --omp-wait-policy "$pol" >"$TMP/pytorch_${dt}_$pol.json" \
    || die "pytorch_forward.py --dtype $dt --omp-wait-policy $pol failed"
done

# ---- table ----
MODEL="$MODEL" THREADS="$THREADS" "$PY" - "$TMP" <<'EOF'
import json, os, sys
tmp = sys.argv[1]
m = json.load(open(os.path.join(tmp, "massact.json")))
peers = {run: json.loads(open(os.path.join(tmp, f"pytorch_{run}.json")).read().strip().splitlines()[-1])
         for run in ("bf16_default", "f32_default", "f32_passive")}

mt = m["result"]["tokens_per_second"]
rows = [("massact (bf16 weights, f32 compute)", mt, None, m["result"]["peak_rss_mib"],
         m["result"]["seconds_median"], m["result"]["seconds_best"], m["protocol"]["threads"])]
for run, label in (("bf16_default", "pytorch bf16 (bf16 compute)"),
                   ("f32_default", "pytorch f32 (model.float())"),
                   ("f32_passive", "  diagnostic: f32, OMP_WAIT_POLICY=passive")):
    p = peers[run]
    rows.append((label, p["tokens_per_second"], mt / p["tokens_per_second"], p["peak_rss_mib"],
                 p["seconds_median"], p["seconds_best"], p["threads"]))

print(f"{'tool':<42} {'tokens/s':>9} {'massact/peer':>13} {'peak RSS MiB':>13} {'s median':>9} {'s best':>7} {'threads':>8}")
for label, tps, ratio, rss, sec, best, thr in rows:
    r = "" if ratio is None else f"{ratio:.2f}x"
    print(f"{label:<42} {tps:>9.1f} {r:>13} {rss:>13.1f} {sec:>9.3f} {best:>7.3f} {thr:>8}")
p = peers["bf16_default"]
print(f"\npytorch: torch {p['versions']['torch']}, transformers {p['versions']['transformers']}, "
      f"python {p['versions']['python']}; its RSS after importing torch alone: {p['rss_after_import_mib']:.0f} MiB")
print(f"pytorch's BLAS: {' '.join(peers['f32_default']['backend'].get('blas_libraries', [])) or '?'}")
cfg = json.load(open(os.path.join(os.environ["MODEL"], "config.json")))
h, ff, L, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["num_hidden_layers"], cfg["vocab_size"]
hd = cfg.get("head_dim") or h // cfg["num_attention_heads"]
kv = cfg.get("num_key_value_heads") or cfg["num_attention_heads"]
matmul_params = L * (2 * h * h + 2 * h * kv * hd + 3 * h * ff) + V * h  # q,o,k,v, gate/up/down, lm_head
print(f"weight-matmul rate (2 x {matmul_params / 1e6:.1f}M matmul weights x tokens/s; attention scores not counted):")
for label, tps, *_ in rows:
    print(f"  {label:<42} {2 * matmul_params * tps / 1e9:6.1f} GFLOP/s")
ref = m["result"]["reference_gemm"]
best = max(ref["gflops"].values())
print("2048^3 GEMM, best of the runs between massact's passes: " +
      ", ".join(f"{name} {rate:.1f} GFLOP/s" for name, rate in sorted(ref["gflops"].items())))
label, tps, *_ = rows[0]
print(f"{label}: weight-matmul rate / best GEMM = {2 * matmul_params * tps / 1e9 / best:.0%}")
print(f"{label}: its linear layers, timed inside the median pass: "
      f"{m['result']['linear_share_of_time']:.0%} of the time, {m['result']['linear_gflops']:.1f} GFLOP/s "
      f"= {ref['linear_share_of_best']:.0%} of the best GEMM")
print("load average at the end: " + " ".join(open("/proc/loadavg").read().split()[:3]))
EOF
