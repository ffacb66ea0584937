#!/usr/bin/env python3
"""PyTorch/transformers peer of `massact bench forward`: tokens/s of one forward pass, and peak RSS.

Same protocol as massact: batch 1, --seq-len random token ids, every layer's output kept
(output_hidden_states=True, the peer of massact's hooks), logits for every position, no KV cache,
attn_implementation="eager", torch.no_grad(); one warm-up pass, then --repeats timed passes;
tokens/s = seq_len / median seconds.

--dtype bf16 runs the bf16 weights as stored (bf16 compute, as PyTorch does it on this CPU);
--dtype f32 loads them and calls model.float() (f32 compute, massact's arithmetic).

Prints one JSON line on stdout:
    /tmp/refenv/bin/python bench/pytorch_forward.py /tmp/massact-bench/llama100m --threads 2
"""
import argparse
import os
import sys


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default="/tmp/massact-bench/llama100m",
                   help="Hugging Face model folder (default %(default)s)")
    p.add_argument("--seq-len", type=int, default=512)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: all cores)")
    p.add_argument("--dtype", choices=["bf16", "f32"], default="bf16")
    p.add_argument("--repeats", type=int, default=3, help="timed passes after one warm-up")
    p.add_argument("--seed", type=int, default=0, help="seed of the random token ids")
    p.add_argument("--omp-wait-policy", choices=["default", "passive", "active"], default="default",
                   help="OMP_WAIT_POLICY for torch's OpenMP pool (default: leave the environment as it is)")
    args = p.parse_args()
    if args.seq_len <= 0 or args.repeats <= 0 or args.threads < 0:
        p.error("--seq-len and --repeats must be positive, --threads >= 0")
    return args


def rss_mib(field):
    """VmRSS / VmHWM of this process from /proc, MiB (None where /proc is absent)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def main() -> int:
    args = parse_args()
    threads = args.threads if args.threads > 0 else (os.cpu_count() or 1)
    # Before torch is imported: its OpenMP pool and the BLAS it links (Debian's torch calls the
    # system libblas, OpenBLAS here) read these at load time. torch.set_num_threads alone does not
    # bound OpenBLAS's own pthread pool.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    os.environ["MKL_NUM_THREADS"] = str(threads)
    # libgomp threads spin after each parallel region by default; next to OpenBLAS's own pthread
    # pool (Debian's torch with openblas-pthread) they can starve its workers. "passive" makes
    # them sleep instead: a diagnostic, not the default protocol.
    if args.omp_wait_policy != "default":
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy.upper()

    import json
    import platform
    import resource
    import statistics
    import time

    import numpy
    import torch
    import transformers
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(threads)
    rss_after_import = rss_mib("VmRSS")

    if not os.path.isfile(os.path.join(args.model, "config.json")):
        print(f"error: {args.model} is not a model folder (no config.json); create it with\n"
              f"  /tmp/refenv/bin/python bench/make_bench_model.py --out {args.model}", file=sys.stderr)
        return 2

    load_start = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.bfloat16,
                                                 attn_implementation="eager")
    if args.dtype == "f32":
        model = model.float()
    model.eval()
    load_seconds = time.perf_counter() - load_start
    rss_after_load = rss_mib("VmRSS")
    n_params = sum(t.numel() for t in model.parameters())

    cfg = model.config
    if args.seq_len > cfg.max_position_embeddings:
        print(f"error: --seq-len {args.seq_len} > max_position_embeddings {cfg.max_position_embeddings}",
              file=sys.stderr)
        return 2
    gen = torch.Generator().manual_seed(args.seed)
    ids = torch.randint(0, cfg.vocab_size, (1, args.seq_len), generator=gen)

    seconds = []
    with torch.no_grad():
        for r in range(args.repeats + 1):  # pass 0 warms up caches, page-ins, oneDNN kernels
            start = time.perf_counter()
            out = model(input_ids=ids, output_hidden_states=True, use_cache=False, return_dict=True)
            took = time.perf_counter() - start
            assert len(out.hidden_states) == cfg.num_hidden_layers + 1
            assert out.logits.shape == (1, args.seq_len, cfg.vocab_size)
            del out
            if r > 0:
                seconds.append(took)

    median = statistics.median(seconds)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    doc = {
        "tool": "pytorch",
        "model": os.path.abspath(args.model),
        "parameters": n_params,
        "dtype": args.dtype,
        "weights_dtype": str(next(model.parameters()).dtype).replace("torch.", ""),
        "seq_len": args.seq_len,
        "repeats": args.repeats,
        "threads": torch.get_num_threads(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
        "protocol": {"batch": 1, "attn_implementation": "eager", "output_hidden_states": True,
                     "use_cache": False, "logits": "all rows", "warmup_passes": 1},
        "tokens_per_second": args.seq_len / median,
        "seconds_median": median,
        "seconds_best": min(seconds),
        "seconds": seconds,
        "load_seconds": load_seconds,
        "peak_rss_mib": peak_rss,
        "rss_after_import_mib": rss_after_import,
        "rss_after_load_mib": rss_after_load,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "numpy": numpy.__version__},
        "backend": {"mkldnn": torch.backends.mkldnn.is_available(), "cpu_capability": _cpu_capability(torch),
                    "blas_libraries": _mapped_libraries("blas")},
        "env": {k: v for k, v in sorted(os.environ.items())
                if k.startswith(("OPENBLAS_", "GOTO", "OMP_", "MKL_", "GOMP_", "KMP_"))},
    }
    print(json.dumps(doc))
    return 0


def _mapped_libraries(word):
    """Real paths of the shared libraries mapped into this process whose name contains `word`."""
    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if path.startswith("/") and word in os.path.basename(path):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def _cpu_capability(torch):
    try:
        return torch.backends.cpu.get_cpu_capability()
    except AttributeError:  # torch < 2.0
        for line in torch.__config__.show().splitlines():
            if "CPU capability usage" in line:
                return line.split(":", 1)[1].strip()
        return None


if __name__ == "__main__":
    sys.exit(main())
