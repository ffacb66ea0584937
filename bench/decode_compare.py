#!/usr/bin/env python3
"""Decode speed: `massact generate` against llama.cpp (llama-cpp-python) on the same GGUF file.

Protocol (bench/README.md, "Decode against llama.cpp"): the first --prompt-chars characters of
--text-file as the prompt, then --new-tokens greedy steps, rounds run in turn llama.cpp, massact,
llama.cpp, massact, ... so that the load of the machine hits both alike.
- llama.cpp: Llama(n_ctx=2048, logits_all=True); eval(prompt); then each step argmax over its last logits and
  eval([next]); the steps alone are timed.
- massact: wall time of `generate --max-new-tokens N+1` minus that of `--max-new-tokens 1` (the
  same load, tokenization and prompt), over N.
Prints tokens/s per round, the first new ids of both sides, the CPU, and /proc/loadavg around each
round.
"""
import argparse
import json
import subprocess
import time

import numpy as np
from llama_cpp import Llama


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def llama_decode(llm, prompt_ids, steps):
    llm.reset()
    llm.eval(prompt_ids)
    ids = []
    start = time.perf_counter()
    for _ in range(steps):
        ids.append(int(np.argmax(llm.scores[llm.n_tokens - 1])))
        llm.eval([ids[-1]])
    return steps / (time.perf_counter() - start), ids


def massact_generate(args, new_tokens):
    cmd = [args.massact, "--threads", str(args.threads), "generate", args.gguf, "--text-file",
           args.prompt_file, "--max-new-tokens", str(new_tokens), "--json"]
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    return time.perf_counter() - start, json.loads(out)["result"]["new_ids"]


def massact_decode(args, steps):
    base, _ = massact_generate(args, 1)
    took, ids = massact_generate(args, steps + 1)
    return steps / (took - base), ids


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("gguf")
    p.add_argument("--massact", default="build/massact")
    p.add_argument("--text-file", required=True)
    p.add_argument("--prompt-chars", type=int, default=2400)
    p.add_argument("--new-tokens", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--prompt-file", default="/tmp/massact-decode-prompt.txt")
    args = p.parse_args()

    with open(args.text_file, encoding="utf-8") as f:
        text = f.read()[: args.prompt_chars]
    with open(args.prompt_file, "w", encoding="utf-8") as f:
        f.write(text)
    llm = Llama(model_path=args.gguf, n_ctx=2048, n_threads=args.threads,
                n_threads_batch=args.threads, logits_all=True, verbose=False)
    prompt_ids = llm.tokenize(text.encode(), add_bos=True, special=False)
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo"],
                         capture_output=True, text=True).stdout.strip()
    print(f"{cpu}; {len(prompt_ids)} prompt tokens, {args.new_tokens} new, "
          f"{args.threads} threads", flush=True)
    for r in range(args.rounds):
        before = loadavg()
        lc, lc_ids = llama_decode(llm, prompt_ids, args.new_tokens)
        ma, ma_ids = massact_decode(args, args.new_tokens)
        same = next((i for i, (a, b) in enumerate(zip(lc_ids, ma_ids)) if a != b), len(lc_ids))
        print(f"round {r + 1}: llama.cpp {lc:.1f} tokens/s, massact {ma:.1f} tokens/s "
              f"({ma / lc:.2f}x); first {same} ids equal; loadavg {before} -> {loadavg()}", flush=True)


if __name__ == "__main__":
    main()
