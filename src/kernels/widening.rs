//! The widening row pass: rows of `i16` values times `i16` taps, summed
//! exactly in `i32` lanes, by pairs of taps (`pmaddwd`, `vpdpwssd`,
//! `i32x4.dot_i16x8_s`).
//!
//! It is the second pass of narrow pixels' two-width separable filters
//! (`pipeline::split`): the column pass sums `u8` / `u16` / `i16` pixels
//! in wrapping 16-bit lanes (exact when the column sums span fewer than
//! 2^16 values), and this pass multiplies those 16-bit values by the row
//! taps into 32-bit sums, two taps per instruction, where the plain `i32`
//! row kernel spends a 32-bit multiply and an add per tap on half as many
//! lanes.
//!
//! # What it computes
//!
//! For every output row `r` and column `x < width`:
//!
//! ```text
//! out[r][x] = sum_j taps[j] * rows[r][x + j * step]    (wrapping i32)
//! ```
//!
//! Every product of two `i16` fits in `i32`; the sums wrap modulo 2^32,
//! so any order gives the same bits (the one overflowing `pmaddwd` case,
//! `2 * (-2^15)^2`, wraps to the same residue). The caller bounds the
//! sums so that the residue is the exact sum.
//!
//! # How
//!
//! An `i32` lane holds two adjacent `i16` values, `(d[q], d[q + 1])`, and
//! `pmaddwd` against the pair `(a, b)` gives `a d[q] + b d[q + 1]`. With
//! `step` 1 the taps pair up, `(taps[2t], taps[2t + 1])` at offset `2t`:
//! a vector loaded at `x` computes the even outputs `x, x + 2, ...`, one
//! loaded at `x + 1` the odd ones, and a final interleave puts them in
//! order: about `kw / 2` multiply-adds per `2 * LANES` outputs. With a
//! larger `step` (the channels of an interleaved image) neighbours belong
//! to other channels, so the pairs are made by interleaving two loads:
//! the vectors at `x + 2t step` and `x + (2t + 1) step`, interleaved
//! 16 bits at a time (`punpcklwd` / `punpckhwd`, NEON's `zip1` / `zip2`),
//! hold `(d[p + 2t step], d[p + (2t + 1) step])` for every output `p`,
//! low and high halves of each 128-bit lane apart, which the final store
//! puts back in order.

use super::contract::ROW_SLACK;
use crate::backend::Backend;

/// A widening row pass: `out[r][x] = sum_j taps[j] * rows[r][x + j *
/// step]` (see the module documentation). Every row of `rows` holds at
/// least `width + (kw - 1) * step + ROW_SLACK` values, `out` as many rows
/// as `rows`, each `width` long.
pub(crate) type WideningKernel = fn(&[&[i16]], &PairTaps, &mut [&mut [i32]]);

/// The taps of a widening row pass, packed once: the terms each output
/// sums, as `(offset, pair)` with the pair's low 16 bits the tap for
/// `d[x + offset]` and its high 16 bits the tap for `d[x + offset + 1]`.
#[derive(Clone, Debug)]
pub(crate) struct PairTaps {
    taps: Vec<i16>,
    step: usize,
    terms: Vec<Term>,
}

/// One multiply-add of every output: the pair `pair` (low 16 bits the
/// first tap) against `(d[x + a], d[x + a + 1])` (`step` 1), or against
/// `(d[x + a], d[x + b])` (a larger step; `b == a` with a zero second
/// tap for an odd last tap).
#[derive(Clone, Copy, Debug)]
struct Term {
    a: usize,
    b: usize,
    pair: i32,
}

impl PairTaps {
    /// The pass of `taps` (at least one) reading every `step`-th value.
    pub(crate) fn new(taps: Vec<i16>, step: usize) -> Self {
        assert!(!taps.is_empty() && step > 0, "PairTaps: no taps or step 0");
        let pair = |a: i16, b: i16| (i32::from(a) & 0xffff) | (i32::from(b) << 16);
        let terms = taps
            .chunks(2)
            .enumerate()
            .map(|(t, p)| {
                let a = 2 * t * step;
                let b = if p.len() == 2 && step > 1 {
                    a + step
                } else {
                    a
                };
                let pair = pair(p[0], p.get(1).copied().unwrap_or(0));
                Term { a, b, pair }
            })
            .collect();
        PairTaps { taps, step, terms }
    }

    /// How far past an output's own column its last tap reads.
    fn reach(&self) -> usize {
        (self.taps.len() - 1) * self.step
    }
}

/// Checks the block contract of a widening kernel and returns the width.
fn check(rows: &[&[i16]], taps: &PairTaps, out: &[&mut [i32]]) -> usize {
    assert_eq!(
        rows.len(),
        out.len(),
        "widening pass: one input row per output row"
    );
    let width = out.first().map_or(0, |o| o.len());
    let need = width + taps.reach() + ROW_SLACK;
    assert!(
        out.iter().all(|o| o.len() == width) && rows.iter().all(|r| r.len() >= need),
        "widening pass: rows of {need} values and outputs of {width} needed"
    );
    width
}

/// One output row by the definition (the reference, and the SIMD kernels'
/// narrow rows).
fn scalar_row(row: &[i16], taps: &PairTaps, out: &mut [i32]) {
    for (x, o) in out.iter_mut().enumerate() {
        let mut sum = 0i32;
        for (j, &k) in taps.taps.iter().enumerate() {
            sum = sum.wrapping_add(i32::from(k) * i32::from(row[x + j * taps.step]));
        }
        *o = sum;
    }
}

/// The reference: plain loops, the definition of correct.
pub(crate) fn scalar(rows: &[&[i16]], taps: &PairTaps, out: &mut [&mut [i32]]) {
    check(rows, taps, out);
    for (row, o) in rows.iter().zip(out.iter_mut()) {
        scalar_row(row, taps, o);
    }
}

simd_only! {
/// The register a SIMD widening kernel works on: `LANES` `i32` lanes, each
/// holding a pair of `i16` when loaded.
///
/// # Safety
///
/// Every method requires that the running CPU supports the instruction set
/// the implementation is written for; pointers must be valid for the
/// elements each method names.
pub(crate) trait PairVector: Copy {
    /// The `i32` lanes.
    const LANES: usize;
    /// All lanes 0.
    unsafe fn zero() -> Self;
    /// Every lane set to the pair `pair` (its low 16 bits the first tap).
    unsafe fn splat(pair: i32) -> Self;
    /// `2 * LANES` `i16` values from `p` (no alignment needed).
    unsafe fn load(p: *const i16) -> Self;
    /// `self + pmaddwd(x, k)`, wrapping.
    unsafe fn madd(self, x: Self, k: Self) -> Self;
    /// Stores `even[0], odd[0], even[1], odd[1], ...` (`2 * LANES` values)
    /// to `p`.
    unsafe fn store_interleaved(even: Self, odd: Self, p: *mut i32);
    /// `(a[0], b[0]), (a[1], b[1]), ...`: the 16-bit values of `a` and
    /// `b` interleaved within each 128-bit lane, its low four pairs in
    /// the first result, its high four in the second.
    unsafe fn unpack(a: Self, b: Self) -> (Self, Self);
    /// Stores the sums of [`unpack`](Self::unpack)'s two halves in the
    /// order of the values they came from (`2 * LANES` values) to `p`.
    unsafe fn store_halves(low: Self, high: Self, p: *mut i32);
}

/// The widening pass over `rows` with vector `V`, `U` blocks of `2 *
/// LANES` outputs at a time (independent accumulators hide the
/// multiply-add's latency).
///
/// # Safety
///
/// The CPU supports `V`'s instruction set, and the block contract holds
/// ([`check`] returned `width`).
#[inline(always)]
pub(crate) unsafe fn blocked<V: PairVector, const U: usize>(
    rows: &[&[i16]],
    taps: &PairTaps,
    width: usize,
    out: &mut [&mut [i32]],
) {
    let block = 2 * V::LANES;
    for (row, o) in rows.iter().zip(out.iter_mut()) {
        if width < block {
            scalar_row(row, taps, o);
            continue;
        }
        let (src, dst) = (row.as_ptr(), o.as_mut_ptr());
        let mut x = 0;
        // SAFETY (all three calls): the caller's CPU contract; a block at
        // x <= width - block reads up to x + block + reach (see
        // `outputs`), within the row's width + reach + ROW_SLACK values
        // (ROW_SLACK >= block, checked where each kernel is defined), and
        // writes x..x + n * block <= width outputs.
        while x + U * block <= width {
            unsafe { outputs::<V, U>(src, dst, taps, x, U) };
            x += U * block;
        }
        while x + block <= width {
            unsafe { outputs::<V, U>(src, dst, taps, x, 1) };
            x += block;
        }
        if x < width {
            // The last outputs again with the block ending at the row's end
            // (width >= block): the same values, stored twice.
            unsafe { outputs::<V, U>(src, dst, taps, width - block, 1) };
        }
    }
}

/// Outputs `x..x + n * 2 * LANES` (`n <= U`) of one row: `src` the row's
/// values, `dst` its outputs. Reads `src[x ..= x + n * 2 * LANES +
/// reach]` (with `step` 1 the odd outputs' loads start one value later).
///
/// # Safety
///
/// The CPU supports `V`'s instruction set; `src` and `dst` are valid for
/// those reads and writes.
#[inline(always)]
unsafe fn outputs<V: PairVector, const U: usize>(
    src: *const i16,
    dst: *mut i32,
    taps: &PairTaps,
    x: usize,
    n: usize,
) {
    let block = 2 * V::LANES;
    // SAFETY: the caller's contract covers every load and store below.
    unsafe {
        let mut even = [V::zero(); U];
        let mut odd = [V::zero(); U];
        if taps.step == 1 {
            for term in &taps.terms {
                let k = V::splat(term.pair);
                for u in 0..n {
                    let p = src.add(x + u * block + term.a);
                    even[u] = even[u].madd(V::load(p), k);
                    odd[u] = odd[u].madd(V::load(p.add(1)), k);
                }
            }
            for u in 0..n {
                V::store_interleaved(even[u], odd[u], dst.add(x + u * block));
            }
        } else {
            // `even` and `odd` hold the low and high halves here.
            for term in &taps.terms {
                let k = V::splat(term.pair);
                for u in 0..n {
                    let p = src.add(x + u * block);
                    let (low, high) = V::unpack(V::load(p.add(term.a)), V::load(p.add(term.b)));
                    even[u] = even[u].madd(low, k);
                    odd[u] = odd[u].madd(high, k);
                }
            }
            for u in 0..n {
                V::store_halves(even[u], odd[u], dst.add(x + u * block));
            }
        }
    }
}

/// Defines a backend's widening kernel: a `#[target_feature]` function
/// instantiating [`blocked`] with vector `$vec` and `$u` blocks, behind a
/// safe wrapper that checks the block contract and the CPU.
macro_rules! widening_kernel {
    ($name:ident => $vec:ty, blocks = $u:literal, feature = $feature:literal, backend = $backend:expr) => {
        /// The widening row pass on this backend.
        pub(crate) fn $name(
            rows: &[&[i16]],
            taps: &$crate::kernels::widening::PairTaps,
            out: &mut [&mut [i32]],
        ) {
            #[target_feature(enable = $feature)]
            unsafe fn inner(
                rows: &[&[i16]],
                taps: &$crate::kernels::widening::PairTaps,
                width: usize,
                out: &mut [&mut [i32]],
            ) {
                // SAFETY: forwarded from the checks below.
                unsafe { $crate::kernels::widening::blocked::<$vec, $u>(rows, taps, width, out) }
            }
            const _: () = assert!(
                2 * <$vec as $crate::kernels::widening::PairVector>::LANES <= $crate::kernels::ROW_SLACK,
                "a vector wider than the rows' slack"
            );
            let width = $crate::kernels::widening::check_block(rows, taps, out);
            assert!($backend.is_available(), "widening kernel called on a CPU without its features");
            // SAFETY: the backend is available, so the CPU has every feature
            // in `$feature`; check_block verified the block contract.
            unsafe { inner(rows, taps, width, out) }
        }
    };
}
pub(crate) use widening_kernel;

/// Implements [`PairVector`] for a newtype over a register, from
/// intrinsics: `madd` and `interleave` are given as expressions of the
/// raw registers (and the output pointer).
#[cfg(not(target_arch = "wasm32"))]
macro_rules! impl_pair_vector {
    (
        $name:ident($reg:ty), lanes = $lanes:expr,
        zero = $zero:path,
        splat = $splat:path,
        load = $load:path as $lptr:ty,
        madd = |$acc:ident, $x:ident, $k:ident| $madd:expr,
        interleave = |$e:ident, $o:ident, $p:ident| $interleave:expr,
        unpack = |$ua:ident, $ub:ident| $unpack:expr,
        halves = |$hl:ident, $hh:ident, $hp:ident| $halves:expr $(,)?
    ) => {
        /// Pairs of `i16` in `i32` lanes, for the widening pass.
        #[derive(Clone, Copy)]
        #[repr(transparent)]
        pub(crate) struct $name($reg);

        impl $crate::kernels::widening::PairVector for $name {
            const LANES: usize = $lanes;

            #[inline(always)]
            unsafe fn zero() -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $zero() })
            }
            #[inline(always)]
            unsafe fn splat(pair: i32) -> Self {
                // SAFETY: as for `zero`.
                $name(unsafe { $splat(pair) })
            }
            #[inline(always)]
            unsafe fn load(p: *const i16) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction
                // set and p is valid for 2 * LANES values.
                $name(unsafe { $load(p as $lptr) })
            }
            #[inline(always)]
            unsafe fn madd(self, x: Self, k: Self) -> Self {
                let ($acc, $x, $k) = (self.0, x.0, k.0);
                // SAFETY: as for `zero`.
                $name(unsafe { $madd })
            }
            #[inline(always)]
            unsafe fn store_interleaved(even: Self, odd: Self, p: *mut i32) {
                let ($e, $o, $p) = (even.0, odd.0, p);
                // SAFETY: the trait's contract: p is valid for 2 * LANES
                // values.
                unsafe { $interleave }
            }
            #[inline(always)]
            unsafe fn unpack(a: Self, b: Self) -> (Self, Self) {
                let ($ua, $ub) = (a.0, b.0);
                // SAFETY: as for `zero`.
                let (low, high) = unsafe { $unpack };
                ($name(low), $name(high))
            }
            #[inline(always)]
            unsafe fn store_halves(low: Self, high: Self, p: *mut i32) {
                let ($hl, $hh, $hp) = (low.0, high.0, p);
                // SAFETY: as for `store_interleaved`.
                unsafe { $halves }
            }
        }
    };
}
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use impl_pair_vector;

/// [`check`], for the kernels' entries.
pub(crate) fn check_block(rows: &[&[i16]], taps: &PairTaps, out: &[&mut [i32]]) -> usize {
    check(rows, taps, out)
}
}

/// The widening kernel of `backend`, if this build has one.
pub(crate) fn select(backend: Backend) -> Option<WideningKernel> {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    use super::x86::{avx2, sse2};
    match backend {
        Backend::Scalar => Some(scalar),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse2 | Backend::Sse41 => Some(sse2::widening),
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => Some(avx2::widening),
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => Some(if super::x86::Avx512Vnni.is_available() {
            super::x86::avx512::widening_vnni
        } else {
            super::x86::avx512::widening
        }),
        #[cfg(target_arch = "aarch64")]
        Backend::Neon => Some(super::aarch64::neon::widening),
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        Backend::Wasm128 => Some(super::wasm32::simd128::widening),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every available backend's kernel equals the reference, for widths
    /// around the vector sizes, odd and even tap counts, steps 1 to 4, and
    /// the extreme values (the one wrapping `pmaddwd` case included).
    #[test]
    fn every_backend_matches_the_reference() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let widths: &[usize] = if cfg!(miri) {
            &[1, 33]
        } else {
            &[0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 129]
        };
        #[cfg_attr(not(simdconv_avx512), allow(unused_mut))]
        let mut kernels: Vec<(String, WideningKernel)> = Backend::available()
            .into_iter()
            .map(|b| {
                (
                    format!("{b:?}"),
                    select(b).expect("a kernel for every backend"),
                )
            })
            .collect();
        // The AVX-512 kernel without VNNI, which `select` passes over on
        // CPUs that have it.
        #[cfg(simdconv_avx512)]
        if Backend::Avx512.is_available() {
            kernels.push((
                "Avx512 without VNNI".into(),
                super::super::x86::avx512::widening,
            ));
        }
        for (backend, kernel) in kernels {
            let (sizes, steps): (&[usize], &[usize]) = if cfg!(miri) {
                (&[2, 3], &[1, 3])
            } else {
                (&[1, 2, 3, 7, 13], &[1, 2, 3, 4])
            };
            for &kw in sizes {
                for &step in steps {
                    for &width in widths {
                        let extreme = next() % 3 == 0;
                        let value = |r: u64| -> i16 {
                            if extreme {
                                [i16::MIN, i16::MAX, -1, 0][(r % 4) as usize]
                            } else {
                                r as i16
                            }
                        };
                        let taps: Vec<i16> = (0..kw).map(|_| value(next())).collect();
                        let taps = PairTaps::new(taps, step);
                        let len = width + taps.reach() + ROW_SLACK;
                        let rows: Vec<Vec<i16>> = (0..2)
                            .map(|_| (0..len).map(|_| value(next())).collect())
                            .collect();
                        let rows: Vec<&[i16]> = rows.iter().map(|r| r.as_slice()).collect();
                        let run = |k: WideningKernel| {
                            let mut out = vec![vec![0i32; width]; 2];
                            let mut outs: Vec<&mut [i32]> =
                                out.iter_mut().map(|o| o.as_mut_slice()).collect();
                            k(&rows, &taps, &mut outs);
                            out
                        };
                        assert_eq!(
                            run(kernel),
                            run(scalar),
                            "{backend} kw {kw} step {step} width {width}"
                        );
                    }
                }
            }
        }
    }
}
