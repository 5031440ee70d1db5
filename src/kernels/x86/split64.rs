//! 64-bit integer products by taps that fit in 32 bits, from two
//! 32 x 32 -> 64-bit multiplies (`vpmuldq`, `vpmuludq`) instead of one
//! 64-bit multiply.
//!
//! On Intel cores AVX-512's `vpmullq` is three uops on one port, several
//! times slower than `vpmuludq` (`docs/TUNING.md`, "AVX-512 i64
//! multiply"; [`crate::tuning::avx512_splits_i64`] decides). Convolution
//! kernels of 64-bit integers almost always have small taps, and a tap `t`
//! in `i32` needs only two 32-bit multiplies per product, because
//!
//! ```text
//! x = l + h * 2^32    with l = x's low 32 bits sign-extended, h = (x + 2^31) >> 32
//! t * x = t * l + (t * h mod 2^32) * 2^32        (mod 2^64)
//! ```
//!
//! where `t * l` is exact in 64 bits (`vpmuldq`), and only the low 32 bits
//! of `t * h` matter (`vpmuludq`). [`Split`] keeps the two halves of every
//! sum apart (`lo + hi * 2^32`) and folds them only when it stores; the
//! sums wrap modulo 2^64 exactly as the reference's do, in any order, so
//! the outputs are the reference's bits.
//!
//! AVX2 has no 64-bit multiply and emulates one with three `vpmuludq`; the
//! same split form there measured no faster, so AVX2 keeps the emulation
//! and this module serves AVX-512 only.

use crate::kernels::vector::{IntVector, Vector};

/// What [`Split`] needs of a vector of `i64` lanes.
pub(crate) trait Mul32: IntVector<Elem = i64> {
    /// Each lane's low 32 bits as signed, times `t`'s, exactly (`vpmuldq`).
    ///
    /// # Safety
    ///
    /// The CPU supports the vector's instruction set.
    unsafe fn mul_i32(self, t: Self) -> Self;
    /// Each lane's low 32 bits times `t`'s, unsigned (`vpmuludq`).
    ///
    /// # Safety
    ///
    /// As for `mul_i32`.
    unsafe fn mul_u32(self, t: Self) -> Self;
    /// Each lane shifted right by 32 bits, logically.
    ///
    /// # Safety
    ///
    /// As for `mul_i32`.
    unsafe fn shr32(self) -> Self;
}

/// A vector of `i64` lanes held as `lo + hi * 2^32` (wrapping), whose
/// multiply is two 32-bit multiplies.
///
/// `a.mul(b)` is exact only when `a` is a [`Vector::splat`] of a tap in
/// `i32` (the multiply reads only its `lo`); the row kernels that use this
/// type run only on kernels whose taps all are
/// ([`Taps::is_narrow`](crate::kernels::Taps::is_narrow)). Loads, adds,
/// subtracts, shifts and stores are exact for any values.
#[derive(Clone, Copy)]
pub(crate) struct Split<W> {
    lo: W,
    hi: W,
}

impl<W: Mul32> Split<W> {
    /// The value as one vector: `lo + (hi << 32)`.
    ///
    /// # Safety
    ///
    /// The CPU supports `W`'s instruction set.
    #[inline(always)]
    unsafe fn fold(self) -> W {
        // SAFETY: the caller's contract.
        unsafe { self.lo.add(self.hi.shl(32)) }
    }
}

impl<W: Mul32> Vector for Split<W> {
    type Elem = i64;
    const LANES: usize = W::LANES;
    const NARROW_MUL: bool = true;

    /// `lo` is `x`'s low half zero-extended, `hi` the rest (`x >> 32`): for
    /// a tap, the multiplies read only `lo`, whose high half the compiler
    /// then knows to be zero. (Given the full `x`, LLVM drops the mask of
    /// `vpmuludq` as far as the low 32 bits of the sum are concerned and
    /// lowers the resulting general 64-bit multiply to three `vpmuludq`.)
    #[inline(always)]
    unsafe fn splat(x: i64) -> Self {
        // SAFETY: the trait's contract: the CPU has W's instruction set.
        unsafe {
            Split {
                lo: W::splat(x & 0xffff_ffff),
                hi: W::splat(x >> 32),
            }
        }
    }

    #[inline(always)]
    unsafe fn load(p: *const i64) -> Self {
        // SAFETY: the trait's contract: W's instruction set, p valid for
        // LANES elements.
        unsafe {
            Split {
                lo: W::load(p),
                hi: W::splat(0),
            }
        }
    }

    #[inline(always)]
    unsafe fn store(self, p: *mut i64) {
        // SAFETY: as for `load`, writable.
        unsafe { self.fold().store(p) }
    }

    #[inline(always)]
    unsafe fn store_first(self, p: *mut i64, n: usize) {
        // SAFETY: as for `load`, writable for n < LANES elements.
        unsafe { self.fold().store_first(p, n) }
    }

    #[inline(always)]
    unsafe fn add(self, rhs: Self) -> Self {
        // SAFETY: the trait's contract.
        unsafe {
            Split {
                lo: self.lo.add(rhs.lo),
                hi: self.hi.add(rhs.hi),
            }
        }
    }

    /// `self * rhs` for `self` a splat of a tap in `i32` (see the type).
    /// With `rhs = l + h * 2^32` split as in the module documentation,
    /// `lo = t * l` and `hi = t * h + t * rhs.hi` (mod 2^32); a loaded
    /// `rhs` has `hi` zero, which the compiler folds away.
    #[inline(always)]
    unsafe fn mul(self, rhs: Self) -> Self {
        let t = self.lo;
        // SAFETY: the trait's contract: W's instruction set.
        unsafe {
            let h = rhs.lo.add(W::splat(1 << 31)).shr32();
            Split {
                lo: rhs.lo.mul_i32(t),
                hi: h.mul_u32(t).add(rhs.hi.mul_u32(t)),
            }
        }
    }
}

impl<W: Mul32> IntVector for Split<W> {
    #[inline(always)]
    unsafe fn sub(self, rhs: Self) -> Self {
        // SAFETY: the trait's contract.
        unsafe {
            Split {
                lo: self.lo.sub(rhs.lo),
                hi: self.hi.sub(rhs.hi),
            }
        }
    }

    #[inline(always)]
    unsafe fn shl(self, count: u32) -> Self {
        // SAFETY: the trait's contract. (lo + hi 2^32) 2^s = lo 2^s + hi
        // 2^s 2^32, wrapping, for any s < 64.
        unsafe {
            Split {
                lo: self.lo.shl(count),
                hi: self.hi.shl(count),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::backend::Backend;
    use crate::kernels::testing::{assert_same_bits, Rng};
    use crate::kernels::{scalar, Taps};

    /// Every backend's `i64` row kernel on this CPU against the scalar
    /// reference (AVX-512's runs [`Split`](super::Split) on narrow taps
    /// unless the CPU is AMD): taps at the edges of `i32` and just past
    /// them (the general multiply), inputs over all of `i64`.
    #[test]
    fn narrow_and_wide_taps_give_the_reference_bits() {
        let edges = [i32::MIN as i64, i32::MAX as i64, -1, 0, 1, 3, -7, 1 << 30];
        let past = [i32::MAX as i64 + 1, i32::MIN as i64 - 1, i64::MIN, i64::MAX];
        let mut rng = Rng::new(1);
        for &(kh, kw) in &[(1, 5), (3, 3), (9, 1), (9, 9), (11, 4)] {
            for wide in [false, true] {
                let dense: Vec<i64> = (0..kh * kw)
                    .map(|t| {
                        if wide && t == kh * kw / 2 {
                            past[t % past.len()]
                        } else {
                            edges[(rng.next_u64() % edges.len() as u64) as usize]
                        }
                    })
                    .collect();
                let taps = Taps::new(dense, kh, kw);
                assert_eq!(taps.is_narrow(), !wide);
                for backend in Backend::available() {
                    let kernel =
                        crate::kernels::select::i64(backend).expect("an available backend");
                    let label = format!("{backend} wide {wide}");
                    let mut samples = Rng::new(kh as u64 * 31 + kw as u64);
                    assert_same_bits(
                        kernel,
                        scalar::row_kernel::<i64>,
                        &taps,
                        (13, 45),
                        || samples.int(),
                        &label,
                    );
                }
            }
        }
    }
}
