#include "model/block.h"

#include <algorithm>

namespace massact {

namespace {

using enum Buf;

// x += attn(norm1(x)); x += mlp(norm2(x))   (LLaMA, GPT-2, OPT, Mistral, Qwen, ViT, CLIP, ...)
// With LayerScale (DINOv2): x += ls1 * attn(norm1(x)); x += ls2 * mlp(norm2(x)), the scaled
// outputs being the sublayers' hook_attn_out and hook_mlp_out, as what they add to the stream.
void pre_norm(BlockSteps& s, bool layer_scale) {
  s.norm(BlockNorm::Attn, Stream, Normed);
  s.attention(Normed, AttnOut);
  if (layer_scale) s.scale(BlockScale::Attn, AttnOut);
  s.fire(HookPoint::AttnOut, AttnOut);
  s.add(Stream, AttnOut);
  s.fire(HookPoint::ResidMid, Stream);
  s.norm(BlockNorm::Mlp, Stream, Normed);
  s.mlp(Normed, MlpOut);
  if (layer_scale) s.scale(BlockScale::Mlp, MlpOut);
  s.fire(HookPoint::MlpOut, MlpOut);
  s.add(Stream, MlpOut);
}

// x = norm1(x + attn(x)); x = norm2(x + mlp(x))   (OPT-350m; resid_mid and resid_post are normed)
void post_norm(BlockSteps& s) {
  s.attention(Stream, AttnOut);
  s.fire(HookPoint::AttnOut, AttnOut);
  s.add(Stream, AttnOut);
  s.norm(BlockNorm::Attn, Stream, Stream);
  s.fire(HookPoint::ResidMid, Stream);
  s.mlp(Stream, MlpOut);
  s.fire(HookPoint::MlpOut, MlpOut);
  s.add(Stream, MlpOut);
  s.norm(BlockNorm::Mlp, Stream, Stream);
}

// x += post1(attn(norm1(x))); x += post2(mlp(norm2(x)))   (Gemma-2, Gemma-3)
void sandwich(BlockSteps& s) {
  s.norm(BlockNorm::Attn, Stream, Normed);
  s.attention(Normed, AttnOut);
  s.norm(BlockNorm::PostAttn, AttnOut, AttnOut);
  s.fire(HookPoint::AttnOut, AttnOut);
  s.add(Stream, AttnOut);
  s.fire(HookPoint::ResidMid, Stream);
  s.norm(BlockNorm::Mlp, Stream, Normed);
  s.mlp(Normed, MlpOut);
  s.norm(BlockNorm::PostMlp, MlpOut, MlpOut);
  s.fire(HookPoint::MlpOut, MlpOut);
  s.add(Stream, MlpOut);
}

// x += post1(attn(x)); x += post2(mlp(x))   (OLMo-2: norms on the sublayers' outputs only)
void output_norm(BlockSteps& s) {
  s.attention(Stream, AttnOut);
  s.norm(BlockNorm::PostAttn, AttnOut, AttnOut);
  s.fire(HookPoint::AttnOut, AttnOut);
  s.add(Stream, AttnOut);
  s.fire(HookPoint::ResidMid, Stream);
  s.mlp(Stream, MlpOut);
  s.norm(BlockNorm::PostMlp, MlpOut, MlpOut);
  s.fire(HookPoint::MlpOut, MlpOut);
  s.add(Stream, MlpOut);
}

// h = norm1(x); x += attn(h) + mlp(h)   (Phi, Falcon-7B); no resid_mid. The two outputs are summed
// before the add, as transformers does.
void parallel_one_norm(BlockSteps& s) {
  s.norm(BlockNorm::Attn, Stream, Normed);
  s.attention(Normed, AttnOut);
  s.fire(HookPoint::AttnOut, AttnOut);
  s.mlp(Normed, MlpOut);
  s.fire(HookPoint::MlpOut, MlpOut);
  s.add(MlpOut, AttnOut);
  s.add(Stream, MlpOut);
}

// x += attn(norm1(x)) + mlp(norm2(x))   (Pythia, Falcon-40B); no resid_mid.
void parallel_two_norms(BlockSteps& s) {
  s.norm(BlockNorm::Attn, Stream, Normed);
  s.attention(Normed, AttnOut);
  s.fire(HookPoint::AttnOut, AttnOut);
  s.norm(BlockNorm::Mlp, Stream, Normed);
  s.mlp(Normed, MlpOut);
  s.fire(HookPoint::MlpOut, MlpOut);
  s.add(MlpOut, AttnOut);
  s.add(Stream, MlpOut);
}

// Records what a recipe does instead of doing it.
class Recorder : public BlockSteps {
 public:
  explicit Recorder(const ModelSpec& spec) : spec_(spec) {}
  void norm(BlockNorm which, Buf, Buf) override {
    if (std::find(plan.norms.begin(), plan.norms.end(), which) == plan.norms.end())
      plan.norms.push_back(which);
  }
  void scale(BlockScale which, Buf) override { plan.scales.push_back(which); }
  void attention(Buf, Buf) override { append(attention_points(spec_)); }
  void mlp(Buf, Buf) override { append(mlp_points(spec_)); }
  void add(Buf, Buf) override {}
  void fire(HookPoint point, Buf) override { plan.points.push_back(point); }

  BlockPlan plan;

 private:
  void append(const std::vector<HookPoint>& points) {
    plan.points.insert(plan.points.end(), points.begin(), points.end());
  }
  const ModelSpec& spec_;
};

}  // namespace

void run_block(BlockLayout layout, BlockSteps& steps) {
  steps.fire(HookPoint::ResidPre, Stream);
  switch (layout) {
    case BlockLayout::PreNorm:
      pre_norm(steps, false);
      break;
    case BlockLayout::PreNormLayerScale:
      pre_norm(steps, true);
      break;
    case BlockLayout::PostNorm:
      post_norm(steps);
      break;
    case BlockLayout::Sandwich:
      sandwich(steps);
      break;
    case BlockLayout::OutputNorm:
      output_norm(steps);
      break;
    case BlockLayout::ParallelOneNorm:
      parallel_one_norm(steps);
      break;
    case BlockLayout::ParallelTwoNorms:
      parallel_two_norms(steps);
      break;
  }
  steps.fire(HookPoint::ResidPost, Stream);
}

BlockPlan plan_block(const ModelSpec& spec) {
  Recorder recorder(spec);
  run_block(spec.layout, recorder);
  return recorder.plan;
}

std::vector<HookPoint> attention_points(const ModelSpec& spec) {
  std::vector<HookPoint> points = {HookPoint::Q, HookPoint::K, HookPoint::V};
  if (spec.positions == Positions::Rope)
    points.insert(points.end(), {HookPoint::RotQ, HookPoint::RotK});
  points.insert(points.end(), {HookPoint::AttnScores, HookPoint::Pattern, HookPoint::Z});
  return points;
}

std::vector<HookPoint> mlp_points(const ModelSpec& spec) {
  if (spec.n_experts > 0) return {HookPoint::RouterLogits, HookPoint::ExpertChoice};
  return {HookPoint::MlpPost};
}

const std::string& norm_name(const TensorNames& names, BlockNorm which) {
  switch (which) {
    case BlockNorm::Attn:
      return names.attn_norm;
    case BlockNorm::Mlp:
      return names.mlp_norm;
    case BlockNorm::PostAttn:
      return names.post_attn_norm;
    default:
      return names.post_mlp_norm;
  }
}

const std::string& scale_name(const TensorNames& names, BlockScale which) {
  return which == BlockScale::Attn ? names.attn_layer_scale : names.mlp_layer_scale;
}

}  // namespace massact
