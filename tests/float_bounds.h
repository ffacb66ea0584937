// How far two float32 evaluations of the same product may lie apart when a BLAS chooses the
// summation order (it does so by CPU, kernel, thread count and matrix shape). Tests compare two
// paths through the arithmetic with these bounds instead of a number one CPU printed.
//
// A dot product of k terms, summed in any order, with or without fused multiply-adds, is within
// gamma(k) * sum_i |a_i b_i| of the exact value (Higham, "Accuracy and Stability of Numerical
// Algorithms", 2nd ed., section 3.1), with gamma(k) = k u / (1 - k u) and u = 2^-24 the unit
// roundoff of float32. Two evaluations therefore differ by at most twice that.
#pragma once

#include <cmath>
#include <cstdint>

namespace massact::testing {

constexpr double kUnitRoundoffF32 = 0x1p-24;

inline double gamma_f32(int64_t k) {
  const double ku = double(k) * kUnitRoundoffF32;
  return ku / (1.0 - ku);
}

// |a.b computed one way - a.b computed another way| for k terms whose |a_i b_i| sum to abs_sum.
// One more term covers a bias added after the sum.
inline double dot_disagreement(int64_t k, double abs_sum) {
  return 2.0 * gamma_f32(k + 1) * abs_sum;
}

}  // namespace massact::testing
