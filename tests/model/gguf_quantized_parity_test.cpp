// Q4_K GGUF checkpoints against the safetensors fixtures of their unquantized weights
// (tests/reference/make_q4k_fixtures.py: tiny random llama, qwen2 and gemma3, d_model 256, 4 heads
// of 64, d_ff 256, 2 layers, bf16; converted by llama.cpp's converter, then every matrix stored as
// Q4_K by tests/reference/quantize_q4_k.py, norms and biases kept F32). Both sides go through
// Model::load and run the same prompt; the test compares what massact computes from each.
//
// Metric: relative RMS error ||got - want|| / ||want|| over each hooked tensor. 4-bit codes
// perturb every weight by a random ~7% of the weights' scale, so every activation moves a little
// and the largest single deviation is a tail statistic of thousands of entries; the RMS is what
// propagates predictably (independent errors add in quadrature) and is the quantizer's own
// per-weight measure, so the two can be related.
//
// Bound, from measured quantities:
//  - per weight: quantize_q4_k.py gives eps = 0.0702..0.0712 relative RMS error on every tensor
//    of these models (listed in each fixture's reference.json), what 4.5 bits per Gaussian weight
//    give (a plain min/max grid with exact scales: 0.078).
//  - through the model: an error E of relative size eps, independent of W and x, moves W x by
//    eps relatively, and independent errors add in quadrature, so a tensor computed through k
//    quantized matrices is off by about eps * sqrt(k). k counts the matrices upstream: the
//    embedding, 7 per layer (q, k, v, o, gate, up, down), q and k of the layer for its pattern,
//    and the output matrix (the embedding again when tied) for the logits.
//  - measured (llama qwen2 gemma3), then measured / (eps * sqrt(k)) with eps = 0.0712:
//      resid_post.0 (k 8)  0.194 0.198 0.175  -> 0.96 0.98 0.87
//      resid_post.1 (k 15) 0.255 0.238 0.223  -> 0.92 0.86 0.81
//      pattern.0 (k 3)     0.066 0.069 0.104  -> 0.54 0.56 0.84   (softmax damps)
//      pattern.1 (k 10)    0.106 0.117 0.174  -> 0.47 0.52 0.77
//      ln_final (k 15)     0.260 0.242 0.223  -> 0.94 0.88 0.81
//      logits (k 16)       0.263 0.242 0.219  -> 0.92 0.85 0.77
//    so eps * sqrt(k) predicts the error and is never exceeded (0.98 of it at most).
//  - bound: 1.5 * eps * sqrt(k) per tensor, with eps = 0.0712 (the largest tensor's). The 1.5 is
//    room for what the model leaves out (gating, softmax and norms are not linear; a tied
//    embedding's error enters twice, correlated); honest rounding uses at most 0.65 of it.
// Discriminating: the same files with the layout misread (the second test builds them) give
//  - codes with their nibbles swapped (sub-block 2g read from 2g+1's codes): 0.69-2.98 relative
//    RMS error, 2.0-9.9 times the bound;
//  - the 8 sub-block scale/min pairs rotated by one: 0.63-2.35, 1.9-7.8 times the bound
// (weight errors 148% and 57% on a Gaussian matrix, quantize_q4_k.py's self-check).
// Every tensor of every such file fails its bound, while honest rounding passes all of them. Bugs
// of much smaller effect (an f16 rounding, an off-by-one ulp) are below any 4-bit bound; the
// bit-exact dequantization tests (tests/core/quantized_test.cpp) are the ones that catch those.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <stdexcept>

#include "io/gguf.h"
#include "io/gguf_source.h"
#include "io/json_file.h"
#include "model/model.h"
#include "test_paths.h"

namespace massact {
namespace {

// Relative RMS error of the largest Q4_K tensor of the three fixtures (reference.json).
constexpr double kWeightError = 0.0712;

struct Case {
  std::string gguf;     // under tests/fixtures/gguf/
  std::string fixture;  // the bf16 Hugging Face fixture of the unquantized weights
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.gguf;
}

// Hooked tensors by reference name: resid_post.i, pattern.i, ln_final, logits.
using Outputs = std::map<std::string, Tensor>;

Outputs run(const std::string& path, const TokenIds& ids) {
  Model model = Model::load(path);
  Outputs out;
  Hooks hooks;
  auto keep = [&out](const std::string& key) {
    return [&out, key](const HookEvent& e, const Tensor& t) {
      out[key + "." + std::to_string(e.layer)] = t.to_f32();
    };
  };
  hooks.observe("blocks.*.hook_resid_post", keep("resid_post"));
  hooks.observe("blocks.*.attn.hook_pattern", keep("pattern"));
  hooks.observe("ln_final.hook_normalized",
                [&out](const HookEvent&, const Tensor& t) { out["ln_final"] = t.to_f32(); });
  out["logits"] = model.forward(ids, hooks, LogitRows::All).to_f32();
  return out;
}

double relative_rms(const Tensor& got, const Tensor& want) {
  EXPECT_EQ(got.shape(), want.shape());
  if (got.shape() != want.shape()) return INFINITY;
  double err = 0.0, ref = 0.0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double d = double(got.f32()[i]) - double(want.f32()[i]);
    err += d * d;
    ref += double(want.f32()[i]) * double(want.f32()[i]);
  }
  return std::sqrt(err / ref);
}

std::map<std::string, double> errors(const Outputs& got, const Outputs& want) {
  EXPECT_EQ(got.size(), want.size());
  std::map<std::string, double> out;
  for (const auto& [key, tensor] : want) out[key] = relative_rms(got.at(key), tensor);
  return out;
}

// How many quantized matrices lie upstream of a hooked tensor (see the comment at the top).
int matrices_upstream(const std::string& key, int n_layers) {
  const auto layer = [&key] { return std::stoi(key.substr(key.find('.') + 1)); };
  if (key.rfind("resid_post.", 0) == 0) return 1 + 7 * (layer() + 1);
  if (key.rfind("pattern.", 0) == 0) return 1 + 7 * layer() + 2;
  if (key == "ln_final") return 1 + 7 * n_layers;
  if (key == "logits") return 2 + 7 * n_layers;
  ADD_FAILURE() << "no bound for " << key;
  return 0;
}

double bound(const std::string& key, int n_layers) {
  return 1.5 * kWeightError * std::sqrt(double(matrices_upstream(key, n_layers)));
}

int layers(const Outputs& outputs) {
  int n = 0;
  while (outputs.count("resid_post." + std::to_string(n))) ++n;
  return n;
}

TokenIds prompt_ids(const std::string& fixture) {
  const json reference = read_json_file(fixture + "/reference.json");
  return reference.at("input_ids").get<TokenIds>();
}

// Q4_K's six-bit scale and min of sub-block j (0..7) in the 12 bytes s at offset 4 of a block.
void get_scale_min(const uint8_t* s, int j, uint8_t& sc, uint8_t& mn) {
  if (j < 4) {
    sc = s[j] & 63;
    mn = s[j + 4] & 63;
  } else {
    sc = uint8_t((s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4));
    mn = uint8_t((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

void set_scale_min(uint8_t* s, int j, uint8_t sc, uint8_t mn) {
  if (j < 4) {
    s[j] = uint8_t((s[j] & 0xC0) | sc);
    s[j + 4] = uint8_t((s[j + 4] & 0xC0) | mn);
  } else {
    s[j + 4] = uint8_t((sc & 0x0F) | ((mn & 0x0F) << 4));
    s[j - 4] = uint8_t((s[j - 4] & 0x3F) | ((sc >> 4) << 6));
    s[j] = uint8_t((s[j] & 0x3F) | ((mn >> 4) << 6));
  }
}

// A layout bug as a reader could make it: the 4-bit codes of sub-blocks 2g and 2g+1 exchanged.
void swap_nibbles(uint8_t* block) {
  for (int i = 16; i < 144; ++i) block[i] = uint8_t((block[i] << 4) | (block[i] >> 4));
}

// Another: sub-block j scaled with sub-block j+1's scale and min.
void rotate_scales(uint8_t* block) {
  uint8_t sc[8], mn[8];
  for (int j = 0; j < 8; ++j) get_scale_min(block + 4, j, sc[j], mn[j]);
  for (int j = 0; j < 8; ++j) set_scale_min(block + 4, j, sc[(j + 1) % 8], mn[(j + 1) % 8]);
}

// Writes a copy of the GGUF at `path` with `corrupt` applied to every Q4_K block; returns its path.
std::string corrupted_copy(const std::string& path, const std::function<void(uint8_t*)>& corrupt,
                           const std::string& name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const GgufFile gguf = GgufFile::open(path);
  for (const GgufTensorInfo& t : gguf.tensors()) {
    if (dtype_from_ggml_id(t.ggml_type) != DType::Q4_K) continue;
    uint64_t n = 1;
    for (uint64_t d : t.dims) n *= d;
    auto* data = reinterpret_cast<uint8_t*>(bytes.data() + gguf.data_offset() + t.offset);
    for (uint64_t b = 0; b < n / 256; ++b) corrupt(data + 144 * b);
  }
  const std::string out = testing::temp_dir(name) + "/model.gguf";
  std::ofstream(out, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  return out;
}

class GgufQ4K : public ::testing::TestWithParam<Case> {
 protected:
  std::string gguf_path() const { return testing::fixture_dir("gguf") + "/" + GetParam().gguf; }
  std::string fixture() const { return testing::fixture_dir(GetParam().fixture); }
};

// The file is what the test claims: every matrix Q4_K, every vector F32.
TEST_P(GgufQ4K, EveryMatrixIsStoredAsQ4K) {
  const GgufFile gguf = GgufFile::open(gguf_path());
  int q4k = 0;
  for (const GgufTensorInfo& t : gguf.tensors()) {
    const DType want = t.dims.size() == 2 ? DType::Q4_K : DType::F32;
    EXPECT_EQ(dtype_from_ggml_id(t.ggml_type), want) << t.name;
    q4k += dtype_from_ggml_id(t.ggml_type) == DType::Q4_K;
  }
  EXPECT_GE(q4k, 15);
}

TEST_P(GgufQ4K, HiddenStatesStayWithinTheQuantizationBound) {
  const TokenIds ids = prompt_ids(fixture());
  const Outputs want = run(fixture(), ids);
  const int n_layers = layers(want);
  ASSERT_EQ(n_layers, 2);
  for (const auto& [key, err] : errors(run(gguf_path(), ids), want)) {
    EXPECT_LE(err, bound(key, n_layers)) << key;
    RecordProperty(key, std::to_string(err));
  }
}

TEST_P(GgufQ4K, AMisreadLayoutFailsTheBoundEverywhere) {
  const TokenIds ids = prompt_ids(fixture());
  const Outputs want = run(fixture(), ids);
  const int n_layers = layers(want);
  const std::map<std::string, std::function<void(uint8_t*)>> misreads = {
      {"swap_nibbles", swap_nibbles}, {"rotate_scales", rotate_scales}};
  for (const auto& [name, corrupt] : misreads) {
    const std::string path = corrupted_copy(gguf_path(), corrupt, GetParam().gguf + "." + name);
    for (const auto& [key, err] : errors(run(path, ids), want)) {
      EXPECT_GT(err, bound(key, n_layers)) << name << " " << key;
      RecordProperty(name + "." + key, std::to_string(err));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Q4K, GgufQ4K,
                         ::testing::Values(Case{"llama_wide.q4_k.gguf", "llama_wide_bf16"},
                                           Case{"qwen2_wide.q4_k.gguf", "qwen2_wide_bf16"},
                                           Case{"gemma3_wide.q4_k.gguf", "gemma3_wide_bf16"}));

}  // namespace
}  // namespace massact
