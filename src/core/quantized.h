// ggml's block-quantized types (DType::Q4_0 ... DType::IQ4_XS), widened exactly to float32.
//
// A block packs a fixed number of elements (32 or 256) into a fixed number of bytes: small integers
// plus f16 scales (and mins). dequantize() reproduces the reference definition of each format
// (ggml's dequantize_row_* and the gguf Python package's numpy dequantize, which agree) bit for
// bit; tests/core/quantized_test.cpp proves it against fixtures made with that package. Callers
// usually go through to_f32() (core/dtype.h), which handles every float type.
#pragma once

#include <cstdint>

#include "core/dtype.h"

namespace massact {

// Widens n elements (a whole number of blocks, std::logic_error otherwise) of block type t at src,
// dtype_row_bytes(t, n) bytes, into dst. src needs no alignment. std::logic_error for a plain t.
void dequantize(DType t, const void* src, float* dst, int64_t n);

}  // namespace massact
