#include "kernels/quant_matvec.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "kernels/threads.h"

namespace massact {

bool quant_matvec_supports(DType type, int64_t in) {
  if (type == DType::BF16 || type == DType::F16) return in % 16 == 0;
  return type == DType::Q4_K || type == DType::Q5_0 || type == DType::Q6_K || type == DType::Q8_0;
}

namespace {

// row . x over `in` elements (a multiple of 8, as every supported row is) in eight interleaved
// partial sums: independent lanes that the compiler turns into vector code without reordering
// any sum (a single running sum must stay scalar, in order).
float dot8(const float* row, const float* x, int64_t in) {
  float acc[8] = {};
  for (int64_t i = 0; i < in; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += row[i + j] * x[i + j];
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// The fallback: each row of w widened into `row` (in floats), rounded to bf16 under round_bf16,
// then dotted with each row of x.
void dot_rows_scalar(DType type, const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in,
                     const float* x, int64_t T, float* y, int64_t ldy, bool round_bf16) {
  std::vector<float> row(static_cast<size_t>(in));
  for (int64_t r = 0; r < rows; ++r) {
    to_f32(type, w + r * row_bytes, row.data(), size_t(in));
    if (round_bf16)
      for (float& v : row) v = bf16_to_f32(f32_to_bf16(v));
    for (int64_t t = 0; t < T; ++t) y[t * ldy + r] = dot8(row.data(), x + t * in, in);
  }
}

// Rows of W per task: enough work per task to amortise it, few enough to balance two threads on
// the smallest matrices (256 rows).
constexpr int64_t kRowsPerTask = 32;

}  // namespace

void quant_matvec(const float* x, int64_t T, const Tensor& weight, float* y, Isa isa,
                  bool round_bf16) {
  const MatvecPart part{&weight, y};
  quant_matvec(x, T, std::span(&part, 1), isa, round_bf16);
}

void quant_matvec(const float* x, int64_t T, std::span<const MatvecPart> parts, Isa isa,
                  bool round_bf16) {
  // The tasks of all parts in one numbering: part p owns tasks [first_task[p], first_task[p + 1]).
  std::vector<int64_t> first_task{0};
  int64_t work = 0;
  for (const MatvecPart& part : parts) {
    const Tensor& w = *part.weight;
    if (w.rank() != 2 || !quant_matvec_supports(w.dtype(), w.dim(1)))
      throw std::logic_error("quant_matvec: no kernel for this weight's type or rank");
    first_task.push_back(first_task.back() + (w.dim(0) + kRowsPerTask - 1) / kRowsPerTask);
    work += T * w.numel();
  }
  std::vector<float> x_rounded;
  if (round_bf16) {
    x_rounded.resize(size_t(T * parts[0].weight->dim(1)));
    for (size_t i = 0; i < x_rounded.size(); ++i) x_rounded[i] = bf16_to_f32(f32_to_bf16(x[i]));
    x = x_rounded.data();
  }
#pragma omp parallel for schedule(static) if (work >= kMinParallelWork)
  for (int64_t task = 0; task < first_task.back(); ++task) {
    size_t p = 0;
    while (task >= first_task[p + 1]) ++p;
    const Tensor& w = *parts[p].weight;
    const DType type = w.dtype();
    const int64_t out = w.dim(0), in = w.dim(1);
    const auto row_bytes = int64_t(dtype_row_bytes(type, in));
    const int64_t first = (task - first_task[p]) * kRowsPerTask;
    const int64_t rows = std::min(kRowsPerTask, out - first);
    const uint8_t* wt = static_cast<const uint8_t*>(w.raw()) + first * row_bytes;
    float* y = parts[p].y + first;
    if (isa == Isa::Avx512)
      quant_dot_rows_avx512(type, wt, row_bytes, rows, in, x, T, y, out, round_bf16);
    else if (isa == Isa::Avx2)
      quant_dot_rows_avx2(type, wt, row_bytes, rows, in, x, T, y, out, round_bf16);
    else
      dot_rows_scalar(type, wt, row_bytes, rows, in, x, T, y, out, round_bf16);
  }
}

}  // namespace massact
