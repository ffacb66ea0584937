// quant_dot_simd.h over AVX2 vectors of 8 lanes (CMakeLists.txt compiles this file with -mavx2
// -mfma -mf16c).
// Only dtype.h and the kernels: no header whose inline functions this file could emit with its
// wider instruction set (core/quant_layout.h says why).
#include "core/dtype.h"

#if defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#include "kernels/quant_dot_simd.h"

namespace massact {
namespace {

struct Avx2 {
  using F = __m256;
  using I = __m256i;
  static constexpr int W = 8;

  static I u8(const uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  static I i8(const uint8_t* p) {
    return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  static I set1(int v) { return _mm256_set1_epi32(v); }
  static I iota(int start) {
    return _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), set1(start));
  }
  static I and_(I a, int m) { return _mm256_and_si256(a, set1(m)); }
  static I or_(I a, I b) { return _mm256_or_si256(a, b); }
  static I sub(I a, int v) { return _mm256_sub_epi32(a, set1(v)); }
  static I srl(I a, int n) { return _mm256_srl_epi32(a, _mm_cvtsi32_si128(n)); }
  static I shl(I a, int n) { return _mm256_sll_epi32(a, _mm_cvtsi32_si128(n)); }
  static I srlv(I a, I n) { return _mm256_srlv_epi32(a, n); }
  static F from_bf16(const uint8_t* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static F from_f16(const uint8_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static F round_bf16(F a) {
    const I bits = _mm256_castps_si256(a);
    const I odd = _mm256_and_si256(_mm256_srli_epi32(bits, 16), set1(1));
    const I up = _mm256_add_epi32(bits, _mm256_add_epi32(odd, set1(0x7fff)));
    return _mm256_castsi256_ps(_mm256_and_si256(up, set1(int(0xffff0000u))));
  }
  static F to_f(I a) { return _mm256_cvtepi32_ps(a); }
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static F zero() { return _mm256_setzero_ps(); }
  static F mul(F a, float b) { return _mm256_mul_ps(a, _mm256_set1_ps(b)); }
  static F fmadd(F a, float b, float c) {
    return _mm256_fmadd_ps(a, _mm256_set1_ps(b), _mm256_set1_ps(c));
  }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static float sum(F a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
  }
};

}  // namespace

bool quant_dot_rows_avx2(DType type, const uint8_t* w, int64_t row_bytes, int64_t rows, int64_t in,
                         const float* x, int64_t T, float* y, int64_t ldy, bool round_bf16) {
  return quant_dot_rows<Avx2>(type, w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
}

}  // namespace massact
#else
namespace massact {
bool quant_dot_rows_avx2(DType, const uint8_t*, int64_t, int64_t, int64_t, const float*, int64_t,
                         float*, int64_t, bool) {
  return false;  // not an x86-64 build: host_isa() never asks for this
}
}  // namespace massact
#endif
