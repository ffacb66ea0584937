// quant_dot_simd.h over AVX-512 vectors of 16 lanes (CMakeLists.txt compiles this file with
// -mavx512f -mavx512bw -mavx512vl -mfma -mf16c).
// Only dtype.h and the kernels: no header whose inline functions this file could emit with its
// wider instruction set (core/quant_layout.h says why).
#include "core/dtype.h"

#if defined(__AVX512F__) && defined(__FMA__) && defined(__F16C__)
// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*(), a self-initialised variable that
// -Wmaybe-uninitialized reports at every use once inlined: a false alarm in the compiler's header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "kernels/quant_dot_simd.h"

namespace massact {
namespace {

struct Avx512 {
  using F = __m512;
  using I = __m512i;
  static constexpr int W = 16;

  static I u8(const uint8_t* p) {
    return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I i8(const uint8_t* p) {
    return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I set1(int v) { return _mm512_set1_epi32(v); }
  static I iota(int start) {
    return _mm512_add_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                            set1(start));
  }
  static I and_(I a, int m) { return _mm512_and_si512(a, set1(m)); }
  static I or_(I a, I b) { return _mm512_or_si512(a, b); }
  static I sub(I a, int v) { return _mm512_sub_epi32(a, set1(v)); }
  static I srl(I a, int n) { return _mm512_srl_epi32(a, _mm_cvtsi32_si128(n)); }
  static I shl(I a, int n) { return _mm512_sll_epi32(a, _mm_cvtsi32_si128(n)); }
  static I srlv(I a, I n) { return _mm512_srlv_epi32(a, n); }
  static F from_bf16(const uint8_t* p) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static F from_f16(const uint8_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static F round_bf16(F a) {
    const I bits = _mm512_castps_si512(a);
    const I odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), set1(1));
    const I up = _mm512_add_epi32(bits, _mm512_add_epi32(odd, set1(0x7fff)));
    return _mm512_castsi512_ps(_mm512_and_si512(up, set1(int(0xffff0000u))));
  }
  static F to_f(I a) { return _mm512_cvtepi32_ps(a); }
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static F zero() { return _mm512_setzero_ps(); }
  static F mul(F a, float b) { return _mm512_mul_ps(a, _mm512_set1_ps(b)); }
  static F fmadd(F a, float b, float c) {
    return _mm512_fmadd_ps(a, _mm512_set1_ps(b), _mm512_set1_ps(c));
  }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static float sum(F a) { return _mm512_reduce_add_ps(a); }
};

}  // namespace

bool quant_dot_rows_avx512(DType type, const uint8_t* w, int64_t row_bytes, int64_t rows,
                           int64_t in, const float* x, int64_t T, float* y, int64_t ldy,
                           bool round_bf16) {
  return quant_dot_rows<Avx512>(type, w, row_bytes, rows, in, x, T, y, ldy, round_bf16);
}

}  // namespace massact
#else
namespace massact {
bool quant_dot_rows_avx512(DType, const uint8_t*, int64_t, int64_t, int64_t, const float*, int64_t,
                           float*, int64_t, bool) {
  return false;  // not an x86-64 build: host_isa() never asks for this
}
}  // namespace massact
#endif
