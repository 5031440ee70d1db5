//! AVX-512 (F + DQ + BW + VL): 512-bit vectors, a native 64-bit multiply
//! (`vpmullq`), and masked stores for the last partial vector of a row.
//!
//! The intrinsics are stable since Rust 1.89, above the crate's MSRV: this
//! module is only compiled when build.rs finds such a compiler
//! (`cfg(simdconv_avx512)`), so the MSRV lint does not apply to it.
#![allow(clippy::incompatible_msrv)]

use super::arch::*;
use crate::backend::Backend;
use crate::kernels::vector::{impl_fused_vector, impl_int_vector, Vector};

macro_rules! avx512_vector {
    ($name:ident($reg:ty): $elem:ty, lanes = $lanes:expr, mask = $mask:ty,
     splat = $splat:path, load = $load:path, store = $store:path,
     mask_store = $mask_store:path, add = $add:path, mul = $mul:path) => {
        #[derive(Clone, Copy)]
        #[repr(transparent)]
        pub(crate) struct $name($reg);

        impl Vector for $name {
            type Elem = $elem;
            const LANES: usize = $lanes;

            #[inline(always)]
            unsafe fn splat(x: $elem) -> Self {
                // SAFETY: the trait's contract: the CPU has AVX-512F.
                $name(unsafe { $splat(x) })
            }
            #[inline(always)]
            unsafe fn load(p: *const $elem) -> Self {
                // SAFETY: AVX-512F; p is valid for LANES elements.
                $name(unsafe { $load(p as _) })
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $elem) {
                // SAFETY: AVX-512F; p is valid for LANES writes.
                unsafe { $store(p as _, self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, rhs: Self) -> Self {
                // SAFETY: the CPU has AVX-512F.
                $name(unsafe { $add(self.0, rhs.0) })
            }
            #[inline(always)]
            unsafe fn mul(self, rhs: Self) -> Self {
                // SAFETY: the CPU has AVX-512F (and DQ for vpmullq).
                $name(unsafe { $mul(self.0, rhs.0) })
            }
            #[inline(always)]
            unsafe fn store_first(self, p: *mut $elem, n: usize) {
                let mask = ((1u64 << n) - 1) as $mask;
                // SAFETY: AVX-512F; the masked store writes only the first
                // n < LANES elements, for which p is valid (masked-off lanes
                // are not accessed and cannot fault).
                unsafe { $mask_store(p as _, mask, self.0) }
            }
        }
    };
}

avx512_vector!(F32x16(__m512): f32, lanes = 16, mask = __mmask16, splat = _mm512_set1_ps,
    load = _mm512_loadu_ps, store = _mm512_storeu_ps, mask_store = _mm512_mask_storeu_ps,
    add = _mm512_add_ps, mul = _mm512_mul_ps);
avx512_vector!(F64x8(__m512d): f64, lanes = 8, mask = __mmask8, splat = _mm512_set1_pd,
    load = _mm512_loadu_pd, store = _mm512_storeu_pd, mask_store = _mm512_mask_storeu_pd,
    add = _mm512_add_pd, mul = _mm512_mul_pd);
avx512_vector!(I32x16(__m512i): i32, lanes = 16, mask = __mmask16, splat = _mm512_set1_epi32,
    load = _mm512_loadu_si512, store = _mm512_storeu_si512, mask_store = _mm512_mask_storeu_epi32,
    add = _mm512_add_epi32, mul = _mm512_mullo_epi32);
avx512_vector!(I64x8(__m512i): i64, lanes = 8, mask = __mmask8, splat = _mm512_set1_epi64,
    load = _mm512_loadu_si512, store = _mm512_storeu_si512, mask_store = _mm512_mask_storeu_epi64,
    add = _mm512_add_epi64, mul = _mm512_mullo_epi64);

impl_fused_vector!(F32x16, _mm512_fmadd_ps);
impl_fused_vector!(F64x8, _mm512_fmadd_pd);
impl_int_vector!(
    I32x16,
    sub = _mm512_sub_epi32,
    shl = |a, n| _mm512_sll_epi32(a, _mm_cvtsi32_si128(n as i32))
);
impl_int_vector!(
    I64x8,
    sub = _mm512_sub_epi64,
    shl = |a, n| _mm512_sll_epi64(a, _mm_cvtsi32_si128(n as i32))
);

crate::kernels::row_kernel!(row_f32: f32 => F32x16, tile = 4 x 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => F64x8, tile = 4 x 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = float);
crate::kernels::row_kernel!(row_i32: i32 => I32x16, tile = 4 x 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => I64x8, tile = 4 x 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int);
crate::kernels::row_kernel!(row_fused_f32: f32 => F32x16, tile = 4 x 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = fused);
crate::kernels::row_kernel!(row_fused_f64: f64 => F64x8, tile = 4 x 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = fused);
