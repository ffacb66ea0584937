#include "core/dtype.h"

#include <array>
#include <cstring>
#include <stdexcept>

#include "core/error.h"
#include "core/quantized.h"

namespace massact {

namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  int64_t block_size;
  size_t block_bytes;
};

// In enum order, so that a DType indexes its entry.
constexpr std::array kDTypes = {
    DTypeInfo{DType::F64, "F64", 1, 8},         DTypeInfo{DType::F32, "F32", 1, 4},
    DTypeInfo{DType::F16, "F16", 1, 2},         DTypeInfo{DType::BF16, "BF16", 1, 2},
    DTypeInfo{DType::I64, "I64", 1, 8},         DTypeInfo{DType::I32, "I32", 1, 4},
    DTypeInfo{DType::I16, "I16", 1, 2},         DTypeInfo{DType::I8, "I8", 1, 1},
    DTypeInfo{DType::U8, "U8", 1, 1},           DTypeInfo{DType::BOOL, "BOOL", 1, 1},
    DTypeInfo{DType::Q4_0, "Q4_0", 32, 18},     DTypeInfo{DType::Q4_1, "Q4_1", 32, 20},
    DTypeInfo{DType::Q5_0, "Q5_0", 32, 22},     DTypeInfo{DType::Q5_1, "Q5_1", 32, 24},
    DTypeInfo{DType::Q8_0, "Q8_0", 32, 34},     DTypeInfo{DType::Q2_K, "Q2_K", 256, 84},
    DTypeInfo{DType::Q3_K, "Q3_K", 256, 110},   DTypeInfo{DType::Q4_K, "Q4_K", 256, 144},
    DTypeInfo{DType::Q5_K, "Q5_K", 256, 176},   DTypeInfo{DType::Q6_K, "Q6_K", 256, 210},
    DTypeInfo{DType::IQ4_NL, "IQ4_NL", 32, 18}, DTypeInfo{DType::IQ4_XS, "IQ4_XS", 256, 136},
};

constexpr bool in_enum_order() {
  for (size_t i = 0; i < kDTypes.size(); ++i)
    if (size_t(kDTypes[i].type) != i) return false;
  return true;
}
static_assert(in_enum_order());

const DTypeInfo& info(DType t) {
  return kDTypes.at(size_t(t));
}

}  // namespace

std::string_view dtype_name(DType t) {
  return info(t).name;
}

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& entry : kDTypes)
    if (entry.name == name && entry.block_size == 1) return entry.type;
  return std::nullopt;
}

int64_t dtype_block_size(DType t) {
  return info(t).block_size;
}

size_t dtype_block_bytes(DType t) {
  return info(t).block_bytes;
}

bool is_quantized(DType t) {
  return info(t).block_size > 1;
}

size_t dtype_size(DType t) {
  if (is_quantized(t))
    throw std::logic_error(str_cat("dtype_size: ", dtype_name(t), " has no size per element"));
  return info(t).block_bytes;
}

size_t dtype_row_bytes(DType t, int64_t n) {
  const DTypeInfo& i = info(t);
  if (n < 0 || n % i.block_size != 0)
    throw std::logic_error(
        str_cat(n, " elements is not a whole number of ", i.name, " blocks of ", i.block_size));
  return size_t(n / i.block_size) * i.block_bytes;
}

bool is_float(DType t) {
  return t == DType::F64 || t == DType::F32 || t == DType::F16 || t == DType::BF16 ||
         is_quantized(t);
}

float f16_to_f32(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {  // inf or NaN
    bits = sign | 0x7f800000 | (mantissa << 13);
  } else if (exponent != 0) {  // normal
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {  // signed zero
    bits = sign;
  } else {                                     // subnormal: normalize it
    int shift = __builtin_clz(mantissa) - 21;  // leading zeros within the 10-bit field
    mantissa = (mantissa << shift) & 0x3ff;
    bits = sign | uint32_t(113 - shift) << 23 | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t f32_to_f16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint16_t sign = uint16_t((bits >> 16) & 0x8000);
  uint32_t abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return sign | 0x7e00;   // NaN
  if (abs >= 0x477ff000) return sign | 0x7c00;  // overflows to inf after rounding
  if (abs < 0x38800000) {                       // subnormal or zero in f16
    float magnitude;
    std::memcpy(&magnitude, &abs, 4);
    // Adding 0.5 aligns the f16 subnormal grid with the f32 mantissa; the FPU rounds to nearest
    // even.
    float shifted = magnitude + 0.5f;
    uint32_t s;
    std::memcpy(&s, &shifted, 4);
    return sign | uint16_t(s - 0x3f000000);
  }
  uint32_t rounded = abs + 0x0fff + ((abs >> 13) & 1) - (uint32_t(112) << 23);
  return sign | uint16_t(rounded >> 13);
}

namespace {
// Element i of an array of T at `src`, which need not be aligned for T: a safetensors tensor may
// start at any byte, and rows of block types leave the next ones at odd addresses. A fixed-size
// memcpy is one (unaligned) load, and the loops below still vectorize.
template <class T>
T load(const void* src, size_t i) {
  T v;
  std::memcpy(&v, static_cast<const std::byte*>(src) + i * sizeof(T), sizeof(T));
  return v;
}
}  // namespace

void to_f32(DType t, const void* src, float* dst, size_t n) {
  switch (t) {
    case DType::F32:
      std::memcpy(dst, src, n * 4);
      return;
    case DType::F64:
      for (size_t i = 0; i < n; ++i) dst[i] = float(load<double>(src, i));
      return;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(load<uint16_t>(src, i));
      return;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) dst[i] = f16_to_f32(load<uint16_t>(src, i));
      return;
    default:
      if (!is_quantized(t))
        throw std::logic_error(str_cat("to_f32: ", dtype_name(t), " is not a float type"));
      dequantize(t, src, dst, int64_t(n));
      return;
  }
}

}  // namespace massact
