//! From an exact sum to an output value: the divisor, the delta, the
//! rounding rule and the overflow rule, applied in that order, and the
//! presets that name the combinations OpenCV and SciPy use.
//!
//! For an integer kernel the accumulator holds the exact sum `S` and the
//! output is
//!
//! ```text
//! out = overflow(round((S + delta * divisor) / divisor))
//! ```
//!
//! computed exactly (the quotient is a rational number; `round` picks the
//! integer). For a float kernel the accumulator holds the reference's sum
//! `s` (`f32` or `f64`), and the conversion computes in `f64`:
//! `y = s / divisor + delta` (each operation rounded to `f64`; exact for
//! a power-of-two divisor and an integer delta of ordinary size), then
//! `round(y)`, then `overflow`. A float output (`f32`) takes the value
//! before `round`: `(S + delta * divisor) / divisor` (integer kernels) or
//! `y` (float kernels), to the nearest `f32`.

use core::marker::PhantomData;

use super::Output;
use crate::backend::Backend;
use crate::kernels::autovec::{self, RowMap, RowMapFn};
use crate::transfer::Store;

/// How a quotient that is not an integer becomes one (integer outputs).
///
/// ```
/// use simdconv::Round;
/// assert_eq!("half-up".parse::<Round>()?, Round::HalfUp);
/// assert_eq!(Round::default(), Round::HalfEven);
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Round {
    /// To the nearest integer, ties to the even one: OpenCV's
    /// `saturate_cast` (`cvRound`), NumPy's `round`, IEEE 754's default
    /// (the default).
    #[default]
    HalfEven,
    /// To the nearest integer, ties upward (`floor(x + 1/2)`): OpenCV's
    /// fixed-point paths, Pillow, fast_image_resize.
    HalfUp,
    /// Toward zero (truncation): scipy.ndimage's cast, imageproc, C's
    /// float-to-integer conversion.
    TowardZero,
}

/// What happens to a value outside the output type's range.
///
/// ```
/// use simdconv::Overflow;
/// assert_eq!("wrap".parse::<Overflow>()?, Overflow::Wrap);
/// assert_eq!(Overflow::default(), Overflow::Saturate);
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Overflow {
    /// Clamped to the nearest value of the type (OpenCV's
    /// `saturate_cast`; the default). A float NaN becomes 0.
    #[default]
    Saturate,
    /// Modulo `2^bits`, two's complement: NumPy's and scipy.signal's
    /// fixed-width arithmetic (`uint8` sums wrap at 256).
    Wrap,
}

/// The behaviour of a library users know, in one word.
///
/// | preset | rounding | overflow | output types |
/// | --- | --- | --- | --- |
/// | [`Preset::OpenCv`] (`cv2.filter2D`) | [`Round::HalfEven`] | [`Overflow::Saturate`] | the input's (`ddepth=-1`), or what `filter2D` allows as `ddepth`: `u8 -> i16`, any `-> f32` |
/// | [`Preset::ScipySignal`] (`scipy.signal.convolve2d` on integer arrays) | [`Round::TowardZero`] | [`Overflow::Wrap`] | any |
/// | [`Preset::ScipyNdimage`] (`scipy.ndimage.correlate` with an integer output) | [`Round::TowardZero`] | [`Overflow::Wrap`] | any |
///
/// A preset sets the rounding and the overflow rule (later builder calls
/// may change either); the divisor and delta stay the caller's (`cv2`
/// users divide the kernel, `ddepth` is the output type).
/// scipy.ndimage converts its `f64` sums to an integer output with C's
/// cast: truncation, and (on x86-64, where it is not defined by C) a
/// value outside the range wraps.
///
/// ```
/// use simdconv::Preset;
/// assert_eq!("opencv".parse::<Preset>()?, Preset::OpenCv);
/// assert_eq!(Preset::ScipyNdimage.to_string(), "scipy-ndimage");
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Preset {
    /// `cv2.filter2D`: round half to even, saturate; the output type is
    /// restricted as `filter2D`'s `ddepth` is.
    OpenCv,
    /// `scipy.signal.convolve2d` / `correlate2d` on integer arrays:
    /// fixed-width arithmetic that wraps.
    ScipySignal,
    /// `scipy.ndimage.correlate` / `convolve` into an integer output:
    /// truncation toward zero (C's cast), wrapping.
    ScipyNdimage,
}

impl Preset {
    /// The preset's rounding and overflow rules.
    pub fn rules(self) -> (Round, Overflow) {
        match self {
            Preset::OpenCv => (Round::HalfEven, Overflow::Saturate),
            Preset::ScipySignal | Preset::ScipyNdimage => (Round::TowardZero, Overflow::Wrap),
        }
    }

    /// Whether the preset allows output type `output` for input `input`
    /// (NumPy dtype names).
    pub(crate) fn allows(self, input: &str, output: &str) -> bool {
        match self {
            Preset::OpenCv => {
                input == output || output == "float32" || (input == "uint8" && output == "int16")
            }
            Preset::ScipySignal | Preset::ScipyNdimage => true,
        }
    }
}

/// The conversion parameters, as the builder set them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rules {
    /// At most 2^32 (the public setter takes a `u32`; the OpenCV `u16`
    /// Gaussian divides by 2^32).
    pub divisor: u64,
    pub delta: f64,
    pub round: Round,
    pub overflow: Overflow,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            divisor: 1,
            delta: 0.0,
            round: Round::HalfEven,
            overflow: Overflow::Saturate,
        }
    }
}

/// `y / d` rounded by `round`, exactly (`d > 0`).
#[inline(always)]
pub(crate) fn divide(y: i64, d: i64, round: Round) -> i64 {
    let (q, r) = (y.div_euclid(d), y.rem_euclid(d)); // q = floor(y / d)
    let up = match round {
        Round::TowardZero => y < 0 && r != 0,
        Round::HalfUp => 2 * (r as i128) >= d as i128,
        Round::HalfEven => {
            let twice = 2 * (r as i128);
            twice > d as i128 || (twice == d as i128 && q & 1 == 1)
        }
    };
    q + up as i64
}

/// `v` rounded to an integer by `round` (floats).
#[inline(always)]
pub(crate) fn round_float(v: f64, round: Round) -> f64 {
    match round {
        Round::HalfEven => v.round_ties_even(),
        Round::HalfUp => {
            // floor(v + 1/2) without the rounding of `v + 0.5`.
            let f = v.floor();
            if v - f >= 0.5 {
                f + 1.0
            } else {
                f
            }
        }
        Round::TowardZero => v.trunc(),
    }
}

/// The conversion of an integer accumulator (exact sums) into `O`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FromExact {
    /// `delta * divisor`, an integer (checked when built).
    delta_d: i64,
    divisor: i64,
    /// `log2(divisor)` when it is a power of two.
    shift: Option<u32>,
    round: Round,
    saturate: bool,
    /// Whether every sum, plus the delta and the rounding bias, fits in
    /// `i32` (see [`FromExact::for_sums`]): the row loops then compute in
    /// `i32` lanes, twice as many per vector as `i64`.
    narrow: bool,
    /// Division by a divisor that is not a power of two as a multiply and
    /// a shift, where the sums are bounded ([`FromExact::for_sums`]).
    magic: Option<Magic>,
}

/// `floor(y / d)` for every `y` of a bounded range as `((y + k d) m >>
/// s) - k`: Granlund and Montgomery's Theorem 4.2 (*Division by invariant
/// integers using multiplication*, PLDI 1994): with `y + k d` in `[0,
/// 2^n)`, `l = ceil(log2 d)`, `s = n + l` and `m = floor(2^s / d) + 1`,
/// `2^s < m d <= 2^s + 2^l`, so the quotient is exact. `n <= 31` keeps
/// the product below 2^63 (`i64`); `n <= 15` below 2^31 (`i32` lanes).
/// A hardware divide took about 9 ns an output here (a 3 x 3 box on
/// `u8`, divisor 9: 8.7 ms per megapixel, Zen 4).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Magic {
    /// `k`: `y + k d >= 0` for every `y` of the range.
    k: i64,
    /// `k d`.
    offset: i64,
    m: i64,
    s: u32,
    /// `n`, the bits of `y + k d`.
    n: u32,
}

impl Magic {
    /// The multiply-shift form of `floor(y / d)` for `y` in `[lo, hi]`,
    /// if the range needs at most 31 bits (`d >= 2`).
    fn new(d: i64, lo: i64, hi: i64) -> Option<Magic> {
        if d < 2 || lo > hi {
            return None;
        }
        let (d128, lo128, hi128) = (i128::from(d), i128::from(lo), i128::from(hi));
        // The least k >= 0 with lo + k d >= 0.
        let k = if lo128 < 0 {
            (-lo128 + d128 - 1) / d128
        } else {
            0
        };
        let top = hi128 + k * d128; // the largest y + k d
        let n = 128 - (top as u128).leading_zeros();
        if n > 31 {
            return None;
        }
        let n = n.max(1);
        let l = 64 - ((d - 1) as u64).leading_zeros(); // ceil(log2 d)
        let s = n + l;
        let m = (1i128 << s) / d128 + 1;
        debug_assert!(m * d128 > 1i128 << s && m * d128 <= (1i128 << s) + (1i128 << l));
        Some(Magic {
            k: k as i64,
            offset: (k * d128) as i64,
            m: m as i64,
            s,
            n,
        })
    }
}

impl FromExact {
    /// `None` unless `delta * divisor` is an integer of at most 2^53 in
    /// magnitude.
    pub(crate) fn new(rules: &Rules) -> Option<Self> {
        let delta_d = rules.delta * rules.divisor as f64;
        if !(delta_d.is_finite() && delta_d.fract() == 0.0 && delta_d.abs() <= (1u64 << 53) as f64)
        {
            return None;
        }
        Some(FromExact {
            delta_d: delta_d as i64,
            divisor: rules.divisor as i64,
            shift: rules
                .divisor
                .is_power_of_two()
                .then(|| rules.divisor.trailing_zeros()),
            round: rules.round,
            saturate: rules.overflow == Overflow::Saturate,
            narrow: false,
            magic: None,
        })
    }

    /// The conversion of `S` for accumulators that hold `S - k` (the
    /// two-width separable passes, `pipeline::split`): `k` joins the exact
    /// offset `delta * divisor`, so every output is the same. Call
    /// [`for_sums`](Self::for_sums) after it, with the range of `S - k`.
    pub(crate) fn offset(mut self, k: i64) -> Self {
        self.delta_d = self.delta_d.wrapping_add(k);
        self
    }

    /// This conversion for sums known to lie in `[lo, hi]`: where they,
    /// the delta and the rounding bias stay within `i32` (a power-of-two
    /// divisor), the row loops compute in `i32`. Same results: every
    /// intermediate value is the same integer in either width.
    pub(crate) fn for_sums(mut self, lo: i64, hi: i64) -> Self {
        const LIMIT: i128 = 1 << 30;
        let magnitude = i128::from(lo).abs().max(i128::from(hi).abs());
        self.narrow = match self.shift {
            Some(k) if k < 30 => magnitude + i128::from(self.delta_d).abs() + (1i128 << k) < LIMIT,
            _ => false,
        };
        if self.shift.is_none() {
            let (lo, hi) = (
                i128::from(lo) + i128::from(self.delta_d),
                i128::from(hi) + i128::from(self.delta_d),
            );
            self.magic = i64::try_from(lo)
                .ok()
                .zip(i64::try_from(hi).ok())
                .and_then(|(lo, hi)| Magic::new(self.divisor, lo, hi));
            // In i32 lanes the product stays below 2^31 for n <= 15, and
            // every other value (y, q d, the remainder) is smaller.
            self.narrow = self.magic.is_some_and(|g| g.n <= 15)
                && magnitude + i128::from(self.delta_d).abs() < LIMIT;
        }
        self
    }

    /// The output for exact sum `s`: the definition, which the row
    /// conversion ([`FromExact::convert_slice`]) is tested against.
    #[cfg(test)]
    pub(crate) fn convert<O: Output>(&self, s: i64) -> O {
        let y = s.wrapping_add(self.delta_d);
        if O::RANGE.is_none() {
            return O::from_float(y as f64 / self.divisor as f64, self.saturate);
        }
        let q = match self.shift {
            Some(0) => y,
            Some(k) => shift_round(y, k, self.round),
            None => divide(y, self.divisor, self.round),
        };
        O::from_integer(q, self.saturate)
    }
}

/// `y / 2^k` rounded by `round`, branch-free (`0 < k < 63`).
#[cfg(test)]
fn shift_round(y: i64, k: u32, round: Round) -> i64 {
    let half = 1i64 << (k - 1);
    let bias = match round {
        // floor((y + half) / 2^k)
        Round::HalfUp => half,
        // Ties (remainder == half) go up only from an odd floor.
        Round::HalfEven => half - 1 + ((y >> k) & 1),
        // Negative values round up: add 2^k - 1 to them.
        Round::TowardZero => (y >> 63) & ((1i64 << k) - 1),
    };
    (y + bias) >> k
}

/// The conversion of a float accumulator (`f32`, `f64`) into `O`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FromFloat {
    divisor: f64,
    delta: f64,
    round: Round,
    saturate: bool,
}

impl FromFloat {
    pub(crate) fn new(rules: &Rules) -> Self {
        FromFloat {
            divisor: rules.divisor as f64,
            delta: rules.delta,
            round: rules.round,
            saturate: rules.overflow == Overflow::Saturate,
        }
    }

    /// The output for the sum `s` (the definition).
    #[inline(always)]
    pub(crate) fn convert<O: Output>(&self, s: f64) -> O {
        let mut y = s;
        if self.divisor != 1.0 {
            y /= self.divisor;
        }
        if self.delta != 0.0 {
            y += self.delta;
        }
        if O::RANGE.is_none() {
            return O::from_float(y, self.saturate);
        }
        O::from_float(round_float(y, self.round), self.saturate)
    }
}

impl FromExact {
    /// Converts a row of sums: the rules' branches are taken once per row,
    /// so each loop is straight-line code the compiler vectorises.
    #[inline(always)]
    fn convert_slice<A: Copy + Into<i64>, O: Output>(&self, src: &[A], dst: &mut [O]) {
        self.convert_with(src, dst, |a: A| a.into())
    }

    /// [`convert_slice`](Self::convert_slice) of the sums `sum(src[i])`.
    #[inline(always)]
    fn convert_with<A: Copy, O: Output>(&self, src: &[A], dst: &mut [O], sum: impl Fn(A) -> i64) {
        let narrow = self.narrow && O::RANGE.is_some();
        match (narrow, self.saturate) {
            // `as i32` is exact: `for_sums` bounded every sum.
            (true, true) => self.rows::<A, O, i32, true>(src, dst, |a| sum(a) as i32),
            (true, false) => self.rows::<A, O, i32, false>(src, dst, |a| sum(a) as i32),
            (false, true) => self.rows::<A, O, i64, true>(src, dst, sum),
            (false, false) => self.rows::<A, O, i64, false>(src, dst, sum),
        }
    }

    /// The row loops, computing in `W` (`i32` only for power-of-two
    /// divisors and integer outputs, within [`FromExact::for_sums`]'s
    /// bounds).
    #[inline(always)]
    fn rows<A: Copy, O: Output, W: Work, const SATURATE: bool>(
        &self,
        src: &[A],
        dst: &mut [O],
        sum: impl Fn(A) -> W,
    ) {
        let dd = W::of(self.delta_d);
        if O::RANGE.is_none() {
            let d = self.divisor as f64;
            return each(src, dst, &sum, |s: W| {
                O::from_float(s.wrapping_add(dd).wide() as f64 / d, SATURATE)
            });
        }
        let out = |q: W| O::from_integer(q.wide(), SATURATE);
        let one = W::of(1);
        match (self.shift, self.round) {
            (Some(0), _) => each(src, dst, &sum, |s: W| out(s.wrapping_add(dd))),
            (Some(k), Round::HalfUp) => {
                let bias = dd + (one << (k - 1));
                each(src, dst, &sum, |s: W| out((s + bias) >> k))
            }
            (Some(k), Round::HalfEven) => {
                let bias = dd + (one << (k - 1)) - one;
                each(src, dst, &sum, |s: W| {
                    let y = s + dd;
                    out((s + bias + ((y >> k) & one)) >> k)
                })
            }
            (Some(k), Round::TowardZero) => {
                let mask = (one << k) - one;
                each(src, dst, &sum, |s: W| {
                    let y = s + dd;
                    out((y + ((y >> (W::BITS - 1)) & mask)) >> k)
                })
            }
            (None, round) => match self.magic {
                Some(g) => {
                    let (d, k, offset, m) =
                        (W::of(self.divisor), W::of(g.k), W::of(g.offset), W::of(g.m));
                    let (zero, two) = (W::of(0), W::of(2));
                    // `divide`'s rules on the quotient and remainder, as
                    // 0/1 values (straight-line code for the vectoriser).
                    let bit = move |b: bool| if b { one } else { zero };
                    // (y, floor(y / d), the remainder) for a sum s.
                    let divided = move |s: W| {
                        let y = s + dd;
                        let q = (((y + offset) * m) >> g.s) - k;
                        (y, q, y - q * d)
                    };
                    match round {
                        Round::HalfUp => each(src, dst, &sum, |s: W| {
                            let (_, q, r) = divided(s);
                            out(q + bit(r * two >= d))
                        }),
                        Round::HalfEven => each(src, dst, &sum, |s: W| {
                            let (_, q, r) = divided(s);
                            let r2 = r * two;
                            out(q + bit(r2 > d || (r2 == d && (q & one) == one)))
                        }),
                        Round::TowardZero => each(src, dst, &sum, |s: W| {
                            let (y, q, r) = divided(s);
                            out(q + bit(y < zero && r != zero))
                        }),
                    }
                }
                None => {
                    let d = self.divisor;
                    each(src, dst, &sum, |s: W| {
                        out(W::of(divide(s.wide() + dd.wide(), d, round)))
                    })
                }
            },
        }
    }
}

/// The integer type the conversion loops compute in.
trait Work:
    Copy
    + core::ops::Add<Output = Self>
    + core::ops::Sub<Output = Self>
    + core::ops::BitAnd<Output = Self>
    + core::ops::Shl<u32, Output = Self>
    + core::ops::Shr<u32, Output = Self>
    + core::ops::Mul<Output = Self>
    + PartialOrd
{
    const BITS: u32;
    /// `v` in this type (the caller knows it fits).
    fn of(v: i64) -> Self;
    fn wide(self) -> i64;
    fn wrapping_add(self, other: Self) -> Self;
}

impl Work for i32 {
    const BITS: u32 = 32;
    #[inline(always)]
    fn of(v: i64) -> Self {
        v as i32
    }
    #[inline(always)]
    fn wide(self) -> i64 {
        i64::from(self)
    }
    #[inline(always)]
    fn wrapping_add(self, other: Self) -> Self {
        i32::wrapping_add(self, other)
    }
}

impl Work for i64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn of(v: i64) -> Self {
        v
    }
    #[inline(always)]
    fn wide(self) -> i64 {
        self
    }
    #[inline(always)]
    fn wrapping_add(self, other: Self) -> Self {
        i64::wrapping_add(self, other)
    }
}

/// `dst[i] = f(sum(src[i]))`.
#[inline(always)]
fn each<A: Copy, O, W>(src: &[A], dst: &mut [O], sum: impl Fn(A) -> W, f: impl Fn(W) -> O) {
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f(sum(s));
    }
}

impl FromFloat {
    /// Converts a row of sums, the rules' branches taken once per row.
    #[inline(always)]
    fn convert_slice<A: Copy + Into<f64>, O: Output>(&self, src: &[A], dst: &mut [O]) {
        let f = *self;
        match (
            f.divisor != 1.0 || f.delta != 0.0,
            O::RANGE.is_some(),
            f.saturate,
        ) {
            // The common cases without the division.
            (false, false, _) => {
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d = O::from_float(s.into(), true);
                }
            }
            (false, true, true) => {
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d = O::from_float(round_float(s.into(), f.round), true);
                }
            }
            _ => {
                for (d, &s) in dst.iter_mut().zip(src) {
                    *d = f.convert(s.into());
                }
            }
        }
    }
}

/// The conversion of the modular `i16` accumulator: the sum is the one
/// integer of `[lo, lo + 2^16)` with the lanes' residue, then as
/// [`FromExact`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct FromModular {
    lo: i64,
    /// The largest sum (`hi - lo < 2^16`).
    hi: i64,
    exact: FromExact,
}

impl FromModular {
    /// For sums in `[lo, hi]`, a range of fewer than 2^16 integers.
    pub(crate) fn new(lo: i64, hi: i64, exact: FromExact) -> Self {
        debug_assert!(lo <= hi && hi - lo < 1 << 16);
        FromModular {
            lo,
            hi,
            exact: exact.for_sums(lo, hi),
        }
    }
}

/// A conversion that may be the identity.
pub(crate) trait Conversion {
    /// Whether each output equals the accumulator's value (when the output
    /// has the accumulator's type).
    fn identity(&self) -> bool;
}

impl Conversion for FromExact {
    fn identity(&self) -> bool {
        self.shift == Some(0) && self.delta_d == 0
    }
}

impl Conversion for FromModular {
    /// The lanes hold the sum modulo 2^16; an `i16` output is that residue
    /// when it wraps, or when every sum is an `i16` anyway.
    fn identity(&self) -> bool {
        self.exact.identity() && (!self.exact.saturate || (self.lo >= -32768 && self.hi <= 32767))
    }
}

impl Conversion for FromFloat {
    /// Divisor 1 and no delta: an `f32` sum converts to itself (through
    /// `f64`, exactly); an integer output is never of a float's type.
    fn identity(&self) -> bool {
        self.divisor == 1.0 && self.delta == 0.0
    }
}

/// An accumulator type, and the output view of its own type.
pub(crate) trait Accumulated: Copy {
    /// `out` as a view of `Self` when `O` is `Self`, else `out` back.
    fn in_place<O: Output>(
        out: ndarray::ArrayViewMut2<'_, O>,
    ) -> Result<ndarray::ArrayViewMut2<'_, Self>, ndarray::ArrayViewMut2<'_, O>>;
}

macro_rules! accumulated {
    ($($t:ty => $view:ident),*) => {$(
        impl Accumulated for $t {
            fn in_place<O: Output>(
                out: ndarray::ArrayViewMut2<'_, O>,
            ) -> Result<ndarray::ArrayViewMut2<'_, Self>, ndarray::ArrayViewMut2<'_, O>> {
                O::$view(out)
            }
        }
    )*};
}

accumulated!(i16 => as_i16, i32 => as_i32, f32 => as_f32);

impl Accumulated for i64 {
    fn in_place<O: Output>(
        out: ndarray::ArrayViewMut2<'_, O>,
    ) -> Result<ndarray::ArrayViewMut2<'_, i64>, ndarray::ArrayViewMut2<'_, O>> {
        Err(out)
    }
}

impl Accumulated for f64 {
    fn in_place<O: Output>(
        out: ndarray::ArrayViewMut2<'_, O>,
    ) -> Result<ndarray::ArrayViewMut2<'_, f64>, ndarray::ArrayViewMut2<'_, O>> {
        Err(out)
    }
}

/// One conversion of rows of `A` into rows of `O` ([`FromExact`] or
/// [`FromFloat`]), as a loop [`autovec`] compiles per backend.
pub(crate) struct Row<C, A, O>(C, PhantomData<fn(A) -> O>);

impl<A: Copy + Into<i64>, O: Output> RowMap for Row<FromExact, A, O> {
    type Src = A;
    type Dst = O;
    #[inline(always)]
    fn map(&self, src: &[A], dst: &mut [O]) {
        self.0.convert_slice(src, dst)
    }
}

impl<O: Output> RowMap for Row<FromModular, i16, O> {
    type Src = i16;
    type Dst = O;
    #[inline(always)]
    fn map(&self, src: &[i16], dst: &mut [O]) {
        // The residues become sums as they are read: the one integer of
        // [lo, lo + 2^16) congruent to each.
        let lo = self.0.lo;
        self.0
            .exact
            .convert_with(src, dst, |a: i16| lo + ((i64::from(a) - lo) & 0xffff))
    }
}

impl<A: Copy + Into<f64>, O: Output> RowMap for Row<FromFloat, A, O> {
    type Src = A;
    type Dst = O;
    #[inline(always)]
    fn map(&self, src: &[A], dst: &mut [O]) {
        self.0.convert_slice(src, dst)
    }
}

/// The pipeline's [`Store`] for narrow outputs: a conversion, compiled for
/// the call's backend.
pub(crate) struct Converter<C, A, O>
where
    Row<C, A, O>: RowMap<Src = A, Dst = O>,
{
    row: Row<C, A, O>,
    map: RowMapFn<Row<C, A, O>>,
}

impl<C, A, O> Converter<C, A, O>
where
    Row<C, A, O>: RowMap<Src = A, Dst = O>,
{
    /// `conversion`, with its loops compiled for `backend`.
    pub(crate) fn new(conversion: C, backend: Backend) -> Self {
        Converter {
            row: Row(conversion, PhantomData),
            map: autovec::select(backend),
        }
    }
}

impl<C: Conversion, A: Accumulated, O: Output> Store<A, O> for Converter<C, A, O>
where
    Row<C, A, O>: RowMap<Src = A, Dst = O>,
{
    fn store_row(&self, src: &[A], mut dst: ndarray::ArrayViewMut1<'_, O>) {
        match dst.as_slice_mut() {
            Some(dst) => (self.map)(&self.row, src, dst),
            None => {
                let mut row = vec![O::default(); src.len()];
                (self.map)(&self.row, src, &mut row);
                dst.assign(&ndarray::ArrayView1::from(&row[..]));
            }
        }
    }

    fn store_slice(&self, src: &[A], dst: &mut [O]) {
        (self.map)(&self.row, src, dst)
    }

    fn same_view<'a>(
        &self,
        out: ndarray::ArrayViewMut2<'a, O>,
    ) -> Result<ndarray::ArrayViewMut2<'a, A>, ndarray::ArrayViewMut2<'a, O>> {
        if self.row.0.identity() {
            A::in_place(out)
        } else {
            Err(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quotient by exact rational arithmetic, the slow way.
    fn reference(y: i64, d: i64, round: Round) -> i64 {
        let floor = (y as f64 / d as f64).floor() as i64;
        let floor = (floor - 2..=floor + 2)
            .find(|q| q * d <= y && y < (q + 1) * d)
            .unwrap();
        let r = y - floor * d; // 0 <= r < d
        match round {
            Round::TowardZero => {
                if y < 0 && r != 0 {
                    floor + 1
                } else {
                    floor
                }
            }
            Round::HalfUp => floor + (2 * r >= d) as i64,
            Round::HalfEven => floor + (2 * r > d || (2 * r == d && floor % 2 != 0)) as i64,
        }
    }

    #[test]
    fn division_rounds_by_each_rule() {
        for round in [Round::HalfEven, Round::HalfUp, Round::TowardZero] {
            for d in [1i64, 2, 3, 4, 7, 16, 256, 1000] {
                for y in (-2000i64..2000).step_by(if cfg!(miri) { 37 } else { 1 }) {
                    let want = reference(y, d, round);
                    assert_eq!(divide(y, d, round), want, "{y} / {d} {round:?}");
                    if (d as u64).is_power_of_two() && d > 1 {
                        let k = d.trailing_zeros();
                        assert_eq!(shift_round(y, k, round), want, "{y} >> {k} {round:?}");
                    }
                }
            }
        }
        // Ties, spelled out: 2.5, -2.5, 3.5.
        assert_eq!(divide(5, 2, Round::HalfEven), 2);
        assert_eq!(divide(-5, 2, Round::HalfEven), -2);
        assert_eq!(divide(7, 2, Round::HalfEven), 4);
        assert_eq!(divide(5, 2, Round::HalfUp), 3);
        assert_eq!(divide(-5, 2, Round::HalfUp), -2);
        assert_eq!(divide(-5, 2, Round::TowardZero), -2);
        assert_eq!(divide(5, 2, Round::TowardZero), 2);
    }

    #[test]
    fn multiply_shift_division_is_exact_on_its_range() {
        for d in [
            2i64,
            3,
            5,
            7,
            9,
            10,
            25,
            49,
            81,
            255,
            961,
            1000,
            4095,
            65535,
            1 << 20 | 1,
        ] {
            for (lo, hi) in [
                (0i64, 2295i64),
                (-5000, 5000),
                (-32768, 32767),
                (-(1 << 29), 1 << 29),
            ] {
                let g = Magic::new(d, lo, hi).unwrap();
                let step = if cfg!(miri) {
                    (hi - lo) / 50 + 1
                } else {
                    (hi - lo) / 200_000 + 1
                };
                for y in (lo..=hi)
                    .step_by(step as usize)
                    .chain([lo, hi, hi - 1, lo + 1])
                {
                    let q = (((y + g.offset) * g.m) >> g.s) - g.k;
                    assert_eq!(q, y.div_euclid(d), "{y} / {d}, range [{lo}, {hi}], {g:?}");
                }
            }
        }
        // Beyond 31 bits of range, or a divisor of 1: none.
        assert!(Magic::new(3, -(1 << 31), 1 << 31).is_none());
        assert!(Magic::new(1, 0, 10).is_none());
        assert!(Magic::new(3, 5, 4).is_none());
    }

    #[test]
    fn row_conversions_equal_the_definition() {
        fn check<O: Output>(rules: &Rules, sums: &[i32]) {
            let c = FromExact::new(rules).unwrap();
            let mut row = vec![O::default(); sums.len()];
            c.convert_slice(sums, &mut row);
            for (&s, &got) in sums.iter().zip(&row) {
                assert_eq!(
                    got,
                    c.convert::<O>(s.into()),
                    "{s} {rules:?} -> {}",
                    O::NAME
                );
            }
            // The i32 loops, for sums known to be small.
            let narrow = c.for_sums(-70000, 70000);
            assert_eq!(narrow.narrow, rules.divisor.is_power_of_two(), "{rules:?}");
            let small: Vec<i32> = sums.iter().copied().filter(|s| s.abs() <= 70000).collect();
            let mut row = vec![O::default(); small.len()];
            narrow.convert_slice(&small, &mut row);
            for (&s, &got) in small.iter().zip(&row) {
                assert_eq!(
                    got,
                    c.convert::<O>(s.into()),
                    "narrow {s} {rules:?} -> {}",
                    O::NAME
                );
            }
            // The multiply-shift division (divisors not powers of two) on
            // ranges of 15 bits or fewer (i32 lanes) and more (i64).
            for (lo, hi) in [(0, 2295), (-1000, 1000), (-16383, 16000), (-70000, 70000)] {
                let bounded = c.for_sums(lo, hi);
                assert_eq!(
                    bounded.magic.is_some(),
                    !rules.divisor.is_power_of_two(),
                    "{rules:?} {lo} {hi}"
                );
                let inside: Vec<i32> = sums
                    .iter()
                    .copied()
                    .chain([lo as i32, hi as i32, lo as i32 + 1, hi as i32 - 1])
                    .filter(|&s| (lo..=hi).contains(&i64::from(s)))
                    .collect();
                let mut row = vec![O::default(); inside.len()];
                bounded.convert_slice(&inside, &mut row);
                for (&s, &got) in inside.iter().zip(&row) {
                    assert_eq!(
                        got,
                        c.convert::<O>(s.into()),
                        "bounded [{lo}, {hi}] {s} {rules:?} -> {}",
                        O::NAME
                    );
                }
            }
            let wide: Vec<i64> = sums.iter().map(|&s| i64::from(s) << 20).collect();
            let mut row = vec![O::default(); wide.len()];
            c.convert_slice(&wide, &mut row);
            for (&s, &got) in wide.iter().zip(&row) {
                assert_eq!(got, c.convert::<O>(s), "{s} {rules:?} -> {}", O::NAME);
            }
        }
        let sums: Vec<i32> = (-70000..70000)
            .step_by(if cfg!(miri) { 4999 } else { 7 })
            .chain([i32::MIN / 2, i32::MAX / 2])
            .collect();
        for divisor in [1, 2, 3, 9, 256, 961, 1000, 1 << 16, 65535] {
            for delta in [0.0, -3.0, 5.5] {
                for round in [Round::HalfEven, Round::HalfUp, Round::TowardZero] {
                    for overflow in [Overflow::Saturate, Overflow::Wrap] {
                        let rules = Rules {
                            divisor,
                            delta,
                            round,
                            overflow,
                        };
                        if FromExact::new(&rules).is_none() {
                            continue;
                        }
                        check::<u8>(&rules, &sums);
                        check::<u16>(&rules, &sums);
                        check::<i16>(&rules, &sums);
                        check::<i32>(&rules, &sums);
                        check::<f32>(&rules, &sums);
                    }
                }
            }
        }
    }

    #[test]
    fn floats_round_by_each_rule() {
        let cases = [
            (2.5, 2.0, 3.0, 2.0),
            (-2.5, -2.0, -2.0, -2.0),
            (3.5, 4.0, 4.0, 3.0),
            (0.49999999999999994, 0.0, 0.0, 0.0),
            (-0.7, -1.0, -1.0, -0.0),
        ];
        for (v, even, up, zero) in cases {
            assert_eq!(round_float(v, Round::HalfEven), even, "{v}");
            assert_eq!(round_float(v, Round::HalfUp), up, "{v}");
            assert_eq!(round_float(v, Round::TowardZero), zero, "{v}");
        }
    }

    #[test]
    fn outputs_saturate_or_wrap() {
        let rules = |overflow| Rules {
            divisor: 256,
            overflow,
            ..Rules::default()
        };
        let sat = FromExact::new(&rules(Overflow::Saturate)).unwrap();
        let wrap = FromExact::new(&rules(Overflow::Wrap)).unwrap();
        // 300.5 -> 300 (half even) -> 255 or 44.
        assert_eq!(sat.convert::<u8>(300 * 256 + 128), 255u8);
        assert_eq!(wrap.convert::<u8>(300 * 256 + 128), 44u8);
        assert_eq!(sat.convert::<u8>(-3 * 256), 0u8);
        assert_eq!(wrap.convert::<u8>(-3 * 256), 253u8);
        assert_eq!(sat.convert::<i16>(-40000 * 256), i16::MIN);
        assert_eq!(sat.convert::<f32>(3 * 256 + 64), 3.25f32);
        let float = FromFloat::new(&rules(Overflow::Saturate));
        assert_eq!(float.convert::<u8>(f64::NAN), 0u8);
        assert_eq!(float.convert::<u8>(640.0), 2u8); // 2.5 -> 2
        assert_eq!(float.convert::<i16>(-1e12), i16::MIN);
    }

    #[test]
    fn a_fractional_delta_times_the_divisor_must_be_whole() {
        let rules = Rules {
            divisor: 4,
            delta: 0.25,
            ..Rules::default()
        };
        assert_eq!(FromExact::new(&rules).unwrap().convert::<i32>(6), 2); // (6 + 1) / 4
        let rules = Rules {
            delta: 0.3,
            ..rules
        };
        assert!(FromExact::new(&rules).is_none());
    }
}
