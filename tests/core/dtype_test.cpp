#include "core/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace massact {
namespace {

TEST(DType, NamesRoundTrip) {
  for (auto t : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32,
                 DType::I16, DType::I8, DType::U8, DType::BOOL})
    EXPECT_EQ(dtype_from_name(dtype_name(t)), t);
  EXPECT_FALSE(dtype_from_name("Q4_K").has_value());
}

TEST(DType, HalfPrecisionKnownValues) {
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));     // smallest subnormal
  EXPECT_EQ(f16_to_f32(0x03ff), std::ldexp(1023.0f, -24));  // largest subnormal
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
  EXPECT_EQ(bf16_to_f32(0xc2c8), -100.0f);
}

// Every f16 bit pattern survives f16 -> f32 -> f16 (NaNs stay NaN).
TEST(DType, F16RoundTripsEveryValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = f16_to_f32(uint16_t(h));
    if (std::isnan(f))
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f))));
    else
      ASSERT_EQ(f32_to_f16(f), h) << "f16 bits " << h;
  }
}

TEST(DType, RoundingToHalfIsToNearestEven) {
  EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie -> even (down)
  EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie -> even (up)
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00);                          // rounds to inf
  EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);      // tie -> even
  EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
}

// F64 (like F16 and BF16, tests/core/quantized_test.cpp) widens from any address: a safetensors
// tensor may start at an odd offset. One byte off proves it (and UBSan checks the loads).
TEST(DType, WidensF64FromAnUnalignedAddress) {
  const double values[] = {1.0, -2.5, 1e-3, 65504.0};
  std::vector<char> bytes(1 + sizeof values);
  std::memcpy(bytes.data() + 1, values, sizeof values);
  float got[4];
  to_f32(DType::F64, bytes.data() + 1, got, 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i], float(values[i])) << i;
}

}  // namespace
}  // namespace massact
