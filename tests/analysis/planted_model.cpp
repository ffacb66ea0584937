#include "planted_model.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "io/json_file.h"
#include "io/safetensors.h"
#include "test_paths.h"

namespace massact::testing {

namespace {

namespace fs = std::filesystem;

constexpr int64_t kModel = 32, kLayers = 3, kHeads = 2, kHeadDim = 16, kFF = 16, kVocab = 256;
constexpr float kGate = 4.0f, kUp = 4.0f, kDown = 12.0f;  // the planted unit's weights
// Embedding dims: 0 is the trigger (1 on BOS and ".", else 0); 1, with the outlier feature, is 1
// on every token.
constexpr int64_t kTriggerDim = 0, kEveryTokenDim = 1;
// With the outlier feature, its value (about 4,800 on every token) dominates the RMS that
// normalizes layer 1's MLP input (about 4800 / sqrt(kModel) = 850, against about 0.2 for a layer-0
// input), so the trigger unit's weights there are that much larger to fire about as strongly.
constexpr float kLayer1Gain = 850.0f / 0.2f;

Tensor random_tensor(std::mt19937& rng, Shape shape, float stddev, float offset = 0.0f) {
  Tensor t = Tensor::zeros(DType::F32, std::move(shape));
  std::normal_distribution<float> normal(0.0f, stddev);
  for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = offset + normal(rng);
  return t;
}

float& at(Tensor& t, int64_t row, int64_t col) {
  return t.f32()[row * t.dim(1) + col];
}

// Plants MLP unit `unit`: it reads only residual dim `in` and writes only dim `out`, which hears no
// other unit; no other unit reads `in`.
void plant_unit(Tensor& gate, Tensor& up, Tensor& down, int64_t unit, int64_t in, int64_t out,
                float gain) {
  for (int64_t c = 0; c < kModel; ++c) at(gate, unit, c) = at(up, unit, c) = 0.0f;
  for (int64_t r = 0; r < kFF; ++r) at(gate, r, in) = at(up, r, in) = 0.0f;
  for (int64_t c = 0; c < kFF; ++c) at(down, out, c) = 0.0f;
  for (int64_t r = 0; r < kModel; ++r) at(down, r, unit) = 0.0f;
  at(gate, unit, in) = kGate * gain;
  at(up, unit, in) = kUp * gain;
  at(down, out, unit) = kDown;
}

// The planted unit's output at kDim for a token with embedding row e (layer 0, attention silent).
float planted_value(const float* e, const Tensor& mlp_norm) {
  float sum_sq = 0;
  for (int64_t i = 0; i < kModel; ++i) sum_sq += e[i] * e[i];
  const float h0 = e[0] / std::sqrt(sum_sq / kModel + 1e-5f) * mlp_norm.f32()[0];
  const float gate = kGate * h0, up = kUp * h0;
  return e[PlantedModel::kDim] + kDown * gate / (1 + std::exp(-gate)) * up;
}

}  // namespace

PlantedModel write_planted_model(const std::string& parent, bool outlier_feature) {
  PlantedModel planted;
  planted.dir = parent + (outlier_feature ? "/planted_outlier" : "/planted");
  planted.massive_layer = outlier_feature ? 1 : 0;
  fs::create_directories(planted.dir);
  const std::string fixture = fixture_dir("llama_f32");
  for (const char* file : {"tokenizer.model", "tokenizer_config.json"})
    fs::copy_file(fixture + "/" + file, planted.dir + "/" + file,
                  fs::copy_options::overwrite_existing);
  planted.period = load_tokenizer(planted.dir)->encode(".", false).back();

  std::mt19937 rng(1234);
  NamedTensors tensors;
  Tensor embed = random_tensor(rng, {kVocab, kModel}, 0.1f);
  for (int64_t v = 0; v < kVocab; ++v) {
    at(embed, v, kTriggerDim) = (v == planted.bos || v == planted.period) ? 1.0f : 0.0f;
    if (outlier_feature) at(embed, v, kEveryTokenDim) = 1.0f;
  }
  tensors.emplace_back("model.embed_tokens.weight", embed);
  Tensor layer0_mlp_norm;
  for (int64_t i = 0; i < kLayers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    Tensor o = random_tensor(rng, {kModel, kHeads * kHeadDim}, 0.1f);
    Tensor gate = random_tensor(rng, {kFF, kModel}, 0.1f),
           up = random_tensor(rng, {kFF, kModel}, 0.1f);
    Tensor down = random_tensor(rng, {kModel, kFF}, 0.1f);
    Tensor mlp_norm = random_tensor(rng, {kModel}, 0.05f, 1.0f);
    if (i <= planted.massive_layer) {
      // Attention adds nothing to the stream up to the trigger unit, which therefore sees only
      // its own token's embedding.
      std::fill(o.f32(), o.f32() + o.numel(), 0.0f);
    }
    if (i == planted.massive_layer)
      plant_unit(gate, up, down, 0, kTriggerDim, PlantedModel::kDim,
                 outlier_feature ? kLayer1Gain : 1.0f);
    if (outlier_feature && i == 0) {
      plant_unit(gate, up, down, 1, kEveryTokenDim, PlantedModel::kOutlierDim, 1.0f);
      // Nothing writes the trigger dim before layer 1 reads it.
      for (int64_t c = 0; c < kFF; ++c) at(down, kTriggerDim, c) = 0.0f;
    }
    if (i == 0) layer0_mlp_norm = mlp_norm;
    tensors.emplace_back(p + "input_layernorm.weight", random_tensor(rng, {kModel}, 0.05f, 1.0f));
    tensors.emplace_back(p + "self_attn.q_proj.weight",
                         random_tensor(rng, {kHeads * kHeadDim, kModel}, 0.3f));
    tensors.emplace_back(p + "self_attn.k_proj.weight",
                         random_tensor(rng, {kHeads * kHeadDim, kModel}, 0.3f));
    tensors.emplace_back(p + "self_attn.v_proj.weight",
                         random_tensor(rng, {kHeads * kHeadDim, kModel}, 0.1f));
    tensors.emplace_back(p + "self_attn.o_proj.weight", o);
    tensors.emplace_back(p + "post_attention_layernorm.weight", mlp_norm);
    tensors.emplace_back(p + "mlp.gate_proj.weight", gate);
    tensors.emplace_back(p + "mlp.up_proj.weight", up);
    tensors.emplace_back(p + "mlp.down_proj.weight", down);
  }
  tensors.emplace_back("model.norm.weight", random_tensor(rng, {kModel}, 0.05f, 1.0f));
  tensors.emplace_back("lm_head.weight", random_tensor(rng, {kVocab, kModel}, 0.3f));
  write_safetensors(planted.dir + "/model.safetensors", tensors);

  json config = {{"model_type", "llama"},
                 {"hidden_size", kModel},
                 {"num_hidden_layers", kLayers},
                 {"num_attention_heads", kHeads},
                 {"num_key_value_heads", kHeads},
                 {"intermediate_size", kFF},
                 {"vocab_size", kVocab},
                 {"max_position_embeddings", 256},
                 {"rms_norm_eps", 1e-5},
                 {"bos_token_id", planted.bos},
                 {"eos_token_id", 2},
                 {"tie_word_embeddings", false}};
  std::ofstream(planted.dir + "/config.json") << config.dump(2);

  if (!outlier_feature) {
    planted.bos_value = planted_value(embed.f32() + planted.bos * kModel, layer0_mlp_norm);
    planted.period_value = planted_value(embed.f32() + planted.period * kModel, layer0_mlp_norm);
  }
  return planted;
}

std::vector<TokenIds> PlantedModel::sequences(int n) const {
  std::vector<TokenIds> out;
  for (int s = 0; s < n; ++s) {
    TokenIds ids{bos};
    for (int t = 1; t < 40; ++t)
      ids.push_back(t == 9 + s || t == 25 ? period : 10 + (t * 7 + s * 13) % 200);
    out.push_back(ids);
  }
  return out;
}

std::string PlantedModel::text_of(int32_t id) const {
  return id == period ? "." : "w" + std::to_string(id);
}

std::string write_planted_text(const std::string& dir) {
  const std::string path = dir + "/text.txt";
  std::string text;
  for (int i = 0; i < 60; ++i)
    text += "Once upon a time there was a cat. It liked to play in the sun.\n";
  std::ofstream(path) << text;
  return path;
}

}  // namespace massact::testing
