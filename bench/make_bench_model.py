#!/usr/bin/env python3
"""Random LLaMA-shaped model (~100M parameters) for the forward-pass benchmark.

Writes a Hugging Face folder (config.json with torch_dtype bfloat16, one model.safetensors with bf16
weights) that both `massact bench forward` and bench/pytorch_forward.py load. No tokenizer: both
benchmarks feed random token ids.

Default shape: hidden 768, 8 layers, 12 heads, 12 KV heads (head_dim 64), intermediate 2048,
vocab 32000, max_position_embeddings 2048, untied lm_head: 105.8M parameters
(embeddings 24.6M + lm_head 24.6M + 8 x 7.08M per layer). 12 layers of that shape would be 134M.

Weights: transformers' own init (normal(0, initializer_range=0.02), RMSNorm weights 1) under a fixed
seed, so two runs write the same tensors. Speed does not depend on the values.

    /tmp/refenv/bin/python bench/make_bench_model.py [--out /tmp/massact-bench/llama100m]
"""
import argparse
import json
import os
import sys

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default="/tmp/massact-bench/llama100m", help="output folder (default %(default)s)")
    p.add_argument("--hidden", type=int, default=768)
    p.add_argument("--layers", type=int, default=8)
    p.add_argument("--heads", type=int, default=12)
    p.add_argument("--kv-heads", type=int, default=12)
    p.add_argument("--intermediate", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=32000)
    p.add_argument("--max-positions", type=int, default=2048)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)  # init order and values independent of the machine
    config = LlamaConfig(
        vocab_size=args.vocab,
        hidden_size=args.hidden,
        intermediate_size=args.intermediate,
        num_hidden_layers=args.layers,
        num_attention_heads=args.heads,
        num_key_value_heads=args.kv_heads,
        max_position_embeddings=args.max_positions,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        tie_word_embeddings=False,
        attn_implementation="eager",
        bos_token_id=1,
        eos_token_id=2,
    )
    model = LlamaForCausalLM(config).eval()  # built in float32, then rounded once to bf16
    model = model.to(torch.bfloat16)

    n_params = sum(t.numel() for t in model.parameters())
    os.makedirs(args.out, exist_ok=True)
    model.save_pretrained(args.out, safe_serialization=True, max_shard_size="10GB")

    # save_pretrained records the model's dtype; make sure the folder says bfloat16.
    cfg_path = os.path.join(args.out, "config.json")
    with open(cfg_path) as f:
        saved = json.load(f)
    if saved.get("torch_dtype") != "bfloat16":
        saved["torch_dtype"] = "bfloat16"
        with open(cfg_path, "w") as f:
            json.dump(saved, f, indent=2)
    # generation_config.json is written by save_pretrained; nothing else is needed.

    st = os.path.join(args.out, "model.safetensors")
    size_mib = os.path.getsize(st) / 2**20 if os.path.exists(st) else float("nan")
    print(f"wrote {args.out}: {n_params:,} parameters ({n_params / 1e6:.1f}M), bf16, "
          f"model.safetensors {size_mib:.1f} MiB, transformers {transformers.__version__}, torch {torch.__version__}")
    if not 85e6 <= n_params <= 115e6:
        print(f"warning: {n_params / 1e6:.1f}M parameters is not ~100M (shape flags changed?)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
