//! SSE2 (the x86-64 baseline): 128-bit vectors. SSE2 has no 32-bit or
//! 64-bit low multiply, so both are built from `pmuludq` (32 x 32 -> 64);
//! 16-bit lanes have `pmullw`.

use super::arch::*;
use crate::backend::Backend;
use crate::kernels::vector::{impl_int_vector, impl_vector};

impl_vector!(F32x4(__m128): f32, lanes = 4, splat = _mm_set1_ps,
    load = _mm_loadu_ps as *const f32, store = _mm_storeu_ps as *mut f32,
    add = _mm_add_ps, mul = _mm_mul_ps);
impl_vector!(F64x2(__m128d): f64, lanes = 2, splat = _mm_set1_pd,
    load = _mm_loadu_pd as *const f64, store = _mm_storeu_pd as *mut f64,
    add = _mm_add_pd, mul = _mm_mul_pd);
impl_vector!(I16x8(__m128i): i16, lanes = 8, splat = _mm_set1_epi16,
    load = _mm_loadu_si128 as *const __m128i, store = _mm_storeu_si128 as *mut __m128i,
    add = _mm_add_epi16, mul = _mm_mullo_epi16);
impl_vector!(I32x4(__m128i): i32, lanes = 4, splat = _mm_set1_epi32,
    load = _mm_loadu_si128 as *const __m128i, store = _mm_storeu_si128 as *mut __m128i,
    add = _mm_add_epi32, mul = mullo_epi32);
impl_vector!(I64x2(__m128i): i64, lanes = 2, splat = _mm_set1_epi64x,
    load = _mm_loadu_si128 as *const __m128i, store = _mm_storeu_si128 as *mut __m128i,
    add = _mm_add_epi64, mul = mullo_epi64);

impl_int_vector!(
    I16x8,
    sub = _mm_sub_epi16,
    shl = |a, n| _mm_sll_epi16(a, _mm_cvtsi32_si128(n as i32))
);
impl_int_vector!(
    I32x4,
    sub = _mm_sub_epi32,
    shl = |a, n| _mm_sll_epi32(a, _mm_cvtsi32_si128(n as i32))
);
impl_int_vector!(
    I64x2,
    sub = _mm_sub_epi64,
    shl = |a, n| _mm_sll_epi64(a, _mm_cvtsi32_si128(n as i32))
);

/// Wrapping 32-bit multiply: the low halves of two `pmuludq` products.
///
/// # Safety
/// The CPU supports SSE2.
#[inline(always)]
unsafe fn mullo_epi32(a: __m128i, b: __m128i) -> __m128i {
    // SAFETY: SSE2 is available (the caller's contract).
    unsafe {
        let even = _mm_mul_epu32(a, b); // lanes 0 and 2, 64-bit products
        let odd = _mm_mul_epu32(_mm_srli_epi64::<32>(a), _mm_srli_epi64::<32>(b));
        // Keep the low 32 bits of each product and interleave them back.
        let even = _mm_shuffle_epi32::<0b00_00_10_00>(even);
        let odd = _mm_shuffle_epi32::<0b00_00_10_00>(odd);
        _mm_unpacklo_epi32(even, odd)
    }
}

/// Wrapping 64-bit multiply: `lo(a) * lo(b) + ((hi(a) * lo(b) + lo(a) *
/// hi(b)) << 32)`, exact modulo 2^64.
///
/// # Safety
/// The CPU supports SSE2.
#[inline(always)]
unsafe fn mullo_epi64(a: __m128i, b: __m128i) -> __m128i {
    // SAFETY: SSE2 is available (the caller's contract).
    unsafe {
        let lo = _mm_mul_epu32(a, b);
        let cross = _mm_add_epi64(
            _mm_mul_epu32(_mm_srli_epi64::<32>(a), b),
            _mm_mul_epu32(a, _mm_srli_epi64::<32>(b)),
        );
        _mm_add_epi64(lo, _mm_slli_epi64::<32>(cross))
    }
}

crate::kernels::row_kernel!(row_f32: f32 => F32x4, tile = 3 x 3, regs = super::REGS, feature = "sse2", backend = Backend::Sse2, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => F64x2, tile = 3 x 3, regs = super::REGS, feature = "sse2", backend = Backend::Sse2, kind = float);
crate::kernels::row_kernel!(row_i16: i16 => I16x8, tile = 4 x 3, regs = super::REGS, feature = "sse2", backend = Backend::Sse2, kind = int);
crate::kernels::row_kernel!(row_i32: i32 => I32x4, tile = 4 x 2, regs = super::REGS - super::EMULATED_MUL_TEMPS, feature = "sse2", backend = Backend::Sse2, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => I64x2, tile = 2 x 2, regs = super::REGS - super::EMULATED_MUL_TEMPS, feature = "sse2", backend = Backend::Sse2, kind = int);

crate::kernels::widening::impl_pair_vector!(
    Pairs4(__m128i),
    lanes = 4,
    zero = _mm_setzero_si128,
    splat = _mm_set1_epi32,
    load = _mm_loadu_si128 as *const __m128i,
    madd = |acc, x, k| _mm_add_epi32(acc, _mm_madd_epi16(x, k)),
    interleave = |e, o, p| {
        _mm_storeu_si128(p.cast(), _mm_unpacklo_epi32(e, o));
        _mm_storeu_si128(p.add(4).cast(), _mm_unpackhi_epi32(e, o));
    },
    unpack = |a, b| (_mm_unpacklo_epi16(a, b), _mm_unpackhi_epi16(a, b)),
    halves = |low, high, p| {
        _mm_storeu_si128(p.cast(), low);
        _mm_storeu_si128(p.add(4).cast(), high);
    }
);
crate::kernels::widening::widening_kernel!(widening => Pairs4, blocks = 2, feature = "sse2", backend = Backend::Sse2);
