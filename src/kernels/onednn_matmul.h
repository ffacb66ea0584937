// oneDNN's matmul primitive, C (M, N) = A (M, K) B (K, N), A row-major with row stride K and C f32
// with row stride ldc: one engine and stream for the process, and one primitive per shape, because
// creating a primitive JITs its kernel (far more than one product costs) and a forward pass
// repeats a handful of shapes.
//
// B comes in one of two layouts. Rows: B^T stored (N, K) row-major, as linear weights are; the
// primitive packs it again on every call. Packed: the blocked layout the primitive reads its
// weights in (matmul_weights_desc), written beforehand by kernels/packed_weights.h, so that
// widening a quantized weight and packing it for the kernel are one pass.
#pragma once

#include <oneapi/dnnl/dnnl.h>

#include <cstdint>
#include <tuple>

#include "kernels/packed_weights.h"

namespace massact {

enum class MatmulType { F32, Bf16 };  // of A and B
enum class MatmulWeights { Rows, Packed };

struct MatmulShape {
  MatmulType type;
  MatmulWeights weights;
  int64_t M, N, K, ldc;

  auto key() const { return std::make_tuple(type, weights, M, N, K, ldc); }
  bool operator<(const MatmulShape& other) const { return key() < other.key(); }
};

// The process's CPU engine and stream, for reorders in tests.
dnnl_engine_t onednn_engine();
dnnl_stream_t onednn_stream();
// std::logic_error naming `what` unless status is dnnl_success.
void check_onednn(dnnl_status_t status, const char* what);

// The (K, N) weights layout that the primitive of this shape reads.
const dnnl_memory_desc_t& matmul_weights_desc(const MatmulShape& shape);
// A blocked memory descriptor of a 2-D f32 matrix as a BlockedLayout; std::logic_error for
// another kind (oneDNN's matmul weights are blocked on every CPU it supports).
BlockedLayout blocked_layout(const dnnl_memory_desc_t& desc);

// C = A B, B in shape.weights' layout; the primitive is created on the first call of a shape.
void onednn_matmul(const MatmulShape& shape, const void* A, const void* B, float* C);

}  // namespace massact
