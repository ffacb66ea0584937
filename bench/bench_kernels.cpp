// The machine's large-SGEMM ceiling (what the forward pass is compared to) and the kernels' speed.
//   build/bench/bench_kernels --benchmark_filter=Sgemm
#include <benchmark/benchmark.h>

#include <algorithm>
#include <vector>

#include "core/dtype.h"
#include "core/tensor.h"
#include "kernels/gemm.h"
#include "kernels/gemm_bf16.h"
#include "kernels/linear.h"
#include "kernels/packed_linear.h"
#include "kernels/quant_matvec.h"

namespace {

// Square n x n products through each backend (argument 1: 0 oneDNN, 1 OpenBLAS).
void BM_Sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const auto backend =
      state.range(1) == 0 ? massact::GemmBackend::OneDnn : massact::GemmBackend::OpenBlas;
  state.SetLabel(massact::gemm_backend_name(backend));
  massact::set_gemm_backend(backend);
  std::vector<float> a(size_t(n * n), 0.5f), b(size_t(n * n), 0.25f), c(size_t(n * n));
  for (auto _ : state)
    massact::sgemm(massact::Op::None, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
  massact::set_gemm_backend(massact::GemmBackend::OneDnn);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * double(n * n * n), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::OneK::kIs1000);
}
BENCHMARK(BM_Sgemm)->ArgsProduct({{512, 1024, 2048}, {0, 1}})->Unit(benchmark::kMillisecond);

// A weight (out, in) of some dtype times 512 tokens: widening plus GEMM, as the forward pass runs
// it. F32 is the GEMM alone; the others show what widening a panel before each GEMM costs.
template <massact::DType kType>
void BM_Linear(benchmark::State& state) {
  const int64_t T = 512, in = state.range(0), out = state.range(1);
  massact::Tensor w = massact::Tensor::zeros(kType, {out, in});
  std::vector<float> x(size_t(T * in), 0.1f), y(size_t(T * out));
  massact::WeightScratch scratch;
  for (auto _ : state) massact::linear(x.data(), T, w, massact::Tensor(), y.data(), scratch);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * T * in * out, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::OneK::kIs1000);
}
// The matrices of LLaMA-100M (bench/make_bench_model.py): MLP up and down, and lm_head.
void linear_shapes(benchmark::internal::Benchmark* b) {
  b->Args({768, 2048})->Args({2048, 768})->Args({768, 32000})->Unit(benchmark::kMillisecond);
}
BENCHMARK_TEMPLATE(BM_Linear, massact::DType::F32)->Apply(linear_shapes);
BENCHMARK_TEMPLATE(BM_Linear, massact::DType::BF16)->Apply(linear_shapes);
BENCHMARK_TEMPLATE(BM_Linear, massact::DType::Q8_0)->Apply(linear_shapes);
BENCHMARK_TEMPLATE(BM_Linear, massact::DType::Q4_K)->Apply(linear_shapes);

// The same under --compute bf16: x and the weights rounded to bf16, the bf16 GEMM
// (kernels/gemm_bf16.h; the label names the kernel).
template <massact::DType kType>
void BM_LinearBf16(benchmark::State& state) {
  massact::set_compute(massact::Compute::Bf16);
  state.SetLabel(massact::bf16_kernel_name(massact::best_bf16_kernel()));
  BM_Linear<kType>(state);
  massact::set_compute(massact::Compute::F32);
}
BENCHMARK_TEMPLATE(BM_LinearBf16, massact::DType::BF16)->Apply(linear_shapes);
BENCHMARK_TEMPLATE(BM_LinearBf16, massact::DType::Q4_K)->Apply(linear_shapes);

// Whether one GEMM over weights stacked one under another (q; k; v, or gate; up) beats one GEMM
// each, for T rows of x, f32 weights: argument 0 the parts' widths, as q/k/v of LLaMA-100M
// (768 -> 768 x 3) or Gemma 3 270M (640 -> 1024, 256, 256), or gate/up of Gemma 3 (640 -> 2048 x
// 2); argument 1: 0 one GEMM per part, 1 the stacked GEMM and its (T, sum out) product split into
// each part's y (what the forward would need), 2 the stacked GEMM alone.
void BM_StackedGemm(benchmark::State& state) {
  static const std::vector<std::vector<int64_t>> groups = {
      {768, 768, 768}, {1024, 256, 256}, {2048, 2048}};
  const std::vector<int64_t>& outs = groups[size_t(state.range(0))];
  const int64_t T = state.range(2), in = outs.size() == 3 && outs[0] == 768 ? 768 : 640;
  int64_t rows = 0;
  for (int64_t out : outs) rows += out;
  std::vector<float> x(size_t(T * in), 0.1f), w(size_t(rows * in), 0.01f),
      product(size_t(T * rows));
  std::vector<std::vector<float>> y;
  for (int64_t out : outs) y.emplace_back(size_t(T * out));
  const char* labels[] = {"one GEMM per part", "stacked GEMM + split", "stacked GEMM alone"};
  state.SetLabel(labels[state.range(1)]);
  for (auto _ : state) {
    if (state.range(1) == 0) {
      const float* part = w.data();
      for (size_t p = 0; p < outs.size(); ++p, part += outs[p - 1] * in)
        massact::sgemm(massact::Op::Transpose, T, outs[p], in, 1.0f, x.data(), in, part, in, 0.0f,
                       y[p].data(), outs[p]);
      continue;
    }
    massact::sgemm(massact::Op::Transpose, T, rows, in, 1.0f, x.data(), in, w.data(), in, 0.0f,
                   product.data(), rows);
    if (state.range(1) == 2) continue;
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < T; ++t) {
      const float* from = product.data() + t * rows;
      for (size_t p = 0; p < outs.size(); ++p, from += outs[p - 1])
        std::copy(from, from + outs[p], y[p].data() + t * outs[p]);
    }
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * double(T * rows * in), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::OneK::kIs1000);
}
BENCHMARK(BM_StackedGemm)
    ->ArgsProduct({{0, 1, 2}, {0, 1, 2}, {512, 2048}})
    ->Unit(benchmark::kMillisecond);

// linear()'s two GEMM paths for a non-f32 weight (kernels/packed_linear.h), argument 3: 0 widened
// rows + sgemm, 1 widened straight into oneDNN's packed layout + matmul; T rows of x, in -> out.
// Compare them interleaved: --benchmark_enable_random_interleaving=true
// --benchmark_repetitions=3.
template <massact::DType kType>
void BM_PrefillGemm(benchmark::State& state) {
  const int64_t T = state.range(0), in = state.range(1), out = state.range(2);
  if (in % massact::dtype_block_size(kType) != 0)
    return state.SkipWithError("rows not a whole number of blocks (Gemma's GGUF stores them Q5_0)");
  const auto gemm =
      state.range(3) == 0 ? massact::PrefillGemm::Widened : massact::PrefillGemm::Packed;
  state.SetLabel(massact::prefill_gemm_name(gemm));
  massact::set_prefill_gemm(gemm);
  const massact::Tensor w = massact::Tensor::zeros(kType, {out, in});
  std::vector<float> x(size_t(T * in), 0.1f), y(size_t(T * out));
  massact::WeightScratch scratch;
  for (auto _ : state) massact::linear(x.data(), T, w, massact::Tensor(), y.data(), scratch);
  massact::set_prefill_gemm(massact::default_prefill_gemm());
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * double(T * in * out), benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::OneK::kIs1000);
}
// LLaMA-100M's (bench/make_bench_model.py) and Gemma 3 270M's matrices, prefills of 512 and 2048.
void prefill_shapes(benchmark::internal::Benchmark* b) {
  const int64_t shapes[][2] = {{768, 768}, {768, 2048}, {2048, 768}, {768, 32000}, {640, 1024},
                               {640, 256}, {640, 2048}, {2048, 640}, {640, 262144}};
  for (int64_t T : {512, 2048})
    for (const auto& [in, out] : shapes)
      for (int64_t path : {0, 1}) b->Args({T, in, out, path});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK_TEMPLATE(BM_PrefillGemm, massact::DType::BF16)->Apply(prefill_shapes);
BENCHMARK_TEMPLATE(BM_PrefillGemm, massact::DType::Q8_0)->Apply(prefill_shapes);
BENCHMARK_TEMPLATE(BM_PrefillGemm, massact::DType::Q4_K)->Apply(prefill_shapes);
BENCHMARK_TEMPLATE(BM_PrefillGemm, massact::DType::Q5_0)->Apply(prefill_shapes);

// A few rows of x (decode's one token, small batches) times Gemma 3 270M's MLP up weight (640 ->
// 2048, Q5_0 as in the Q4_K_M file, zero bytes: the speed does not depend on the values) two ways:
// argument 1 = 0 the matrix-vector kernels (kernels/quant_matvec.h), 1 widening the whole weight +
// one GEMM. Where they cross sets kMatvecMaxRows.
void BM_SmallBatch(benchmark::State& state) {
  const int64_t T = state.range(0), in = 640, out = 2048;
  const massact::Tensor w = massact::Tensor::zeros(massact::DType::Q5_0, {out, in});
  std::vector<float> x(size_t(T * in), 0.1f), y(size_t(T * out));
  massact::WeightScratch scratch;
  const bool matvec = state.range(1) == 0;
  state.SetLabel(matvec ? "matvec " + massact::isa_name(massact::kernel_isa()) : "widen+gemm");
  for (auto _ : state) {
    if (matvec) {
      massact::quant_matvec(x.data(), T, w, y.data());
    } else {
      const float* wf = scratch.rows_f32(w, 0, out);
      massact::sgemm(massact::Op::Transpose, T, out, in, 1.0f, x.data(), in, wf, in, 0.0f, y.data(),
                     out);
    }
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * T * in * out, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::OneK::kIs1000);
}
BENCHMARK(BM_SmallBatch)
    ->ArgsProduct({{1, 2, 4, 8, 16, 32}, {0, 1}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
