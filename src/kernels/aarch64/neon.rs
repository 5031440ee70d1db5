//! NEON (AArch64 Advanced SIMD): 128-bit vectors. NEON has no 64-bit lane
//! multiply; `mullo_s64` builds one from 32-bit multiplies, exact modulo 2^64.

use core::arch::aarch64::*;

use crate::backend::Backend;
use crate::kernels::vector::{impl_fused_vector, impl_int_vector, impl_vector};

impl_vector!(F32x4(float32x4_t): f32, lanes = 4, splat = vdupq_n_f32,
    load = vld1q_f32 as *const f32, store = vst1q_f32 as *mut f32,
    add = vaddq_f32, mul = vmulq_f32);
impl_vector!(F64x2(float64x2_t): f64, lanes = 2, splat = vdupq_n_f64,
    load = vld1q_f64 as *const f64, store = vst1q_f64 as *mut f64,
    add = vaddq_f64, mul = vmulq_f64);
impl_vector!(I16x8(int16x8_t): i16, lanes = 8, splat = vdupq_n_s16,
    load = vld1q_s16 as *const i16, store = vst1q_s16 as *mut i16,
    add = vaddq_s16, mul = vmulq_s16);
impl_vector!(I32x4(int32x4_t): i32, lanes = 4, splat = vdupq_n_s32,
    load = vld1q_s32 as *const i32, store = vst1q_s32 as *mut i32,
    add = vaddq_s32, mul = vmulq_s32);
impl_vector!(I64x2(int64x2_t): i64, lanes = 2, splat = vdupq_n_s64,
    load = vld1q_s64 as *const i64, store = vst1q_s64 as *mut i64,
    add = vaddq_s64, mul = mullo_s64);

impl_fused_vector!(F32x4, fma_f32);
impl_fused_vector!(F64x2, fma_f64);

/// `a * b + acc`, rounded once (`vfmaq` takes the accumulator first).
///
/// # Safety
/// The CPU supports NEON.
#[inline(always)]
unsafe fn fma_f32(a: float32x4_t, b: float32x4_t, acc: float32x4_t) -> float32x4_t {
    // SAFETY: NEON is available (the caller's contract).
    unsafe { vfmaq_f32(acc, a, b) }
}

/// `a * b + acc`, rounded once.
///
/// # Safety
/// The CPU supports NEON.
#[inline(always)]
unsafe fn fma_f64(a: float64x2_t, b: float64x2_t, acc: float64x2_t) -> float64x2_t {
    // SAFETY: NEON is available (the caller's contract).
    unsafe { vfmaq_f64(acc, a, b) }
}

impl_int_vector!(
    I16x8,
    sub = vsubq_s16,
    shl = |a, n| vshlq_s16(a, vdupq_n_s16(n as i16))
);
impl_int_vector!(
    I32x4,
    sub = vsubq_s32,
    shl = |a, n| vshlq_s32(a, vdupq_n_s32(n as i32))
);
impl_int_vector!(
    I64x2,
    sub = vsubq_s64,
    shl = |a, n| vshlq_s64(a, vdupq_n_s64(n as i64))
);

/// Wrapping 64-bit multiply: `lo(a) * lo(b) + ((lo(a) * hi(b) + hi(a) *
/// lo(b)) << 32)`.
///
/// # Safety
/// The CPU supports NEON.
#[inline(always)]
unsafe fn mullo_s64(a: int64x2_t, b: int64x2_t) -> int64x2_t {
    // SAFETY: NEON is available (the caller's contract).
    unsafe {
        let a32 = vreinterpretq_u32_s64(a);
        let b32 = vreinterpretq_u32_s64(b);
        // (lo(a) * hi(b), hi(a) * lo(b)) in each 64-bit lane, summed pairwise.
        let cross = vpaddlq_u32(vmulq_u32(a32, vrev64q_u32(b32)));
        let high = vshlq_n_u64::<32>(cross);
        let lo = vmlal_u32(
            high,
            vmovn_u64(vreinterpretq_u64_s64(a)),
            vmovn_u64(vreinterpretq_u64_s64(b)),
        );
        vreinterpretq_s64_u64(lo)
    }
}

crate::kernels::row_kernel!(row_f32: f32 => F32x4, tile = 4 x 4, regs = 32, feature = "neon", backend = Backend::Neon, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => F64x2, tile = 4 x 4, regs = 32, feature = "neon", backend = Backend::Neon, kind = float);
crate::kernels::row_kernel!(row_i16: i16 => I16x8, tile = 4 x 4, regs = 32, feature = "neon", backend = Backend::Neon, kind = int);
crate::kernels::row_kernel!(row_i32: i32 => I32x4, tile = 4 x 4, regs = 32, feature = "neon", backend = Backend::Neon, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => I64x2, tile = 2 x 4, regs = 32 - 4, feature = "neon", backend = Backend::Neon, kind = int);
crate::kernels::row_kernel!(row_fused_f32: f32 => F32x4, tile = 4 x 4, regs = 32, feature = "neon", backend = Backend::Neon, kind = fused);
crate::kernels::row_kernel!(row_fused_f64: f64 => F64x2, tile = 4 x 4, regs = 32, feature = "neon", backend = Backend::Neon, kind = fused);

/// `pmaddwd` from NEON: the widening products of the low and high halves
/// (`smull`, `smull2`), added in neighbouring pairs (`addp`).
///
/// # Safety
/// The CPU supports NEON.
#[inline(always)]
unsafe fn madd_pairs(acc: int32x4_t, x: int32x4_t, k: int32x4_t) -> int32x4_t {
    // SAFETY: NEON is available (the caller's contract).
    unsafe {
        let (x, k) = (vreinterpretq_s16_s32(x), vreinterpretq_s16_s32(k));
        let lo = vmull_s16(vget_low_s16(x), vget_low_s16(k));
        let hi = vmull_high_s16(x, k);
        vaddq_s32(acc, vpaddq_s32(lo, hi))
    }
}

crate::kernels::widening::impl_pair_vector!(
    Pairs4(int32x4_t),
    lanes = 4,
    zero = zero_s32,
    splat = vdupq_n_s32,
    load = load_pairs as *const i16,
    madd = |acc, x, k| madd_pairs(acc, x, k),
    interleave = |e, o, p| {
        vst1q_s32(p, vzip1q_s32(e, o));
        vst1q_s32(p.add(4), vzip2q_s32(e, o));
    },
    unpack = |a, b| {
        let (a, b) = (vreinterpretq_s16_s32(a), vreinterpretq_s16_s32(b));
        (
            vreinterpretq_s32_s16(vzip1q_s16(a, b)),
            vreinterpretq_s32_s16(vzip2q_s16(a, b)),
        )
    },
    halves = |low, high, p| {
        vst1q_s32(p, low);
        vst1q_s32(p.add(4), high);
    }
);
crate::kernels::widening::widening_kernel!(widening => Pairs4, blocks = 2, feature = "neon", backend = Backend::Neon);

/// All lanes 0.
///
/// # Safety
/// The CPU supports NEON.
#[inline(always)]
unsafe fn zero_s32() -> int32x4_t {
    // SAFETY: NEON is available (the caller's contract).
    unsafe { vdupq_n_s32(0) }
}

/// Eight `i16` from `p`, as four pairs.
///
/// # Safety
/// The CPU supports NEON; `p` is valid for 8 reads.
#[inline(always)]
unsafe fn load_pairs(p: *const i16) -> int32x4_t {
    // SAFETY: the caller's contract.
    unsafe { vreinterpretq_s32_s16(vld1q_s16(p)) }
}
