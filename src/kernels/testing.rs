//! Test support for the kernel unit tests: one seeded generator and one
//! kernel-against-reference harness that every backend's tests use.

use super::{RowKernel, Taps, ROW_SLACK};
use crate::arith::Arith;

/// A small seeded xorshift generator (the same sequence on every target).
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s
    }

    /// A value in [-1, 1).
    #[cfg_attr(not(simdconv_avx512), allow(dead_code))] // AVX-512's tests only
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    /// A value over the whole of an integer type (wrapping from 64 bits).
    pub(crate) fn int<T: Arith>(&mut self) -> T {
        T::from_int_wrapping(self.next_u64() as i64 as i128)
    }
}

/// A value's identity for bit comparisons: an integer's value, a float's
/// bits (as f64, which keeps an f32's sign of zero and NaN).
pub(crate) fn bits<T: Arith>(v: T) -> u128 {
    match v.to_exact_int() {
        Some(i) => i as u128,
        None => u128::from(v.float_value().to_bits()),
    }
}

/// Runs `kernel` and `reference` on one block of `n` output rows of
/// `width` (input rows made by `sample`, with the contract's slack) and
/// asserts the same bits everywhere; `label` names the case.
pub(crate) fn assert_same_bits<T: Arith>(
    kernel: RowKernel<T>,
    reference: RowKernel<T>,
    taps: &Taps<T>,
    (n, width): (usize, usize),
    mut sample: impl FnMut() -> T,
    label: &str,
) {
    let len = width + taps.cols() - 1 + ROW_SLACK;
    let data: Vec<Vec<T>> = (0..n + taps.rows() - 1)
        .map(|_| (0..len).map(|_| sample()).collect())
        .collect();
    let rows: Vec<&[T]> = data.iter().map(|r| r.as_slice()).collect();
    let run = |k: RowKernel<T>| {
        let mut out = vec![T::ZERO; width * n];
        k(&rows, taps, &mut out.chunks_mut(width).collect::<Vec<_>>());
        out
    };
    let (got, want) = (run(kernel), run(reference));
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(
            bits(*g),
            bits(*w),
            "{label}: {}x{} kernel, block of {n} x {width}, output ({}, {}): {g:?} != {w:?}",
            taps.rows(),
            taps.cols(),
            i / width,
            i % width
        );
    }
}
