//! Test support shared by the integration tests (each test file that uses
//! it says `mod common;`): the case count, one seeded generator, bit
//! equality for every element type, the lists of borders, modes,
//! operations and integer conversion rules, and borders by the names case
//! files give (through the crate's `FromStr`). Not every test uses every
//! item.
#![allow(dead_code)]

use ndarray::ArrayView2;
use simdconv::{Border, Element, Mode, Operation, Overflow, Round};

/// The property-test case count: `PROPTEST_CASES` if set (CI lowers it
/// under emulation), else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: fast, deterministic on every target, good enough to
/// spread cases. The seed is any value (its low bit is set, so 0 works;
/// so `2k` and `2k + 1` give the same stream: give distinct streams odd
/// seeds). Its high bits are the best: take narrow values from the top
/// (`(rng.next() >> 56) as u8`).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// A value in [-1, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
    /// A value in `lo..=hi` (`lo <= hi`, `hi - lo < i64::MAX`), with
    /// the ends and zero (clamped into the range) over-represented: each
    /// one time in eight, the rest uniform.
    pub fn edgy(&mut self, lo: i64, hi: i64) -> i64 {
        match self.next() % 8 {
            0 => lo,
            1 => hi,
            2 => 0.clamp(lo, hi),
            _ => lo + (self.next() % (hi - lo + 1) as u64) as i64,
        }
    }
}

/// Bitwise equality for every element type: floats by their bits (so the
/// sign of zero counts), any NaN equal to any NaN (the API promises NaN
/// where the reference has one, not its payload); integers by value.
pub trait Bits: Element {
    fn same_bits(a: Self, b: Self) -> bool;
}

impl Bits for f32 {
    fn same_bits(a: Self, b: Self) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }
}

impl Bits for f64 {
    fn same_bits(a: Self, b: Self) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }
}

impl Bits for i16 {
    fn same_bits(a: Self, b: Self) -> bool {
        a == b
    }
}

impl Bits for i32 {
    fn same_bits(a: Self, b: Self) -> bool {
        a == b
    }
}

impl Bits for i64 {
    fn same_bits(a: Self, b: Self) -> bool {
        a == b
    }
}

/// The first position (row, column) where `a` and `b` differ in bits, or
/// where their shapes differ (`Some((usize::MAX, usize::MAX))`).
pub fn first_difference<T: Bits>(
    a: ArrayView2<'_, T>,
    b: ArrayView2<'_, T>,
) -> Option<(usize, usize)> {
    if a.dim() != b.dim() {
        return Some((usize::MAX, usize::MAX));
    }
    a.indexed_iter()
        .zip(b.iter())
        .find(|((_, &x), &y)| !T::same_bits(x, y))
        .map(|((at, _), _)| at)
}

/// Every border, the constant one filled with `fill`.
pub fn borders<T: Element>(fill: T) -> [Border<T>; 5] {
    [
        Border::Constant(fill),
        Border::Wrap,
        Border::Symmetric,
        Border::Mirror,
        Border::Replicate,
    ]
}

/// Every mode.
pub const MODES: [Mode; 3] = [Mode::Full, Mode::Same, Mode::Valid];

/// Both operations.
pub const OPERATIONS: [Operation; 2] = [Operation::Convolution, Operation::Correlation];

/// Every integer rounding rule.
pub const ROUNDS: [Round; 3] = [Round::HalfEven, Round::HalfUp, Round::TowardZero];

/// Both overflow rules.
pub const OVERFLOWS: [Overflow; 2] = [Overflow::Saturate, Overflow::Wrap];

/// The border a case file names (any name `Border`'s `FromStr` takes:
/// SciPy's and the variants' own), the constant one filled with `fill`;
/// for pixel types too, which are not `Element`s. Panics with the crate's
/// message on an unknown name: a broken case file.
pub fn border_named<T>(name: &str, fill: T) -> Border<T> {
    match name.parse::<Border<i64>>() {
        Ok(Border::Constant(_)) => Border::Constant(fill),
        Ok(Border::Wrap) => Border::Wrap,
        Ok(Border::Symmetric) => Border::Symmetric,
        Ok(Border::Mirror) => Border::Mirror,
        Ok(Border::Replicate) => Border::Replicate,
        Err(e) => panic!("{e}"),
    }
}
