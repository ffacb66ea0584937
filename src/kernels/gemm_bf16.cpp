#include "kernels/gemm_bf16.h"

#include <oneapi/dnnl/dnnl.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/gemm.h"
#include "kernels/threads.h"

namespace massact {

namespace {

void check(dnnl_status_t status, const char* what) {
  if (status != dnnl_success)
    throw std::logic_error(std::string("oneDNN ") + what + " failed with status " +
                           std::to_string(int(status)));
}

// One engine and stream, and one matmul primitive per shape: creating a primitive JITs its
// kernel, which costs far more than one product, and a forward pass repeats a handful of shapes.
class OneDnnMatmuls {
 public:
  OneDnnMatmuls() {
    check(dnnl_engine_create(&engine_, dnnl_cpu, 0), "engine");
    check(dnnl_stream_create(&stream_, engine_, dnnl_stream_default_flags), "stream");
  }

  void run(const uint16_t* A, const uint16_t* B, int64_t M, int64_t N, int64_t K, float* C,
           int64_t ldc) {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry& e = entry(M, N, K, ldc);
    dnnl_memory_t a, b, c;
    check(dnnl_memory_create(&a, &e.a, engine_, const_cast<uint16_t*>(A)), "memory");
    check(dnnl_memory_create(&b, &e.b, engine_, const_cast<uint16_t*>(B)), "memory");
    check(dnnl_memory_create(&c, &e.c, engine_, C), "memory");
    const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
    const dnnl_status_t status = dnnl_primitive_execute(e.matmul, stream_, 3, args);
    if (status == dnnl_success) check(dnnl_stream_wait(stream_), "stream wait");
    for (dnnl_memory_t m : {a, b, c}) dnnl_memory_destroy(m);
    check(status, "matmul");
  }

 private:
  struct Entry {
    dnnl_memory_desc_t a, b, c;
    dnnl_primitive_t matmul;
  };

  Entry& entry(int64_t M, int64_t N, int64_t K, int64_t ldc) {
    const auto key = std::make_tuple(M, N, K, ldc);
    const auto found = entries_.find(key);
    if (found != entries_.end()) return found->second;
    Entry e;
    const dnnl_dims_t a_dims = {M, K}, a_strides = {K, 1};
    const dnnl_dims_t b_dims = {K, N}, b_strides = {1, K};  // B^T of B stored (N, K)
    const dnnl_dims_t c_dims = {M, N}, c_strides = {ldc, 1};
    check(dnnl_memory_desc_init_by_strides(&e.a, 2, a_dims, dnnl_bf16, a_strides), "desc");
    check(dnnl_memory_desc_init_by_strides(&e.b, 2, b_dims, dnnl_bf16, b_strides), "desc");
    check(dnnl_memory_desc_init_by_strides(&e.c, 2, c_dims, dnnl_f32, c_strides), "desc");
    dnnl_matmul_desc_t desc;
    check(dnnl_matmul_desc_init(&desc, &e.a, &e.b, nullptr, &e.c), "matmul desc");
    dnnl_primitive_desc_t pd;
    check(dnnl_primitive_desc_create(&pd, &desc, nullptr, engine_, nullptr), "matmul");
    const dnnl_status_t status = dnnl_primitive_create(&e.matmul, pd);
    dnnl_primitive_desc_destroy(pd);
    check(status, "matmul primitive");
    return entries_.emplace(key, e).first->second;
  }

  dnnl_engine_t engine_;
  dnnl_stream_t stream_;
  std::map<std::tuple<int64_t, int64_t, int64_t, int64_t>, Entry> entries_;
  std::mutex mutex_;
};

// n bf16 numbers widened to f32, exactly, into out: a buffer kept from call to call, so that the
// products of a forward pass do not fault in and zero fresh pages each time.
const float* widen(const uint16_t* src, int64_t n, std::vector<float>& out) {
  out.resize(static_cast<size_t>(n));
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = bf16_to_f32(src[i]);
  return out.data();
}

}  // namespace

bool cpu_has_avx512bf16() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

namespace {
Bf16Kernel bf16_kernel_from_environment() {
  const char* env = std::getenv("MASSACT_BF16_GEMM");
  if (env == nullptr) return Bf16Kernel::Widened;
  if (env == bf16_kernel_name(Bf16Kernel::Widened)) return Bf16Kernel::Widened;
  const std::string onednn = bf16_kernel_name(Bf16Kernel::OneDnn);
  if (env == onednn && cpu_has_avx512bf16()) return Bf16Kernel::OneDnn;
  throw InputError("environment variable MASSACT_BF16_GEMM: expected " +
                   bf16_kernel_name(Bf16Kernel::Widened) +
                   (cpu_has_avx512bf16() ? " or " + onednn : "") + " on this CPU, got '" +
                   std::string(env).substr(0, 40) + "'");
}
}  // namespace

Bf16Kernel best_bf16_kernel() {
  static const Bf16Kernel kernel = bf16_kernel_from_environment();
  return kernel;
}

std::string bf16_kernel_name(Bf16Kernel kernel) {
  return kernel == Bf16Kernel::OneDnn ? "onednn-avx512bf16" : "widened-sgemm";
}

void gemm_bf16(const uint16_t* A, const uint16_t* B, int64_t M, int64_t N, int64_t K, float* C,
               int64_t ldc, Bf16Kernel kernel) {
  if (kernel == Bf16Kernel::OneDnn) {
    static OneDnnMatmuls matmuls;
    return matmuls.run(A, B, M, N, K, C, ldc);
  }
  static thread_local std::vector<float> a, b;
  sgemm(Op::Transpose, M, N, K, 1.0f, widen(A, M * K, a), K, widen(B, N * K, b), K, 0.0f, C, ldc);
}

}  // namespace massact
