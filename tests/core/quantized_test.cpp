// Widening of every ggml type massact reads, bit for bit against the gguf Python package:
// tests/fixtures/quant/ holds raw blocks (<TYPE>.bin), what gguf's numpy dequantize makes of them
// (<TYPE>.f32) and manifest.json with gguf's block sizes (tests/reference/make_quant_fixtures.py).
#include "core/quantized.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/gguf_source.h"
#include "test_paths.h"

namespace massact {
namespace {

constexpr DType kAllTypes[] = {
    DType::F32,  DType::F16,  DType::Q4_0, DType::Q4_1,   DType::Q5_0,
    DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,   DType::Q4_K,
    DType::Q5_K, DType::Q6_K, DType::BF16, DType::IQ4_NL, DType::IQ4_XS,
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& manifest() {
  static const nlohmann::json m =
      nlohmann::json::parse(read_file(testing::fixture_dir("quant") + "/manifest.json"));
  return m;
}

struct Fixture {
  std::string raw;              // the quantized blocks
  std::vector<float> expected;  // gguf's dequantize of them
};

Fixture load(DType type) {
  const std::string base = testing::fixture_dir("quant") + "/" + std::string(dtype_name(type));
  Fixture f{read_file(base + ".bin"), {}};
  const std::string floats = read_file(base + ".f32");
  f.expected.resize(floats.size() / 4);
  std::memcpy(f.expected.data(), floats.data(), floats.size());
  return f;
}

// Empty when the two float arrays have the same bits; otherwise where and how they first differ.
std::string first_mismatch(const float* got, const float* expected, size_t n) {
  if (std::memcmp(got, expected, n * 4) == 0) return "";
  for (size_t i = 0; i < n; ++i) {
    uint32_t g, e;
    std::memcpy(&g, got + i, 4);
    std::memcpy(&e, expected + i, 4);
    if (g == e) continue;
    char text[160];
    std::snprintf(text, sizeof text, "element %zu: got %.9g (0x%08x), expected %.9g (0x%08x)", i,
                  got[i], g, expected[i], e);
    return text;
  }
  return "";
}

class Quantized : public ::testing::TestWithParam<DType> {};

TEST_P(Quantized, TableAgreesWithGgufPackage) {
  const DType type = GetParam();
  const std::string name(dtype_name(type));
  ASSERT_TRUE(manifest()["types"].contains(name)) << name << " has no fixture";
  const nlohmann::json& entry = manifest()["types"][name];
  EXPECT_EQ(dtype_from_ggml_id(entry["id"].get<uint32_t>()), type);
  EXPECT_EQ(dtype_block_size(type), entry["block_size"].get<int64_t>());
  EXPECT_EQ(dtype_block_bytes(type), entry["type_size"].get<size_t>());

  const Fixture f = load(type);
  const int64_t blocks = entry["blocks"].get<int64_t>();
  EXPECT_EQ(f.raw.size(), size_t(blocks) * dtype_block_bytes(type));
  EXPECT_EQ(int64_t(f.expected.size()), blocks * dtype_block_size(type));
  EXPECT_EQ(dtype_row_bytes(type, int64_t(f.expected.size())), f.raw.size());
}

TEST_P(Quantized, DequantizesBitExactly) {
  const DType type = GetParam();
  const Fixture f = load(type);
  const auto n = int64_t(f.expected.size());
  ASSERT_EQ(dtype_row_bytes(type, n), f.raw.size());
  std::vector<float> got(f.expected.size());
  to_f32(type, f.raw.data(), got.data(), size_t(n));
  EXPECT_EQ(first_mismatch(got.data(), f.expected.data(), got.size()), "")
      << dtype_name(type) << " of " << n << " elements";
}

// Rows inside a tensor start where the previous row ended (Q5_0's 22-byte blocks leave them only
// 2-aligned), and callers may pass any buffer: nothing may assume alignment, not even of the f16
// and uint32 fields. One byte off proves it.
TEST_P(Quantized, ReadsUnalignedBlocks) {
  const DType type = GetParam();
  const Fixture f = load(type);
  const std::string shifted = "x" + f.raw;
  std::vector<float> got(f.expected.size());
  to_f32(type, shifted.data() + 1, got.data(), got.size());
  EXPECT_EQ(first_mismatch(got.data(), f.expected.data(), got.size()), "");
}

INSTANTIATE_TEST_SUITE_P(AllTypes, Quantized, ::testing::ValuesIn(kAllTypes),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(QuantizedTable, ManifestHasNoOtherTypes) {
  EXPECT_EQ(manifest()["types"].size(), std::size(kAllTypes));
}

TEST(QuantizedTable, UnknownIdsAreNullopt) {
  // ggml's retired Q4_2 and Q4_3, then Q8_1, Q8_K, IQ2_XXS, I8, IQ1_M, an unused id, TQ1_0, MXFP4
  // and ids past the end.
  for (uint32_t id : {4u, 5u, 9u, 15u, 16u, 24u, 29u, 31u, 34u, 39u, 1000u, 0xffffffffu})
    EXPECT_EQ(dtype_from_ggml_id(id), std::nullopt) << "id " << id;
}

TEST(QuantizedTable, RowBytes) {
  EXPECT_EQ(dtype_row_bytes(DType::Q4_K, 4096), 16u * 144u);
  EXPECT_EQ(dtype_row_bytes(DType::Q8_0, 4096), 128u * 34u);
  EXPECT_EQ(dtype_row_bytes(DType::BF16, 7), 14u);
  EXPECT_EQ(dtype_row_bytes(DType::IQ4_NL, 0), 0u);
}

TEST(QuantizedTable, PartialBlocksAreABug) {
  float out[256];
  const uint8_t zeros[256] = {};
  EXPECT_THROW(dtype_row_bytes(DType::Q4_K, 100), std::logic_error);
  EXPECT_THROW(dtype_row_bytes(DType::Q8_0, -32), std::logic_error);
  EXPECT_THROW(to_f32(DType::Q4_0, zeros, out, 31), std::logic_error);
  EXPECT_THROW(dequantize(DType::F32, zeros, out, 32), std::logic_error);
}

// A 4096 x 4096 weight matrix, its rows tiled from the fixture's blocks: the rate at which a
// whole matrix dequantizes (printed), and every row of it exact.
void time_matrix(DType type) {
  constexpr int64_t kRows = 4096, kCols = 4096;
  const Fixture f = load(type);
  const int64_t block = dtype_block_size(type), bytes = int64_t(dtype_block_bytes(type));
  const int64_t fixture_blocks = int64_t(f.expected.size()) / block;
  const int64_t blocks = kRows * kCols / block;
  std::vector<uint8_t> matrix(size_t(blocks * bytes));
  for (int64_t b = 0; b < blocks; ++b)
    std::memcpy(&matrix[size_t(b * bytes)], f.raw.data() + (b % fixture_blocks) * bytes,
                size_t(bytes));

  std::vector<float> out(size_t(kRows * kCols));
  const size_t row_bytes = dtype_row_bytes(type, kCols);
  double best = 1e30;
  for (int pass = 0; pass < 3; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    for (int64_t r = 0; r < kRows; ++r)
      to_f32(type, &matrix[size_t(r) * row_bytes], &out[size_t(r * kCols)], size_t(kCols));
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("[ speed    ] %s 4096 x 4096: %.1f ms, %.2f G elements/s (one thread)\n",
              std::string(dtype_name(type)).c_str(), best * 1e3, kRows * kCols / best / 1e9);

  for (int64_t b = 0; b < blocks; ++b) {
    const std::string m = first_mismatch(
        &out[size_t(b * block)], &f.expected[size_t((b % fixture_blocks) * block)], size_t(block));
    ASSERT_EQ(m, "") << "block " << b;
  }
}

TEST(QuantizedSpeed, Q4_KMatrix) {
  time_matrix(DType::Q4_K);
}

TEST(QuantizedSpeed, Q8_0Matrix) {
  time_matrix(DType::Q8_0);
}

}  // namespace
}  // namespace massact
