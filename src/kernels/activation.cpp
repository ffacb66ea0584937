#include "kernels/activation.h"

#include <cmath>
#include <numbers>

#include "kernels/threads.h"

namespace massact {

namespace {

float silu(float x) {
  return x / (1.0f + std::exp(-x));
}
float gelu_exact(float x) {
  return 0.5f * x * (1.0f + std::erf(x * float(std::numbers::sqrt2 / 2)));
}
// 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3), written as x sigmoid(2u): the same
// function, with one exp instead of tanh (whose libm version costs about twice as much).
float gelu_tanh(float x) {
  const float two_k = float(2.0 * std::sqrt(2.0 / std::numbers::pi));
  return x / (1.0f + std::exp(-two_k * (x + 0.044715f * x * x * x)));
}
float relu(float x) {
  return x > 0.0f ? x : 0.0f;
}
// transformers' QuickGELUActivation: x * sigmoid(1.702 x).
float quick_gelu(float x) {
  return x / (1.0f + std::exp(-1.702f * x));
}

template <float (*F)(float)>
void apply(float* x, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) x[i] = F(x[i]);
}

}  // namespace

void activate(Activation act, float* x, int64_t n) {
  switch (act) {
    case Activation::SiLU:
      return apply<silu>(x, n);
    case Activation::GeluExact:
      return apply<gelu_exact>(x, n);
    case Activation::GeluTanh:
      return apply<gelu_tanh>(x, n);
    case Activation::ReLU:
      return apply<relu>(x, n);
    case Activation::QuickGelu:
      return apply<quick_gelu>(x, n);
  }
}

void multiply_into(float* x, const float* y, int64_t n) {
#pragma omp parallel for schedule(static) if (n >= kMinParallelWork)
  for (int64_t i = 0; i < n; ++i) x[i] *= y[i];
}

}  // namespace massact
