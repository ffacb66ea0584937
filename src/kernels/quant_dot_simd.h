// The block-quantized dot products of kernels/quant_matvec.h, written once over a vector type V
// and compiled once per instruction set (quant_matvec_avx2.cpp: 8 lanes, quant_matvec_avx512.cpp:
// 16 lanes). Include it only there, after defining V.
//
// Each weight is widened in registers to exactly the float32 that core/quantized.cpp's
// dequantize() makes of it (the products below are the same exact products, see there), and
// multiplied into the activations with fused multiply-adds: so a row's result is the f32 dot
// product of x with the dequantized row, summed in another order, and within the usual bound of
// that (tests/kernels/quant_matvec_test.cpp).
//
// V provides, over W lanes: I (int32 lanes) and F (float lanes); u8 / i8 (W bytes widened, zero-
// or sign-extended), set1, iota(start) (start, start + 1, ...), and_, or_, sub (with an int),
// srl / shl (by an int), srlv (by lanes); to_f, load, zero, mul (by a float), fmadd (a * b + c,
// b and c floats), fma (a * b + c, all lanes), sum; from_bf16 / from_f16 (W 2-byte floats),
// round_bf16 (each lane to the nearest bf16, ties to even).
// Everything has internal linkage, for the reason given in core/quant_layout.h.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "core/dtype.h"
#include "core/quant_layout.h"

namespace massact {
namespace {

inline float f16(const uint8_t* p) {
  return _cvtsh_ss(load_u16(p));
}

// NT rows of x (n, in) at once, two accumulators each, taken in turn so that consecutive fused
// multiply-adds do not wait for each other. kRound: each weight rounded to bf16 first (--compute
// bf16; x comes rounded), to nearest even like f32_to_bf16 for every finite weight.
template <class V, int NT, bool kRound>
struct Accumulators {
  typename V::F acc[NT][2];
  const float* x;
  int64_t in;
  int turn = 0;

  Accumulators(const float* x_rows, int64_t in_features) : x(x_rows), in(in_features) {
    for (int t = 0; t < NT; ++t) acc[t][0] = acc[t][1] = V::zero();
  }
  // Weights w of columns [col, col + W).
  void add(int64_t col, typename V::F w) {
    if constexpr (kRound) w = V::round_bf16(w);
    for (int t = 0; t < NT; ++t) acc[t][turn] = V::fma(w, V::load(x + t * in + col), acc[t][turn]);
    turn ^= 1;
  }
  float sum(int t) const { return V::sum(acc[t][0]) + V::sum(acc[t][1]); }
};

// Q8_0, 34 bytes: [0] f16 d, [2] 32 int8 codes. w = d * q.
struct Q8_0Block {
  static constexpr int kElements = 32, kBytes = 34;
  template <class V, class S>
  static void chunks(const uint8_t* b, int64_t col, S& s) {
    const float d = f16(b);
    for (int c = 0; c < 32; c += V::W) s.add(col + c, V::mul(V::to_f(V::i8(b + 2 + c)), d));
  }
};

// Q5_0, 22 bytes: [0] f16 d, [2] uint32 of fifth bits (bit j for element j), [6] 16 bytes of
// nibbles (element j < 16 the low nibble of byte j, element j + 16 its high nibble).
// w = d * (q - 16).
struct Q5_0Block {
  static constexpr int kElements = 32, kBytes = 22;
  template <class V, class S>
  static void chunks(const uint8_t* b, int64_t col, S& s) {
    const float d = f16(b);
    const auto qh = V::set1(int(load_u32(b + 2)));
    for (int c = 0; c < 32; c += V::W) {
      const auto bytes = V::u8(b + 6 + c % 16);
      const auto low = c < 16 ? V::and_(bytes, 0xf) : V::srl(bytes, 4);
      const auto fifth = V::shl(V::and_(V::srlv(qh, V::iota(c)), 1), 4);
      s.add(col + c, V::mul(V::to_f(V::sub(V::or_(low, fifth), 16)), d));
    }
  }
};

// Q4_K, 144 bytes: [0] f16 d, [2] f16 dmin, [4] 12 bytes of scales and mins (k_scale_min),
// [16] 128 bytes of nibbles: sub-block j (32 elements) the low (even j) or high (odd j) nibbles
// of bytes 32 * (j / 2) .. + 31. w = (d * scale) * q - dmin * min.
struct Q4_KBlock {
  static constexpr int kElements = 256, kBytes = 144;
  template <class V, class S>
  static void chunks(const uint8_t* b, int64_t col, S& s) {
    const float d = f16(b), dmin = f16(b + 2);
    for (int j = 0; j < 8; ++j) {
      const ScaleMin sm = k_scale_min(b + 4, j);
      const float dl = d * float(sm.scale), ml = dmin * float(sm.min);
      const uint8_t* q = b + 16 + 32 * (j / 2);
      for (int l = 0; l < 32; l += V::W) {
        const auto code = V::and_(V::srl(V::u8(q + l), 4 * (j % 2)), 0xf);
        s.add(col + 32 * j + l, V::fmadd(V::to_f(code), dl, -ml));
      }
    }
  }
};

// Q6_K, 210 bytes: [0] 128 bytes of low nibbles (q6_k_low_run), [128] 64 bytes of 2-bit high
// parts (two_bit_run), [192] 16 int8 scales, [208] f16 d. w = (d * scale) * (q - 32), per
// 16-element sub-block.
struct Q6_KBlock {
  static constexpr int kElements = 256, kBytes = 210;
  template <class V, class S>
  static void chunks(const uint8_t* b, int64_t col, S& s) {
    const float d = f16(b + 208);
    const auto* scales = reinterpret_cast<const int8_t*>(b + 192);
    for (int i = 0; i < 16; ++i) {
      const float dl = d * float(scales[i]);
      const NibbleRun low = q6_k_low_run(b, i);
      const TwoBitRun high = two_bit_run(b + 128, i);
      for (int l = 0; l < 16; l += V::W) {
        const auto lo = V::and_(V::srl(V::u8(low.bytes + l), low.shift), 0xf);
        const auto hi = V::and_(V::srl(V::u8(high.bytes + l), high.shift), 3);
        s.add(col + 16 * i + l, V::mul(V::to_f(V::sub(V::or_(lo, V::shl(hi, 4)), 32)), dl));
      }
    }
  }
};

// BF16 and F16 weights, 2 bytes an element, taken 16 at a time (quant_matvec_supports asks for
// rows of whole runs of 16). bf16 is the high half of an f32; f16 converts exactly.
struct Bf16Run {
  static constexpr int kElements = 16, kBytes = 32;
  template <class V, class S>
  static void chunks(const uint8_t* b, int64_t col, S& s) {
    for (int c = 0; c < 16; c += V::W) s.add(col + c, V::from_bf16(b + 2 * c));
  }
};

struct F16Run {
  static constexpr int kElements = 16, kBytes = 32;
  template <class V, class S>
  static void chunks(const uint8_t* b, int64_t col, S& s) {
    for (int c = 0; c < 16; c += V::W) s.add(col + c, V::from_f16(b + 2 * c));
  }
};

// y[t * ldy + r] = row r of w . row t of x, for r < rows and t < NT.
template <class V, class Block, int NT, bool kRound>
void dot_rows(const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in, const float* x,
              float* y, int64_t ldy) {
  for (int64_t r = 0; r < rows; ++r) {
    Accumulators<V, NT, kRound> acc(x, in);
    const uint8_t* row = w + r * row_bytes;
    for (int64_t k = 0; k < in / Block::kElements; ++k)
      Block::template chunks<V>(row + k * Block::kBytes, k * Block::kElements, acc);
    for (int t = 0; t < NT; ++t) y[t * ldy + r] = acc.sum(t);
  }
}

// The same for any number T of rows of x, four at a time (each group reads the weights once).
template <class V, class Block, bool kRound>
void dot_rows_groups(const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in, const float* x,
                     int64_t T, float* y, int64_t ldy) {
  for (int64_t t = 0; t < T; t += 4) {
    const float* xt = x + t * in;
    float* yt = y + t * ldy;
    switch (T - t < 4 ? T - t : 4) {
      case 1:
        dot_rows<V, Block, 1, kRound>(w, row_bytes, rows, in, xt, yt, ldy);
        break;
      case 2:
        dot_rows<V, Block, 2, kRound>(w, row_bytes, rows, in, xt, yt, ldy);
        break;
      case 3:
        dot_rows<V, Block, 3, kRound>(w, row_bytes, rows, in, xt, yt, ldy);
        break;
      default:
        dot_rows<V, Block, 4, kRound>(w, row_bytes, rows, in, xt, yt, ldy);
    }
  }
}

template <class V, class Block>
void dot_rows_any(const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in, const float* x,
                  int64_t T, float* y, int64_t ldy, bool round_bf16) {
  if (round_bf16)
    dot_rows_groups<V, Block, true>(w, row_bytes, rows, in, x, T, y, ldy);
  else
    dot_rows_groups<V, Block, false>(w, row_bytes, rows, in, x, T, y, ldy);
}

// The entry point of each instruction set's file: false for a type without a kernel here.
template <class V>
bool quant_dot_rows(DType type, const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in,
                    const float* x, int64_t T, float* y, int64_t ldy, bool round_bf16) {
  switch (type) {
    case DType::Q8_0:
      dot_rows_any<V, Q8_0Block>(w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
      return true;
    case DType::Q5_0:
      dot_rows_any<V, Q5_0Block>(w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
      return true;
    case DType::Q4_K:
      dot_rows_any<V, Q4_KBlock>(w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
      return true;
    case DType::Q6_K:
      dot_rows_any<V, Q6_KBlock>(w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
      return true;
    case DType::BF16:
      dot_rows_any<V, Bf16Run>(w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
      return true;
    case DType::F16:
      dot_rows_any<V, F16Run>(w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
      return true;
    default:
      return false;
  }
}

}  // namespace
}  // namespace massact
