//! SSE4.1: SSE2 plus `pmulld`, a native wrapping 32-bit multiply. The other
//! element types use SSE2's vectors, compiled with SSE4.1 enabled.

use super::arch::*;
use super::sse2::{F32x4, F64x2, I16x8, I64x2};
use crate::backend::Backend;
use crate::kernels::vector::{impl_int_vector, impl_vector};

impl_vector!(I32x4(__m128i): i32, lanes = 4, splat = _mm_set1_epi32,
    load = _mm_loadu_si128 as *const __m128i, store = _mm_storeu_si128 as *mut __m128i,
    add = _mm_add_epi32, mul = _mm_mullo_epi32);
impl_int_vector!(
    I32x4,
    sub = _mm_sub_epi32,
    shl = |a, n| _mm_sll_epi32(a, _mm_cvtsi32_si128(n as i32))
);

crate::kernels::row_kernel!(row_f32: f32 => F32x4, tile = 3 x 3, regs = super::REGS, feature = "sse4.1", backend = Backend::Sse41, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => F64x2, tile = 3 x 3, regs = super::REGS, feature = "sse4.1", backend = Backend::Sse41, kind = float);
crate::kernels::row_kernel!(row_i16: i16 => I16x8, tile = 4 x 3, regs = super::REGS, feature = "sse4.1", backend = Backend::Sse41, kind = int);
crate::kernels::row_kernel!(row_i32: i32 => I32x4, tile = 4 x 3, regs = super::REGS, feature = "sse4.1", backend = Backend::Sse41, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => I64x2, tile = 2 x 2, regs = super::REGS - super::EMULATED_MUL_TEMPS, feature = "sse4.1", backend = Backend::Sse41, kind = int);
