// A linear weight (N, K) widened to f32 straight into the blocked layout of the (K, N) matrix
// W^T that oneDNN's matmul reads (kernels/onednn_matmul.h), in one pass: a group of rows is
// widened into a small per-thread buffer that stays in cache, then transposed tile by tile into
// place (the layouts oneDNN picks keep runs of n contiguous; any other is written element by
// element). Widening into plain rows and letting the GEMM pack them again reads and writes the
// weight twice.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace massact {

// Where a blocked layout puts element (k, n) of a (K, N) f32 matrix, as oneDNN describes one: the
// matrix is cut into blocks of blocks[0] x blocks[1] x ... elements along their dims (e.g. 16 k
// by 64 n), a block is row-major over those, and each step of the block index along dim d moves
// strides[d] floats. Dims are padded to whole blocks; a layout without blocks is plain strided.
struct BlockedLayout {
  struct Block {
    int dim;       // 0: K, 1: N
    int64_t size;  // elements
  };
  int64_t dims[2] = {0, 0};     // K, N
  int64_t strides[2] = {0, 0};  // floats
  std::vector<Block> blocks;    // outermost first
  int64_t size = 0;             // floats, padding included

  int64_t offset(int64_t k, int64_t n) const;
  // The product of the block sizes along dim: every index along it below a multiple of this
  // lies in the same whole blocks.
  int64_t block_size(int dim) const;
};

// Writes rows [begin, end) of an (N, K) weight as row-major f32 into dst ((end - begin) * K
// floats). Called from several threads at once, on disjoint ranges.
using WeightRows = std::function<void(int64_t begin, int64_t end, float* dst)>;

// The buffers of packing, reused from call to call: a group of widened rows per thread and the
// packed matrix.
class PackScratch {
 public:
  // floats for OpenMP thread `thread`; resize_threads() first, outside any parallel region.
  float* rows(int thread, int64_t floats);
  void resize_threads(int threads);
  // floats, aligned to 64 bytes (a cache line; oneDNN's kernels load whole vectors).
  float* packed(int64_t floats);

 private:
  std::vector<std::vector<float>> rows_;
  std::vector<float> packed_;
};

// W^T in `layout` (dims {K, N}): element (k, n) is column k of weight row n; padding is zero.
// Returns scratch.packed(layout.size).
const float* pack_weights(const BlockedLayout& layout, const WeightRows& rows,
                          PackScratch& scratch);

}  // namespace massact
