// linear()'s GEMM for many rows of x and a non-f32 weight, two ways. Widened: each panel of weight
// rows widened into plain f32 rows, then sgemm, which packs them again for its kernel. Packed:
// each panel widened straight into the blocked layout of oneDNN's matmul (kernels/packed_weights.h)
// and multiplied there, one pass over the weight instead of two. The oneDNN backend only:
// `--gemm openblas` always widens.
#pragma once

#include <string>

#include "core/tensor.h"
#include "kernels/packed_weights.h"

namespace massact {

enum class PrefillGemm { Widened, Packed };

// MASSACT_PREFILL_GEMM's choice (widened or packed), widened when unset: on the one AVX-512 CPU
// measured the two forward passes ran within 2 % of each other, packing costing what oneDNN's
// own packing saves (bench/README.md). InputError for another value.
PrefillGemm default_prefill_gemm();
void set_prefill_gemm(PrefillGemm gemm);
PrefillGemm prefill_gemm();
std::string prefill_gemm_name(PrefillGemm gemm);
// Whether linear() packs: Packed chosen and the oneDNN backend in use.
bool linear_packs();

// y (T, out), row stride ldy, = x (T, in) W^T, W's rows from `rows`: a panel of at most about
// kScratchFloats weights at a time (kernels/linear.h), so that a 262144-row lm_head never holds
// more than one panel packed.
void packed_linear(const float* x, int64_t T, int64_t in, int64_t out, const WeightRows& rows,
                   float* y, int64_t ldy, PackScratch& scratch);

}  // namespace massact
