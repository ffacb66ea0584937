// The exponentials of a softmax row, exp(x - m) with m the row's maximum, written so that the
// compiler turns the loop into vector code: libm's expf is one call per score, and it was the
// largest cost of attention at 2048 tokens after the GEMMs (perf: expf 9 % of the pass).
//
// exp(x) for x <= 0 is 2^n e^r, n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2] (ln 2 split
// in two, so that n ln2_hi is exact), e^r by its Taylor polynomial of degree 7 in Horner form.
// Relative error, with u = 2^-24: the truncation is below 1.41 r^8 / 8! < 0.2 u; r carries at most
// 2 u |r| < 0.7 u from its two roundings, and 1.3e-9 < 0.03 u from the split of ln 2; Horner's 14
// roundings on terms whose magnitudes sum to at most e^|r| / e^r < 2 times the result add at most
// gamma(14) * 2 < 28.1 u; the product by 2^n is exact. So kSoftmaxExpError = 29 u bounds it, for
// x >= -87. Below, the result is 0: e^-87 = 1.6e-38 is within a factor 1.4 of the smallest normal
// float, and a term that small next to the maximum's 1 is an absolute error no sum can show.
#pragma once

#include <cstdint>

namespace massact {

inline constexpr double kSoftmaxExpError = 29.0 * 0x1p-24;

// The largest of x[0..n), n >= 1.
float row_max(const float* x, int64_t n);

// out[j] = exp(x[j] - m) for j < n (out may be x): within kSoftmaxExpError of the exact value of
// exp(float(x[j] - m)) where that is at least -87, 0 below, NaN where it is NaN. Returns their
// sum, in any order.
float exp_shifted(const float* x, int64_t n, float m, float* out);

}  // namespace massact
