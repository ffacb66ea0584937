// ggml's tensor element types, as GGUF files name them by id, and their exact widening to float32.
//
// A quantized type stores a row in blocks: a fixed number of elements packed into a fixed number
// of bytes, small integers plus f16 scales (and mins). dequantize_row() reproduces the reference
// definition of each format (ggml's dequantize_row_* and the gguf Python package's numpy
// dequantize, which agree) bit for bit; tests/io/gguf_quant_test.cpp proves it against fixtures
// made with that package.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace massact {

// The ids are ggml's (GGMLQuantizationType in the gguf package); the gaps are types massact does
// not read (Q8_1, Q8_K, the IQ1/IQ2/IQ3 grids, TQ, MXFP4, ...).
enum class GgmlType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  IQ4_NL = 20,
  IQ4_XS = 23,
  BF16 = 30,
};

// nullopt for an id massact does not read; the caller names the file and tensor in its error.
std::optional<GgmlType> ggml_type_from_id(uint32_t id);

std::string_view ggml_type_name(GgmlType type);  // ggml's spelling: "Q4_K", "BF16", ...
int64_t ggml_block_size(GgmlType type);          // elements per block: 1, 32 or 256
size_t ggml_block_bytes(GgmlType type);          // bytes per block

// Bytes of a row of n elements. n must be a multiple of the block size (std::logic_error
// otherwise): callers check tensor shapes against the block size and report bad files themselves.
size_t ggml_row_bytes(GgmlType type, int64_t n);

// Widens n elements (a multiple of the block size, std::logic_error otherwise) stored in `type`
// at src, ggml_row_bytes(type, n) bytes, into dst. src needs no alignment.
void dequantize_row(GgmlType type, const void* src, float* dst, int64_t n);

}  // namespace massact
