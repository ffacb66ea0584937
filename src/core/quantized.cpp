#include "core/quantized.h"

#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>

#include "core/dtype.h"
#include "core/error.h"
#include "core/quant_layout.h"

// Why these loops are bit-exact with the reference whatever the compiler makes of them: every
// product below is exact in float32. An f16 scale carries at most 11 significant bits and the
// integers it is multiplied by at most 12 more together (the widest: Q6_K's int8 scale times a
// code in [-32, 31], 7 + 5 bits, and IQ4_XS's scale in [-32, 31] times a level up to 127, 5 + 7),
// within float32's 24, and the magnitudes stay far inside its exponent range. So the only rounding
// is the final addition of a min (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K), which rounds alike whether the
// compiler fuses it with the multiply (FMA, which -march=native allows) or not, and whatever the
// order of the products: numpy's, ggml's and these loops agree.

namespace massact {
namespace {

static_assert(std::endian::native == std::endian::little, "GGUF blocks are little-endian");

float load_f16(const uint8_t* p) {
  return f16_to_f32(load_u16(p));
}

// The block functions below take (block bytes b, 32 or 256 output floats y). Both are __restrict:
// the output never overlaps the blocks, and saying so spares the compiler an overlap check before
// each short vector loop (that check halved the speed of the 32-element formats).

// ---- Blocks of 32 elements (Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL): 4-bit codes in 16 bytes ------------

// Element j < 16 is the low nibble of byte j, element j + 16 its high nibble. Calls x(j, code) for
// each element j; two straight runs of 16, which the compiler vectorizes.
template <class X>
void each_nibble(const uint8_t* __restrict packed, float* __restrict y, X x) {
  for (int half = 0; half < 2; ++half)
    for (int j = 0; j < 16; ++j)
      y[16 * half + j] = x(16 * half + j, (packed[j] >> (4 * half)) & 0xf);
}

// Q5_0 and Q5_1 keep each code's fifth bit apart: bit j of a little-endian uint32 for element j.
int with_fifth_bit(uint32_t qh, int j, int code) {
  return code | int((qh >> j) & 1) << 4;
}

// Q4_0, 18 bytes: [0] f16 d, [2] 16 bytes of nibbles. x = d * (q - 8).
void q4_0(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b);
  each_nibble(b + 2, y, [d](int, int q) { return d * float(q - 8); });
}

// Q4_1, 20 bytes: [0] f16 d, [2] f16 m, [4] 16 bytes of nibbles. x = d * q + m.
void q4_1(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b), m = load_f16(b + 2);
  each_nibble(b + 4, y, [d, m](int, int q) { return d * float(q) + m; });
}

// Q5_0, 22 bytes: [0] f16 d, [2] 4 bytes of fifth bits, [6] 16 bytes of nibbles. x = d * (q - 16).
void q5_0(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b);
  const uint32_t qh = load_u32(b + 2);
  each_nibble(b + 6, y, [d, qh](int j, int q) { return d * float(with_fifth_bit(qh, j, q) - 16); });
}

// Q5_1, 24 bytes: [0] f16 d, [2] f16 m, [4] 4 bytes of fifth bits, [8] 16 bytes of nibbles.
// x = d * q + m.
void q5_1(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b), m = load_f16(b + 2);
  const uint32_t qh = load_u32(b + 4);
  each_nibble(b + 8, y,
              [d, m, qh](int j, int q) { return d * float(with_fifth_bit(qh, j, q)) + m; });
}

// Q8_0, 34 bytes: [0] f16 d, [2] 32 int8 quants. x = d * q.
void q8_0(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b);
  const auto* q = reinterpret_cast<const int8_t*>(b + 2);
  for (int j = 0; j < 32; ++j) y[j] = d * float(q[j]);
}

// The IQ4 formats' 16 levels: a non-uniform grid, denser near zero where weights cluster.
constexpr std::array<int8_t, 16> kIq4Levels = {-127, -104, -83, -65, -49, -35, -22, -10,
                                               1,    13,   25,  38,  53,  69,  89,  113};

// 32 elements x = d * level[q], their codes packed as in IQ4_NL (and each of IQ4_XS's sub-blocks).
void iq4_levels(float d, const uint8_t* packed, float* y) {
  each_nibble(packed, y, [d](int, int q) { return d * float(kIq4Levels[q]); });
}

// IQ4_NL, 18 bytes: [0] f16 d, [2] 16 bytes of nibbles. x = d * level[q].
void iq4_nl(const uint8_t* __restrict b, float* __restrict y) {
  iq4_levels(load_f16(b), b + 2, y);
}

// ---- Super-blocks of 256 elements: the K-quants and IQ4_XS --------------------------------------

// Q2_K, 84 bytes: [0] 16 bytes, one per 16-element sub-block: 4-bit scale (low nibble) and 4-bit
// min (high); [16] 64 bytes of 2-bit codes; [80] f16 d; [82] f16 dmin.
// x = (d * scale) * q - dmin * min.
void q2_k(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b + 80), dmin = load_f16(b + 82);
  for (int i = 0; i < 16; ++i) {
    const float dl = d * float(b[i] & 0xf), ml = dmin * float(b[i] >> 4);
    const TwoBitRun q = two_bit_run(b + 16, i);
    for (int l = 0; l < 16; ++l) y[16 * i + l] = dl * float((q.bytes[l] >> q.shift) & 3) - ml;
  }
}

// Q3_K's 16 signed 6-bit scales in 12 bytes: the low 4 bits of scale i are the low (i < 8) or high
// (i >= 8) nibble of byte i % 8; its high 2 bits are bits 2 * (i / 4) of byte 8 + i % 4. Stored
// plus 32.
int q3_k_scale(const uint8_t* s, int i) {
  const int low = (s[i % 8] >> (4 * (i / 8))) & 0xf;
  const int high = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
  return (low | high << 4) - 32;
}

// Q3_K, 110 bytes: [0] 32 bytes hmask, [32] 64 bytes of 2-bit low bits, [96] 12 bytes of scales,
// [108] f16 d. Element e's third bit is bit e / 32 of hmask[e % 32]; a clear bit subtracts 4, so
// codes run from -4 to 3. x = (d * scale) * q.
void q3_k(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b + 108);
  for (int i = 0; i < 16; ++i) {
    const float dl = d * float(q3_k_scale(b + 96, i));
    const TwoBitRun q = two_bit_run(b + 32, i);
    const uint8_t* hmask = b + 16 * (i % 2);
    const int bit = i / 2;
    for (int l = 0; l < 16; ++l) {
      const int low = (q.bytes[l] >> q.shift) & 3;
      const int minus4 = ((hmask[l] >> bit) & 1) ? 0 : 4;
      y[16 * i + l] = dl * float(low - minus4);
    }
  }
}

// The 4-bit codes of Q4_K and Q5_K: sub-block j (32 elements) is the low (even j) or high (odd j)
// nibbles of bytes 32 * (j / 2) .. + 31.
uint8_t k_nibble(const uint8_t* qs, int j, int l) {
  return (qs[32 * (j / 2) + l] >> (4 * (j % 2))) & 0xf;
}

// Q4_K, 144 bytes: [0] f16 d, [2] f16 dmin, [4] 12 bytes of scales and mins, [16] 128 bytes of
// nibbles. x = (d * scale) * q - dmin * min, per 32-element sub-block.
void q4_k(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b), dmin = load_f16(b + 2);
  for (int j = 0; j < 8; ++j) {
    const ScaleMin sm = k_scale_min(b + 4, j);
    const float dl = d * float(sm.scale), ml = dmin * float(sm.min);
    for (int l = 0; l < 32; ++l) y[32 * j + l] = dl * float(k_nibble(b + 16, j, l)) - ml;
  }
}

// Q5_K, 176 bytes: Q4_K's fields with 32 bytes of fifth bits between the scales and the nibbles:
// [0] f16 d, [2] f16 dmin, [4] 12 bytes of scales and mins, [16] 32 bytes qh, [48] 128 bytes of
// nibbles. Element 32 * j + l's fifth bit is bit j of qh[l].
void q5_k(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b), dmin = load_f16(b + 2);
  const uint8_t* qh = b + 16;
  for (int j = 0; j < 8; ++j) {
    const ScaleMin sm = k_scale_min(b + 4, j);
    const float dl = d * float(sm.scale), ml = dmin * float(sm.min);
    for (int l = 0; l < 32; ++l) {
      const int q = k_nibble(b + 48, j, l) | ((qh[l] >> j) & 1) << 4;
      y[32 * j + l] = dl * float(q) - ml;
    }
  }
}

// Q6_K, 210 bytes: [0] 128 bytes of low nibbles (q6_k_low_run), [128] 64 bytes of 2-bit high
// parts, packed like Q2_K's codes, [192] 16 int8 scales, [208] f16 d. Codes are stored plus 32.
// x = (d * scale) * q, per 16-element sub-block.
void q6_k(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b + 208);
  const auto* scales = reinterpret_cast<const int8_t*>(b + 192);
  for (int i = 0; i < 16; ++i) {
    const float dl = d * float(scales[i]);
    const NibbleRun low = q6_k_low_run(b, i);
    const TwoBitRun high = two_bit_run(b + 128, i);
    for (int l = 0; l < 16; ++l) {
      const int q = ((low.bytes[l] >> low.shift) & 0xf) | ((high.bytes[l] >> high.shift) & 3) << 4;
      y[16 * i + l] = dl * float(q - 32);
    }
  }
}

// IQ4_XS, 136 bytes: [0] f16 d, [2] uint16 of the scales' high 2 bits (bits 2j, 2j+1 for
// sub-block j), [4] 4 bytes of the scales' low 4 bits (nibble j % 2 of byte j / 2), [8] 128 bytes:
// 16 per 32-element sub-block, nibbles laid out as in IQ4_NL. Scales are 6-bit, stored plus 32.
// x = (d * scale) * level[q].
void iq4_xs(const uint8_t* __restrict b, float* __restrict y) {
  const float d = load_f16(b);
  const uint16_t scales_high = load_u16(b + 2);
  for (int j = 0; j < 8; ++j) {
    const int low = (b[4 + j / 2] >> (4 * (j % 2))) & 0xf;
    const int high = (scales_high >> (2 * j)) & 3;
    iq4_levels(d * float((low | high << 4) - 32), b + 8 + 16 * j, y + 32 * j);
  }
}

// ---- The table ----------------------------------------------------------------------------------

using RowFn = void (*)(const uint8_t* src, float* dst, int64_t n);

// A block function applied block after block; a template argument, so that it inlines into the
// loop.
template <void (*kBlock)(const uint8_t*, float*), DType kType>
void each_block(const uint8_t* src, float* dst, int64_t n) {
  const int64_t elements = dtype_block_size(kType);
  const size_t bytes = dtype_block_bytes(kType);
  for (int64_t i = 0; i < n / elements; ++i) kBlock(src + i * bytes, dst + i * elements);
}

struct Format {
  DType type;
  RowFn dequantize;
};

constexpr std::array kFormats = {
    Format{DType::Q4_0, each_block<q4_0, DType::Q4_0>},
    Format{DType::Q4_1, each_block<q4_1, DType::Q4_1>},
    Format{DType::Q5_0, each_block<q5_0, DType::Q5_0>},
    Format{DType::Q5_1, each_block<q5_1, DType::Q5_1>},
    Format{DType::Q8_0, each_block<q8_0, DType::Q8_0>},
    Format{DType::Q2_K, each_block<q2_k, DType::Q2_K>},
    Format{DType::Q3_K, each_block<q3_k, DType::Q3_K>},
    Format{DType::Q4_K, each_block<q4_k, DType::Q4_K>},
    Format{DType::Q5_K, each_block<q5_k, DType::Q5_K>},
    Format{DType::Q6_K, each_block<q6_k, DType::Q6_K>},
    Format{DType::IQ4_NL, each_block<iq4_nl, DType::IQ4_NL>},
    Format{DType::IQ4_XS, each_block<iq4_xs, DType::IQ4_XS>},
};

}  // namespace

void dequantize(DType t, const void* src, float* dst, int64_t n) {
  dtype_row_bytes(t, n);  // throws unless n is a whole number of blocks
  for (const Format& f : kFormats)
    if (f.type == t) return f.dequantize(static_cast<const uint8_t*>(src), dst, n);
  throw std::logic_error(str_cat("dequantize: ", dtype_name(t), " is not a block type"));
}

}  // namespace massact
