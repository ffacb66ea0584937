// Where the K-quant formats keep their scales and codes: the layout helpers that the widening
// loops (core/quantized.cpp) and the SIMD dot products (kernels/quant_dot_simd.h) share, so each
// layout is written once.
//
// Everything here has internal linkage (an unnamed namespace): the SIMD kernels are compiled once
// per instruction set, and an inline function with external linkage would be emitted by each of
// those files and merged by the linker into one copy, possibly one using AVX-512 instructions,
// then called by code that runs on an AVX2-only CPU.
#pragma once

#include <cstdint>
#include <cstring>

namespace massact {
namespace {

inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Q2_K's codes and Q3_K's low bits are 2-bit, as are Q6_K's high bits, all packed one way: each
// 128-element half owns 32 bytes, and element 32 * s + l of a half (l < 32) sits in bits 2s, 2s+1
// of byte l. So the 16 elements of sub-block i are 16 consecutive bytes, all shifted alike.
struct TwoBitRun {
  const uint8_t* bytes;
  int shift;
};

inline TwoBitRun two_bit_run(const uint8_t* packed, int i) {
  return {packed + 32 * (i / 8) + 16 * (i % 2), 2 * ((i / 2) % 4)};
}

// Q4_K and Q5_K's 8 scales and 8 mins, 6 bits each, in 12 bytes. Sub-blocks 0-3 take the low
// 6 bits of bytes 0-3 (scales) and 4-7 (mins); sub-blocks 4-7 take the nibbles of bytes 8-11
// (scale low, min high) and, as their top 2 bits, the top 2 bits of bytes 0-3 (scales) and 4-7
// (mins).
struct ScaleMin {
  int scale, min;
};

inline ScaleMin k_scale_min(const uint8_t* s, int j) {
  if (j < 4) return {s[j] & 63, s[j + 4] & 63};
  return {(s[j + 4] & 0xf) | (s[j - 4] >> 6) << 4, (s[j + 4] >> 4) | (s[j] >> 6) << 4};
}

// Q6_K's 4-bit low parts: each 128-element half owns 64 bytes, and element 64 * t + l of a half
// (l < 64) is nibble t of byte l. So the 16 elements of sub-block i are 16 consecutive bytes, all
// shifted alike.
struct NibbleRun {
  const uint8_t* bytes;
  int shift;
};

inline NibbleRun q6_k_low_run(const uint8_t* low, int i) {
  return {low + 64 * (i / 8) + 16 * (i % 4), 4 * ((i / 4) % 2)};
}

}  // namespace
}  // namespace massact
