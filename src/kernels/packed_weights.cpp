#include "kernels/packed_weights.h"

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

#include "kernels/threads.h"

namespace massact {

int64_t BlockedLayout::offset(int64_t k, int64_t n) const {
  int64_t pos[2] = {k, n}, at = 0, inner = 1;
  for (auto b = blocks.rbegin(); b != blocks.rend(); ++b) {  // innermost first
    at += pos[b->dim] % b->size * inner;
    pos[b->dim] /= b->size;
    inner *= b->size;
  }
  return at + pos[0] * strides[0] + pos[1] * strides[1];
}

int64_t BlockedLayout::block_size(int dim) const {
  int64_t size = 1;
  for (const Block& b : blocks)
    if (b.dim == dim) size *= b.size;
  return size;
}

float* PackScratch::rows(int thread, int64_t floats) {
  std::vector<float>& buffer = rows_[size_t(thread)];
  if (buffer.size() < size_t(floats)) buffer.resize(size_t(floats));
  return buffer.data();
}

void PackScratch::resize_threads(int threads) {
  if (rows_.size() < size_t(threads)) rows_.resize(size_t(threads));
}

float* PackScratch::packed(int64_t floats) {
  constexpr size_t kLine = 64 / sizeof(float);
  if (packed_.size() < size_t(floats) + kLine) packed_.resize(size_t(floats) + kLine);
  const size_t misaligned = reinterpret_cast<uintptr_t>(packed_.data()) / sizeof(float) % kLine;
  return packed_.data() + (kLine - misaligned) % kLine;
}

namespace {

using V16 = float __attribute__((vector_size(64)));

// Shuffles of two 16-float vectors a and b, in lanes of 4 floats, that compilers turn into the
// permutes of whatever vector ISA they target (two 8-float halves each on AVX2); by reference,
// since passing 64-byte vectors by value has no stable ABI below AVX-512.
// interleave: a's and b's floats alternately, from floats 0-1 (lo) and 2-3 (hi) of each lane.
void interleave(const V16& a, const V16& b, V16& lo, V16& hi) {
  lo = __builtin_shufflevector(a, b, 0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29);
  hi = __builtin_shufflevector(a, b, 2, 18, 3, 19, 6, 22, 7, 23, 10, 26, 11, 27, 14, 30, 15, 31);
}
// pairs: a's and b's pairs of floats alternately, pair 0 (lo) and pair 1 (hi) of each lane.
void pairs(const V16& a, const V16& b, V16& lo, V16& hi) {
  lo = __builtin_shufflevector(a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
  hi = __builtin_shufflevector(a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
}
// lanes: a's and b's lanes alternately, lanes 0-1 (lo) and 2-3 (hi).
void lanes(const V16& a, const V16& b, V16& lo, V16& hi) {
  lo = __builtin_shufflevector(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
  hi = __builtin_shufflevector(a, b, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
}
// halves: a's half then b's, the low halves (lo) and the high ones (hi).
void halves(const V16& a, const V16& b, V16& lo, V16& hi) {
  lo = __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  hi = __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
}

// dst[c * ldd + r] = src[r * lds + c] for a 16 x 16 tile: whole cache lines in and out, four
// rounds of 16 shuffles (a scalar transpose costs more than the widening it follows).
void transpose16x16(const float* src, int64_t lds, float* dst, int64_t ldd) {
  V16 r[16], t[16];
  for (int i = 0; i < 16; ++i) std::memcpy(&r[i], src + i * lds, sizeof(V16));
  for (int i = 0; i < 16; i += 2) interleave(r[i], r[i + 1], t[i], t[i + 1]);
  // r[4q + c]: in lane L, column 4L + c of rows 4q..4q+3.
  for (int q = 0; q < 16; q += 4) {
    pairs(t[q], t[q + 2], r[q], r[q + 1]);
    pairs(t[q + 1], t[q + 3], r[q + 2], r[q + 3]);
  }
  // t[8h + c]: columns c and c + 4 of rows 8h..8h+7; t[8h + 4 + c]: columns c + 8 and c + 12.
  for (int h = 0; h < 16; h += 8)
    for (int c = 0; c < 4; ++c) lanes(r[h + c], r[h + 4 + c], t[h + c], t[h + 4 + c]);
  for (int c = 0; c < 8; ++c) {
    const int col = c < 4 ? c : c + 4;  // t[c] holds columns col and col + 4
    V16 low, high;
    halves(t[c], t[8 + c], low, high);
    std::memcpy(dst + col * ldd, &low, sizeof(V16));
    std::memcpy(dst + (col + 4) * ldd, &high, sizeof(V16));
  }
}

// dst[c * ldd + r] = src[r * lds + c] for r < rows, c < cols.
void transpose(const float* src, int64_t lds, int64_t rows, int64_t cols, float* dst, int64_t ldd) {
  const int64_t rows16 = rows / 16 * 16, cols16 = cols / 16 * 16;
  // Rows outside: the lines of 16 rows are used whole before the next rows are read.
  for (int64_t r = 0; r < rows16; r += 16)
    for (int64_t c = 0; c < cols16; c += 16)
      transpose16x16(src + r * lds + c, lds, dst + c * ldd + r, ldd);
  for (int64_t c = 0; c < cols; ++c)
    for (int64_t r = c < cols16 ? rows16 : 0; r < rows; ++r) dst[c * ldd + r] = src[r * lds + c];
}

// A layout in which runs of n are contiguous: tiles of kb k by nb n, k-major with row stride ld,
// the tile of k-block i and n-block j at i * k_step + j * n_step. The ones oneDNN's f32 matmul
// picks on AVX-512 are of this kind: blocks of 16 k by 64 n that fill the padded matrix without
// gaps (writing every element of every tile then zeroes the padding), or, for gemm:jit (C's
// rows strided), plain (K, N) rows, cut here into tiles of 16 k by 64 n.
struct Tiles {
  int64_t kb, nb, ld, k_step, n_step;
  bool padded;  // tiles padded to whole blocks, the padding to be zeroed
};

int64_t round_up(int64_t n, int64_t multiple) {
  return (n + multiple - 1) / multiple * multiple;
}

std::optional<Tiles> tiles_of(const BlockedLayout& l) {
  const int64_t K = l.dims[0], N = l.dims[1];
  if (l.blocks.empty() && l.strides[0] == N && l.strides[1] == 1)
    return Tiles{16, 64, N, 16 * N, 64, false};
  if (l.blocks.size() != 2 || l.blocks[0].dim != 0 || l.blocks[1].dim != 1) return std::nullopt;
  const int64_t kb = l.blocks[0].size, nb = l.blocks[1].size;
  if (l.size != round_up(K, kb) * round_up(N, nb)) return std::nullopt;
  return Tiles{kb, nb, nb, l.strides[0], l.strides[1], true};
}

// Rows [first, first + count) (first a multiple of t.nb), widened (t.nb, K) row-major with the
// rows past count zero, into their tiles.
void write_tiles(const Tiles& t, int64_t K, const float* widened, int64_t first, int64_t count,
                 float* dst) {
  const int64_t rows = t.padded ? t.nb : count;
  float* column = dst + first / t.nb * t.n_step;
  for (int64_t k0 = 0; k0 < K; k0 += t.kb) {
    float* tile = column + k0 / t.kb * t.k_step;
    const int64_t cols = std::min(t.kb, K - k0);
    transpose(widened + k0, K, rows, cols, tile, t.ld);
    if (t.padded) std::fill(tile + cols * t.ld, tile + t.kb * t.ld, 0.0f);  // K's padding
  }
}

// Any other layout, element by element. An element's offset is the sum of a part that depends
// on k only and one that depends on n only (each block runs along one dim), so the k parts are
// computed once: k_offsets[k] = l.offset(k, 0).
void scatter(const BlockedLayout& l, const std::vector<int64_t>& k_offsets, const float* widened,
             int64_t first, int64_t count, float* dst) {
  const int64_t K = l.dims[0];
  for (int64_t r = 0; r < count; ++r) {
    float* row = dst + l.offset(0, first + r);
    for (int64_t k = 0; k < K; ++k) row[k_offsets[size_t(k)]] = widened[r * K + k];
  }
}

constexpr int64_t kScatterRows = 16;  // rows widened at a time outside tiled layouts

// All N rows, (N, K) row-major, into dst: the weight's own layout.
void write_plain_rows(const WeightRows& rows, int64_t N, int64_t K, float* dst) {
  const int64_t groups = (N + kScatterRows - 1) / kScatterRows;
#pragma omp parallel for schedule(static) if (groups > 1 && N * K >= kMinParallelWork)
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t first = g * kScatterRows;
    rows(first, std::min(N, first + kScatterRows), dst + first * K);
  }
}

}  // namespace

const float* pack_weights(const BlockedLayout& layout, const WeightRows& rows,
                          PackScratch& scratch) {
  const int64_t K = layout.dims[0], N = layout.dims[1];
  float* dst = scratch.packed(layout.size);
  if (layout.blocks.empty() && layout.strides[0] == 1 && layout.strides[1] == K) {
    write_plain_rows(rows, N, K, dst);
    return dst;
  }
  const std::optional<Tiles> tiles = tiles_of(layout);
  std::vector<int64_t> k_offsets;
  if (!tiles) {
    std::fill(dst, dst + layout.size, 0.0f);  // the padding, wherever it lies
    for (int64_t k = 0; k < K; ++k) k_offsets.push_back(layout.offset(k, 0));
  }
  const int64_t group = tiles ? tiles->nb : kScatterRows;
  const int64_t groups = (N + group - 1) / group;
  scratch.resize_threads(omp_get_max_threads());
#pragma omp parallel if (groups > 1 && N * K >= kMinParallelWork)
  {
    float* widened = scratch.rows(omp_get_thread_num(), group * K);  // (group, K)
#pragma omp for schedule(static)
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t first = g * group, count = std::min(group, N - first);
      rows(first, first + count, widened);
      if (!tiles) {
        scatter(layout, k_offsets, widened, first, count, dst);
        continue;
      }
      std::fill(widened + count * K, widened + group * K, 0.0f);  // N's padding
      write_tiles(*tiles, K, widened, first, count, dst);
    }
  }
  return dst;
}

}  // namespace massact
