#!/usr/bin/env python3
"""Check the committed Gemma-3 reference against transformers' own Gemma3ForCausalLM.

tests/fixtures/gemma3_f32/reference.safetensors comes from gemma3_reference() in
make_gguf_fixtures.py, a hand transcription of transformers' modeling_gemma3, because the reference
venv (Debian torch 1.13, transformers 4.44.2) cannot run a transformers that has Gemma-3 (>= 4.50
needs torch >= 2). This script loads the fixture directory with the real implementation (eager
attention, float32), reruns the stored input_ids and compares every stored entry: embed,
resid_post.{i}, pattern.{i}, ln_final, logits, plus the greedy continuation in reference.json.
It also checks that config.json is read as intended (five sliding layers then one global, window 8,
query_pre_attn_scalar 16, no RoPE scaling, local/global RoPE bases) and that on the sliding layers
each query sees exactly its last `sliding_window` keys (itself included), the semantics that
gemma3_reference() and massact implement.

It needs torch >= 2 and transformers >= 4.50, so a separate venv (PyPI's torch pulls CUDA wheels
but runs on CPU):

    /usr/bin/python3 -m venv /tmp/refenv2          # any python3.11
    /tmp/refenv2/bin/pip install torch==2.5.1 transformers==4.55.4 safetensors 'numpy<2.3'
    /tmp/refenv2/bin/python tests/reference/check_gemma3_reference.py   # from anywhere

Options: --fixture DIR (default tests/fixtures/gemma3_f32), --tol (default 1e-5, max abs diff per
entry). Exits 1 if any entry differs by more than --tol, the greedy ids differ, or a config check
fails.
"""

import argparse
import json
import sys
from pathlib import Path

import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoConfig, AutoModelForCausalLM

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_FIXTURE = REPO_ROOT / "tests" / "fixtures" / "gemma3_f32"


def layer_is_sliding(config, i: int) -> bool:
    """Whether transformers treats layer i as sliding, from whichever field this version uses."""
    if getattr(config, "layer_types", None) is not None:  # >= 4.53
        return config.layer_types[i] == "sliding_attention"
    return bool((i + 1) % config.sliding_window_pattern)  # 4.50 - 4.52


def check_config(config, model) -> list:
    """Fields the fixture depends on, read back from transformers; returns failure messages."""
    n = config.num_hidden_layers
    sliding = [layer_is_sliding(config, i) for i in range(n)]
    print(f"model_type={config.model_type} class={type(model).__name__} "
          f"attn={config._attn_implementation}")
    print(f"layer_types={getattr(config, 'layer_types', None)} sliding={sliding}")
    print(f"sliding_window={config.sliding_window} query_pre_attn_scalar="
          f"{config.query_pre_attn_scalar} rope_scaling={config.rope_scaling} rope_theta="
          f"{config.rope_theta} rope_local_base_freq={config.rope_local_base_freq}")
    expected = {
        "model_type": "gemma3_text",
        "sliding": [True] * 5 + [False],
        "sliding_window": 8,
        "query_pre_attn_scalar": 16,
        "rope_theta": 1000000.0,
        "rope_local_base_freq": 10000.0,
        "_attn_implementation": "eager",
    }
    got = {k: getattr(config, k, None) for k in expected if k != "sliding"}
    got["sliding"] = sliding
    failures = [f"config {k}: got {got[k]!r}, expected {v!r}" for k, v in expected.items()
                if got[k] != v]
    # rope_scaling None: transformers may normalise it to {"rope_type": "default"}; either is plain.
    if config.rope_scaling not in (None, {"rope_type": "default"}):
        failures.append(f"config rope_scaling: got {config.rope_scaling!r}, expected none")
    # The attention modules' own view of the window and the scale.
    for i, layer in enumerate(model.model.layers):
        attn = layer.self_attn
        window = getattr(attn, "sliding_window", None)
        want = config.sliding_window if sliding[i] else None
        if window != want:
            failures.append(f"layer {i} self_attn.sliding_window: got {window}, expected {want}")
        if abs(attn.scaling - 16 ** -0.5) > 1e-12:
            failures.append(f"layer {i} self_attn.scaling: got {attn.scaling}, expected 16^-0.5")
    return failures


@torch.no_grad()
def run_model(model, ids: torch.Tensor) -> dict:
    """One forward pass, collected under reference.safetensors' names."""
    captured = {}

    def keep_embed(_m, args, kwargs):  # the stream entering layer 0, however it is passed
        captured["embed"] = (args[0] if args else kwargs["hidden_states"])[0].clone()

    hooks = [model.model.layers[0].register_forward_pre_hook(keep_embed, with_kwargs=True)]
    for i, layer in enumerate(model.model.layers):
        # The raw layer output; output_hidden_states' last entry is the final-normed stream.
        def keep(_m, _args, out, i=i):
            captured[f"resid_post.{i}"] = (out[0] if isinstance(out, tuple) else out)[0].clone()
        hooks.append(layer.register_forward_hook(keep))
    hooks.append(model.model.norm.register_forward_hook(
        lambda _m, _args, out: captured.__setitem__("ln_final", out[0].clone())))
    try:
        out = model(ids[None, :], output_attentions=True, output_hidden_states=True,
                    use_cache=False)
    finally:
        for h in hooks:
            h.remove()
    for i, pattern in enumerate(out.attentions):
        captured[f"pattern.{i}"] = pattern[0]  # (H, T, T)
    captured["logits"] = out.logits[0]
    # hidden_states[0] is the scaled embedding, [i] the output of layer i-1 except the last layer,
    # whose entry is the final norm: a second, independent path to the same tensors.
    hs = out.hidden_states
    captured["_hs_embed"] = hs[0][0]
    captured["_hs_last"] = hs[-1][0]
    return captured


def check_window(out: dict, sliding: list, window: int) -> list:
    """Sliding layers: row q has exactly min(q + 1, window) nonzero keys, the last ones."""
    failures = []
    for i, is_sliding in enumerate(sliding):
        p = out[f"pattern.{i}"]  # (H, T, T)
        T = p.shape[-1]
        q, k = torch.arange(T)[:, None], torch.arange(T)[None, :]
        visible = (k <= q) & ((q - k < window) if is_sliding else True)
        leaked = float(p.masked_fill(visible, 0).abs().max())
        dead = int(((p == 0) & visible).sum())
        where = "window" if is_sliding else "causal mask"
        print(f"pattern.{i}: {'sliding' if is_sliding else 'global '} mass outside the {where} "
              f"{leaked:.3g}, zero probabilities inside {dead}")
        if leaked != 0 or dead != 0:
            failures.append(f"pattern.{i}: visibility differs from the expected mask")
    return failures


@torch.no_grad()
def greedy(model, prompt: list, n: int, use_generate: bool) -> list:
    if use_generate:
        ids = torch.tensor([prompt])
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=n,
                             do_sample=False, eos_token_id=None, pad_token_id=None)
        return out[0, len(prompt):].tolist()
    seq = list(prompt)
    for _ in range(n):
        logits = model(torch.tensor([seq]), use_cache=False).logits[0, -1]
        seq.append(int(torch.argmax(logits)))
    return seq[len(prompt):]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixture", type=Path, default=DEFAULT_FIXTURE)
    parser.add_argument("--tol", type=float, default=1e-5)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}")

    config = AutoConfig.from_pretrained(args.fixture)
    model = AutoModelForCausalLM.from_pretrained(args.fixture, config=config,
                                                 torch_dtype=torch.float32,
                                                 attn_implementation="eager").eval()
    failures = check_config(model.config, model)
    # Weights: every stored tensor landed in the model (tied lm_head included), nothing random.
    stored = load_file(str(args.fixture / "model.safetensors"))
    params = dict(model.named_parameters())
    for name, t in stored.items():
        if name not in params or not torch.equal(params[name].detach(), t):
            failures.append(f"weight {name} not loaded as stored")
    if not torch.equal(model.lm_head.weight, stored["model.embed_tokens.weight"]):
        failures.append("lm_head is not tied to embed_tokens")

    ref = load_file(str(args.fixture / "reference.safetensors"))
    out = run_model(model, ref["input_ids"])
    sliding = [layer_is_sliding(model.config, i) for i in range(config.num_hidden_layers)]
    failures += check_window(out, sliding, config.sliding_window)

    worst = 0.0
    for name, want in ref.items():
        if name == "input_ids":
            continue
        got = out.get(name)
        if got is None or got.shape != want.shape:
            failures.append(f"{name}: shape {None if got is None else tuple(got.shape)} vs "
                            f"{tuple(want.shape)}")
            continue
        diff = float((got - want).abs().max())
        worst = max(worst, diff)
        print(f"{name:14s} {str(tuple(want.shape)):14s} max|ref| {float(want.abs().max()):9.4g}  "
              f"max abs diff {diff:.3e}")
        if not diff <= args.tol:
            failures.append(f"{name}: max abs diff {diff:.3e} > {args.tol:g}")
    missing = sorted(set(out) - set(ref) - {"_hs_embed", "_hs_last"})
    if missing:
        failures.append(f"computed but not in the reference: {missing}")
    # The two ways of reading the stream agree inside transformers (exactly: same tensors).
    for hs, name in (("_hs_embed", "embed"), ("_hs_last", "ln_final")):
        if not torch.equal(out[hs], out[name]):
            failures.append(f"hidden_states entry differs from the hooked {name}")
    print(f"worst entry diff {worst:.3e} (tol {args.tol:g})")

    meta = json.loads((args.fixture / "reference.json").read_text())
    want_ids = meta["greedy"]["new_ids"]
    for use_generate in (False, True):
        got_ids = greedy(model, meta["greedy"]["prompt_ids"], len(want_ids), use_generate)
        how = "generate() with cache" if use_generate else "full recompute"
        print(f"greedy ({how}): {got_ids} reference {want_ids}")
        if got_ids != want_ids:
            failures.append(f"greedy ({how}) ids differ")

    for f in failures:
        print("FAIL:", f)
    print("OK" if not failures else f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
