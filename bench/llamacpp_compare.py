#!/usr/bin/env python3
"""Compare massact with llama.cpp (through llama-cpp-python) on one GGUF file.

Parts, each runnable alone with --parts (default: tokens,ppl,generate,speed):

  tokens    the text tokenized by llama.cpp (Llama.tokenize, BOS added, no special-token parsing)
            and by `massact tokenize --json`: equal or not, how many positions differ, the first
            difference with its pieces.
  ppl       perplexity under massact's protocol (analysis/perplexity.cpp): the whole text
            tokenized once with BOS, non-overlapping windows of --seq-len tokens (tail dropped),
            the first --max-windows of them, every position but each window's first scored.
            llama.cpp evaluates each window from an empty cache with all logits on; log-softmax in
            float64 in numpy. massact's number is `massact perplexity --json`. For the first
            --per-window windows massact's logits are also dumped (`massact forward --out`) and
            compared with llama.cpp's row for row (NLL, relative RMS of the logits, argmax
            agreement).
  generate  greedy continuation of a few prompts: llama.cpp by eval + argmax (no sampler),
            massact by `massact generate --json`; the identical prefix, both texts, and at the
            first divergence both models' logits for the two candidate tokens. Also the
            last-position logits of each prompt compared (max |diff|, relative RMS, top-5).
  speed     one --seq-len window of the text through each, --repeats timed passes after a
            warm-up, median; each side in its own process for its peak RSS (ru_maxrss).
            llama.cpp twice: all logits (massact's work: `massact bench forward` computes every
            row's logits) and last row only (llama.cpp's usual prompt processing). /proc/loadavg
            before and after, since timings are only clean on a quiet machine.
  actquant  (not by default; needs the gguf package) llama.cpp's Q8 quantization of each matmul's
            input simulated on massact's activations of the first window: relative output error,
            against Gaussian inputs.

--make-f32 OUT writes the GGUF with every tensor dequantized to f32 (llama.cpp's quantize tool);
--llama-gguf OUT --kv-type f32 then runs llama.cpp on it (massact still reads the original): the
same arithmetic on both sides, which isolates what llama.cpp's quantized dot products change.

Setup (llama-cpp-python builds llama.cpp from the sdist, 10-20 min on 2 cores):
  python3 -m venv /tmp/llamaenv
  CMAKE_BUILD_PARALLEL_LEVEL=2 /tmp/llamaenv/bin/pip install llama-cpp-python==0.3.36 numpy
  /tmp/llamaenv/bin/pip install gguf==0.19.0    # for actquant only

Run (from the repo root, massact built in build/):
  /tmp/llamaenv/bin/python bench/llamacpp_compare.py MODEL.gguf --massact build/massact \
      --text-file /work/shared/data/text/wikitext2_test.txt --json-out /tmp/llamacpp_compare.json
  # the speed part alone, for clean timings on a quiet machine:
  /tmp/llamaenv/bin/python bench/llamacpp_compare.py MODEL.gguf --massact build/massact \
      --text-file F --parts speed --repeats 5

Prints a readable report; --json-out also writes every number to a file.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

DEFAULT_PROMPTS = ["The capital of France is", "Once upon a time, there was a little"]


# ---------------------------------------------------------------------------------------------
# helpers


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def massact_cmd(args, *rest):
    return [args.massact, "--threads", str(args.threads), *rest]


def run_massact(args, *rest):
    """Runs massact; returns (stdout, seconds). Fails loudly with its stderr."""
    cmd = massact_cmd(args, *rest)
    start = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True)
    took = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"massact failed ({p.returncode}): {' '.join(cmd[:6])} ...\n"
                 + p.stderr.decode(errors="replace"))
    return p.stdout.decode(errors="replace"), took


def massact_json(args, *rest):
    """Runs a massact command that takes --out and returns the JSON document it wrote."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "result.json")
        run_massact(args, *rest, "--out", out)
        with open(out) as f:
            return json.load(f)


def read_safetensors(path, name):
    """One tensor of a safetensors file (8-byte header size, JSON header, data) as numpy."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        entry = header[name]
        dtypes = {"F32": np.float32, "I32": np.int32}
        begin, end = entry["data_offsets"]
        f.seek(8 + n + begin)
        data = np.frombuffer(f.read(end - begin), dtype=dtypes[entry["dtype"]])
        return data.reshape(entry["shape"])


def massact_logits(args, ids):
    """massact's logits (T, vocab) for these token ids, through `massact forward --out`."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "fwd.safetensors")
        run_massact(args, "forward", args.gguf, "--token-ids", ",".join(map(str, ids)), "--hooks",
                    "hook_embed", "--out", out)
        saved = read_safetensors(out, "input_ids")
        if list(saved) != list(ids):
            sys.exit("massact forward: input_ids in the dump differ from the ids given")
        return read_safetensors(out, "logits").copy()


def nll_rows(logits, ids):
    """Per-position NLL of ids[t+1] under row t, t < T-1, in float64: (T-1,)."""
    T = len(ids)
    out = np.empty(T - 1)
    for b in range(0, T - 1, 64):  # blocks: a float64 copy of all rows would be 1 GiB
        e = min(b + 64, T - 1)
        x = logits[b:e].astype(np.float64)
        m = x.max(axis=1)
        lse = m + np.log(np.exp(x - m[:, None]).sum(axis=1))
        out[b:e] = lse - x[np.arange(e - b), np.asarray(ids[b + 1:e + 1])]
    return out


def compare_logits(a, b):
    """a: massact (T, V), b: llama.cpp (T, V): size of their difference, relative to b."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    diff = a64 - b64
    # Logits are only defined up to a constant per row for the softmax; the raw rows are compared
    # because neither side adds one, and the centred version shows none is hiding there.
    ca, cb = a64 - a64.mean(axis=1, keepdims=True), b64 - b64.mean(axis=1, keepdims=True)
    return {
        "max_abs_diff": float(np.abs(diff).max()),
        "rel_rms_diff": float(np.sqrt((diff**2).sum() / (b64**2).sum())),
        "rel_rms_diff_centred": float(np.sqrt(((ca - cb)**2).sum() / (cb**2).sum())),
        "logit_rms_llamacpp": float(np.sqrt((b64**2).mean())),
        "argmax_agree": float((a.argmax(axis=1) == b.argmax(axis=1)).mean()),
    }


def open_llama(args, n_ctx, logits_all):
    import llama_cpp
    kv = {"f16": llama_cpp.GGML_TYPE_F16, "f32": llama_cpp.GGML_TYPE_F32}[args.kv_type]
    return llama_cpp.Llama(model_path=args.llama_gguf or args.gguf, n_ctx=n_ctx, n_batch=n_ctx,
                           n_ubatch=n_ctx, logits_all=logits_all, n_threads=args.threads,
                           n_threads_batch=args.threads, type_k=kv, type_v=kv, flash_attn=False,
                           verbose=False)


def make_f32(src, dst):
    """Writes src with every tensor dequantized to f32 (llama.cpp's own quantize tool, asked for
    ALL_F32 with requantizing allowed). Run on that file, llama.cpp multiplies f32 by f32, with no
    Q8 quantization of the activations: the same arithmetic as massact."""
    import llama_cpp
    p = llama_cpp.llama_model_quantize_default_params()
    p.ftype = llama_cpp.LLAMA_FTYPE_ALL_F32
    p.allow_requantize = True
    if llama_cpp.llama_model_quantize(src.encode(), dst.encode(), p) != 0:
        sys.exit(f"llama_model_quantize {src} -> {dst} failed")


def llama_window_logits(llm, ids):
    """llama.cpp's logits for every position of ids, from an empty cache: (T, vocab) copy."""
    llm.reset()
    llm.eval(ids)
    return np.array(llm.scores[:len(ids)], dtype=np.float32)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


# ---------------------------------------------------------------------------------------------
# parts


def part_tokens(args, llm, text):
    llama_ids = llm.tokenize(text, add_bos=True, special=False)
    doc, took = run_massact(args, "tokenize", args.gguf, "--text-file", args.text_file, "--json")
    m = json.loads(doc)
    massact_ids = m["ids"]
    n = min(len(llama_ids), len(massact_ids))
    differing = int(np.count_nonzero(np.asarray(llama_ids[:n]) != np.asarray(massact_ids[:n])))
    first = first_difference(massact_ids, llama_ids)
    r = {"llamacpp_tokens": len(llama_ids), "massact_tokens": len(massact_ids),
         "identical": massact_ids == llama_ids, "differing_positions_aligned": differing,
         "first_difference": first, "massact_seconds": took}
    print(f"tokens: llama.cpp {len(llama_ids)}, massact {len(massact_ids)}, identical: "
          f"{r['identical']}")
    if first is not None:
        lo, hi = max(0, first - 3), first + 4
        piece = lambda t: llm.detokenize([t]).decode(errors="replace")
        r["around_first_difference"] = {
            "llamacpp": [(t, piece(t)) for t in llama_ids[lo:hi]],
            "massact": list(zip(massact_ids[lo:hi], m["pieces"][lo:hi]))}
        print(f"  first difference at {first}; {differing} of {n} aligned positions differ")
        print(f"  llama.cpp: {r['around_first_difference']['llamacpp']}")
        print(f"  massact:   {r['around_first_difference']['massact']}")
    return r, llama_ids, massact_ids


def part_ppl(args, llm, llama_ids):
    L = args.seq_len
    windows = len(llama_ids) // L
    if args.max_windows > 0:
        windows = min(windows, args.max_windows)
    m = massact_json(args, "perplexity", args.gguf, "--text-file", args.text_file, "--seq-len",
                     str(L), "--max-windows", str(args.max_windows))["result"]

    per_window = []
    llama_nll = 0.0
    start = time.perf_counter()
    for w in range(windows):
        ids = llama_ids[w * L:(w + 1) * L]
        b = llama_window_logits(llm, ids)
        nll_b = nll_rows(b, ids)
        llama_nll += nll_b.sum()
        row = {"window": w, "llamacpp_mean_nll": float(nll_b.mean())}
        if w < args.per_window:  # massact's logits for the same ids, row for row
            a = massact_logits(args, ids)
            nll_a = nll_rows(a, ids)
            row.update({"massact_mean_nll": float(nll_a.mean()),
                        "mean_abs_nll_diff": float(np.abs(nll_a - nll_b).mean()),
                        **compare_logits(a, b)})
        per_window.append(row)
        print(f"  window {w}: " + ", ".join(
            f"{k} {v:.6g}" for k, v in row.items() if k != "window"), flush=True)
    llama_seconds = time.perf_counter() - start
    scored = windows * (L - 1)
    llama_mean = llama_nll / scored
    r = {"seq_len": L, "windows": windows, "scored_tokens": scored,
         "llamacpp": {"mean_nll": llama_mean, "perplexity": float(np.exp(llama_mean))},
         "massact": {k: m[k] for k in ("mean_nll", "perplexity", "windows", "scored_tokens",
                                       "text_tokens")},
         "per_window": per_window}
    r["mean_nll_diff"] = m["mean_nll"] - llama_mean
    r["perplexity_rel_diff"] = m["perplexity"] / r["llamacpp"]["perplexity"] - 1
    checked = [w for w in per_window if "massact_mean_nll" in w]
    if checked and len(checked) == windows:
        # The dumps and `massact perplexity` must agree: the same forward pass.
        r["massact_dumps_mean_nll"] = float(np.mean([w["massact_mean_nll"] for w in checked]))
    print(f"perplexity ({windows} windows of {L}, {scored} scored): massact "
          f"{m['perplexity']:.4f} (mean NLL {m['mean_nll']:.6f}), llama.cpp "
          f"{r['llamacpp']['perplexity']:.4f} (mean NLL {llama_mean:.6f}); massact/llama.cpp - 1 = "
          f"{r['perplexity_rel_diff']:+.3%}, NLL diff {r['mean_nll_diff']:+.6f}"
          f"  [llama.cpp pass {llama_seconds:.1f} s]")
    if "massact_dumps_mean_nll" in r:
        print(f"  massact's own check: mean NLL from the forward dumps "
              f"{r['massact_dumps_mean_nll']:.9f} vs `massact perplexity` {m['mean_nll']:.9f}")
    return r


def llama_greedy(llm, prompt_ids, n, eos):
    """Greedy continuation by argmax over eval's logits; also each step's top-2 gap."""
    llm.reset()
    llm.eval(prompt_ids)
    out, gaps = [], []
    for _ in range(n):
        row = llm.scores[llm.n_tokens - 1]
        top2 = np.argsort(row)[-2:]
        tok = int(top2[1])
        gaps.append(float(row[top2[1]] - row[top2[0]]))
        out.append(tok)
        if tok == eos:
            break
        llm.eval([tok])
    return out, gaps


def last_row_report(a, b):
    """Last-position logits of massact (a) and llama.cpp (b), 1-D each."""
    r = compare_logits(a[None, :], b[None, :])
    r["top5_massact"] = [(int(t), float(a[t])) for t in np.argsort(a)[::-1][:5]]
    r["top5_llamacpp"] = [(int(t), float(b[t])) for t in np.argsort(b)[::-1][:5]]
    return r


def part_generate(args, llm, prompts):
    eos = llm.token_eos()
    results = []
    for prompt in prompts:
        prompt_ids = llm.tokenize(prompt.encode(), add_bos=True, special=False)
        llama_new, gaps = llama_greedy(llm, prompt_ids, args.new_tokens, eos)
        g = massact_json(args, "generate", args.gguf, "--prompt", prompt, "--max-new-tokens",
                         str(args.new_tokens))["result"]
        same = first_difference(g["new_ids"], llama_new)
        same = len(llama_new) if same is None else same
        r = {"prompt": prompt, "prompt_ids_identical": g["prompt_ids"] == prompt_ids,
             "prompt_tokens": len(prompt_ids), "identical_prefix": same,
             "generated": len(llama_new), "massact_new_ids": g["new_ids"],
             "llamacpp_new_ids": llama_new,
             "massact_text": g["new_text"],
             "llamacpp_text": llm.detokenize(llama_new, prev_tokens=prompt_ids).decode(
                 errors="replace")}

        # Last-position logits of the prompt itself.
        a = massact_logits(args, prompt_ids)[-1]
        b = llama_window_logits(llm, prompt_ids)[-1]
        r["prompt_last_logits"] = last_row_report(a, b)

        # At the first divergence: how close was the choice on each side?
        if same < min(len(g["new_ids"]), len(llama_new)):
            ctx = prompt_ids + llama_new[:same]
            a = massact_logits(args, ctx)[-1]
            b = llama_window_logits(llm, ctx)[-1]
            tm, tl = g["new_ids"][same], llama_new[same]
            r["divergence"] = {
                "step": same, "massact_token": tm, "llamacpp_token": tl,
                "massact_logits": {"massact_choice": float(a[tm]), "llamacpp_choice": float(a[tl])},
                "llamacpp_logits": {"massact_choice": float(b[tm]),
                                    "llamacpp_choice": float(b[tl])},
                "llamacpp_top2_gap_per_step": gaps[:same + 1]}
        results.append(r)
        lr = r["prompt_last_logits"]
        print(f"generate {prompt!r}: prompt ids identical {r['prompt_ids_identical']}, identical "
              f"prefix {same}/{len(llama_new)} tokens")
        print(f"  massact:   {r['massact_text']!r}")
        print(f"  llama.cpp: {r['llamacpp_text']!r}")
        print(f"  prompt's last logits: max|diff| {lr['max_abs_diff']:.4g}, rel RMS "
              f"{lr['rel_rms_diff']:.4g}, top-5 massact {[t for t, _ in lr['top5_massact']]}, "
              f"llama.cpp {[t for t, _ in lr['top5_llamacpp']]}")
        if "divergence" in r:
            d = r["divergence"]
            print(f"  diverge at step {same}: massact picks {d['massact_token']}, llama.cpp "
                  f"{d['llamacpp_token']}; logits (massact's pick, llama.cpp's pick): massact "
                  f"{tuple(round(v, 4) for v in d['massact_logits'].values())}, llama.cpp "
                  f"{tuple(round(v, 4) for v in d['llamacpp_logits'].values())}")
    return results


def q8_round_trip(x, block, f16_scale):
    """x (T, n) through llama.cpp's activation quantization as this script models it: blocks of
    `block` values, scale max|x|/127, values rounded to int8 (Q8_0: block 32, f16 scale, for
    Q4_0/Q5_0/Q8_0 weights; Q8_K: block 256, f32 scale, for the K-quants)."""
    T, n = x.shape
    xb = x.reshape(T, n // block, block)
    scale = np.abs(xb).max(axis=-1, keepdims=True) / 127
    if f16_scale:
        scale = scale.astype(np.float16).astype(np.float32)
    safe = np.where(scale > 0, scale, 1)
    return (np.clip(np.round(xb / safe), -127, 127) * scale).reshape(T, n)


def part_actquant(args, llama_ids):
    """For the first window: each matmul's relative output error when its input goes through Q8
    (above), the weights dequantized exactly; the inputs are massact's hook dumps. Beside it the
    same for Gaussian inputs of the same size, and max|x|/rms(x) of the real inputs. Needs the
    gguf package; tensor names as llama.cpp's llama/gemma GGUFs (blk.N.attn_q.weight, ...)."""
    import gguf
    reader = gguf.GGUFReader(args.gguf)
    tensors = {t.name: t for t in reader.tensors}
    eps = float(next(f.contents() for k, f in reader.fields.items()
                     if k.endswith("layer_norm_rms_epsilon")))
    n_layers = 1 + max(int(n.split(".")[1]) for n in tensors if n.startswith("blk."))
    weight = lambda name: gguf.quants.dequantize(tensors[name].data, tensors[name].tensor_type)
    ids = llama_ids[:args.seq_len]
    hooks = ["blocks.*.hook_resid_pre", "blocks.*.hook_resid_mid", "blocks.*.attn.hook_z",
             "blocks.*.mlp.hook_post"]
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "hooks.safetensors")
        run_massact(args, "forward", args.gguf, "--token-ids", ",".join(map(str, ids)), "--hooks",
                    *hooks, "--out", out)
        dump = lambda name: read_safetensors(out, name).reshape(len(ids), -1).copy()
        rms_norm = lambda x, w: (x / np.sqrt((x.astype(np.float64)**2).mean(1, keepdims=True)
                                             + eps)).astype(np.float32) * w
        rng = np.random.default_rng(0)
        rows = []
        for l in range(n_layers):
            inputs = {  # matmul -> its input (T, n): what the dot products see
                "attn_q": rms_norm(dump(f"blocks.{l}.hook_resid_pre"),
                                   weight(f"blk.{l}.attn_norm.weight")),
                "attn_output": dump(f"blocks.{l}.attn.hook_z"),
                "ffn_up": rms_norm(dump(f"blocks.{l}.hook_resid_mid"),
                                   weight(f"blk.{l}.ffn_norm.weight")),
                "ffn_down": dump(f"blocks.{l}.mlp.hook_post")}
            for name, x in inputs.items():
                t = tensors[f"blk.{l}.{name}.weight"]
                k_quant = t.tensor_type.name.endswith("_K")
                block = 256 if k_quant else 32
                w = weight(t.name).astype(np.float32)  # (out, in)
                err = lambda v: np.linalg.norm((q8_round_trip(v, block, not k_quant) - v) @ w.T,
                                               axis=1) / np.linalg.norm(v @ w.T, axis=1)
                g = rng.standard_normal((64, x.shape[1])).astype(np.float32)
                peak = np.abs(x).max(1) / np.sqrt((x.astype(np.float64)**2).mean(1))
                rows.append({"layer": l, "matmul": name, "weight_type": t.tensor_type.name,
                             "act_block": block, "rel_err_median": float(np.median(err(x))),
                             "rel_err_max": float(err(x).max()),
                             "rel_err_gaussian_median": float(np.median(err(g))),
                             "input_max_over_rms_median": float(np.median(peak))})
    print(f"Q8 activation quantization, simulated per matmul (window 0, {len(ids)} tokens): median "
          "relative output error over tokens; Gaussian inputs; median max|x|/rms(x) of the input")
    for name in ("attn_q", "attn_output", "ffn_up", "ffn_down"):
        r = [x for x in rows if x["matmul"] == name]
        types = "/".join(sorted({x["weight_type"] for x in r}))
        acts = "/".join(sorted({"Q8_K" if x["act_block"] == 256 else "Q8_0" for x in r}))
        med = [x["rel_err_median"] for x in r]
        print(f"  {name:12s} {types:10s} x {acts:9s}"
              f"  real {np.median(med):.4f} (layers {min(med):.4f}-{max(med):.4f})"
              f"  gaussian {np.median([x['rel_err_gaussian_median'] for x in r]):.4f}"
              f"  max/rms {np.median([x['input_max_over_rms_median'] for x in r]):.1f}")
    return rows


def fresh_process(cmd):
    """cmd run by a small shell that forks it. Linux carries a process's peak RSS (ru_maxrss)
    across fork and exec, so a child forked straight from this (large) process would report at
    least this process's size; forked from the shell, it reports its own."""
    return ["/bin/sh", "-c", '"$0" "$@"; exit $?'] + list(cmd)


def wait_json(cmd):
    """Runs cmd (a speed worker); returns the JSON line it printed last."""
    p = subprocess.run(fresh_process(cmd), capture_output=True)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:6])} ...\n{p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout.decode().strip().splitlines()[-1])


def part_speed(args, llama_ids):
    ids = llama_ids[:args.seq_len]
    if len(ids) < args.seq_len:
        sys.exit(f"speed: the text has fewer than {args.seq_len} tokens")
    r = {"seq_len": args.seq_len, "threads": args.threads, "repeats": args.repeats,
         "loadavg_before": loadavg()}
    with tempfile.TemporaryDirectory() as d:
        ids_file = os.path.join(d, "ids.json")
        with open(ids_file, "w") as f:
            json.dump(ids, f)
        for logits in ("all", "last"):
            r[f"llamacpp_{logits}_logits"] = wait_json(
                [sys.executable, __file__, args.gguf, "--speed-worker", ids_file, "--logits",
                 logits, "--threads", str(args.threads), "--repeats", str(args.repeats),
                 "--kv-type", args.kv_type] + (["--llama-gguf", args.llama_gguf]
                                               if args.llama_gguf else []))
        for logits in ("all", "last"):
            out = os.path.join(d, f"bench_{logits}.json")
            bench = massact_cmd(args, "bench", "forward", args.gguf, "--seq-len",
                                str(args.seq_len), "--repeats", str(args.repeats), "--logits",
                                logits, "--out", out)
            p = subprocess.run(fresh_process(bench), capture_output=True)
            if p.returncode != 0:
                sys.exit(f"massact bench failed:\n{p.stderr.decode(errors='replace')}")
            with open(out) as f:
                m = json.load(f)["result"]
            r[f"massact_{logits}_logits"] = {
                "tokens_per_second": m["tokens_per_second"], "seconds_median": m["seconds_median"],
                "seconds_best": m["seconds_best"], "peak_rss_mib": m["peak_rss_mib"]}
    r["loadavg_after"] = loadavg()
    print(f"speed ({args.seq_len} tokens, {args.threads} threads, median of {args.repeats}; "
          f"load {r['loadavg_before']} -> {r['loadavg_after']}):")
    for name in ("massact_all_logits", "llamacpp_all_logits", "massact_last_logits",
                 "llamacpp_last_logits"):
        s = r[name]
        print(f"  {name:22s} {s['tokens_per_second']:8.1f} tokens/s  "
              f"({s['seconds_median']:.3f} s, best {s['seconds_best']:.3f} s), peak RSS "
              f"{s['peak_rss_mib']:.0f} MiB"
              + (f"; Llama.eval {s['eval_seconds_median']:.3f} s" if "eval_seconds_median" in s
                 else ""))
    for logits in ("all", "last"):
        r[f"massact_over_llamacpp_{logits}_logits"] = (
            r[f"massact_{logits}_logits"]["tokens_per_second"]
            / r[f"llamacpp_{logits}_logits"]["tokens_per_second"])
    return r


def speed_worker(args):
    """Runs in its own process: load, one warm-up pass, --repeats timed passes; one JSON line."""
    with open(args.speed_worker) as f:
        ids = json.load(f)
    start = time.perf_counter()
    llm = open_llama(args, len(ids), args.logits == "all")
    load_seconds = time.perf_counter() - start
    # Two clocks: llama.cpp's decode alone (its graph, logits into its own buffer, as massact's
    # forward writes its logits tensor), and Llama.eval as a user calls it, which with all logits
    # also copies them into a numpy array. decode() is llama-cpp-python's internal wrapper; eval()
    # does the same two calls around it.
    decode, evals = [], []
    logits_all = args.logits == "all"
    for r in range(args.repeats + 1):
        llm.reset()
        llm._ctx.kv_cache_seq_rm(-1, 0, -1)
        llm._batch.set_batch(batch=ids, n_past=0, logits_all=logits_all)
        start = time.perf_counter()
        llm._ctx.decode(llm._batch)
        took_decode = time.perf_counter() - start
        llm.reset()
        start = time.perf_counter()
        llm.eval(ids)
        took_eval = time.perf_counter() - start
        if r > 0:  # pass 0 warms up
            decode.append(took_decode)
            evals.append(took_eval)
    median = statistics.median(decode)
    print(json.dumps({"tokens_per_second": len(ids) / median, "seconds_median": median,
                      "seconds_best": min(decode), "seconds": decode,
                      "eval_seconds_median": statistics.median(evals), "eval_seconds": evals,
                      "load_seconds": load_seconds, "logits": args.logits,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "vm_hwm_mib": vm_hwm_mib()}))


def vm_hwm_mib():
    """This process's own peak RSS since its exec (VmHWM), a check on ru_maxrss."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


# ---------------------------------------------------------------------------------------------


def wikitext_prompt(text):
    """The first sentence of the text's first paragraph line (WikiText: ' = Title =' lines)."""
    for line in text.decode(errors="replace").splitlines():
        line = line.strip()
        if len(line.split()) >= 20 and not line.startswith("="):
            end = line.find(" . ")
            return line[:end + 2] if end > 0 else " ".join(line.split()[:25])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("gguf")
    ap.add_argument("--massact", default="build/massact")
    ap.add_argument("--text-file")
    ap.add_argument("--parts", default="tokens,ppl,generate,speed")
    ap.add_argument("--seq-len", type=int, default=512)
    ap.add_argument("--max-windows", type=int, default=20)
    ap.add_argument("--per-window", type=int, default=20,
                    help="windows whose massact logits are dumped and compared row for row")
    ap.add_argument("--prompt", action="append", help="greedy prompts (default: a few)")
    ap.add_argument("--new-tokens", type=int, default=24)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json-out")
    ap.add_argument("--llama-gguf",
                    help="the file llama.cpp loads instead of GGUF (massact still loads GGUF), "
                    "e.g. one written by --make-f32")
    ap.add_argument("--kv-type", choices=["f16", "f32"], default="f16",
                    help="llama.cpp's KV cache type (f16: its default)")
    ap.add_argument("--make-f32", metavar="OUT",
                    help="write GGUF dequantized to f32 at OUT for --llama-gguf, then stop")
    ap.add_argument("--speed-worker", help=argparse.SUPPRESS)
    ap.add_argument("--logits", default="all", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.speed_worker:
        return speed_worker(args)
    if args.make_f32:
        return make_f32(args.gguf, args.make_f32)
    if not args.text_file:
        ap.error("--text-file is required")
    parts = set(args.parts.split(","))

    import llama_cpp
    with open(args.text_file, "rb") as f:
        text = f.read()
    report = {"gguf": args.gguf, "llama_gguf": args.llama_gguf or args.gguf,
              "llama_kv_type": args.kv_type, "text_file": args.text_file, "threads": args.threads,
              "llama_cpp_python": llama_cpp.__version__,
              "llama_system_info": llama_cpp.llama_print_system_info().decode().strip(),
              "massact": run_massact(args, "--version")[0].strip(), "loadavg_start": loadavg()}
    print(f"llama-cpp-python {report['llama_cpp_python']}, massact {report['massact']}, "
          f"load {report['loadavg_start']}")

    llm = open_llama(args, args.seq_len, True)
    llama_ids = llm.tokenize(text, add_bos=True, special=False)
    if "tokens" in parts:
        report["tokens"], llama_ids, _ = part_tokens(args, llm, text)
    if "ppl" in parts:
        report["ppl"] = part_ppl(args, llm, llama_ids)
    if "generate" in parts:
        prompts = args.prompt or DEFAULT_PROMPTS + [wikitext_prompt(text)]
        report["generate"] = part_generate(args, llm, [p for p in prompts if p])
    if "actquant" in parts:
        report["actquant"] = part_actquant(args, llama_ids)
    del llm
    if "speed" in parts:
        report["speed"] = part_speed(args, llama_ids)
    report["loadavg_end"] = loadavg()
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
