// A GGUF model keeps its quantized tensors as block-typed views of the mapped file and widens
// each matrix just before it multiplies by it (kernels/linear.h). That must compute exactly the
// model whose weights were all widened to f32 up front: same logits, and memory that is the file's.
#include <gtest/gtest.h>

#include <ostream>

#include "io/gguf_source.h"
#include "kernels/packed_linear.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

// Another source's tensors, every one widened to an owned f32 copy.
class WidenedSource : public TensorSource {
 public:
  explicit WidenedSource(std::shared_ptr<const TensorSource> inner) : inner_(std::move(inner)) {}
  bool has(const std::string& name) const override { return inner_->has(name); }
  Tensor get(const std::string& name) const override { return inner_->get(name).to_f32(); }
  std::vector<std::string> names() const override { return inner_->names(); }
  Shape shape(const std::string& name) const override { return inner_->shape(name); }
  std::string stored_type(const std::string& name) const override { return "F32"; }

 private:
  std::shared_ptr<const TensorSource> inner_;
};

struct Case {
  std::string gguf;  // under tests/fixtures/gguf/
  DType type;        // what its matrices are stored as
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.gguf;
}

// Bit-equal only through the same GEMM: under MASSACT_PREFILL_GEMM=packed the quantized weights
// would go through oneDNN's matmul and the f32 ones through SGEMM, two summation orders
// (tests/kernels/packed_linear_test.cpp bounds that path).
class QuantizedWeights : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override { set_prefill_gemm(PrefillGemm::Widened); }
  void TearDown() override { set_prefill_gemm(default_prefill_gemm()); }
};

TEST_P(QuantizedWeights, StayInTheirBlockTypeAndComputeTheWidenedModel) {
  const std::string path = testing::fixture_dir("gguf") + "/" + GetParam().gguf;
  const Model quantized = Model::load(path);
  const Tensor& q = quantized.weights().blocks[0].q;
  EXPECT_EQ(q.dtype(), GetParam().type);  // not widened at load...
  const Tensor& up = quantized.weights().blocks[0].up;
  const auto* mapped = quantized.source()->get("blk.0.ffn_up.weight").raw();
  EXPECT_EQ(up.raw(), mapped);  // ...and a view of the file, not a copy

  const Model widened(path, quantized.spec(), std::make_shared<WidenedSource>(quantized.source()));
  const TokenIds ids = {1, 15, 27, 3, 99, 42, 7, 64, 2, 11};
  Hooks none;
  const Tensor a = quantized.forward(ids, none, LogitRows::All);
  const Tensor b = widened.forward(ids, none, LogitRows::All);
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.f32()[i], b.f32()[i]) << "logit " << i;
}

INSTANTIATE_TEST_SUITE_P(Gguf, QuantizedWeights,
                         ::testing::Values(Case{"llama.q8_0.gguf", DType::Q8_0},
                                           Case{"gemma3_wide.q4_k.gguf", DType::Q4_K}));

}  // namespace
}  // namespace massact
