#include "kernels/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace massact {
namespace {

// One head of width 1 with q = k = 0, so the last query's row of scores is the ALiBi term alone.
std::vector<float> last_row_of_alibi(const ScoreRule& rule) {
  const AttentionShape shape{4, 1, 1, 1, 0};
  const std::vector<float> q(4, 0.0f), k(4, 0.0f);
  std::vector<float> scores(16);
  attention_scores(shape, rule, q.data(), k.data(), 0, 1, scores.data());
  return {scores.begin() + 12, scores.end()};
}

// 2^(-1/4), the first slope of a 32-head model, is not a bfloat16: 0.83984375 is the nearest.
const float kSlope = std::pow(2.0f, -0.25f);

TEST(AttentionScores, AlibiIsRelativeToTheQuery) {
  const std::vector<float> row = last_row_of_alibi({0.5f, {kSlope}});
  EXPECT_EQ(row, (std::vector<float>{-3 * kSlope, -2 * kSlope, -kSlope, 0.0f}));
}

// Falcon (transformers' build_alibi_tensor): bf16(bf16(slope) * j), then scaled with q.k. Key 3's
// product 2.51953125 needs 10 significant bits and rounds to bfloat16's 2.515625.
TEST(AttentionScores, FalconAlibiIsBfloat16OnKeyPositionsAndScaled) {
  ScoreRule rule{0.5f, {kSlope}};
  rule.alibi_bf16 = true;
  const std::vector<float> row = last_row_of_alibi(rule);
  EXPECT_EQ(row,
            (std::vector<float>{0.0f, 0.5f * 0.83984375f, 0.5f * 1.6796875f, 0.5f * 2.515625f}));
}

}  // namespace
}  // namespace massact
