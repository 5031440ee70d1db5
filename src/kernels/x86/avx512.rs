//! AVX-512 (F + DQ + BW + VL): 512-bit vectors, a native 64-bit multiply
//! (`vpmullq`), and masked stores for the last partial vector of a row.
//!
//! The intrinsics are stable since Rust 1.89, above the crate's MSRV: this
//! module is only compiled when build.rs finds such a compiler
//! (`cfg(simdconv_avx512)`), so the MSRV lint does not apply to it.
#![allow(clippy::incompatible_msrv)]

use super::arch::*;
use super::split64::{Mul32, Split};
use crate::backend::Backend;
use crate::kernels::vector::{impl_int_vector, FusedVector, Vector};
use crate::kernels::RowKernel;

macro_rules! avx512_vector {
    ($name:ident($reg:ty): $elem:ty, lanes = $lanes:expr, mask = $mask:ty,
     splat = $splat:path, load = $load:path, store = $store:path,
     mask_store = $mask_store:path, add = $add:path, mul = $mul:path,
     mul_splat = $mul_splat:path) => {
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
            unsafe fn mul_splat(self, tap: *const $elem) -> Self {
                // SAFETY: the trait's contract: AVX-512F (and DQ for
                // vpmullq); tap is valid for one read.
                $name(unsafe { $mul_splat(self.0, tap) })
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
    add = _mm512_add_ps, mul = _mm512_mul_ps, mul_splat = mul_splat_ps);
avx512_vector!(F64x8(__m512d): f64, lanes = 8, mask = __mmask8, splat = _mm512_set1_pd,
    load = _mm512_loadu_pd, store = _mm512_storeu_pd, mask_store = _mm512_mask_storeu_pd,
    add = _mm512_add_pd, mul = _mm512_mul_pd, mul_splat = mul_splat_pd);
avx512_vector!(I32x16(__m512i): i32, lanes = 16, mask = __mmask16, splat = _mm512_set1_epi32,
    load = _mm512_loadu_si512, store = _mm512_storeu_si512, mask_store = _mm512_mask_storeu_epi32,
    add = _mm512_add_epi32, mul = _mm512_mullo_epi32, mul_splat = mul_splat_epi32);
avx512_vector!(I64x8(__m512i): i64, lanes = 8, mask = __mmask8, splat = _mm512_set1_epi64,
    load = _mm512_loadu_si512, store = _mm512_storeu_si512, mask_store = _mm512_mask_storeu_epi64,
    add = _mm512_add_epi64, mul = _mm512_mullo_epi64, mul_splat = mul_splat_epi64);

/// Defines `$name(x, tap)`: one instruction `$insn` multiplying `x` by
/// the element at `tap` broadcast to every lane, as an embedded-broadcast
/// memory operand (`{1toN}`). LLVM hoists an explicit `vbroadcastss` out
/// of the tile and feeds it to every multiply instead; on AMD Zen 4 each
/// such broadcast takes a vector-pipe slot (measured: 46 instead of 58
/// GMAC/s for a 4 x 4 f32 tile), while the folded operand is free.
macro_rules! mul_broadcast {
    ($name:ident, $reg:ty, $elem:ty, $insn:literal, $ptr:literal, $lanes:literal) => {
        /// `x * splat(*tap)` in one instruction with an embedded broadcast.
        ///
        /// # Safety
        ///
        /// The CPU supports AVX-512F (and DQ for `vpmullq`); `tap` is valid
        /// for one read.
        #[inline]
        #[target_feature(enable = "avx512f,avx512dq")]
        unsafe fn $name(x: $reg, tap: *const $elem) -> $reg {
            let out: $reg;
            // SAFETY: the instruction exists on this CPU (the caller's
            // contract) and reads only the one element at `tap`; it writes
            // only `out`, touches no stack and no flags.
            unsafe {
                core::arch::asm!(
                    concat!($insn, " {out}, {x}, ", $ptr, " ptr [{tap}]{{1to", $lanes, "}}"),
                    out = lateout(zmm_reg) out,
                    x = in(zmm_reg) x,
                    tap = in(reg) tap,
                    options(pure, readonly, nostack, preserves_flags),
                );
            }
            out
        }
    };
}

mul_broadcast!(mul_splat_ps, __m512, f32, "vmulps", "dword", "16");
mul_broadcast!(mul_splat_pd, __m512d, f64, "vmulpd", "qword", "8");
mul_broadcast!(mul_splat_epi32, __m512i, i32, "vpmulld", "dword", "16");
mul_broadcast!(mul_splat_epi64, __m512i, i64, "vpmullq", "qword", "8");

/// Defines `$name(acc, x, tap)`: `acc + x * splat(*tap)` rounded once, one
/// `vfmadd231` with an embedded broadcast (see `mul_broadcast!`).
macro_rules! fmadd_broadcast {
    ($name:ident, $reg:ty, $elem:ty, $insn:literal, $ptr:literal, $lanes:literal) => {
        /// `acc + x * splat(*tap)` with a single rounding.
        ///
        /// # Safety
        ///
        /// The CPU supports AVX-512F; `tap` is valid for one read.
        #[inline]
        #[target_feature(enable = "avx512f")]
        unsafe fn $name(acc: $reg, x: $reg, tap: *const $elem) -> $reg {
            let mut acc = acc;
            // SAFETY: as for `mul_broadcast!`: AVX-512F, one read at `tap`,
            // only `acc` written.
            unsafe {
                core::arch::asm!(
                    concat!($insn, " {acc}, {x}, ", $ptr, " ptr [{tap}]{{1to", $lanes, "}}"),
                    acc = inout(zmm_reg) acc,
                    x = in(zmm_reg) x,
                    tap = in(reg) tap,
                    options(pure, readonly, nostack, preserves_flags),
                );
            }
            acc
        }
    };
}

fmadd_broadcast!(fmadd_splat_ps, __m512, f32, "vfmadd231ps", "dword", "16");
fmadd_broadcast!(fmadd_splat_pd, __m512d, f64, "vfmadd231pd", "qword", "8");

/// `FusedVector` with the broadcast folded into the fused multiply-add.
macro_rules! avx512_fused {
    ($name:ident, $elem:ty, $fma:path, $fma_splat:path) => {
        impl FusedVector for $name {
            #[inline(always)]
            unsafe fn fused_mul_add(self, a: Self, b: Self) -> Self {
                // SAFETY: the trait's contract: the CPU has AVX-512F.
                $name(unsafe { $fma(a.0, b.0, self.0) })
            }
            #[inline(always)]
            unsafe fn fused_mul_add_splat(self, x: Self, tap: *const $elem) -> Self {
                // SAFETY: the trait's contract: AVX-512F; tap is valid.
                $name(unsafe { $fma_splat(self.0, x.0, tap) })
            }
        }
    };
}

avx512_fused!(F32x16, f32, _mm512_fmadd_ps, fmadd_splat_ps);
avx512_fused!(F64x8, f64, _mm512_fmadd_pd, fmadd_splat_pd);
impl_int_vector!(
    I32x16,
    sub = _mm512_sub_epi32,
    shl = |a, n| _mm512_sll_epi32(a, _mm_cvtsi32_si128(n as i32))
);
impl Mul32 for I64x8 {
    #[inline(always)]
    unsafe fn mul_i32(self, t: Self) -> Self {
        // SAFETY: the trait's contract: the CPU has AVX-512F.
        I64x8(unsafe { _mm512_mul_epi32(self.0, t.0) })
    }
    #[inline(always)]
    unsafe fn mul_u32(self, t: Self) -> Self {
        // SAFETY: as above.
        I64x8(unsafe { _mm512_mul_epu32(self.0, t.0) })
    }
    #[inline(always)]
    unsafe fn shr32(self) -> Self {
        // SAFETY: as above.
        I64x8(unsafe { _mm512_srli_epi64::<32>(self.0) })
    }
}
impl_int_vector!(
    I64x8,
    sub = _mm512_sub_epi64,
    shl = |a, n| _mm512_sll_epi64(a, _mm_cvtsi32_si128(n as i32))
);

crate::kernels::row_kernel!(row_f32: f32 => F32x16, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => F64x8, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = float);
crate::kernels::row_kernel!(row_i32: i32 => I32x16, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => I64x8, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int);
crate::kernels::row_kernel!(row_fused_f32: f32 => F32x16, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = fused);
crate::kernels::row_kernel!(row_fused_f64: f64 => F64x8, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = fused);
crate::kernels::row_kernel!(row_hoisted_f32: f32 => F32x16, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = float_hoisted);
crate::kernels::row_kernel!(row_hoisted_f64: f64 => F64x8, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = float_hoisted);
crate::kernels::row_kernel!(row_hoisted_i32: i32 => I32x16, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int_hoisted);
crate::kernels::row_kernel!(row_hoisted_i64: i64 => I64x8, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int_hoisted);
crate::kernels::row_kernel!(row_split_i64: i64 => Split<I64x8>, tile = 4 x 2, regs = super::REGS_AVX512 / 2,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int_hoisted);
crate::kernels::row_kernel!(row_fused_hoisted_f32: f32 => F32x16, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = fused_hoisted);
crate::kernels::row_kernel!(row_fused_hoisted_f64: f64 => F64x8, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = fused_hoisted);

/// The kernel of the two forms that this CPU runs faster: `hoisted`
/// (taps splatted into registers, [`Hoisted`](crate::kernels::blocked::Hoisted))
/// where [`hoists_taps`] says so, else `folded` (taps as broadcast memory
/// operands). Both give the same bits.
pub(crate) fn for_cpu<T>(folded: RowKernel<T>, hoisted: RowKernel<T>) -> RowKernel<T> {
    if hoists_taps() {
        hoisted
    } else {
        folded
    }
}

/// The `i64` row kernel: on CPUs where [`splits_i64`] says so, kernels
/// whose taps are all in `i32` multiply with two 32-bit multiplies
/// ([`Split`]); everything else runs `vpmullq` in the CPU's tap form
/// ([`for_cpu`]). All give the reference's bits.
pub(crate) fn row_any_i64(
    rows: &[&[i64]],
    taps: &crate::kernels::Taps<i64>,
    out: &mut [&mut [i64]],
) {
    if taps.is_narrow() && splits_i64() {
        row_split_i64(rows, taps, out)
    } else {
        for_cpu(row_i64, row_hoisted_i64)(rows, taps, out)
    }
}

/// Whether narrow `i64` kernels use [`Split`]: everywhere but on AMD, whose
/// Zen 4 and Zen 5 cores run `vpmullq` as a single fast uop. On an Intel
/// Xeon (family 6 model 167) it is three uops on one port, 0.55 G per
/// second against 2.0 G `vpmuludq` (see `split64`).
fn splits_i64() -> bool {
    super::split64::splits(super::cpu::amd_family().is_none())
}

/// Whether the kernels splat taps into registers on this CPU: everywhere
/// but AMD family 0x19 (Zen 4, which measured the folded broadcast faster:
/// see `mul_broadcast!`). On Zen 5 (family 0x1A) 1000 x 1000 9 x 9 ran 13%
/// (`f32`) and 20-30% (`f64`) faster hoisted; on an Intel Xeon (family 6
/// model 167) `i64` ran twice as fast hoisted (a `vpmullq` with an embedded
/// broadcast is far slower there than one from a register) and `f32` /
/// `i32` 5-15% faster.
///
/// `SIMDCONV_AVX512_TAPS=hoisted` or `=folded` (read once) overrides the
/// choice, to measure both forms on one machine; the results are the same
/// bits either way. Any other value leaves the choice to the CPU check.
fn hoists_taps() -> bool {
    static HOISTS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *HOISTS.get_or_init(|| match std::env::var("SIMDCONV_AVX512_TAPS").as_deref() {
        Ok("hoisted") => true,
        Ok("folded") => false,
        _ => super::cpu::amd_family() != Some(0x19),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::{scalar, Taps};

    /// Pseudo-random values in [-1, 1), some of them large or zero.
    fn values(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                let v = (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
                match i % 17 {
                    0 => 0.0,
                    1 => v * 1e30,
                    _ => v,
                }
            })
            .collect()
    }

    /// How a test makes an element from an `f64`, and reads its bits.
    type Conv<T> = (fn(f64) -> T, fn(T) -> u64);

    /// Runs `kernel` and the scalar reference on one block and compares bits.
    fn same_as_reference<T: crate::element::Element>(
        kernel: RowKernel<T>,
        reference: RowKernel<T>,
        (kh, kw, n, width): (usize, usize, usize, usize),
        (cast, bits): Conv<T>,
    ) {
        same_with_taps(kernel, reference, (kh, kw, n, width), (cast, bits), cast);
    }

    /// As [`same_as_reference`], the taps made by `tap_cast`.
    fn same_with_taps<T: crate::element::Element>(
        kernel: RowKernel<T>,
        reference: RowKernel<T>,
        (kh, kw, n, width): (usize, usize, usize, usize),
        (cast, bits): Conv<T>,
        tap_cast: fn(f64) -> T,
    ) {
        let taps = Taps::new(
            values(kh * kw, 7).into_iter().map(tap_cast).collect(),
            kh,
            kw,
        );
        let len = width + kw - 1 + crate::kernels::ROW_SLACK;
        let data: Vec<Vec<T>> = (0..n + kh - 1)
            .map(|r| values(len, 100 + r as u64).into_iter().map(cast).collect())
            .collect();
        let rows: Vec<&[T]> = data.iter().map(|r| r.as_slice()).collect();
        let mut got = vec![vec![T::zero(); width]; n];
        let mut want = got.clone();
        kernel(
            &rows,
            &taps,
            &mut got.iter_mut().map(|r| r.as_mut_slice()).collect::<Vec<_>>(),
        );
        reference(
            &rows,
            &taps,
            &mut want
                .iter_mut()
                .map(|r| r.as_mut_slice())
                .collect::<Vec<_>>(),
        );
        for (g, w) in got.iter().flatten().zip(want.iter().flatten()) {
            assert_eq!(bits(*g), bits(*w), "{kh}x{kw} block of {n} x {width}");
        }
    }

    #[test]
    fn both_broadcast_forms_match_the_reference_bit_for_bit() {
        // Every kernel of both forms: dense floats, fused floats, and the
        // integers (dense, tap program or box sum, as their taps decide).
        if !Backend::Avx512.is_available() {
            return;
        }
        // Rolling strips (heights 2-9), register tiles (taller), one-row
        // and one-column kernels, partial vectors and short blocks.
        for &(kh, kw) in &[
            (1, 1),
            (1, 7),
            (2, 2),
            (3, 3),
            (5, 4),
            (7, 7),
            (9, 9),
            (9, 1),
            (10, 3),
            (13, 13),
            (31, 31),
        ] {
            for &(n, width) in &[(1, 5), (3, 16), (7, 47), (30, 130)] {
                let shape = (kh, kw, n, width);
                let f32s: Conv<f32> = (|v| v as f32, |v| v.to_bits().into());
                let f64s: Conv<f64> = (|v| v, f64::to_bits);
                for k in [row_f32, row_hoisted_f32] {
                    same_as_reference(k, scalar::row_kernel::<f32>, shape, f32s);
                }
                for k in [row_f64, row_hoisted_f64] {
                    same_as_reference(k, scalar::row_kernel::<f64>, shape, f64s);
                }
                for k in [row_fused_f32, row_fused_hoisted_f32] {
                    same_as_reference(k, scalar::row_kernel_fused::<f32>, shape, f32s);
                }
                for k in [row_fused_f64, row_fused_hoisted_f64] {
                    same_as_reference(k, scalar::row_kernel_fused::<f64>, shape, f64s);
                }
                // Integers large enough to wrap.
                let i32s: Conv<i32> = (|v| (v * 2e9) as i32, |v| u64::from(v as u32));
                let i64s: Conv<i64> = (|v| (v * 9e18) as i64, |v| v as u64);
                for k in [row_i32, row_hoisted_i32] {
                    same_as_reference(k, scalar::row_kernel::<i32>, shape, i32s);
                }
                for k in [row_i64, row_hoisted_i64] {
                    same_as_reference(k, scalar::row_kernel::<i64>, shape, i64s);
                }
                // Taps in i32, i32::MIN and i32::MAX among them, on wrapping
                // inputs: the two-multiply form and the dispatch over it.
                let narrow = |v: f64| (v * 3e9).clamp(i32::MIN.into(), i32::MAX.into()) as i64;
                for k in [row_split_i64, row_any_i64] {
                    same_with_taps(k, scalar::row_kernel::<i64>, shape, i64s, narrow);
                }
            }
        }
    }
}
