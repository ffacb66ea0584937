// LayerScale (BlockLayout::PreNormLayerScale, DINOv2): each sublayer's output is multiplied by its
// (d_model,) weights before it is hooked and added. Pinned on llama_f32's weights with LayerScales
// added: with powers of two as scales the products are exact, so the scaled model's block-0
// output must equal the plain pre-norm model's times the scale, bit for bit.
#include <gtest/gtest.h>

#include <map>

#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

// Another source's tensors plus "ls1.{i}" and "ls2.{i}" of every layer.
class WithLayerScales : public TensorSource {
 public:
  WithLayerScales(std::shared_ptr<const TensorSource> inner, std::map<std::string, Tensor> extra)
      : inner_(std::move(inner)), extra_(std::move(extra)) {}
  bool has(const std::string& name) const override {
    return extra_.count(name) > 0 || inner_->has(name);
  }
  Tensor get(const std::string& name) const override {
    auto it = extra_.find(name);
    return it != extra_.end() ? it->second : inner_->get(name);
  }
  std::vector<std::string> names() const override { return inner_->names(); }

 private:
  std::shared_ptr<const TensorSource> inner_;
  std::map<std::string, Tensor> extra_;
};

// (d,) of 0.5, 1, 2, 0.5, ...: per channel, so that a scale applied per row would show.
Tensor powers_of_two(int64_t d) {
  Tensor t = Tensor::zeros(DType::F32, {d});
  for (int64_t c = 0; c < d; ++c) t.f32()[c] = c % 3 == 0 ? 0.5f : c % 3 == 1 ? 1.0f : 2.0f;
  return t;
}

Tensor ones(int64_t d) {
  Tensor t = Tensor::zeros(DType::F32, {d});
  for (int64_t c = 0; c < d; ++c) t.f32()[c] = 1.0f;
  return t;
}

// Block 0's hook `name` (T, d_model) of `model` on a fixed prompt.
Tensor block0(const Model& model, const std::string& name) {
  Tensor out;
  Hooks hooks;
  hooks.observe("blocks.0." + name, [&](const HookEvent&, const Tensor& t) { out = t.to_f32(); });
  model.forward({1, 2, 3, 4, 5}, hooks, LogitRows::None);
  return out;
}

// The llama_f32 model with LayerScales ls1 and ls2 on every layer.
Model scaled(const Model& plain, const Tensor& ls1, const Tensor& ls2) {
  ModelSpec spec = plain.spec();
  spec.layout = BlockLayout::PreNormLayerScale;
  spec.names.attn_layer_scale = "ls1.{i}";
  spec.names.mlp_layer_scale = "ls2.{i}";
  std::map<std::string, Tensor> extra;
  for (int64_t i = 0; i < spec.n_layers; ++i) {
    extra["ls1." + std::to_string(i)] = ls1;
    extra["ls2." + std::to_string(i)] = ls2;
  }
  return Model(plain.path(), spec, std::make_shared<WithLayerScales>(plain.source(), extra));
}

void expect_scaled(const Tensor& got, const Tensor& plain, const Tensor& scale) {
  ASSERT_EQ(got.shape(), plain.shape());
  const int64_t d = scale.numel();
  for (int64_t i = 0; i < got.numel(); ++i)
    ASSERT_EQ(got.f32()[i], plain.f32()[i] * scale.f32()[i % d]) << "element " << i;
}

TEST(LayerScale, ScalesTheAttentionOutputPerChannelBeforeItsHook) {
  const Model plain = Model::load(testing::fixture_dir("llama_f32"));
  const int64_t d = plain.spec().d_model;
  const Model model = scaled(plain, powers_of_two(d), ones(d));
  expect_scaled(block0(model, "hook_attn_out"), block0(plain, "hook_attn_out"), powers_of_two(d));
}

TEST(LayerScale, ScalesTheMlpOutputPerChannelBeforeItsHook) {
  const Model plain = Model::load(testing::fixture_dir("llama_f32"));
  const int64_t d = plain.spec().d_model;
  const Model model = scaled(plain, ones(d), powers_of_two(d));
  expect_scaled(block0(model, "hook_mlp_out"), block0(plain, "hook_mlp_out"), powers_of_two(d));
  // Scales of one change nothing: the stream the MLP reads is the plain model's, bit for bit.
  const Tensor mid = block0(model, "hook_resid_mid"), plain_mid = block0(plain, "hook_resid_mid");
  for (int64_t i = 0; i < mid.numel(); ++i) ASSERT_EQ(mid.f32()[i], plain_mid.f32()[i]);
}

}  // namespace
}  // namespace massact
