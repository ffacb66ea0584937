#!/usr/bin/env python3
"""Build the tiny random reference models under tests/fixtures/ and record their outputs.

Each fixture is a Hugging Face model directory (config.json, safetensors weights, tokenizer.model,
tokenizer_config.json) plus reference.safetensors / reference.json holding what transformers
computes for one fixed prompt. The C++ tests load the same directory with massact and compare, so
the test suite itself never needs Python. See README.md in this folder for the key layout.

Run from anywhere:  /tmp/refenv/bin/python tests/reference/make_fixtures.py
"""

import argparse
import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import safetensors
import sentencepiece as spm
import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers import (
    AutoModelForCausalLM,
    GenerationConfig,
    LlamaConfig,
    LlamaTokenizer,
    MistralConfig,
    Qwen2Config,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_INPUT = REPO_ROOT / ".." / "shared" / "data" / "text" / "tinyshakespeare.txt"
DEFAULT_OUT = REPO_ROOT / "tests" / "fixtures"

PROMPT = "Once upon a time, there was a little girl. She liked to play.\nThe end."
SP_VOCAB_SIZE = 256
GREEDY_NEW_TOKENS = 8
MISTRAL_WINDOW = 8

# Weight scale: with hidden 64 a N(0, 0.1) matrix maps an O(1) vector to entries of std ~0.8, so
# the residual stream stays O(1) over a few layers and attention scores (std ~0.6) keep softmax
# unsaturated.
WEIGHT_STD = 0.1
BIAS_STD = 0.1
NORM_STD = 0.1

# Shapes shared by all fixtures; each fixture overrides what it exercises.
BASE_SHAPE = dict(
    vocab_size=SP_VOCAB_SIZE,
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=128,
    rms_norm_eps=1e-5,
    bos_token_id=1,
    eos_token_id=2,
    attn_implementation="eager",  # output_attentions needs eager; also the plainest reference math
)

# name -> how to build it. "dtype" is the dtype the weights are SAVED in; references are always f32.
FIXTURES = {
    "llama_f32": dict(
        config_class=LlamaConfig,
        config=dict(num_hidden_layers=3, rope_theta=10000.0, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    "llama3_bf16": dict(
        config_class=LlamaConfig,
        config=dict(
            rope_theta=500000.0,
            # head_dim 16 -> 8 frequencies with wavelengths 2*pi*500000^(k/8) = 6.3, 32, 167, ...
            # original_max_position_embeddings 64 puts k=0 in the "high" band (unchanged, < 64/4),
            # k=1 in the "medium" band (smoothed) and k>=2 in the "low" band (divided by factor),
            # so all three branches of the llama3 rule are exercised.
            rope_scaling={
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 64,
            },
            tie_word_embeddings=True,
        ),
        dtype=torch.bfloat16,
    ),
    "llama_linear_sharded": dict(
        config_class=LlamaConfig,
        config=dict(
            num_key_value_heads=4,  # plain multi-head attention
            # Old-style "type" key, as in older checkpoints (transformers adds "rope_type" on save).
            rope_scaling={"type": "linear", "factor": 2.0},
            tie_word_embeddings=False,
        ),
        dtype=torch.float32,
        max_shard_size="200KB",  # ~460 KB of weights -> several shards plus the index
    ),
    "mistral_f32": dict(
        config_class=MistralConfig,
        config=dict(sliding_window=MISTRAL_WINDOW, tie_word_embeddings=False),
        dtype=torch.float32,
    ),
    "qwen2_f32": dict(
        config_class=Qwen2Config,
        config=dict(use_sliding_window=False, tie_word_embeddings=False),
        dtype=torch.float32,
        # Real Qwen2 configs carry "sliding_window": <n> next to "use_sliding_window": false and
        # transformers ignores the window. Write a window shorter than the prompt into config.json
        # so a loader that wrongly applies it fails the test. (Qwen2Config itself stores null.)
        config_json_patch={"sliding_window": MISTRAL_WINDOW, "max_window_layers": 1},
    ),
    "qwen2_bf16": dict(
        config_class=Qwen2Config,
        config=dict(use_sliding_window=False, tie_word_embeddings=True),
        dtype=torch.bfloat16,
    ),
}


# ----------------------------------------------------------------------------------------------
# Tokenizer


def train_tokenizer(input_path: Path) -> bytes:
    """Train a small LLaMA-style SentencePiece BPE model and return the serialized proto.

    Trained from an iterator into memory so the proto does not record the input path (the bytes
    are then the same wherever the script runs). One thread and no shuffling keep it deterministic.
    """
    text = input_path.read_text(encoding="utf-8")
    sentences = [line for line in text.split("\n") if line.strip()]
    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=proto,
        model_type="bpe",
        vocab_size=SP_VOCAB_SIZE,
        character_coverage=1.0,
        byte_fallback=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        # LLaMA's normalizer settings: keep text as is, prefix a space, digits split.
        normalization_rule_name="identity",
        remove_extra_whitespaces=False,
        add_dummy_prefix=True,
        split_digits=True,
        # The trainer reads one sentence per line, so it never sees "\n"; without byte fallback the
        # prompt's newline would become <unk>. A user-defined piece keeps it a real token.
        user_defined_symbols=["\n"],
        num_threads=1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return proto.getvalue()


def write_tokenizer(fixture_dir: Path, sp_model: bytes) -> None:
    (fixture_dir / "tokenizer.model").write_bytes(sp_model)
    # Like LLaMA's tokenizer_config.json; "legacy" is left out so transformers uses its default
    # (legacy=True).
    config = {
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "pad_token": None,
        "clean_up_tokenization_spaces": False,
        "model_max_length": 2048,
        "sp_model_kwargs": {},
        "tokenizer_class": "LlamaTokenizer",
    }
    write_json(fixture_dir / "tokenizer_config.json", config)


def encode_prompt(fixture_dir: Path, sp_model: bytes) -> tuple:
    """Return (transformers LlamaTokenizer ids, raw sentencepiece ids with BOS prepended)."""
    tokenizer = LlamaTokenizer.from_pretrained(str(fixture_dir))  # slow tokenizer, legacy default
    hf_ids = tokenizer(PROMPT)["input_ids"]
    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    sp_ids = [sp.bos_id()] + sp.encode(PROMPT)
    return hf_ids, sp_ids


# ----------------------------------------------------------------------------------------------
# Model construction


def build_model(spec: dict, seed: int) -> torch.nn.Module:
    config = spec["config_class"](**{**BASE_SHAPE, **spec["config"]})
    torch.manual_seed(seed)  # construction draws HF's own init; we overwrite all of it below anyway
    model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    randomize_parameters(model, seed)
    return model.eval()


@torch.no_grad()
def randomize_parameters(model: torch.nn.Module, seed: int) -> None:
    """Overwrite every parameter: HF's init leaves biases at 0 and norm weights at 1, which would
    hide a loader that forgets to read them. named_parameters() visits tied weights once, in a
    fixed order."""
    gen = torch.Generator().manual_seed(seed)
    for name, param in model.named_parameters():
        noise = torch.randn(param.shape, generator=gen, dtype=torch.float32)
        if "norm" in name:
            param.copy_(1.0 + NORM_STD * noise)
        elif name.endswith(".bias"):
            param.copy_(BIAS_STD * noise)
        else:
            param.copy_(WEIGHT_STD * noise)


def save_model(model: torch.nn.Module, spec: dict, fixture_dir: Path) -> None:
    model = model.to(spec["dtype"])  # save_pretrained records this dtype as config.torch_dtype
    model.save_pretrained(
        str(fixture_dir),
        safe_serialization=True,
        max_shard_size=spec.get("max_shard_size", "5GB"),
    )
    patch = spec.get("config_json_patch")
    if patch:
        config_path = fixture_dir / "config.json"
        write_json(config_path, {**json.loads(config_path.read_text()), **patch})


def load_f32(fixture_dir: Path) -> torch.nn.Module:
    """Load a fixture from disk and compute in float32, as massact does (bf16 widened exactly)."""
    model = AutoModelForCausalLM.from_pretrained(
        str(fixture_dir), torch_dtype=torch.float32, attn_implementation="eager"
    )
    return model.float().eval()


# ----------------------------------------------------------------------------------------------
# Reference outputs


@torch.no_grad()
def record_reference(model: torch.nn.Module, input_ids: list) -> dict:
    """One forward pass with hooks; returns the tensors of reference.safetensors."""
    captured = {}

    def keep(key, pick):
        def hook(_module, _inputs, output):
            captured[key] = pick(output)[0].detach().clone()

        return hook

    inner = model.model
    handles = [inner.embed_tokens.register_forward_hook(keep("embed", lambda o: o))]
    for i, layer in enumerate(inner.layers):
        # The layer's raw output; output_hidden_states gives the final-normed stream for the last.
        handles.append(layer.register_forward_hook(keep(f"resid_post.{i}", lambda o: o[0])))
    handles.append(inner.norm.register_forward_hook(keep("ln_final", lambda o: o)))

    ids = torch.tensor([input_ids], dtype=torch.int64)
    out = model(input_ids=ids, output_attentions=True, use_cache=False)
    for h in handles:
        h.remove()

    tensors = {"input_ids": ids[0].clone()}
    tensors.update(captured)
    for i, pattern in enumerate(out.attentions):
        tensors[f"pattern.{i}"] = pattern[0].clone()
    tensors["logits"] = out.logits[0].clone()
    # Not a hook point, but the quickest way to debug RoPE scaling (llama3, linear) on the C++ side.
    rotary = getattr(inner, "rotary_emb", None) or inner.layers[0].self_attn.rotary_emb
    tensors["rope_inv_freq"] = rotary.inv_freq.clone()
    return {k: (v if k == "input_ids" else v.float()).contiguous() for k, v in tensors.items()}


@torch.no_grad()
def greedy(model: torch.nn.Module, prompt_ids: list) -> dict:
    """Greedy continuation via generate() (KV cache), cross-checked by full-recompute argmax."""
    ids = torch.tensor([prompt_ids], dtype=torch.int64)
    # eos_token_id=None: always produce exactly GREEDY_NEW_TOKENS, never stop early on </s>.
    gen_config = GenerationConfig(
        max_new_tokens=GREEDY_NEW_TOKENS, do_sample=False, eos_token_id=None, pad_token_id=None
    )
    out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=gen_config)
    new_ids = out[0, len(prompt_ids) :].tolist()

    # Recompute without cache; also note how close each step's top-2 logits were, so a test can
    # tell a genuine mismatch from a near-tie.
    seq, margins = list(prompt_ids), []
    for _ in range(GREEDY_NEW_TOKENS):
        logits = model(input_ids=torch.tensor([seq]), use_cache=False).logits[0, -1]
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        seq.append(int(torch.argmax(logits)))
    recomputed = seq[len(prompt_ids) :]
    if recomputed != new_ids:
        raise RuntimeError(f"generate() {new_ids} != full-recompute argmax {recomputed}")
    return {"prompt_ids": list(prompt_ids), "new_ids": new_ids, "min_top2_margin": min(margins)}


def check_causal(patterns: list, window) -> None:
    """Assert every pattern is causal and, with a window W, that query i sees exactly keys
    i-W < j <= i (transformers 4.44's Mistral mask: key j is masked if j > i or j <= i-W)."""
    for layer, pattern in enumerate(patterns):
        t = pattern.shape[-1]
        i = torch.arange(t).unsqueeze(1)
        j = torch.arange(t).unsqueeze(0)
        allowed = j <= i
        if window is not None:
            allowed &= j > i - window
        allowed = allowed.expand_as(pattern)
        if not torch.all(pattern[~allowed] == 0):
            raise RuntimeError(f"layer {layer}: nonzero probability on a masked key")
        if not torch.all(pattern[allowed] > 0):
            raise RuntimeError(f"layer {layer}: zero probability on an allowed key")
        if not torch.allclose(pattern.sum(-1), torch.ones(pattern.shape[:-1]), atol=1e-5):
            raise RuntimeError(f"layer {layer}: rows do not sum to 1")


MISTRAL_WINDOW_RULE = (
    "0-based positions: query i attends key j iff i - sliding_window < j <= i, i.e. the last "
    "sliding_window keys including itself; keys with j <= i - sliding_window get probability "
    "exactly 0 "
    "(transformers 4.44.2 MistralModel._update_causal_mask, eager)"
)


# ----------------------------------------------------------------------------------------------
# Driver


def make_fixture(name: str, spec: dict, seed: int, sp_model: bytes, out_dir: Path) -> dict:
    fixture_dir = out_dir / name
    if fixture_dir.exists():
        shutil.rmtree(fixture_dir)
    fixture_dir.mkdir(parents=True)

    save_model(build_model(spec, seed), spec, fixture_dir)
    write_tokenizer(fixture_dir, sp_model)
    hf_ids, sp_ids = encode_prompt(fixture_dir, sp_model)

    model = load_f32(fixture_dir)  # reference comes from the saved (possibly bf16) weights
    tensors = record_reference(model, hf_ids)
    patterns = [tensors[f"pattern.{i}"] for i in range(model.config.num_hidden_layers)]
    window = MISTRAL_WINDOW if model.config.model_type == "mistral" else None
    check_causal(patterns, window)
    save_file(tensors, str(fixture_dir / "reference.safetensors"), metadata={"format": "pt"})

    info = {
        "prompt": PROMPT,
        "input_ids": hf_ids,
        "sentencepiece_ids": sp_ids,
        "ids_agree": hf_ids == sp_ids,
        "num_tokens": len(hf_ids),
        "model_type": model.config.model_type,
        "weights_dtype": str(spec["dtype"]).replace("torch.", ""),
        "compute_dtype": "float32",
        "seed": seed,
        "greedy": greedy(model, hf_ids),
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "sentencepiece": spm.__version__,
            "safetensors": safetensors.__version__,
            "numpy": np.__version__,
        },
    }
    if window is not None:
        info["sliding_window"] = window
        info["mistral_window_rule"] = MISTRAL_WINDOW_RULE
    write_json(fixture_dir / "reference.json", info)
    return info


def self_check(out_dir: Path) -> bool:
    """Reload every fixture from disk and compare its logits with the stored reference."""
    ok = True
    for name in FIXTURES:
        fixture_dir = out_dir / name
        ref = load_file(str(fixture_dir / "reference.safetensors"))
        info = json.loads((fixture_dir / "reference.json").read_text())
        with torch.no_grad():
            model = load_f32(fixture_dir)
            logits = model(input_ids=ref["input_ids"][None], use_cache=False).logits[0]
        diff = float((logits - ref["logits"]).abs().max())
        ids_match = ref["input_ids"].tolist() == info["input_ids"]
        ok &= diff == 0.0 and ids_match
        t = len(info["input_ids"])
        print(f"  {name:22s} T={t:3d}  max|logits diff|={diff:.3g}  ids={ids_match}")
    return ok


def write_json(path: Path, obj) -> None:
    path.write_text(to_json(obj) + "\n", encoding="utf-8")


def to_json(obj, indent: str = "") -> str:
    """json.dumps(indent=2), except that lists of scalars (token ids) stay on one line."""
    inner = indent + "  "
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + to_json(v, inner) for v in obj) + f"\n{indent}]"
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def sha256_tree(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="tokenizer training text")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixtures folder")
    args = parser.parse_args()

    # Single-threaded, deterministic kernels: the same bytes wherever the same torch build runs.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    sp_model = train_tokenizer(args.input)
    args.out.mkdir(parents=True, exist_ok=True)
    for seed, (name, spec) in enumerate(FIXTURES.items(), start=1000):
        info = make_fixture(name, spec, seed, sp_model, args.out)
        agree = "ids agree" if info["ids_agree"] else "IDS DIFFER from raw sentencepiece"
        print(f"{name}: T={info['num_tokens']} greedy={info['greedy']['new_ids']} ({agree})")

    print("self-check (reloaded from disk):")
    ok = self_check(args.out)
    print(f"sha256 of {args.out.name}/: {sha256_tree(args.out)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
