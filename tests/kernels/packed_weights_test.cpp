// Packing a weight into a blocked layout writes, bit for bit, what oneDNN's own reorder writes from
// the plain matrix: for the layout oneDNN's f32 matmul picks on this CPU, and for other layouts
// (other CPUs pick other blocks), with K and N that fill no block evenly.
#include "kernels/packed_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/onednn_matmul.h"

namespace massact {
namespace {

// oneDNN's reorder of W^T, W (N, K) row-major, into `desc`; the destination starts as NaNs so
// that padding it leaves alone would show.
std::vector<float> reordered(const std::vector<float>& w, const dnnl_memory_desc_t& desc) {
  const dnnl_dims_t dims = {desc.dims[0], desc.dims[1]}, strides = {1, desc.dims[0]};
  dnnl_memory_desc_t plain;
  check_onednn(dnnl_memory_desc_init_by_strides(&plain, 2, dims, dnnl_f32, strides), "desc");
  std::vector<float> out(dnnl_memory_desc_get_size(&desc) / sizeof(float), std::nanf(""));
  const dnnl_engine_t engine = onednn_engine();
  dnnl_memory_t from, to;
  check_onednn(dnnl_memory_create(&from, &plain, engine, const_cast<float*>(w.data())), "memory");
  check_onednn(dnnl_memory_create(&to, &desc, engine, out.data()), "memory");
  dnnl_primitive_desc_t pd;
  check_onednn(dnnl_reorder_primitive_desc_create(&pd, &plain, engine, &desc, engine, nullptr),
               "reorder");
  dnnl_primitive_t reorder;
  check_onednn(dnnl_primitive_create(&reorder, pd), "reorder");
  dnnl_primitive_desc_destroy(pd);
  const dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  check_onednn(dnnl_primitive_execute(reorder, onednn_stream(), 2, args), "reorder");
  check_onednn(dnnl_stream_wait(onednn_stream()), "stream wait");
  dnnl_primitive_destroy(reorder);
  dnnl_memory_destroy(from);
  dnnl_memory_destroy(to);
  return out;
}

// Rows of a row-major (N, K) matrix; NaN rows when w is empty.
WeightRows rows_of(const std::vector<float>& w, int64_t K) {
  return [&w, K](int64_t begin, int64_t end, float* dst) {
    if (w.empty()) return std::fill(dst, dst + (end - begin) * K, std::nanf(""));
    std::copy(w.begin() + begin * K, w.begin() + end * K, dst);
  };
}

void expect_packed_as_reordered(const dnnl_memory_desc_t& desc) {
  const int64_t K = desc.dims[0], N = desc.dims[1];
  std::mt19937 rng(uint32_t(K * 7919 + N));
  std::normal_distribution<float> normal;
  std::vector<float> w(size_t(N * K));
  for (float& v : w) v = normal(rng);
  const BlockedLayout layout = blocked_layout(desc);
  PackScratch scratch;
  // NaN weights first: padding that a second packing into the same buffer failed to zero would
  // keep them.
  pack_weights(layout, rows_of({}, K), scratch);
  const float* packed = pack_weights(layout, rows_of(w, K), scratch);
  const std::vector<float> expected = reordered(w, desc);
  ASSERT_EQ(size_t(layout.size), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_EQ(std::memcmp(&packed[i], &expected[i], sizeof(float)), 0)
        << "float " << i << " of K " << K << " N " << N << ": " << packed[i] << " against "
        << expected[i];
}

// (K, N) pairs: multiples of the usual blocks, and ragged ones.
const int64_t kShapes[][2] = {{64, 128}, {100, 70}, {33, 129}, {640, 200}, {17, 1}, {1, 65}};

// oneDNN 2.6 on AVX-512 picks 16 k by 64 n blocks for these, and plain (K, N) rows for its
// gemm:jit when C's rows are wider than N (a panel of lm_head's output).
TEST(PackedWeights, AsOneDnnReordersIntoTheLayoutItsMatmulPicks) {
  for (const auto& [K, N] : kShapes)
    for (int64_t M : {9, 512}) {
      const dnnl_memory_desc_t& desc =
          matmul_weights_desc({MatmulType::F32, MatmulWeights::Packed, M, N, K, N});
      expect_packed_as_reordered(desc);
    }
  expect_packed_as_reordered(
      matmul_weights_desc({MatmulType::F32, MatmulWeights::Packed, 512, 2688, 768, 32000}));
}

// Tiles of 16 k by 64 or 48 n and plain (K, N) rows (the tiled path); blocks along N inside
// blocks along K, three levels of blocks, and plain (N, K) rows (the scattering path).
TEST(PackedWeights, AsOneDnnReordersIntoOtherLayouts) {
  for (dnnl_format_tag_t tag : {dnnl_BA16a64b, dnnl_BA16a48b, dnnl_BA16a16b, dnnl_AB16b64a,
                                dnnl_AB8b16a2b, dnnl_BA16a64b2a, dnnl_ab, dnnl_ba})
    for (const auto& [K, N] : kShapes) {
      const dnnl_dims_t dims = {K, N};
      dnnl_memory_desc_t desc;
      check_onednn(dnnl_memory_desc_init_by_tag(&desc, 2, dims, dnnl_f32, tag), "desc");
      SCOPED_TRACE("format tag " + std::to_string(int(tag)));
      expect_packed_as_reordered(desc);
    }
}

TEST(PackedWeights, OffsetsOfABlockedLayout) {
  // 16 k by 64 n tiles, K padded to 32: tile (k / 16, n / 64) at k / 16 * 1024 + n / 64 * 2048.
  BlockedLayout layout;
  layout.dims[0] = 20;
  layout.dims[1] = 100;
  layout.strides[0] = 1024;
  layout.strides[1] = 2048;
  layout.blocks = {{0, 16}, {1, 64}};
  EXPECT_EQ(layout.offset(0, 0), 0);
  EXPECT_EQ(layout.offset(1, 0), 64);
  EXPECT_EQ(layout.offset(0, 1), 1);
  EXPECT_EQ(layout.offset(17, 65), 1024 + 2048 + 64 + 1);
  EXPECT_EQ(layout.block_size(0), 16);
  EXPECT_EQ(layout.block_size(1), 64);
}

}  // namespace
}  // namespace massact
