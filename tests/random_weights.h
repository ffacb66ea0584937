// Random weights of every float dtype and random rows of x, for the tests of the products.
#pragma once

#include <cstring>
#include <random>
#include <vector>

#include "core/dtype.h"
#include "core/tensor.h"

namespace massact::testing {

// Byte offsets of each block type's f16 scales: random bytes elsewhere are valid codes, but a
// random f16 may be an infinity or a NaN.
inline std::vector<int> f16_fields(DType type) {
  switch (type) {
    case DType::Q8_0:
    case DType::Q5_0:
      return {0};
    case DType::Q4_K:
      return {0, 2};
    case DType::Q6_K:
      return {208};
    default:
      return {};
  }
}

// A (rows, cols) weight of type `type`: random codes, scales and mins for a block type, random
// normal values for BF16 and F16.
inline Tensor random_weight(DType type, int64_t rows, int64_t cols, uint64_t seed) {
  Tensor w = Tensor::zeros(type, {rows, cols});
  std::mt19937_64 rng(seed);
  if (type == DType::BF16 || type == DType::F16) {
    std::normal_distribution<float> normal(0.0f, 0.05f);
    auto* halves = static_cast<uint16_t*>(w.raw_mut());
    for (int64_t i = 0; i < w.numel(); ++i)
      halves[i] = type == DType::BF16 ? f32_to_bf16(normal(rng)) : f32_to_f16(normal(rng));
    return w;
  }
  auto* bytes = static_cast<uint8_t*>(w.raw_mut());
  for (size_t i = 0; i < w.nbytes(); ++i) bytes[i] = uint8_t(rng());
  std::uniform_real_distribution<float> scale(-0.02f, 0.02f);
  const size_t block_bytes = dtype_block_bytes(type);
  for (size_t b = 0; b < w.nbytes() / block_bytes; ++b)
    for (int field : f16_fields(type)) {
      const uint16_t h = f32_to_f16(scale(rng));
      std::memcpy(bytes + b * block_bytes + field, &h, 2);
    }
  return w;
}

inline std::vector<float> random_rows(int64_t T, int64_t in, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  std::vector<float> x(size_t(T * in));
  for (float& v : x) v = normal(rng);
  return x;
}

}  // namespace massact::testing
