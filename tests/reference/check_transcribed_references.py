#!/usr/bin/env python3
"""Check the committed OLMo-2, Qwen3 and Qwen3-MoE references against transformers' own models.

tests/fixtures/olmo2_f32, qwen3_f32, qwen3moe_f32 and qwen3moe_plain_f32 get their
reference.safetensors from olmo2_reference() and qwen3_reference() in make_gguf_fixtures.py,
transcriptions of transformers 4.51.3's modeling_olmo2.py, modeling_qwen3.py and
modeling_qwen3_moe.py, because transformers 4.44.2 (the reference venv) has none of them. This
script runs the real Olmo2ForCausalLM, Qwen3ForCausalLM and Qwen3MoeForCausalLM of transformers
4.51.3
(eager attention, float32) on the stored input_ids and compares every stored entry (embed,
resid_post.{i}, pattern.{i}, ln_final, logits) and the greedy continuation in reference.json.

transformers 4.51.3 wants torch >= 2, but its OLMo-2 and Qwen3 (MoE) modeling code only touches
torch 2 in modules it imports and never calls for these models (torch.distributed.tensor,
torch.compiler, float8 dtype names); this script stubs those, builds the models from config.json
and loads model.safetensors by hand (from_pretrained calls a torch 2 API), so Debian's torch 1.13
runs them. Set up beside the reference venv (tokenizers 0.21 is what 4.51.3 checks for):

    /usr/bin/python3 -m venv --system-site-packages /tmp/refenv      # Debian python3-torch
    /tmp/refenv/bin/pip install -r tests/reference/requirements.txt
    /tmp/refenv/bin/pip install --no-deps --target /tmp/tf451 transformers==4.51.3 \\
        tokenizers==0.21.1 huggingface-hub==0.30.2
    PYTHONPATH=/tmp/tf451 /tmp/refenv/bin/python tests/reference/check_transcribed_references.py

Exits 1 if any entry differs by more than --tol (default 1e-5, max abs diff) or the greedy ids
differ. Result when written: every entry equal (max abs diff 0.0), greedy ids equal.
"""

import argparse
import json
import sys
import types
from pathlib import Path

import torch

# Stubs for the torch 2 names transformers 4.51.3 imports (see above); none is used by these models.
_dtensor = types.ModuleType("torch.distributed.tensor")
for _name in ["DTensor", "Placement", "Replicate", "Shard", "distribute_tensor", "DeviceMesh",
              "distribute_module"]:
    setattr(_dtensor, _name, type(_name, (), {}))
sys.modules["torch.distributed.tensor"] = _dtensor
_compiler = types.ModuleType("torch.compiler")
_compiler.is_compiling = lambda: False
_compiler.disable = lambda *a, **k: a[0] if a and callable(a[0]) else (lambda f: f)
torch.compiler = _compiler
sys.modules["torch.compiler"] = _compiler
for _name in ["float8_e4m3fn", "float8_e5m2", "uint16", "uint32", "uint64"]:
    hasattr(torch, _name) or setattr(torch, _name, object())

import transformers  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import Olmo2ForCausalLM, Qwen3ForCausalLM, Qwen3MoeForCausalLM  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = {"olmo2_f32": Olmo2ForCausalLM, "qwen3_f32": Qwen3ForCausalLM,
            "qwen3moe_f32": Qwen3MoeForCausalLM, "qwen3moe_plain_f32": Qwen3MoeForCausalLM}


def load(fixture: Path, cls):
    config = transformers.AutoConfig.from_pretrained(str(fixture))
    config._attn_implementation = "eager"
    model = cls(config).eval()
    missing, unexpected = model.load_state_dict(load_file(str(fixture / "model.safetensors")),
                                                strict=False)
    assert unexpected == [] and set(missing) <= {"lm_head.weight"}, (missing, unexpected)
    if missing:  # tied embeddings: the file has no lm_head
        model.tie_weights()
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    return model


@torch.no_grad()
def outputs(model, ids: torch.Tensor) -> dict:
    got = {}
    inner = model.model
    inner.embed_tokens.register_forward_hook(lambda m, i, o: got.__setitem__("embed", o[0]))
    for n, layer in enumerate(inner.layers):
        layer.register_forward_hook(
            lambda m, i, o, n=n: got.__setitem__(f"resid_post.{n}", o[0][0]))
    inner.norm.register_forward_hook(lambda m, i, o: got.__setitem__("ln_final", o[0]))
    out = model(ids[None, :], output_attentions=True)
    for n, pattern in enumerate(out.attentions):
        got[f"pattern.{n}"] = pattern[0]
    got["logits"] = out.logits[0]
    return got


@torch.no_grad()
def greedy(model, prompt: list, n: int) -> list:
    seq = list(prompt)
    for _ in range(n):
        seq.append(int(model(torch.tensor([seq])).logits[0, -1].argmax()))
    return seq[len(prompt):]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=REPO_ROOT / "tests" / "fixtures")
    parser.add_argument("--tol", type=float, default=1e-5)
    args = parser.parse_args()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    ok = True
    for name, cls in FIXTURES.items():
        fixture = args.fixtures / name
        model = load(fixture, cls)
        ref = load_file(str(fixture / "reference.safetensors"))
        got = outputs(model, ref["input_ids"])
        assert set(got) == set(ref) - {"input_ids"}, sorted(set(ref) ^ set(got))
        worst = max(float((got[k] - ref[k]).abs().max()) for k in got)
        want = json.loads((fixture / "reference.json").read_text())["greedy"]
        same_greedy = greedy(model, want["prompt_ids"], len(want["new_ids"])) == want["new_ids"]
        print(f"{name}: {len(got)} entries, max abs diff {worst}, greedy ids equal: {same_greedy}")
        ok &= worst <= args.tol and same_greedy
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
