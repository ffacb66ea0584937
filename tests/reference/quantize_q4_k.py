#!/usr/bin/env python3
"""A numpy Q4_K quantizer (the gguf package 0.19.0 only dequantizes Q4_K), with a self-check.

Q4_K stores each row in super-blocks of 256 weights, 144 bytes each:
    [0:2]    f16 d      super-block scale of the sub-block scales
    [2:4]    f16 dmin   super-block scale of the sub-block mins
    [4:16]   8 six-bit scales sc[j] and 8 six-bit mins m[j], one pair per sub-block of 32:
             bytes 0-3 hold sc[0..3] in their low 6 bits, bytes 4-7 m[0..3]; bytes 8-11 hold the
             low 4 bits of sc[4..7] (low nibble) and m[4..7] (high nibble), whose top 2 bits sit
             in the top 2 bits of bytes 0-3 (scales) and 4-7 (mins)
    [16:144] 4-bit codes q: byte 32*g + l holds sub-block 2g's element l in its low nibble and
             sub-block 2g+1's element l in its high nibble (g = 0..3)
and a weight reads back as  d * sc[j] * q - dmin * m[j].  This is the layout that
gguf.quants.dequantize(..., GGMLQuantizationType.Q4_K) reads; the code below is written from that
description, not taken from llama.cpp.

How the numbers are chosen (a plain least-squares search, not llama.cpp's weighted one):
  1. each sub-block of 32 gets an affine grid  x ~ s * q + b  (s >= 0, b = -min <= 0 because the
     stored min is unsigned): for a range of candidate steps, round to codes 0..15, refit s and b
     by least squares for those codes, keep the fit with the smallest squared error, then
     alternate rounding and refitting while it improves;
  2. d and dmin are the largest s and min over the super-block divided by 63 (rounded to f16), and
     sc, m the nearest 6-bit multiples; d and dmin are then refit by least squares for the chosen
     sc, m and codes, and the codes rounded again against the stored grid.
For Gaussian weights this gives a relative RMS error near 7%, what a 4.5-bit format gives.

Self-check (run it to see the numbers):  /tmp/refenv/bin/python tests/reference/quantize_q4_k.py
It quantizes a few matrices, dequantizes them with the gguf package's reference code, prints the
relative RMS error of each, and exits 1 if any is out of its expected range.
"""

import sys

import numpy as np
from gguf import GGMLQuantizationType
from gguf.quants import dequantize

QK_K = 256  # weights per super-block
SUB = 32  # weights per sub-block
BLOCK_BYTES = 144
N_LEVELS = 15  # codes 0..15
N_SCALE = 63  # six-bit scales and mins 0..63


def _refit(x: np.ndarray, q: np.ndarray) -> tuple:
    """Least-squares s, b of x ~ s*q + b per row, with b <= 0 (else b = 0) and s >= 0."""
    n = x.shape[-1]
    sq, sqq = q.sum(-1), (q * q).sum(-1)
    sx, sqx = x.sum(-1), (q * x).sum(-1)
    det = n * sqq - sq * sq
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(det > 0, (n * sqx - sq * sx) / det, 0.0)
        b = np.where(det > 0, (sqq * sx - sq * sqx) / det, np.minimum(sx / n, 0.0))
        positive_b = b > 0  # the format has no positive offset: refit through the origin
        s = np.where(positive_b, np.where(sqq > 0, sqx / sqq, 0.0), s)
        b = np.where(positive_b, 0.0, b)
    return np.maximum(s, 0.0), b


def _round_codes(x: np.ndarray, s: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(s[..., None] > 0, np.rint((x - b[..., None]) / s[..., None]), 0.0)
    return np.clip(q, 0, N_LEVELS)


def _sq_error(x, s, b, q) -> np.ndarray:
    return ((s[..., None] * q + b[..., None] - x) ** 2).sum(-1)


def fit_sub_blocks(x: np.ndarray) -> tuple:
    """x (S, 32) float64 -> step s (S,) >= 0 and offset b (S,) <= 0 minimising ||s*q + b - x||."""
    lo = np.minimum(x.min(-1), 0.0)
    span = x.max(-1) - lo
    best_s = span / N_LEVELS
    best_b = lo
    best_err = _sq_error(x, best_s, best_b, _round_codes(x, best_s, best_b))
    # Candidate steps a little finer and coarser than span/15: clipping the extremes can pay off.
    for levels in np.linspace(N_LEVELS - 1.5, N_LEVELS + 3.0, 19):
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(span > 0, span / levels, 0.0)
        s, b = _refit(x, _round_codes(x, step, lo))
        err = _sq_error(x, s, b, _round_codes(x, s, b))
        better = err < best_err
        best_s, best_b, best_err = (np.where(better, s, best_s), np.where(better, b, best_b),
                                    np.where(better, err, best_err))
    for _ in range(4):  # alternate rounding and refitting while it helps
        s, b = _refit(x, _round_codes(x, best_s, best_b))
        err = _sq_error(x, s, b, _round_codes(x, s, b))
        better = err < best_err
        best_s, best_b, best_err = (np.where(better, s, best_s), np.where(better, b, best_b),
                                    np.where(better, err, best_err))
    return best_s, best_b


def _to_f16(v: np.ndarray) -> np.ndarray:
    return v.astype(np.float16).astype(np.float64)


def _six_bit(values: np.ndarray, unit: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(unit[:, None] > 0, np.rint(values / unit[:, None]), 0.0)
    return np.clip(k, 0, N_SCALE)


def _codes_on_grid(x, d, dmin, sc, mn) -> tuple:
    """Codes (N, 8, 32) for the stored grid and the squared error per super-block."""
    step = (d[:, None] * sc)  # (N, 8)
    offset = -(dmin[:, None] * mn)
    q = _round_codes(x, step, offset)
    return q, _sq_error(x, step, offset, q).sum(-1)


def quantize_super_blocks(x: np.ndarray) -> tuple:
    """x (N, 256) -> d (N,), dmin (N,) as f16 values, sc (N, 8), mn (N, 8), q (N, 8, 32)."""
    x = x.reshape(-1, 8, SUB).astype(np.float64)
    s, b = fit_sub_blocks(x.reshape(-1, SUB))
    s, m = s.reshape(-1, 8), (-b).reshape(-1, 8)
    d, dmin = _to_f16(s.max(-1) / N_SCALE), _to_f16(m.max(-1) / N_SCALE)
    sc, mn = _six_bit(s, d), _six_bit(m, dmin)
    q, err = _codes_on_grid(x, d, dmin, sc, mn)

    # Refit d and dmin for the chosen sc, mn and codes:  x ~ d * (sc*q) - dmin * mn.
    a = (sc[..., None] * q).reshape(len(x), -1)
    c = -np.broadcast_to(mn[..., None], q.shape).reshape(len(x), -1)
    flat = x.reshape(len(x), -1)
    aa, cc, ac = (a * a).sum(-1), (c * c).sum(-1), (a * c).sum(-1)
    ax, cx = (a * flat).sum(-1), (c * flat).sum(-1)
    det = aa * cc - ac * ac
    with np.errstate(divide="ignore", invalid="ignore"):
        d2 = np.where(det > 0, (ax * cc - cx * ac) / det, d)
        dmin2 = np.where(det > 0, (cx * aa - ax * ac) / det, dmin)
    d2, dmin2 = _to_f16(np.maximum(d2, 0.0)), _to_f16(np.maximum(dmin2, 0.0))
    q2, err2 = _codes_on_grid(x, d2, dmin2, sc, mn)
    better = err2 < err
    d, dmin = np.where(better, d2, d), np.where(better, dmin2, dmin)
    q = np.where(better[:, None, None], q2, q)
    return d, dmin, sc.astype(np.uint8), mn.astype(np.uint8), q.astype(np.uint8)


def pack(d, dmin, sc, mn, q) -> np.ndarray:
    """The 144-byte blocks (N, 144) of the given fields, in the layout described at the top."""
    n = len(d)
    out = np.zeros((n, BLOCK_BYTES), dtype=np.uint8)
    out[:, 0:2] = d.astype("<f2").reshape(n, 1).view(np.uint8)
    out[:, 2:4] = dmin.astype("<f2").reshape(n, 1).view(np.uint8)
    lo_sc, hi_sc, lo_mn, hi_mn = sc[:, :4], sc[:, 4:], mn[:, :4], mn[:, 4:]
    out[:, 4:8] = lo_sc | ((hi_sc >> 4) << 6)
    out[:, 8:12] = lo_mn | ((hi_mn >> 4) << 6)
    out[:, 12:16] = (hi_sc & 0x0F) | ((hi_mn & 0x0F) << 4)
    out[:, 16:] = (q[:, 0::2, :] | (q[:, 1::2, :] << 4)).reshape(n, 128)
    return out


def quantize_q4_k(w: np.ndarray) -> np.ndarray:
    """w (rows, cols), cols a multiple of 256 -> uint8 (rows, cols / 256 * 144), row by row."""
    rows, cols = w.shape
    if cols % QK_K:
        raise ValueError(f"Q4_K needs rows of a multiple of {QK_K} weights, got {cols}")
    blocks = pack(*quantize_super_blocks(w.reshape(-1, QK_K)))
    return blocks.reshape(rows, cols // QK_K * BLOCK_BYTES)


def dequantize_q4_k(data: np.ndarray) -> np.ndarray:
    """gguf's reference dequantization, (rows, bytes) -> (rows, cols) float32."""
    return dequantize(data, GGMLQuantizationType.Q4_K)


def relative_rms_error(approx: np.ndarray, exact: np.ndarray) -> float:
    exact = exact.astype(np.float64)
    return float(np.sqrt(((approx - exact) ** 2).sum() / (exact**2).sum()))


def _naive_error(w: np.ndarray) -> float:
    """Error of the plain min/max grid per sub-block with exact scales: what the search beats."""
    x = w.reshape(-1, SUB).astype(np.float64)
    lo = np.minimum(x.min(-1), 0.0)
    s = (x.max(-1) - lo) / N_LEVELS
    q = _round_codes(x, s, lo)
    return relative_rms_error((s[:, None] * q + lo[:, None]).reshape(w.shape), w)


def self_check() -> bool:
    rng = np.random.default_rng(0)
    gauss = (0.05 * rng.standard_normal((256, 512))).astype(np.float32)
    cases = {
        # name: (matrix, expected relative RMS error range)
        "gaussian 256x512": (gauss, (0.05, 0.09)),
        "laplace 64x256": (rng.laplace(0, 1, (64, 256)).astype(np.float32), (0.05, 0.12)),
        "all positive 16x256": (rng.uniform(0.5, 1.5, (16, 256)).astype(np.float32), (0.0, 0.03)),
        "one outlier per row 32x256": (np.where(np.arange(256) == 7, 5.0, gauss[:32, :256]),
                                       (0.0, 0.2)),
        "zeros 4x256": (np.zeros((4, 256), np.float32), (0.0, 0.0)),
    }
    ok = True
    for name, (w, (low, high)) in cases.items():
        w = w.astype(np.float32)
        data = quantize_q4_k(w)
        back = dequantize_q4_k(data)
        if w.any():
            err, naive = relative_rms_error(back, w), _naive_error(w)
            good = low <= err <= high
        else:  # all zeros must come back exactly
            err, naive, good = 0.0, 0.0, not back.any()
        ok &= good
        print(f"  {name:28s} rel RMS {err:.4f}  (min/max grid {naive:.4f})"
              f"  expected [{low}, {high}]  {'ok' if good else 'OUT OF RANGE'}")

    # Two ways a reader could misread the layout, and the weight error each gives: what a parity
    # test's bound must tell apart from honest rounding (tests/model/gguf_quantized_parity_test).
    blocks = quantize_q4_k(gauss).reshape(-1, BLOCK_BYTES)
    swapped = blocks.copy()
    swapped[:, 16:] = (swapped[:, 16:] << 4) | (swapped[:, 16:] >> 4)
    d, dmin, sc, mn, q = quantize_super_blocks(gauss.reshape(-1, QK_K))
    rotated = pack(d, dmin, np.roll(sc, -1, axis=1), np.roll(mn, -1, axis=1), q)
    for name, misread in [("nibbles swapped", swapped), ("sub-block scales rotated", rotated)]:
        err = relative_rms_error(dequantize_q4_k(misread.reshape(256, -1)), gauss)
        print(f"  gaussian read with {name}: rel RMS {err:.4f}")

    # The layout, field by field: pack known fields and read them back with gguf.
    d, dmin = np.array([0.5, 0.25]), np.array([0.125, 2.0])
    sc = rng.integers(0, 64, (2, 8)).astype(np.uint8)
    mn = rng.integers(0, 64, (2, 8)).astype(np.uint8)
    q = rng.integers(0, 16, (2, 8, SUB)).astype(np.uint8)
    want = d[:, None, None] * sc[..., None] * q - dmin[:, None, None] * mn[..., None]
    got = dequantize_q4_k(pack(d, dmin, sc, mn, q)).reshape(2, 8, SUB)
    exact = bool(np.array_equal(got, want.astype(np.float32)))
    ok &= exact
    print(f"  packed fields read back exactly by gguf: {exact}")
    return ok


if __name__ == "__main__":
    sys.exit(0 if self_check() else 1)
