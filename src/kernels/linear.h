// y = x W^T (+ b): the matrix products of the forward pass, through BLAS.
// Weights stay in their file dtype, quantized ones included; a non-f32 weight is widened, a panel
// of rows at a time, into a reusable scratch just before its GEMM, so a bf16 or Q4_K model never
// holds more than one widened panel (kScratchFloats) at a time, however large its vocabulary.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "kernels/packed_weights.h"

namespace massact {

// The widest panel, in floats: 8 MiB. Panels of a few thousand rows keep the GEMMs as fast as one
// whole-matrix call (measured in bench/README.md), and the memory of a model is its file size.
inline constexpr int64_t kScratchFloats = int64_t(1) << 21;

// What the linear layers' products compute in. F32, the default: f32 arithmetic on the stored
// weights. Bf16 (`--compute bf16`): x and the weights rounded to bf16 (to nearest even, as
// PyTorch casts), products exact, f32 accumulation (kernels/gemm_bf16.h); attention's products
// and everything elementwise stay f32.
enum class Compute { F32, Bf16 };
void set_compute(Compute mode);
Compute compute_mode();
std::string compute_name(Compute mode);

// Rows [begin, end) of an (out, in) weight of any float dtype widened to f32 (core/dtype.h's
// to_f32) into dst (end - begin, in), on the calling thread.
void widen_rows(const Tensor& weight, int64_t begin, int64_t end, float* dst);

class WeightScratch {
 public:
  // Rows [begin, end) of a (rows, cols) weight as float32: the tensor's own memory if it is f32,
  // else a widened copy in the scratch, valid until the next call.
  const float* rows_f32(const Tensor& weight, int64_t begin, int64_t end);
  // The same rows rounded to bf16: the tensor's own memory if it is bf16.
  const uint16_t* rows_bf16(const Tensor& weight, int64_t begin, int64_t end);
  // n floats rounded to bf16, valid until the next call.
  const uint16_t* rounded_bf16(const float* x, int64_t n);
  // The buffers of kernels/packed_linear.h's path.
  PackScratch& packed() { return packed_; }

 private:
  std::vector<float> buffer_;
  std::vector<uint16_t> weight_bf16_, x_bf16_;
  PackScratch packed_;
};

// x: (T, in) row-major f32. weight: (out, in) any float dtype. bias: (out,) or empty. y: (T, out).
void linear(const float* x, int64_t T, const Tensor& weight, const Tensor& bias, float* y,
            WeightScratch& scratch);

// Several products of the same x (q, k and v; gate and up), each y exactly what linear() writes.
// For a few rows of x and quantized or 16-bit weights (kernels/quant_matvec.h) they run as one
// parallel pass; otherwise one after another: one GEMM over the weights stacked would need its
// (T, sum out) product split into the ys again, which costs what the wider GEMM saves
// (bench/README.md).
struct LinearPart {
  const Tensor* weight;  // (out, in)
  const Tensor* bias;    // (out,) or empty
  float* y;              // (T, out)
};
void linear_group(const float* x, int64_t T, std::initializer_list<LinearPart> parts,
                  WeightScratch& scratch);

// What linear() and linear_group() have done since the last reset: calls, multiply-adds (T * out
// * in each) and wall-clock seconds. `bench forward` divides them for the rate of the forward's
// GEMM-dominated part, beside the machine's SGEMM rate.
struct LinearTally {
  int64_t calls = 0;
  int64_t multiply_adds = 0;
  double seconds = 0;
};
LinearTally linear_tally();
void reset_linear_tally();

}  // namespace massact
