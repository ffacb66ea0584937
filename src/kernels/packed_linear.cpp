#include "kernels/packed_linear.h"

#include <algorithm>
#include <atomic>

#include "core/env_choice.h"
#include "kernels/gemm.h"
#include "kernels/linear.h"
#include "kernels/onednn_matmul.h"

namespace massact {

namespace {
std::atomic<PrefillGemm>& current() {
  static std::atomic<PrefillGemm> gemm{default_prefill_gemm()};
  return gemm;
}

// Panels of whole 64-row groups (the widest block oneDNN's f32 kernels use), of about
// kScratchFloats weights.
int64_t panel_rows(int64_t in, int64_t out) {
  constexpr int64_t kGroup = 64;
  return std::min(out, std::max<int64_t>(kGroup, kScratchFloats / in / kGroup * kGroup));
}
}  // namespace

PrefillGemm default_prefill_gemm() {
  return choice_from_environment("MASSACT_PREFILL_GEMM", PrefillGemm::Widened,
                                 {PrefillGemm::Widened, PrefillGemm::Packed}, prefill_gemm_name);
}

void set_prefill_gemm(PrefillGemm gemm) {
  current() = gemm;
}

PrefillGemm prefill_gemm() {
  return current();
}

std::string prefill_gemm_name(PrefillGemm gemm) {
  return gemm == PrefillGemm::Widened ? "widened" : "packed";
}

bool linear_packs() {
  return prefill_gemm() == PrefillGemm::Packed && gemm_backend() == GemmBackend::OneDnn;
}

void packed_linear(const float* x, int64_t T, int64_t in, int64_t out, const WeightRows& rows,
                   float* y, int64_t ldy, PackScratch& scratch) {
  const int64_t panel = panel_rows(in, out);
  for (int64_t first = 0; first < out; first += panel) {
    const int64_t n = std::min(panel, out - first);
    // oneDNN 2.6 runs a matmul whose C rows are wider than N (a panel of y) through gemm:jit,
    // which packs plain weights itself: that panel gets the weight's plain rows.
    const MatmulWeights weights = n == ldy ? MatmulWeights::Packed : MatmulWeights::Rows;
    const MatmulShape shape{MatmulType::F32, weights, T, n, in, ldy};
    const BlockedLayout layout = blocked_layout(matmul_weights_desc(shape));
    const float* w = pack_weights(
        layout, [&](int64_t b, int64_t e, float* dst) { rows(first + b, first + e, dst); },
        scratch);
    onednn_matmul(shape, x, w, y + first);  // y[:, first:first+N], in place through ldy
  }
}

}  // namespace massact
