//! `Taps`: a kernel packed once for the row kernels.
//!
//! Every kernel keeps its dense row-major taps (the scalar reference uses
//! them in that order), and a column-major copy for the register blocks
//! ([`Taps::by_column`]). Integer kernels also get a [`TapProgram`]: the
//! nonzero taps sorted by what they need, so the vector kernels skip zero
//! taps, add or subtract for +-1, shift for +-2^s, and multiply only the
//! rest. Integer sums are exact modulo 2^bits in any order, so the program
//! gives the dense loops' bits exactly. Floats never get one: `0 * inf`
//! must stay NaN, and the order of the sums is fixed.

use crate::arith::Arith;

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
    /// Elements between consecutive tap columns in an input row: 1, or the
    /// channels of an interleaved image (tap `(i, j)` then reads column
    /// `x + j * step`; see [`Taps::with_step`]).
    step: usize,
    dense: Vec<T>,
    /// The same taps column-major: `by_column[j * kh + i]` is tap `(i, j)`.
    #[cfg_attr(
        not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code)
    )]
    by_column: Vec<T>,
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
    /// Integer columns evaluated by running sums (see [`ColumnRecurrence`]).
    #[cfg_attr(
        not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code)
    )]
    recurrence: Option<ColumnRecurrence<T>>,
}

impl<T: Arith> Taps<T> {
    /// Packs `dense` (`kh x kw`, row-major). Panics if the length is not
    /// `kh * kw` (a bug in the caller, never user input).
    pub(crate) fn new(dense: Vec<T>, kh: usize, kw: usize) -> Self {
        assert_eq!(dense.len(), kh * kw, "taps: {kh} x {kw} kernel");
        let program = integer_program(&dense, kw);
        let narrow = program.is_some()
            && dense
                .iter()
                .all(|t| t.to_exact_int().is_some_and(|v| i32::try_from(v).is_ok()));
        let recurrence = match program {
            Some(_) if kw == 1 => ColumnRecurrence::of(&dense),
            _ => None,
        };
        let by_column = (0..kh * kw)
            .map(|n| dense[(n % kh) * kw + n / kh])
            .collect();
        Taps {
            kh,
            kw,
            step: 1,
            dense,
            by_column,
            program,
            narrow,
            recurrence,
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

    /// Elements between tap columns in an input row (1 unless set by
    /// [`Taps::with_step`]).
    pub(crate) fn step(&self) -> usize {
        self.step
    }

    /// The input columns one output reads: `(cols - 1) * step + 1`.
    pub(crate) fn span(&self) -> usize {
        (self.kw - 1) * self.step + 1
    }

    /// The same taps reading every `step`-th input column: the kernel of
    /// one channel of an image whose rows interleave `step` channels, so
    /// that each output sums only its own channel's samples. The taps, the
    /// tap program (positions are kernel columns) and the order of the
    /// sums are unchanged.
    pub(crate) fn with_step(mut self, step: usize) -> Self {
        assert!(step >= 1, "taps: step 0");
        self.step = step;
        self
    }
}

// What the SIMD kernels ask of the taps (targets without them run the
// scalar reference, which reads only the dense taps).
#[cfg_attr(
    not(any(target_arch = "x86", target_arch = "x86_64", target_arch = "aarch64")),
    allow(dead_code)
)]
impl<T> Taps<T> {
    /// The taps, column-major: tap `(i, j)` at `j * rows() + i`. For one
    /// tap column the register blocks broadcast the taps of all the rows
    /// they feed from one pointer at constant offsets, where row-major taps
    /// cost a scalar address add per tap, which competed with the vector
    /// pipes (`docs/TUNING.md`, "Column-major taps").
    pub(crate) fn by_column(&self) -> &[T] {
        &self.by_column
    }

    /// The integer tap program (`None` for floats).
    pub(crate) fn program(&self) -> Option<&TapProgram<T>> {
        self.program.as_ref()
    }

    /// An integer kernel with a single column and several rows (as the
    /// low-rank column passes): its dense tile loads each input vector once
    /// for every output row it feeds, where the tap program loads it once
    /// per tap, so the dense tile is faster there even multiplying every
    /// tap (`docs/TUNING.md`, "Integer strategy").
    pub(crate) fn is_integer_column(&self) -> bool {
        self.program.is_some() && self.kw == 1 && self.kh > 1
    }

    /// At least two thirds of an integer kernel's taps are nonzero. Its
    /// tap program then saves too little to beat the rolling strips, which
    /// multiply every tap but load each input vector once for all the rows
    /// it feeds, where the program loads it once per tap (`docs/TUNING.md`,
    /// "Integer strategy").
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

    /// The running-sum form of an integer column whose taps are an
    /// arithmetic progression (box sums included), if it has one.
    pub(crate) fn column_recurrence(&self) -> Option<&ColumnRecurrence<T>> {
        self.recurrence.as_ref()
    }
}

/// A constant that a running-sum kernel multiplies by, with what that
/// needs (as for a tap: nothing, an add, a shift or a multiply).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Coef<T> {
    pub class: TapClass,
    pub value: T,
}

impl<T: Arith> Coef<T> {
    /// `v` reduced modulo 2^bits of `T` (`None` for a float type).
    fn of(v: i128) -> Option<Self> {
        let value = T::from_int_wrapping(v);
        let exact = value.to_exact_int()?;
        Some(Coef {
            class: TapClass::of(exact, 8 * core::mem::size_of::<T>() as u32),
            value,
        })
    }

    /// Whether the value is an integer in `i32`'s range.
    fn is_narrow(&self) -> bool {
        self.value
            .to_exact_int()
            .is_some_and(|v| i32::try_from(v).is_ok())
    }
}

impl TapClass {
    /// A rough price in vector operations, to choose between equivalent
    /// recurrences.
    fn cost(self) -> u32 {
        match self {
            TapClass::Zero => 0,
            TapClass::Plus | TapClass::Minus => 1,
            TapClass::Shift(_) | TapClass::ShiftMinus(_) => 2,
            TapClass::Multiply => 3,
        }
    }
}

/// An integer column kernel (`kh x 1`) whose taps are an arithmetic
/// progression `t_i = a + b i` (mod 2^bits), evaluated down the column by
/// recurrence instead of `kh` products per output. With `X` the input rows,
/// `O[y] = sum_i t_i X[y + i]` and the window sum `B[y] = sum_i X[y + i]`:
///
/// ```text
/// B[y + 1] = B[y] + X[y + kh] - X[y]
/// O[y + 1] = O[y] - a X[y] + (a + b kh) X[y + kh] - b B[y + 1]        (A)
///          = O[y] + (b - a) X[y] + (a + b (kh - 1)) X[y + kh] - b B[y] (B)
/// ```
///
/// Every identity holds modulo 2^bits, and integer sums wrap identically in
/// any order, so the outputs are the direct kernel's bits. A box sum (`a =
/// 1, b = 0`) needs no `B`: two loads and two adds per output, whatever
/// `kh` is. Of the two forms the one with the cheaper constants is kept
/// (the falling column `72, 63, ..., 0` takes form B: `-81 X[y]` and `+9
/// B[y]`, as the other's constant on `X[y + kh]` is 0).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ColumnRecurrence<T> {
    /// The taps, for the first output row of each run.
    pub first: Vec<Coef<T>>,
    /// The constant on the row leaving the window, `X[y]`.
    pub leave: Coef<T>,
    /// The constant on the row entering it, `X[y + kh]`.
    pub enter: Coef<T>,
    /// The constant on the window sum (`-b`; zero for box sums, which then
    /// keep no window sum).
    pub sum: Coef<T>,
    /// Form B: the window sum term uses `B[y]`, before its update.
    pub sum_before: bool,
    /// Every tap and constant fits in `i32`.
    pub narrow: bool,
}

impl<T: Arith> ColumnRecurrence<T> {
    /// The recurrence of an integer column of taps `dense`, when it pays:
    /// constant columns (`b = 0`) of any height from 2, other progressions
    /// from height 4 (shorter ones are as cheap directly).
    fn of(dense: &[T]) -> Option<Self> {
        let kh = dense.len();
        let taps: Vec<i128> = dense
            .iter()
            .map(|t| t.to_exact_int())
            .collect::<Option<_>>()?;
        if kh < 2 {
            return None;
        }
        let (a, b) = (
            taps[0],
            Coef::<T>::of(taps[1] - taps[0])?.value.to_exact_int()?,
        );
        let on_line = taps.iter().enumerate().all(|(i, &t)| {
            let i = i as i128;
            T::from_int_wrapping(a.wrapping_add(b.wrapping_mul(i))) == T::from_int_wrapping(t)
        });
        if !on_line || (b != 0 && kh < 4) {
            return None;
        }
        let h = kh as i128;
        let form_a = [Coef::of(-a)?, Coef::of(a.wrapping_add(b.wrapping_mul(h)))?];
        let form_b = [
            Coef::of(b - a)?,
            Coef::of(a.wrapping_add(b.wrapping_mul(h - 1)))?,
        ];
        let price = |f: &[Coef<T>; 2]| f[0].class.cost() + f[1].class.cost();
        let sum_before = price(&form_b) < price(&form_a);
        let [leave, enter] = if sum_before { form_b } else { form_a };
        let sum = Coef::of(-b)?;
        let first: Vec<Coef<T>> = taps.iter().map(|&t| Coef::of(t)).collect::<Option<_>>()?;
        let narrow = first
            .iter()
            .chain([&leave, &enter, &sum])
            .all(Coef::is_narrow);
        Some(ColumnRecurrence {
            first,
            leave,
            enter,
            sum,
            sum_before,
            narrow,
        })
    }
}

fn integer_program<T: Arith>(dense: &[T], kw: usize) -> Option<TapProgram<T>> {
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
        let r = Taps::new(vec![1i64; 9], 9, 1)
            .column_recurrence()
            .cloned()
            .unwrap();
        assert_eq!(
            (r.leave.class, r.enter.class, r.sum.class),
            (TapClass::Minus, TapClass::Plus, TapClass::Zero)
        );
        assert!(Taps::new(vec![1i64; 9], 9, 1).is_integer_column());
        assert!(Taps::new(vec![1i64, 2, 1], 3, 1)
            .column_recurrence()
            .is_none());
        assert!(Taps::new(vec![1i64; 9], 1, 9).column_recurrence().is_none());
        assert!(Taps::new(vec![1.0f64; 9], 9, 1)
            .column_recurrence()
            .is_none());
        assert!(!Taps::new(vec![1i32; 9], 1, 9).is_integer_column());
        assert!(!Taps::new(vec![1.0f32; 9], 9, 1).is_integer_column());
    }

    #[test]
    fn arithmetic_columns_take_the_cheaper_recurrence() {
        use TapClass::*;
        let column = |t: Vec<i64>| {
            let kh = t.len();
            Taps::new(t, kh, 1).column_recurrence().cloned()
        };
        // A falling column (the seed's arange column, flipped): form B.
        let r = column((0..9).rev().map(|i| 9 * i).collect()).unwrap();
        assert!(r.sum_before && r.narrow);
        assert_eq!((r.leave.value, r.enter.value, r.sum.value), (-81, 0, 9));
        assert_eq!(
            (r.leave.class, r.enter.class, r.sum.class),
            (Multiply, Zero, Multiply)
        );
        // Unflipped: form A.
        let r = column((0..9).map(|i| 9 * i).collect()).unwrap();
        assert!(!r.sum_before);
        assert_eq!((r.leave.value, r.enter.value, r.sum.value), (0, 81, -9));
        // A constant column multiplies twice, with no window sum.
        let r = column(vec![3; 5]).unwrap();
        assert_eq!((r.leave.value, r.enter.value, r.sum.class), (-3, 3, Zero));
        // Progressions that wrap are progressions modulo 2^bits.
        let wrapped: Vec<i32> = (0..6).map(|i| i32::MAX.wrapping_add(i << 30)).collect();
        let r = Taps::new(wrapped, 6, 1)
            .column_recurrence()
            .cloned()
            .unwrap();
        assert_eq!((r.sum.value, r.enter.value), (-(1 << 30), -1));
        assert!(!column((0..5).map(|i| i << 40).collect()).unwrap().narrow);
        // Not progressions, or too short to pay.
        assert!(column(vec![1, 2, 4, 8]).is_none());
        assert!(column(vec![1, 2, 3]).is_none());
        assert!(column(vec![5, 5]).is_some());
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
