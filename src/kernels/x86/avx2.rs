//! AVX2: 256-bit vectors. 64-bit multiplies are built from `vpmuludq`.

use super::arch::*;
use crate::backend::Backend;
use crate::kernels::vector::{impl_fused_vector, impl_int_vector, impl_vector};

impl_vector!(F32x8(__m256): f32, lanes = 8, splat = _mm256_set1_ps,
    load = _mm256_loadu_ps as *const f32, store = _mm256_storeu_ps as *mut f32,
    add = _mm256_add_ps, mul = _mm256_mul_ps);
impl_vector!(F64x4(__m256d): f64, lanes = 4, splat = _mm256_set1_pd,
    load = _mm256_loadu_pd as *const f64, store = _mm256_storeu_pd as *mut f64,
    add = _mm256_add_pd, mul = _mm256_mul_pd);
impl_vector!(I16x16(__m256i): i16, lanes = 16, splat = _mm256_set1_epi16,
    load = _mm256_loadu_si256 as *const __m256i, store = _mm256_storeu_si256 as *mut __m256i,
    add = _mm256_add_epi16, mul = _mm256_mullo_epi16);
impl_vector!(I32x8(__m256i): i32, lanes = 8, splat = _mm256_set1_epi32,
    load = _mm256_loadu_si256 as *const __m256i, store = _mm256_storeu_si256 as *mut __m256i,
    add = _mm256_add_epi32, mul = _mm256_mullo_epi32);
impl_vector!(I64x4(__m256i): i64, lanes = 4, splat = _mm256_set1_epi64x,
    load = _mm256_loadu_si256 as *const __m256i, store = _mm256_storeu_si256 as *mut __m256i,
    add = _mm256_add_epi64, mul = mullo_epi64);

impl_int_vector!(
    I16x16,
    sub = _mm256_sub_epi16,
    shl = |a, n| _mm256_sll_epi16(a, _mm_cvtsi32_si128(n as i32))
);
impl_int_vector!(
    I32x8,
    sub = _mm256_sub_epi32,
    shl = |a, n| _mm256_sll_epi32(a, _mm_cvtsi32_si128(n as i32))
);
impl_int_vector!(
    I64x4,
    sub = _mm256_sub_epi64,
    shl = |a, n| _mm256_sll_epi64(a, _mm_cvtsi32_si128(n as i32))
);

impl_fused_vector!(F32x8, _mm256_fmadd_ps);
impl_fused_vector!(F64x4, _mm256_fmadd_pd);

/// Wrapping 64-bit multiply from three `vpmuludq` (exact modulo 2^64).
///
/// # Safety
/// The CPU supports AVX2.
#[inline(always)]
unsafe fn mullo_epi64(a: __m256i, b: __m256i) -> __m256i {
    // SAFETY: AVX2 is available (the caller's contract).
    unsafe {
        let lo = _mm256_mul_epu32(a, b);
        let cross = _mm256_add_epi64(
            _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), b),
            _mm256_mul_epu32(a, _mm256_srli_epi64::<32>(b)),
        );
        _mm256_add_epi64(lo, _mm256_slli_epi64::<32>(cross))
    }
}

crate::kernels::row_kernel!(row_f32: f32 => F32x8, tile = 3 x 3, regs = super::REGS, feature = "avx2", backend = Backend::Avx2, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => F64x4, tile = 3 x 3, regs = super::REGS, feature = "avx2", backend = Backend::Avx2, kind = float);
crate::kernels::row_kernel!(row_i16: i16 => I16x16, tile = 4 x 3, regs = super::REGS, feature = "avx2", backend = Backend::Avx2, kind = int);
crate::kernels::row_kernel!(row_i32: i32 => I32x8, tile = 4 x 3, regs = super::REGS, feature = "avx2", backend = Backend::Avx2, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => I64x4, tile = 2 x 3, regs = super::REGS - super::EMULATED_MUL_TEMPS, feature = "avx2", backend = Backend::Avx2, kind = int);
crate::kernels::row_kernel!(row_fused_f32: f32 => F32x8, tile = 3 x 3, regs = super::REGS, feature = "avx2,fma", backend = super::Avx2Fma, kind = fused);
crate::kernels::row_kernel!(row_fused_f64: f64 => F64x4, tile = 3 x 3, regs = super::REGS, feature = "avx2,fma", backend = super::Avx2Fma, kind = fused);

crate::kernels::widening::impl_pair_vector!(
    Pairs8(__m256i),
    lanes = 8,
    zero = _mm256_setzero_si256,
    splat = _mm256_set1_epi32,
    load = _mm256_loadu_si256 as *const __m256i,
    madd = |acc, x, k| _mm256_add_epi32(acc, _mm256_madd_epi16(x, k)),
    interleave = |e, o, p| {
        // Per 128-bit half: (e0 o0 e1 o1 | e4 o4 e5 o5), (e2 o2 e3 o3 | e6 o6
        // e7 o7): outputs 0-3 | 8-11 and 4-7 | 12-15.
        let (lo, hi) = (_mm256_unpacklo_epi32(e, o), _mm256_unpackhi_epi32(e, o));
        store_halves(lo, hi, p);
    },
    unpack = |a, b| (_mm256_unpacklo_epi16(a, b), _mm256_unpackhi_epi16(a, b)),
    halves = |low, high, p| store_halves(low, high, p)
);

/// Stores `(o0-3 | o8-11)` and `(o4-7 | o12-15)` (two registers of
/// 128-bit halves) as `o0..o15`.
///
/// # Safety
/// The CPU supports AVX2; `p` is valid for 16 `i32` writes.
#[inline(always)]
unsafe fn store_halves(low: __m256i, high: __m256i, p: *mut i32) {
    // SAFETY: the caller's contract.
    unsafe {
        _mm256_storeu_si256(p.cast(), _mm256_permute2x128_si256::<0x20>(low, high));
        _mm256_storeu_si256(
            p.add(8).cast(),
            _mm256_permute2x128_si256::<0x31>(low, high),
        );
    }
}
crate::kernels::widening::widening_kernel!(widening => Pairs8, blocks = 2, feature = "avx2", backend = Backend::Avx2);
