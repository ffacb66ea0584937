#include "planted_vit.h"

#include <filesystem>
#include <fstream>
#include <random>

#include "io/json_file.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact::testing {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kModel = 32, kLayers = 2, kHeads = 4, kPatch = 4, kSide = 16, kRegisters = 4;
constexpr int64_t kFF = 2 * kModel;  // mlp_ratio 2
// A second dim that nothing writes, not even the register: the classifier reads kDim against it,
// so that the tokens without the planted value (normed to the same -mean / std in both dims)
// cancel exactly.
constexpr int64_t kTwin = PlantedVit::kDim + 1;
constexpr int64_t kClearDims[] = {PlantedVit::kDim, kTwin};

Tensor random_tensor(std::mt19937& rng, Shape shape, float stddev, float offset = 0.0f) {
  Tensor t = Tensor::zeros(DType::F32, std::move(shape));
  std::normal_distribution<float> normal(0.0f, stddev);
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = offset + normal(rng);
  return t;
}

// Elements [.., kDim] and [.., kTwin] of each row of `t` (rows of `width`) set to zero.
void clear_dims(Tensor& t, int64_t width) {
  for (int64_t row = 0; row < t.numel() / width; ++row)
    for (int64_t dim : kClearDims) t.f32()[row * width + dim] = 0.0f;
}

// Rows kDim and kTwin of an (out, ...) weight and of its bias set to zero: that output writes
// nothing in those dims.
void clear_output(Tensor& weight, Tensor& bias) {
  const int64_t width = weight.numel() / weight.dim(0);
  for (int64_t dim : kClearDims) {
    std::fill_n(weight.f32() + dim * width, width, 0.0f);
    bias.f32()[dim] = 0.0f;
  }
}

void add_block(std::mt19937& rng, int64_t i, NamedTensors& tensors) {
  const std::string p = "encoder.layer." + std::to_string(i) + ".";
  // A linear layer; one that writes the stream (writes_stream) writes nothing in kDim.
  auto linear = [&](const std::string& name, int64_t out, int64_t in, bool writes_stream) {
    Tensor weight = random_tensor(rng, {out, in}, 0.1f), bias = random_tensor(rng, {out}, 0.1f);
    if (writes_stream) clear_output(weight, bias);
    tensors.emplace_back(p + name + ".weight", weight);
    tensors.emplace_back(p + name + ".bias", bias);
  };
  auto norm = [&](const std::string& name) {
    tensors.emplace_back(p + name + ".weight", random_tensor(rng, {kModel}, 0.1f, 1.0f));
    tensors.emplace_back(p + name + ".bias", random_tensor(rng, {kModel}, 0.1f));
  };
  norm("norm1");
  for (const char* name : {"query", "key", "value"})
    linear(std::string("attention.attention.") + name, kModel, kModel, false);
  linear("attention.output.dense", kModel, kModel, true);
  tensors.emplace_back(p + "layer_scale1.lambda1", random_tensor(rng, {kModel}, 0.1f, 1.0f));
  norm("norm2");
  linear("mlp.fc1", kFF, kModel, false);
  linear("mlp.fc2", kModel, kFF, true);
  tensors.emplace_back(p + "layer_scale2.lambda1", random_tensor(rng, {kModel}, 0.1f, 1.0f));
}

}  // namespace

PlantedVit write_planted_vit(const std::string& parent, bool classifier) {
  PlantedVit planted;
  planted.dir = parent + (classifier ? "/planted_vit_cls" : "/planted_vit");
  fs::create_directories(planted.dir);
  std::mt19937 rng(4321);
  NamedTensors tensors;
  const int64_t grid = (kSide / kPatch) * (kSide / kPatch);
  Tensor cls = random_tensor(rng, {1, 1, kModel}, 0.1f),
         registers = random_tensor(rng, {1, kRegisters, kModel}, 0.1f),
         positions = random_tensor(rng, {1, 1 + grid, kModel}, 0.1f),
         patch = random_tensor(rng, {kModel, 3, kPatch, kPatch}, 0.1f),
         patch_bias = random_tensor(rng, {kModel}, 0.1f);
  for (Tensor* t : {&cls, &registers, &positions}) clear_dims(*t, kModel);
  clear_output(patch, patch_bias);
  registers.f32()[PlantedVit::kRegister * kModel + PlantedVit::kDim] = PlantedVit::kValue;
  tensors.emplace_back("embeddings.cls_token", cls);
  tensors.emplace_back("embeddings.register_tokens", registers);
  tensors.emplace_back("embeddings.position_embeddings", positions);
  tensors.emplace_back("embeddings.patch_embeddings.projection.weight", patch);
  tensors.emplace_back("embeddings.patch_embeddings.projection.bias", patch_bias);
  for (int64_t i = 0; i < kLayers; ++i) add_block(rng, i, tensors);
  Tensor final_weight = random_tensor(rng, {kModel}, 0.1f, 1.0f),
         final_bias = random_tensor(rng, {kModel}, 0.1f);
  for (int64_t dim : kClearDims) {
    final_weight.f32()[dim] = 1.0f;
    final_bias.f32()[dim] = 0.0f;
  }
  tensors.emplace_back("layernorm.weight", final_weight);
  tensors.emplace_back("layernorm.bias", final_bias);
  if (classifier) {
    // logit("a") = 100 (mean of the later tokens' normed kDim - kTwin) - 14; logit("b") = 0.
    Tensor weight = Tensor::zeros(DType::F32, {2, 2 * kModel});
    Tensor bias = Tensor::zeros(DType::F32, {2});
    weight.f32()[kModel + PlantedVit::kDim] = 100.0f;
    weight.f32()[kModel + kTwin] = -100.0f;
    bias.f32()[0] = -14.0f;
    tensors.emplace_back("classifier.weight", weight);
    tensors.emplace_back("classifier.bias", bias);
  }
  write_safetensors(planted.dir + "/model.safetensors", tensors);

  json config = {{"model_type", "dinov2_with_registers"},
                 {"hidden_size", kModel},
                 {"num_hidden_layers", kLayers},
                 {"num_attention_heads", kHeads},
                 {"mlp_ratio", 2},
                 {"image_size", kSide},
                 {"patch_size", kPatch},
                 {"num_channels", 3},
                 {"num_register_tokens", kRegisters},
                 {"layer_norm_eps", 1e-6},
                 {"hidden_act", "gelu"}};
  if (classifier) config["id2label"] = {{"0", "a"}, {"1", "b"}};
  std::ofstream(planted.dir + "/config.json") << config.dump(2);
  const json processor = {{"image_processor_type", "BitImageProcessor"},
                          {"size", {{"shortest_edge", kSide}}},
                          {"crop_size", {{"height", kSide}, {"width", kSide}}},
                          {"do_center_crop", true},
                          {"resample", 3}};
  std::ofstream(planted.dir + "/preprocessor_config.json") << processor.dump(2);
  return planted;
}

std::string write_image_folder(const std::string& parent, bool all_a) {
  const std::string dir = parent + (all_a ? "/images_a" : "/images");
  const std::string images = fixture_dir("images");
  const char* files[][2] = {{"a", "rgb.png"},  {"a", "photo.jpg"},   {"a", "grey.png"},
                            {"b", "rgba.png"}, {"b", "palette.png"}, {"b", "progressive.jpg"}};
  for (auto [label, file] : files) {
    if (all_a) label = "a";
    fs::create_directories(dir + "/" + label);
    fs::copy_file(images + "/" + file, dir + "/" + label + "/" + file,
                  fs::copy_options::overwrite_existing);
  }
  return dir;
}

}  // namespace massact::testing
