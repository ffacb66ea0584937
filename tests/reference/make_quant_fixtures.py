#!/usr/bin/env python3
"""Regenerates tests/fixtures/quant/: for every ggml tensor type that massact dequantizes, a few
blocks of raw bytes (<TYPE>.bin) and what the `gguf` package's numpy dequantize makes of them
(<TYPE>.f32, little-endian float32), with manifest.json recording each type's id, block size,
bytes per block, where its blocks came from, and the versions of the tools. The C++ test
(tests/core/quantized_test.cpp) must reproduce every float bit for bit.

Each fixture is one row made of two runs of blocks:
  quantized  gguf.quantize of normal values, spread over five orders of magnitude, where the
             package has a quantizer for the type (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0);
  random     random bytes, for every type: they reach bit patterns a quantizer never writes
             (negative scales, every nibble, sub-scale and sign combination). Each f16 scale field
             is replaced by a random finite f16 below 4 in magnitude, subnormals included, so the
             outputs stay finite; the plain float types (F32, F16, BF16) keep every random bit
             pattern, NaNs and infinities included, since widening must preserve them all.

    /tmp/refenv/bin/python tests/reference/make_quant_fixtures.py
"""
import importlib.metadata
import json
import pathlib
import platform

import gguf
import numpy as np
from gguf import GGMLQuantizationType as T

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "quant"
SEED = 20240501

# Byte offsets of the f16 scale fields inside one block of each quantized type (ggml's block_*
# structs; gguf/quants.py splits blocks the same way).
F16_FIELDS = {
    T.Q4_0: [0],  # d
    T.Q4_1: [0, 2],  # d, m
    T.Q5_0: [0],  # d
    T.Q5_1: [0, 2],  # d, m
    T.Q8_0: [0],  # d
    T.Q2_K: [80, 82],  # after scales[16] and qs[64]: d, dmin
    T.Q3_K: [108],  # after hmask[32], qs[64], scales[12]: d
    T.Q4_K: [0, 2],  # d, dmin
    T.Q5_K: [0, 2],  # d, dmin
    T.Q6_K: [208],  # after ql[128], qh[64], scales[16]: d
    T.IQ4_NL: [0],  # d
    T.IQ4_XS: [0],  # d
}
PLAIN = [T.F32, T.F16, T.BF16]
TYPES = PLAIN + list(F16_FIELDS)


def quantized_blocks(rng, qtype, n_blocks):
    """Raw bytes of n_blocks made by gguf's quantizer, or None when the package has none."""
    block_size, _ = gguf.GGML_QUANT_SIZES[qtype]
    magnitudes = 10.0 ** rng.uniform(-3, 2, size=(n_blocks, 1))
    values = (rng.standard_normal((n_blocks, block_size)) * magnitudes).astype(np.float32)
    try:
        raw = gguf.quantize(values.reshape(1, -1), qtype)
    except NotImplementedError:
        return None
    return np.ascontiguousarray(raw).view(np.uint8).reshape(-1)


def random_f16(rng, count):
    """Finite f16 bit patterns below 4 in magnitude: exponent field 0..16, any sign and mantissa."""
    sign = rng.integers(0, 2, size=count, dtype=np.uint16) << 15
    exponent = rng.integers(0, 17, size=count, dtype=np.uint16) << 10
    mantissa = rng.integers(0, 1 << 10, size=count, dtype=np.uint16)
    return sign | exponent | mantissa


def random_blocks(rng, qtype, n_blocks):
    """Raw bytes of n_blocks random blocks, their f16 scale fields made finite and moderate."""
    _, type_size = gguf.GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for offset in F16_FIELDS.get(qtype, []):
        scale = random_f16(rng, n_blocks).astype("<u2").view(np.uint8).reshape(n_blocks, 2)
        blocks[:, offset:offset + 2] = scale
    return blocks.reshape(-1)


def make_fixture(rng, qtype):
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    # Plain floats: 64 of each kind. Blocks of 32: 8 quantized + 4 random. K-quants (256): 6 random.
    n_quantized, n_random = (64, 64) if block_size == 1 else (8, 4) if block_size == 32 else (0, 6)
    parts = []
    quantized = quantized_blocks(rng, qtype, n_quantized) if n_quantized else None
    if quantized is not None:
        parts.append(quantized)
    else:
        n_quantized = 0
    parts.append(random_blocks(rng, qtype, n_random))
    raw = np.concatenate(parts)
    expected = gguf.dequantize(raw, qtype).astype("<f4", copy=False).reshape(-1)

    n_blocks = n_quantized + n_random
    assert raw.size == n_blocks * type_size and expected.size == n_blocks * block_size
    (OUT / f"{qtype.name}.bin").write_bytes(raw.tobytes())
    (OUT / f"{qtype.name}.f32").write_bytes(expected.tobytes())
    return {"id": int(qtype), "block_size": block_size, "type_size": type_size,
            "blocks": n_blocks, "quantized_blocks": n_quantized, "random_blocks": n_random}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    types = {qtype.name: make_fixture(rng, qtype) for qtype in TYPES}
    manifest = {
        "generator": "tests/reference/make_quant_fixtures.py",
        "seed": SEED,
        "versions": {"gguf": importlib.metadata.version("gguf"), "numpy": np.__version__,
                     "python": platform.python_version()},
        "types": types,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", "utf-8")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(types)} types to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
