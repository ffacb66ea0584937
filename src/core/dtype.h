// Element types of tensors as checkpoints store them, and their widening to float32.
//
// Two kinds: plain types, one element per fixed number of bytes (safetensors' F32, BF16, I64, ...),
// and ggml's block-quantized types, where a row is a run of blocks of 32 or 256 elements, each
// packed with its own scales into a fixed number of bytes (GGUF's Q4_K, Q8_0, ...). A tensor of a
// block type has rows that are whole blocks, so a row, or a run of rows, can be addressed by
// bytes just like a plain tensor's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace massact {

enum class DType : uint8_t {
  // Plain types.
  F64,
  F32,
  F16,
  BF16,
  I64,
  I32,
  I16,
  I8,
  U8,
  BOOL,
  // ggml's block-quantized types (core/quantized.h has their layouts).
  Q4_0,
  Q4_1,
  Q5_0,
  Q5_1,
  Q8_0,
  Q2_K,
  Q3_K,
  Q4_K,
  Q5_K,
  Q6_K,
  IQ4_NL,
  IQ4_XS,
};

// Safetensors' spelling for plain types ("F32", "BF16"), ggml's for block types ("Q4_K").
std::string_view dtype_name(DType t);
// The plain types, by safetensors' spelling; nullopt for anything else, block types included.
std::optional<DType> dtype_from_name(std::string_view name);

int64_t dtype_block_size(DType t);  // elements per block: 1 for plain types, 32 or 256
size_t dtype_block_bytes(DType t);  // bytes per block
bool is_quantized(DType t);         // a block type
// Bytes per element of a plain type; std::logic_error for a block type, whose elements have none.
size_t dtype_size(DType t);
// Bytes of n consecutive elements, n a whole number of blocks (std::logic_error otherwise: callers
// check shapes against the block size and report bad files themselves).
size_t dtype_row_bytes(DType t, int64_t n);

// The types a weight may have: F64, F32, F16, BF16 and every block type.
bool is_float(DType t);

inline float bf16_to_f32(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  __builtin_memcpy(&f, &bits, 4);
  return f;
}

// Round to nearest even, as PyTorch does when it casts to bfloat16.
inline uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  __builtin_memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffff) > 0x7f800000) return uint16_t((bits >> 16) | 0x40);  // keep NaN a NaN
  bits += 0x7fff + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);

// Widens n elements of a float type (is_float) stored at src, dtype_row_bytes(t, n) bytes, into
// dst; n a whole number of blocks. Exact but for F64, which rounds to nearest.
void to_f32(DType t, const void* src, float* dst, size_t n);

}  // namespace massact
