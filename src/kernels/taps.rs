//! `Taps`: a kernel packed once for the row kernels.
//!
//! Every kernel keeps its dense row-major taps (the scalar reference and
//! the float kernels use them in that order). Integer kernels also get a
//! [`TapProgram`]: the nonzero taps sorted by what they need, so the vector
//! kernels skip zero taps, add or subtract for +-1, shift for +-2^s, and
//! multiply only the rest. Integer sums are exact modulo 2^bits in any
//! order, so the program gives the dense loops' bits exactly. Floats never
//! get one: `0 * inf` must stay NaN, and the order of the sums is fixed.

use crate::element::Element;

/// A tap's position: kernel row and column.
pub(crate) type At = (usize, usize);

/// The nonzero taps of an integer kernel, by the operation they need.
#[derive(Clone, Debug, Default)]
pub(crate) struct TapProgram<T> {
    /// Taps equal to 1: `acc += x`.
    pub plus: Vec<At>,
    /// Taps equal to -1: `acc -= x`.
    pub minus: Vec<At>,
    /// Taps equal to 2^s (1 <= s < bits - 1): `acc += x << s`.
    pub shift: Vec<(At, u32)>,
    /// Taps equal to -(2^s): `acc -= x << s`.
    pub shift_minus: Vec<(At, u32)>,
    /// Every other nonzero tap: `acc += t * x`.
    pub multiply: Vec<(At, T)>,
}

// The tap program serves the SIMD kernels only (targets without them run
// the scalar reference).
#[cfg_attr(
    not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
impl<T> TapProgram<T> {
    /// The program's steps: the kernel's nonzero taps.
    pub(crate) fn len(&self) -> usize {
        self.plus.len()
            + self.minus.len()
            + self.shift.len()
            + self.shift_minus.len()
            + self.multiply.len()
    }
}

/// A kernel of `kh x kw` taps, packed for the row kernels.
#[derive(Clone, Debug)]
pub struct Taps<T> {
    kh: usize,
    kw: usize,
    dense: Vec<T>,
    #[cfg_attr(
        not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code)
    )]
    program: Option<TapProgram<T>>,
    /// Every tap an integer in `i32`'s range (see [`Taps::is_narrow`]).
    #[cfg_attr(
        not(all(any(target_arch = "x86", target_arch = "x86_64"), simdconv_avx512)),
        allow(dead_code)
    )]
    narrow: bool,
}

impl<T: Element> Taps<T> {
    /// Packs `dense` (`kh x kw`, row-major). Panics if the length is not
    /// `kh * kw` (a bug in the caller, never user input).
    pub(crate) fn new(dense: Vec<T>, kh: usize, kw: usize) -> Self {
        assert_eq!(dense.len(), kh * kw, "taps: {kh} x {kw} kernel");
        let program = integer_program(&dense, kw);
        let narrow = program.is_some()
            && dense
                .iter()
                .all(|t| t.to_exact_int().is_some_and(|v| i32::try_from(v).is_ok()));
        Taps {
            kh,
            kw,
            dense,
            program,
            narrow,
        }
    }
}

impl<T> Taps<T> {
    /// Kernel rows.
    pub(crate) fn rows(&self) -> usize {
        self.kh
    }

    /// Kernel columns.
    pub(crate) fn cols(&self) -> usize {
        self.kw
    }

    /// The taps, row-major.
    pub(crate) fn dense(&self) -> &[T] {
        &self.dense
    }
}

// What the SIMD kernels ask of the taps (targets without them run the
// scalar reference, which reads only the dense taps).
#[cfg_attr(
    not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
impl<T> Taps<T> {
    /// The integer tap program (`None` for floats).
    pub(crate) fn program(&self) -> Option<&TapProgram<T>> {
        self.program.as_ref()
    }

    /// An integer kernel with a single column and several rows (as the
    /// low-rank column passes): its dense tile loads each input vector once
    /// for every output row it feeds, where the tap program loads it once
    /// per tap, so the dense tile is faster there even multiplying every
    /// tap (measured on Zen 4).
    pub(crate) fn is_integer_column(&self) -> bool {
        self.program.is_some() && self.kw == 1 && self.kh > 1
    }

    /// At least two thirds of an integer kernel's taps are nonzero. Its
    /// tap program then saves too little to beat the rolling strips, which
    /// multiply every tap but load each input vector once for all the rows
    /// it feeds, where the program loads it once per tap (Zen 4, AVX-512,
    /// 9 x 9 at 1000 x 1000: program / strips time 1.44-1.49 with every tap
    /// nonzero, 1.18 with 3/4, 0.82-0.85 with 1/2).
    pub(crate) fn is_mostly_nonzero(&self) -> bool {
        self.program
            .as_ref()
            .is_some_and(|p| 3 * p.len() >= 2 * self.dense.len())
    }

    /// Every tap is an integer in `i32`'s range, so 64-bit lanes can be
    /// multiplied by it with two 32-bit multiplies (see
    /// `kernels::x86::split64`).
    #[cfg(all(any(target_arch = "x86", target_arch = "x86_64"), simdconv_avx512))]
    pub(crate) fn is_narrow(&self) -> bool {
        self.narrow
    }

    /// Every tap is 1 (an integer box sum).
    pub(crate) fn is_all_ones(&self) -> bool {
        self.program
            .as_ref()
            .is_some_and(|p| p.plus.len() == self.dense.len())
    }
}

fn integer_program<T: Element>(dense: &[T], kw: usize) -> Option<TapProgram<T>> {
    let bits = 8 * core::mem::size_of::<T>() as u32;
    let mut program = TapProgram::default();
    for (k, &tap) in dense.iter().enumerate() {
        let at = (k / kw, k % kw);
        match TapClass::of(tap.to_exact_int()?, bits) {
            TapClass::Zero => {}
            TapClass::Plus => program.plus.push(at),
            TapClass::Minus => program.minus.push(at),
            TapClass::Shift(s) => program.shift.push((at, s)),
            TapClass::ShiftMinus(s) => program.shift_minus.push((at, s)),
            TapClass::Multiply => program.multiply.push((at, tap)),
        }
    }
    Some(program)
}

/// What an integer tap needs from a vector kernel (the classes of a
/// [`TapProgram`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum TapClass {
    Zero,
    /// 1: an add.
    Plus,
    /// -1: a subtract.
    Minus,
    /// 2^s (1 <= s < bits - 1): a shift and an add.
    Shift(u32),
    /// -(2^s): a shift and a subtract.
    ShiftMinus(u32),
    /// Anything else: a multiply and an add.
    Multiply,
}

impl TapClass {
    /// The class of tap value `v` in `bits`-bit arithmetic.
    pub(crate) fn of(v: i128, bits: u32) -> Self {
        let m = v.unsigned_abs();
        let shift = m.trailing_zeros();
        match v {
            0 => TapClass::Zero,
            1 => TapClass::Plus,
            -1 => TapClass::Minus,
            _ if m.is_power_of_two() && shift < bits - 1 => {
                if v > 0 {
                    TapClass::Shift(shift)
                } else {
                    TapClass::ShiftMinus(shift)
                }
            }
            _ => TapClass::Multiply,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_taps_are_sorted_by_operation() {
        let taps = Taps::new(vec![0i32, 1, -1, 8, -4, 3, i32::MIN, 2, -7], 3, 3);
        let p = taps.program().unwrap();
        assert_eq!(p.plus, [(0, 1)]);
        assert_eq!(p.minus, [(0, 2)]);
        assert_eq!(p.shift, [((1, 0), 3), ((2, 1), 1)]);
        assert_eq!(p.shift_minus, [((1, 1), 2)]);
        assert_eq!(p.multiply, [((1, 2), 3), ((2, 0), i32::MIN), ((2, 2), -7)]);
    }

    #[test]
    fn integer_columns_and_box_sums_are_recognised() {
        assert!(Taps::new(vec![1i64; 9], 9, 1).is_all_ones());
        assert!(Taps::new(vec![1i64; 9], 9, 1).is_integer_column());
        assert!(!Taps::new(vec![1i64, 2, 1], 3, 1).is_all_ones());
        assert!(!Taps::new(vec![1i32; 9], 1, 9).is_integer_column());
        assert!(!Taps::new(vec![1.0f32; 9], 9, 1).is_integer_column());
    }

    #[test]
    fn mostly_nonzero_means_two_thirds_of_the_taps() {
        let taps = |zeros: usize| {
            let mut t = vec![3i32; 9];
            t[..zeros].fill(0);
            Taps::new(t, 3, 3)
        };
        assert_eq!(taps(2).program().unwrap().len(), 7);
        assert!(taps(0).is_mostly_nonzero() && taps(3).is_mostly_nonzero());
        assert!(!taps(4).is_mostly_nonzero());
        assert!(!Taps::new(vec![1.0f32; 9], 3, 3).is_mostly_nonzero());
    }

    #[test]
    fn float_taps_have_no_program() {
        assert!(Taps::new(vec![0.0f32, 1.0, 2.0], 1, 3).program().is_none());
        assert_eq!(Taps::new(vec![1.0f64; 6], 2, 3).dense().len(), 6);
    }
}
