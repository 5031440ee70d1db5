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
avx512_vector!(I16x32(__m512i): i16, lanes = 32, mask = __mmask32, splat = _mm512_set1_epi16,
    load = _mm512_loadu_si512, store = _mm512_storeu_si512, mask_store = _mm512_mask_storeu_epi16,
    add = _mm512_add_epi16, mul = _mm512_mullo_epi16, mul_splat = mul_splat_epi16);
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
/// such broadcast takes a vector-pipe slot, while the folded operand is
/// free (`docs/TUNING.md`, "AVX-512 taps").
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

/// `x * splat(*tap)` for 16-bit lanes: AVX-512 has no embedded broadcast
/// of 16-bit elements, so the tap is broadcast first (the `i16` kernel
/// hoists its taps, so this runs once per tap and block row).
///
/// # Safety
///
/// The CPU supports AVX-512BW; `tap` is valid for one read.
#[inline]
#[target_feature(enable = "avx512f,avx512bw")]
unsafe fn mul_splat_epi16(x: __m512i, tap: *const i16) -> __m512i {
    // SAFETY: AVX-512BW (the caller's contract); one read at `tap`.
    unsafe { _mm512_mullo_epi16(x, _mm512_set1_epi16(*tap)) }
}
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
    I16x32,
    sub = _mm512_sub_epi16,
    shl = |a, n| _mm512_sll_epi16(a, _mm_cvtsi32_si128(n as i32))
);
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
crate::kernels::row_kernel!(row_i16: i16 => I16x32, tile = 4 x 4, regs = super::REGS_AVX512,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512, kind = int_hoisted);
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

/// `(e0 o0 e1 o1 ... e7 o7)` and `(e8 o8 ... e15 o15)`: the even and odd
/// outputs of a widening block back in order.
///
/// # Safety
/// The CPU supports AVX-512F; `p` is valid for 32 `i32` writes.
#[inline(always)]
unsafe fn store_interleaved_epi32(e: __m512i, o: __m512i, p: *mut i32) {
    // SAFETY: the caller's contract.
    unsafe {
        let lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        let hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        _mm512_storeu_si512(p.cast(), _mm512_permutex2var_epi32(e, lo, o));
        _mm512_storeu_si512(p.add(16).cast(), _mm512_permutex2var_epi32(e, hi, o));
    }
}

/// Stores the sums of `vpunpcklwd` / `vpunpckhwd` halves in order: `low`
/// holds outputs 0-3, 8-11, 16-19, 24-27 (one group per 128-bit lane),
/// `high` 4-7, 12-15, 20-23, 28-31.
///
/// # Safety
/// The CPU supports AVX-512F; `p` is valid for 32 `i32` writes.
#[inline(always)]
unsafe fn store_halves_epi32(low: __m512i, high: __m512i, p: *mut i32) {
    // SAFETY: the caller's contract.
    unsafe {
        let first = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
        let second =
            _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
        _mm512_storeu_si512(p.cast(), _mm512_permutex2var_epi32(low, first, high));
        _mm512_storeu_si512(
            p.add(16).cast(),
            _mm512_permutex2var_epi32(low, second, high),
        );
    }
}

crate::kernels::widening::impl_pair_vector!(
    Pairs16(__m512i),
    lanes = 16,
    zero = _mm512_setzero_si512,
    splat = _mm512_set1_epi32,
    load = _mm512_loadu_si512 as *const __m512i,
    madd = |acc, x, k| _mm512_add_epi32(acc, _mm512_madd_epi16(x, k)),
    interleave = |e, o, p| store_interleaved_epi32(e, o, p),
    unpack = |a, b| (_mm512_unpacklo_epi16(a, b), _mm512_unpackhi_epi16(a, b)),
    halves = |low, high, p| store_halves_epi32(low, high, p)
);
crate::kernels::widening::impl_pair_vector!(
    PairsVnni16(__m512i),
    lanes = 16,
    zero = _mm512_setzero_si512,
    splat = _mm512_set1_epi32,
    load = _mm512_loadu_si512 as *const __m512i,
    madd = |acc, x, k| _mm512_dpwssd_epi32(acc, x, k),
    interleave = |e, o, p| store_interleaved_epi32(e, o, p),
    unpack = |a, b| (_mm512_unpacklo_epi16(a, b), _mm512_unpackhi_epi16(a, b)),
    halves = |low, high, p| store_halves_epi32(low, high, p)
);
crate::kernels::widening::widening_kernel!(widening => Pairs16, blocks = 2,
    feature = "avx512f,avx512dq,avx512bw,avx512vl", backend = Backend::Avx512);
crate::kernels::widening::widening_kernel!(widening_vnni => PairsVnni16, blocks = 4,
    feature = "avx512f,avx512dq,avx512bw,avx512vl,avx512vnni", backend = super::Avx512Vnni);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{assert_same_bits, Rng};
    use crate::kernels::{scalar, RowKernel, Taps};

    /// Values in [-1, 1), every 17th zero and every 17th (offset 1) huge.
    fn value(rng: &mut Rng, i: &mut usize) -> f64 {
        *i += 1;
        let v = rng.unit();
        match *i % 17 {
            0 => 0.0,
            1 => v * 1e30,
            _ => v,
        }
    }

    /// `kernel` against `reference` on one block, taps made by `tap` and
    /// samples by `sample` from values in [-1, 1).
    fn case<T: crate::arith::Arith>(
        kernel: RowKernel<T>,
        reference: RowKernel<T>,
        (kh, kw, n, width): (usize, usize, usize, usize),
        tap: fn(f64) -> T,
        sample: fn(f64) -> T,
    ) {
        let (mut rng, mut i) = (Rng::new(7), 0);
        let taps = Taps::new(
            (0..kh * kw).map(|_| tap(value(&mut rng, &mut i))).collect(),
            kh,
            kw,
        );
        let mut rng = Rng::new(100 + n as u64);
        assert_same_bits(
            kernel,
            reference,
            &taps,
            (n, width),
            || sample(value(&mut rng, &mut i)),
            "avx512",
        );
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
                let f32s: fn(f64) -> f32 = |v| v as f32;
                let f64s: fn(f64) -> f64 = |v| v;
                for k in [row_f32, row_hoisted_f32] {
                    case(k, scalar::row_kernel::<f32>, shape, f32s, f32s);
                }
                for k in [row_f64, row_hoisted_f64] {
                    case(k, scalar::row_kernel::<f64>, shape, f64s, f64s);
                }
                for k in [row_fused_f32, row_fused_hoisted_f32] {
                    case(k, scalar::row_kernel_fused::<f32>, shape, f32s, f32s);
                }
                for k in [row_fused_f64, row_fused_hoisted_f64] {
                    case(k, scalar::row_kernel_fused::<f64>, shape, f64s, f64s);
                }
                // Integers large enough to wrap.
                let i32s: fn(f64) -> i32 = |v| (v * 2e9) as i32;
                let i64s: fn(f64) -> i64 = |v| (v * 9e18) as i64;
                for k in [row_i32, row_hoisted_i32] {
                    case(k, scalar::row_kernel::<i32>, shape, i32s, i32s);
                }
                for k in [row_i64, row_hoisted_i64] {
                    case(k, scalar::row_kernel::<i64>, shape, i64s, i64s);
                }
                // Taps in i32, i32::MIN and i32::MAX among them, on wrapping
                // inputs: the two-multiply form and the table's dispatch
                // over it.
                let narrow: fn(f64) -> i64 =
                    |v| (v * 3e9).clamp(i32::MIN.into(), i32::MAX.into()) as i64;
                let table = crate::kernels::select::i64(Backend::Avx512).expect("built");
                for k in [row_split_i64, table] {
                    case(k, scalar::row_kernel::<i64>, shape, narrow, i64s);
                }
            }
        }
    }
}
