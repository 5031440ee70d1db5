//! Which row kernel runs, per element type and backend: one plain table
//! per type. A backend this build has no kernel for (another architecture,
//! or AVX-512 on a compiler without its intrinsics) is `None`.
//!
//! Two rows choose between kernels that give the same bits, for speed
//! alone: AVX-512 takes its taps folded into the multiplies or hoisted
//! into registers ([`tuning::avx512_hoists_taps`]), and its `i64` kernel
//! multiplies narrow taps by two 32-bit multiplies
//! ([`tuning::avx512_splits_i64`]).
//!
//! [`tuning::avx512_hoists_taps`]: crate::tuning::avx512_hoists_taps
//! [`tuning::avx512_splits_i64`]: crate::tuning::avx512_splits_i64

use super::contract::RowKernel;
use super::scalar;
use crate::backend::Backend;

#[cfg(target_arch = "aarch64")]
use super::aarch64::neon;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use super::wasm32::simd128;
#[cfg(simdconv_avx512)]
use super::x86::avx512;
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
use super::x86::{avx2, sse2, sse41};

/// `hoisted` where this CPU runs AVX-512 taps faster from registers, else
/// `folded` (see [`crate::tuning::avx512_hoists_taps`]).
#[cfg(simdconv_avx512)]
fn avx512_taps<T>(folded: RowKernel<T>, hoisted: RowKernel<T>) -> RowKernel<T> {
    if crate::tuning::avx512_hoists_taps() {
        hoisted
    } else {
        folded
    }
}

/// The `f32` row kernels.
pub(crate) fn f32(backend: Backend) -> Option<RowKernel<f32>> {
    match backend {
        Backend::Scalar => Some(scalar::row_kernel::<f32>),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse2 => Some(sse2::row_f32),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse41 => Some(sse41::row_f32),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => Some(avx2::row_f32),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512_taps(avx512::row_f32, avx512::row_hoisted_f32)),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_f32),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Wasm128 => Some(simd128::row_f32),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The `f64` row kernels.
pub(crate) fn f64(backend: Backend) -> Option<RowKernel<f64>> {
    match backend {
        Backend::Scalar => Some(scalar::row_kernel::<f64>),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse2 => Some(sse2::row_f64),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse41 => Some(sse41::row_f64),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => Some(avx2::row_f64),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512_taps(avx512::row_f64, avx512::row_hoisted_f64)),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_f64),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Wasm128 => Some(simd128::row_f64),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The `i16` row kernels (wrapping 16-bit lanes: NumPy's `int16`, and the
/// modular accumulator of narrow pixels whose sums span fewer than 2^16
/// values). AVX-512 has no embedded broadcast for 16-bit elements, so its
/// kernel always hoists its taps.
pub(crate) fn i16(backend: Backend) -> Option<RowKernel<i16>> {
    match backend {
        Backend::Scalar => Some(scalar::row_kernel::<i16>),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse2 => Some(sse2::row_i16),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse41 => Some(sse41::row_i16),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => Some(avx2::row_i16),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512::row_i16),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_i16),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Wasm128 => Some(simd128::row_i16),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The `i32` row kernels.
pub(crate) fn i32(backend: Backend) -> Option<RowKernel<i32>> {
    match backend {
        Backend::Scalar => Some(scalar::row_kernel::<i32>),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse2 => Some(sse2::row_i32),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse41 => Some(sse41::row_i32),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => Some(avx2::row_i32),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512_taps(avx512::row_i32, avx512::row_hoisted_i32)),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_i32),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Wasm128 => Some(simd128::row_i32),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// The `i64` row kernels. AVX-512's decides per kernel: narrow taps (all
/// in `i32`) through the split multiply where this CPU prefers it, the
/// rest through `vpmullq` ([`avx512_i64`]).
pub(crate) fn i64(backend: Backend) -> Option<RowKernel<i64>> {
    match backend {
        Backend::Scalar => Some(scalar::row_kernel::<i64>),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse2 => Some(sse2::row_i64),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse41 => Some(sse41::row_i64),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => Some(avx2::row_i64),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512_i64),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_i64),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Wasm128 => Some(simd128::row_i64),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// AVX-512's `i64` kernel: where [`crate::tuning::avx512_splits_i64`] says
/// so, kernels whose taps all fit in `i32` multiply with two 32-bit
/// multiplies (`x86::split64::Split`); everything else runs `vpmullq` in
/// this CPU's tap form. All give the reference's bits.
#[cfg(simdconv_avx512)]
fn avx512_i64(rows: &[&[i64]], taps: &super::Taps<i64>, out: &mut [&mut [i64]]) {
    if taps.is_narrow() && crate::tuning::avx512_splits_i64() {
        avx512::row_split_i64(rows, taps, out)
    } else {
        avx512_taps(avx512::row_i64, avx512::row_hoisted_i64)(rows, taps, out)
    }
}

/// The fused multiply-add `f32` row kernels (the opt-in). Backends without
/// FMA instructions (SSE2, SSE4.1, WebAssembly `simd128`) run the scalar
/// fused reference, which gives the same bits.
pub(crate) fn fused_f32(backend: Backend) -> Option<RowKernel<f32>> {
    match backend {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 if super::x86::Avx2Fma.is_available() => Some(avx2::row_fused_f32),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512_taps(
            avx512::row_fused_f32,
            avx512::row_fused_hoisted_f32,
        )),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_fused_f32),
        _ => Some(scalar::row_kernel_fused::<f32>),
    }
}

/// The fused multiply-add `f64` row kernels (as [`fused_f32`]).
pub(crate) fn fused_f64(backend: Backend) -> Option<RowKernel<f64>> {
    match backend {
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 if super::x86::Avx2Fma.is_available() => Some(avx2::row_fused_f64),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(avx512_taps(
            avx512::row_fused_f64,
            avx512::row_fused_hoisted_f64,
        )),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(neon::row_fused_f64),
        _ => Some(scalar::row_kernel_fused::<f64>),
    }
}
