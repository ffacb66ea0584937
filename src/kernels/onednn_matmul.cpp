#include "kernels/onednn_matmul.h"

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

namespace massact {

namespace {

class Matmuls {
 public:
  Matmuls() {
    check_onednn(dnnl_engine_create(&engine_, dnnl_cpu, 0), "engine");
    check_onednn(dnnl_stream_create(&stream_, engine_, dnnl_stream_default_flags), "stream");
  }

  dnnl_engine_t engine() const { return engine_; }
  dnnl_stream_t stream() const { return stream_; }

  const dnnl_memory_desc_t& weights_desc(const MatmulShape& shape) {
    std::lock_guard<std::mutex> lock(mutex_);
    return entry(shape).b;
  }

  // One product at a time: the stream is shared, and each product runs on all threads anyway.
  void run(const MatmulShape& shape, const void* A, const void* B, float* C) {
    std::lock_guard<std::mutex> lock(mutex_);
    const Entry& e = entry(shape);
    dnnl_memory_t a, b, c;
    check_onednn(dnnl_memory_create(&a, &e.a, engine_, const_cast<void*>(A)), "memory");
    check_onednn(dnnl_memory_create(&b, &e.b, engine_, const_cast<void*>(B)), "memory");
    check_onednn(dnnl_memory_create(&c, &e.c, engine_, C), "memory");
    const dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
    const dnnl_status_t status = dnnl_primitive_execute(e.matmul, stream_, 3, args);
    if (status == dnnl_success) check_onednn(dnnl_stream_wait(stream_), "stream wait");
    for (dnnl_memory_t m : {a, b, c}) dnnl_memory_destroy(m);
    check_onednn(status, "matmul");
  }

 private:
  struct Entry {
    dnnl_memory_desc_t a, b, c;  // b: the primitive's choice when the weights are packed
    dnnl_primitive_t matmul;
  };

  Entry& entry(const MatmulShape& s) {
    const auto found = entries_.find(s);
    if (found != entries_.end()) return found->second;
    const dnnl_data_type_t type = s.type == MatmulType::F32 ? dnnl_f32 : dnnl_bf16;
    Entry e;
    const dnnl_dims_t a_dims = {s.M, s.K}, a_strides = {s.K, 1};
    const dnnl_dims_t b_dims = {s.K, s.N}, b_strides = {1, s.K};  // B^T of B stored (N, K)
    const dnnl_dims_t c_dims = {s.M, s.N}, c_strides = {s.ldc, 1};
    check_onednn(dnnl_memory_desc_init_by_strides(&e.a, 2, a_dims, type, a_strides), "desc");
    if (s.weights == MatmulWeights::Rows)
      check_onednn(dnnl_memory_desc_init_by_strides(&e.b, 2, b_dims, type, b_strides), "desc");
    else
      check_onednn(dnnl_memory_desc_init_by_tag(&e.b, 2, b_dims, type, dnnl_format_tag_any),
                   "desc");
    check_onednn(dnnl_memory_desc_init_by_strides(&e.c, 2, c_dims, dnnl_f32, c_strides), "desc");
    dnnl_matmul_desc_t desc;
    check_onednn(dnnl_matmul_desc_init(&desc, &e.a, &e.b, nullptr, &e.c), "matmul desc");
    dnnl_primitive_desc_t pd;
    check_onednn(dnnl_primitive_desc_create(&pd, &desc, nullptr, engine_, nullptr), "matmul");
    e.b = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_status_t status = dnnl_primitive_create(&e.matmul, pd);
    dnnl_primitive_desc_destroy(pd);
    check_onednn(status, "matmul primitive");
    return entries_.emplace(s, e).first->second;
  }

  dnnl_engine_t engine_;
  dnnl_stream_t stream_;
  std::map<MatmulShape, Entry> entries_;  // never erased: references stay valid
  std::mutex mutex_;
};

Matmuls& matmuls() {
  static Matmuls instance;
  return instance;
}

}  // namespace

dnnl_engine_t onednn_engine() {
  return matmuls().engine();
}

dnnl_stream_t onednn_stream() {
  return matmuls().stream();
}

void check_onednn(dnnl_status_t status, const char* what) {
  if (status != dnnl_success)
    throw std::logic_error(std::string("oneDNN ") + what + " failed with status " +
                           std::to_string(int(status)));
}

const dnnl_memory_desc_t& matmul_weights_desc(const MatmulShape& shape) {
  return matmuls().weights_desc(shape);
}

BlockedLayout blocked_layout(const dnnl_memory_desc_t& desc) {
  if (desc.ndims != 2 || desc.data_type != dnnl_f32 || desc.format_kind != dnnl_blocked ||
      desc.offset0 != 0 || desc.padded_offsets[0] != 0 || desc.padded_offsets[1] != 0 ||
      desc.extra.flags != 0)
    throw std::logic_error("oneDNN weights layout is not a plain blocked f32 matrix");
  const dnnl_blocking_desc_t& blocking = desc.format_desc.blocking;
  BlockedLayout layout;
  for (int d = 0; d < 2; ++d) {
    layout.dims[d] = desc.dims[d];
    layout.strides[d] = blocking.strides[d];
  }
  for (int i = 0; i < blocking.inner_nblks; ++i)
    layout.blocks.push_back({int(blocking.inner_idxs[i]), blocking.inner_blks[i]});
  layout.size = int64_t(dnnl_memory_desc_get_size(&desc) / sizeof(float));
  return layout;
}

void onednn_matmul(const MatmulShape& shape, const void* A, const void* B, float* C) {
  matmuls().run(shape, A, B, C);
}

}  // namespace massact
