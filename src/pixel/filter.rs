//! [`ImageFilter`]: a kernel for narrow-pixel images, with the output type
//! and the conversion the user chose.

use core::marker::PhantomData;

use ndarray::{Array2, ArrayView2, ArrayViewMut2, AsArray, Ix2};

use super::accumulator::{Engine, Sums, Tap};
use super::conversion::{
    Converter, FromExact, FromFloat, FromModular, Overflow, Preset, Round, Rules,
};
use super::{Output, Pixel};
use crate::backend::Backend;
use crate::border::Border;
use crate::error::Error;
use crate::filter::Filter2d;
use crate::geometry::{Mode, Operation};
use crate::pipeline::split::{self, Split};
use crate::pipeline::Call;
use crate::threads::Threads;
use crate::transfer::Load;

/// A 2-D convolution or correlation of `u8`, `u16` or `i16` images (`P`)
/// into the output type `O` (by default `P`), validated and packed once.
///
/// The kernel's taps are integers (`i16`, `i32`: the sums are exact) or
/// floats (`f32`, `f64`: the sums are the reference's, in that type). The
/// image is never converted as a whole: each padded row is widened into
/// the accumulator as the pipeline builds it, the crate's row kernels
/// compute the sums (every backend, bit-identical to the scalar
/// reference), and each sum is converted into `O` by the
/// rules the builder sets: a divisor, a delta, a
/// [`Round`]ing rule and an [`Overflow`] rule, or a [`Preset`] named after
/// OpenCV or SciPy.
///
/// | input `P` | kernel | accumulator | output `O` (default `P`) | conversion |
/// | --- | --- | --- | --- | --- |
/// | `u8`, `u16`, `i16` | `i16`, `i32` | wrapping `i16` when the sums span fewer than 2^16 values (exact, see [`accumulator`](Self::accumulator)), else `i32` when every sum fits, else `i64` (exact) | `u8`, `u16`, `i16`, `i32`, `f32` | `round((S + delta * divisor) / divisor)` exactly, then overflow |
/// | `u8`, `u16`, `i16` | `f32` | `f32` | as above | `round(s / divisor + delta)` in `f64`, then overflow |
/// | `u8`, `u16`, `i16` | `f64` | `f64` | as above | as above |
///
/// # Conversion
///
/// For an integer kernel the accumulator holds the exact sum `S`, and
/// `out = overflow(round((S + delta * divisor) / divisor))`, computed
/// exactly (the quotient is a rational number; `round` picks the integer).
/// For a float kernel the accumulator holds the reference's sum `s` (in
/// `f32` or `f64`), and the conversion computes in `f64`: `y = s / divisor
/// + delta` (each operation rounded to `f64`; exact for a power-of-two
/// divisor and a delta of ordinary size), then `round(y)`, then
/// `overflow`. A float output (`f32`) takes the value before `round`, to
/// the nearest `f32`.
///
/// Modes and borders mean what they mean for [`Filter2d`](crate::Filter2d); a
/// [`Border::Constant`] value is a pixel value.
///
/// ```
/// use ndarray::{array, Array2};
/// use simdconv::{Border, ImageFilter, Mode, Preset};
///
/// // A 3 x 3 binomial blur on u8 pixels: taps summing to 16, divided by 16
/// // and rounded half to even, as cv2.filter2D(img, -1, k / 16.0) does.
/// let k = array![[1i32, 2, 1], [2, 4, 2], [1, 2, 1]];
/// let blur = ImageFilter::<u8>::correlation(&k)?
///     .divisor(16)
///     .preset(Preset::OpenCv)
///     .mode(Mode::Same)
///     .border(Border::Mirror);
/// let image = array![[0u8, 255, 0], [255, 0, 255], [0, 255, 0]];
/// let out: Array2<u8> = blur.apply(&image)?;
/// assert_eq!(out[[1, 1]], 128); // 2 * 4 * 255 / 16 = 127.5: ties to even
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ImageFilter<P: Pixel, O: Output = P> {
    pub(super) engine: Engine,
    pub(super) rules: Rules,
    preset: Option<Preset>,
    border: Border<P>,
    types: PhantomData<fn(P) -> O>,
}

impl<P: Pixel> ImageFilter<P, P> {
    /// A convolution filter (the kernel flipped on both axes): full mode,
    /// zero border, output type `P`, divisor 1, rounding half to even,
    /// saturating, until set otherwise.
    ///
    /// An empty kernel is [`Error::EmptyKernel`]; an integer kernel whose
    /// exact sums could exceed `i64` for this pixel type is
    /// [`Error::BadParameter`].
    pub fn convolution<'a, K, A>(kernel: A) -> Result<Self, Error>
    where
        K: Tap + 'a,
        A: AsArray<'a, K, Ix2>,
    {
        Self::new(kernel, Operation::Convolution)
    }

    /// A correlation filter (the kernel as it is, as `cv2.filter2D` and
    /// `scipy.ndimage.correlate` apply it); defaults as for
    /// [`convolution`](Self::convolution).
    pub fn correlation<'a, K, A>(kernel: A) -> Result<Self, Error>
    where
        K: Tap + 'a,
        A: AsArray<'a, K, Ix2>,
    {
        Self::new(kernel, Operation::Correlation)
    }

    /// A filter for the given operation.
    pub fn new<'a, K, A>(kernel: A, op: Operation) -> Result<Self, Error>
    where
        K: Tap + 'a,
        A: AsArray<'a, K, Ix2>,
    {
        let kernel: ArrayView2<'a, K> = kernel.into();
        Ok(Self::with_engine(K::engine::<P>(kernel, op)?))
    }

    /// A filter around `engine`, with the defaults.
    pub(super) fn with_engine(engine: Engine) -> Self {
        ImageFilter {
            engine,
            rules: Rules::default(),
            preset: None,
            border: Border::Constant(P::default()),
            types: PhantomData,
        }
    }
}

/// Calls `$body` with `$f` bound to the engine's filter, whatever its
/// accumulator type, and rebuilds the engine from the result.
macro_rules! with_engine {
    ($engine:expr, |$f:ident| $body:expr) => {
        match $engine {
            Engine::I16($f, sums) => Engine::I16($body, sums),
            Engine::I32($f, sums) => Engine::I32($body, sums),
            Engine::I64($f) => Engine::I64($body),
            Engine::F32($f) => Engine::F32($body),
            Engine::F64($f) => Engine::F64($body),
        }
    };
}

/// `border` with its constant widened into the accumulator `A`.
fn widen_border<P: Load<A>, A>(border: Border<P>) -> Border<A> {
    match border {
        Border::Constant(v) => Border::Constant(v.load()),
        Border::Wrap => Border::Wrap,
        Border::Symmetric => Border::Symmetric,
        Border::Mirror => Border::Mirror,
        Border::Replicate => Border::Replicate,
    }
}

impl<P: Pixel, O: Output> ImageFilter<P, O> {
    /// The same filter with output type `O2` (OpenCV's `ddepth`): e.g.
    /// `i16` for a Sobel derivative of `u8` pixels, `f32` for exact
    /// fractions.
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Border, ImageFilter, Mode};
    /// let dx = array![[-1i32, 0, 1], [-2, 0, 2], [-1, 0, 1]];
    /// let sobel = ImageFilter::<u8>::correlation(&dx)?
    ///     .output::<i16>()
    ///     .mode(Mode::Same)
    ///     .border(Border::Mirror);
    /// let image = array![[0u8, 0, 255, 255], [0, 0, 255, 255], [0, 0, 255, 255]];
    /// assert_eq!(sobel.apply(&image)?.row(1).to_vec(), vec![0i16, 1020, 1020, 0]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn output<O2: Output>(self) -> ImageFilter<P, O2> {
        ImageFilter {
            engine: self.engine,
            rules: self.rules,
            preset: self.preset,
            border: self.border,
            types: PhantomData,
        }
    }

    /// Sets the output mode (default [`Mode::Full`]; image filters mostly
    /// want [`Mode::Same`]).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.engine = with_engine!(self.engine, |f| f.mode(mode));
        self
    }

    /// Sets the border (default `Border::Constant(0)`; OpenCV's default is
    /// [`Border::Mirror`], `BORDER_REFLECT_101`).
    pub fn border(mut self, border: Border<P>) -> Self {
        self.border = border;
        self.engine = with_engine!(self.engine, |f| f.border(widen_border(border)));
        self
    }

    /// Forces a backend (see [`Filter2d::backend`](crate::Filter2d::backend)).
    pub fn backend(mut self, backend: Backend) -> Self {
        self.engine = with_engine!(self.engine, |f| f.backend(backend));
        self
    }

    /// Sets the thread policy (see [`Filter2d::threads`](crate::Filter2d::threads)).
    pub fn threads(mut self, threads: Threads) -> Self {
        self.engine = with_engine!(self.engine, |f| f.threads(threads.clone()));
        self
    }

    /// Divides every sum by `divisor` before rounding (default 1): the
    /// integer kernel's taps summing to 256 with divisor 256 is
    /// `cv2.filter2D` with the kernel `k / 256`, exactly. A divisor of 0
    /// makes `apply` return [`Error::BadParameter`].
    pub fn divisor(mut self, divisor: u32) -> Self {
        self.rules.divisor = u64::from(divisor);
        self
    }

    /// Adds `delta` after the division (OpenCV's `delta`; default 0). For
    /// an integer kernel `delta * divisor` must be a whole number (the
    /// conversion is exact), else `apply` returns [`Error::BadParameter`].
    pub fn delta(mut self, delta: f64) -> Self {
        self.rules.delta = delta;
        self
    }

    /// Sets the rounding rule (default [`Round::HalfEven`]).
    pub fn round(mut self, round: Round) -> Self {
        self.rules.round = round;
        self
    }

    /// Sets the overflow rule (default [`Overflow::Saturate`]).
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.rules.overflow = overflow;
        self
    }

    /// Takes a library's rounding and overflow rules, and its restriction
    /// of the output type (see [`Preset`]).
    pub fn preset(mut self, preset: Preset) -> Self {
        let (round, overflow) = preset.rules();
        self.rules.round = round;
        self.rules.overflow = overflow;
        self.preset = Some(preset);
        self
    }

    /// The accumulator the sums are computed in: `"i16"` (wrapping 16-bit
    /// lanes, when every sum this pixel type allows lies in a range of
    /// fewer than 2^16 integers, so the lanes' residue names the sum
    /// exactly), `"i32"`, `"i64"` (exact integer sums), `"f32"` or
    /// `"f64"`.
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::ImageFilter;
    /// let k = array![[1i32, 2, 1]];
    /// assert_eq!(ImageFilter::<u8>::correlation(&k)?.accumulator(), "i16"); // sums in 0..=1020
    /// assert_eq!(ImageFilter::<u16>::correlation(&k)?.accumulator(), "i32");
    /// assert_eq!(ImageFilter::<u16>::correlation(&array![[70000i32]])?.accumulator(), "i64");
    /// assert_eq!(ImageFilter::<u8>::correlation(&array![[0.5f32]])?.accumulator(), "f32");
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn accumulator(&self) -> &'static str {
        self.engine.name()
    }

    /// The rounding rule in force.
    pub fn rounding_rule(&self) -> Round {
        self.rules.round
    }

    /// The overflow rule in force.
    pub fn overflow_rule(&self) -> Overflow {
        self.rules.overflow
    }

    /// The border in force.
    pub fn border_rule(&self) -> Border<P> {
        self.border
    }

    /// Convolution or correlation.
    pub fn operation(&self) -> Operation {
        match &self.engine {
            Engine::I16(f, _) => f.operation(),
            Engine::I32(f, _) => f.operation(),
            Engine::I64(f) => f.operation(),
            Engine::F32(f) => f.operation(),
            Engine::F64(f) => f.operation(),
        }
    }

    /// The kernel's shape `(rows, cols)`.
    pub fn kernel_shape(&self) -> (usize, usize) {
        match &self.engine {
            Engine::I16(f, _) => f.kernel_shape(),
            Engine::I32(f, _) => f.kernel_shape(),
            Engine::I64(f) => f.kernel_shape(),
            Engine::F32(f) => f.kernel_shape(),
            Engine::F64(f) => f.kernel_shape(),
        }
    }

    /// The output shape for an image of `image` (rows, cols), or the error
    /// `apply` would return for it.
    pub fn output_shape(&self, image: (usize, usize)) -> Result<(usize, usize), Error> {
        match &self.engine {
            Engine::I16(f, _) => f.output_shape(image),
            Engine::I32(f, _) => f.output_shape(image),
            Engine::I64(f) => f.output_shape(image),
            Engine::F32(f) => f.output_shape(image),
            Engine::F64(f) => f.output_shape(image),
        }
    }

    /// Checks the conversion: a positive divisor, a delta the conversion
    /// can add exactly, an output type the preset allows.
    pub fn check(&self) -> Result<(), Error> {
        if self.rules.divisor == 0 {
            return Err(Error::BadParameter {
                what: "divisor",
                value: "0".into(),
                rule: "a positive integer",
            });
        }
        if !self.rules.delta.is_finite() {
            return Err(Error::BadParameter {
                what: "delta",
                value: self.rules.delta.to_string(),
                rule: "a finite number",
            });
        }
        if matches!(
            self.engine,
            Engine::I16(..) | Engine::I32(..) | Engine::I64(_)
        ) && FromExact::new(&self.rules).is_none()
        {
            return Err(Error::BadParameter {
                what: "delta",
                value: self.rules.delta.to_string(),
                rule: "for an integer kernel, delta * divisor must be a whole number \
                       of at most 2^53 (the conversion is exact)",
            });
        }
        if let Some(preset) = self.preset {
            if !preset.allows(P::NAME, O::NAME) {
                return Err(Error::UnsupportedOutput {
                    preset: preset.to_string(),
                    input: P::NAME,
                    output: O::NAME,
                });
            }
        }
        Ok(())
    }

    /// Filters `image` (any strides) into a new array of the output shape.
    pub fn apply<'a, V>(&self, image: V) -> Result<Array2<O>, Error>
    where
        V: AsArray<'a, P, Ix2>,
    {
        let image: ArrayView2<'a, P> = image.into();
        let shape = self.output_shape(image.dim())?;
        self.check()?;
        let mut out = crate::output::zeroed(shape)?;
        self.apply_into(image, out.view_mut())?;
        Ok(out)
    }

    /// Filters `image` into `out`, which must have the output shape (any
    /// strides).
    pub fn apply_into<'a, 'o, V, W>(&self, image: V, out: W) -> Result<(), Error>
    where
        V: AsArray<'a, P, Ix2>,
        W: Into<ArrayViewMut2<'o, O>>,
    {
        self.check()?;
        let (image, out): (ArrayView2<'a, P>, ArrayViewMut2<'o, O>) = (image.into(), out.into());
        let backend = self.resolved_backend()?;
        let (exact, float) = (self.exact(), FromFloat::new(&self.rules));
        match &self.engine {
            Engine::I16(f, sums) => {
                let modular = FromModular::new(sums.lo, sums.hi, exact);
                f.apply_converted(image, out, &Converter::new(modular, backend))
            }
            Engine::I32(f, sums) => {
                if let Some((call, split, threads)) =
                    two_width::<P>(f, sums, image.dim(), 1, out.dim())?
                {
                    let k = split.offset();
                    let exact = exact.offset(k).for_sums(sums.lo - k, sums.hi - k);
                    let store = Converter::new(exact, backend);
                    return split::execute(&call, &split, threads, image, out, &store);
                }
                let exact = exact.for_sums(sums.lo, sums.hi);
                f.apply_converted(image, out, &Converter::new(exact, backend))
            }
            Engine::I64(f) => f.apply_converted(image, out, &Converter::new(exact, backend)),
            Engine::F32(f) => f.apply_converted(image, out, &Converter::new(float, backend)),
            Engine::F64(f) => f.apply_converted(image, out, &Converter::new(float, backend)),
        }
    }

    /// The exact conversion (unused for float kernels, where the delta
    /// need not be a multiple of `1 / divisor`).
    pub(super) fn exact(&self) -> FromExact {
        FromExact::new(&self.rules)
            .unwrap_or_else(|| FromExact::new(&Rules::default()).expect("the identity"))
    }

    /// The inner filter's backend choice (see [`Filter2d::resolved_backend`](crate::Filter2d::resolved_backend)).
    pub fn resolved_backend(&self) -> Result<Backend, Error> {
        match &self.engine {
            Engine::I16(f, _) => f.resolved_backend(),
            Engine::I32(f, _) => f.resolved_backend(),
            Engine::I64(f) => f.resolved_backend(),
            Engine::F32(f) => f.resolved_backend(),
            Engine::F64(f) => f.resolved_backend(),
        }
    }
}

/// The two-width evaluation of an `i32` engine's call for an image of
/// `dim` elements (`cell` channels interleaved) into an output of `out`
/// elements (see `pipeline::split`): the call, the split and the thread
/// policy, when the call evaluates a rank-one factorisation whose column
/// pass is exact in 16-bit lanes for pixels of `P`; `None` otherwise.
#[allow(clippy::type_complexity)]
pub(super) fn two_width<'f, P: Pixel>(
    f: &'f Filter2d<i32>,
    sums: &Sums,
    dim: (usize, usize),
    cell: usize,
    out: (usize, usize),
) -> Result<Option<(Call<'f, i32>, Split, &'f Threads)>, Error> {
    let Some((call, u, v, threads)) = f.rank_one_call(dim, cell, out)? else {
        return Ok(None);
    };
    let pixels = (P::MIN, P::MAX);
    let split = Split::new(u, v, cell, pixels, (sums.lo, sums.hi), call.backend);
    Ok(split.map(|split| (call, split, threads)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<ImageFilter<u8>>();
        send_sync::<ImageFilter<u16, f32>>();
    }

    /// A small xorshift generator.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        /// A value in `lo..=hi`, the ends one time in four.
        fn edgy(&mut self, lo: i64, hi: i64) -> i64 {
            match self.next() % 8 {
                0 => lo,
                1 => hi,
                _ => lo + (self.next() % (hi - lo + 1) as u64) as i64,
            }
        }
    }

    /// Every backend's two-width passes (`pipeline::split`) against the
    /// scalar backend's direct sums, for `P` pixels under the separable
    /// kernel `column x row`: every mode, border, a few shapes, one and
    /// three / four interleaved channels. Returns whether the two-width
    /// path was taken on the detected backend.
    fn two_width_matches_scalar<P: Pixel>(
        column: &[i32],
        row: &[i32],
        divisor: u32,
        rng: &mut Rng,
    ) -> bool {
        use crate::border::Border;
        use ndarray::Array3;
        let shapes: &[(usize, usize)] = if cfg!(miri) {
            &[(2, 33)]
        } else {
            &[(1, 1), (2, 70), (17, 33), (30, 129)]
        };
        let base = ImageFilter::<P>::separable_correlation(column, row)
            .expect("a filter")
            .divisor(divisor)
            .round(Round::HalfUp)
            // Miri flags crossbeam-epoch (rayon's deques) under Stacked
            // Borrows; the thread counts are tested natively.
            .threads(if cfg!(miri) {
                Threads::Single
            } else {
                Threads::Auto
            });
        let taken = match &base.engine {
            Engine::I32(f, sums) => two_width::<P>(
                f,
                sums,
                (20, 200),
                1,
                (20 + column.len() - 1, 200 + row.len() - 1),
            )
            .expect("a call")
            .is_some(),
            _ => false,
        };
        let fill = P::from_integer(P::MAX / 3 + 1, true);
        let borders = [
            Border::Constant(fill),
            Border::Wrap,
            Border::Symmetric,
            Border::Mirror,
            Border::Replicate,
        ];
        // Under Miri (seconds a call): one shape, interleaved channels, one
        // mode and one border.
        let cells: &[usize] = if cfg!(miri) { &[3] } else { &[1, 3, 4] };
        let modes: &[Mode] = if cfg!(miri) {
            &[Mode::Same]
        } else {
            &[Mode::Full, Mode::Same, Mode::Valid]
        };
        let borders = if cfg!(miri) {
            &borders[..1]
        } else {
            &borders[..]
        };
        for &(h, w) in shapes {
            for &cell in cells {
                let image = Array3::from_shape_fn((h, w, cell), |_| {
                    P::from_integer(rng.edgy(P::MIN, P::MAX), true)
                });
                for &mode in modes {
                    for &border in borders {
                        // In the pixel type (divided, rounded, saturated)
                        // and as the exact sums (i32, divisor 1).
                        let filter = base.clone().mode(mode).border(border);
                        let sums = filter.clone().divisor(1).output::<i32>();
                        let want = filter
                            .clone()
                            .backend(Backend::Scalar)
                            .apply_channels_last(&image);
                        let want_sums = sums
                            .clone()
                            .backend(Backend::Scalar)
                            .apply_channels_last(&image);
                        for backend in Backend::available() {
                            let got = filter.clone().backend(backend).apply_channels_last(&image);
                            let got_sums =
                                sums.clone().backend(backend).apply_channels_last(&image);
                            let what = format!(
                                "{backend:?} {} {h}x{w}x{cell} {mode:?} {border:?}",
                                P::NAME
                            );
                            assert_eq!(
                                got_sums.map_err(|e| e.to_string()),
                                want_sums.as_ref().map_err(|e| e.to_string()).cloned(),
                                "{what}"
                            );
                            assert_eq!(
                                got.as_ref().map_err(|e| e.to_string()),
                                want.as_ref().map_err(|e| e.to_string()),
                                "{what}"
                            );
                        }
                    }
                }
            }
        }
        taken
    }

    #[test]
    fn two_width_passes_give_the_scalar_bits() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        // The backend filters resolve to (SIMDCONV_BACKEND may force
        // Scalar, which keeps the i32 passes).
        let resolved = ImageFilter::<u8>::correlation(&ndarray::array![[1i32]])
            .and_then(|f| f.resolved_backend())
            .expect("a backend");
        let simd = resolved != Backend::Scalar;
        // OpenCV's u8 Gaussian taps (5 and 13), summing to 256 each way.
        let sizes: &[usize] = if cfg!(miri) { &[5] } else { &[5, 13] };
        for &n in sizes {
            let g = crate::kernel1d::gaussian_opencv_fixed(n, 0.0, 8).expect("taps");
            let g: Vec<i32> = g.iter().map(|&t| t as i32).collect();
            assert_eq!(
                two_width_matches_scalar::<u8>(&g, &g, 1 << 16, &mut rng),
                simd
            );
        }
        if cfg!(miri) {
            return;
        }
        // Signed taps: column sums spanning 2^16 values, the most the
        // lanes hold (sum |u| = 257), row taps whose products come within 2% of i32.
        let column = [100, -57, 100];
        let row = [16000, -16000, 5, -5];
        assert_eq!(
            two_width_matches_scalar::<u8>(&column, &row, 7, &mut rng),
            simd
        );
        // u16 and i16 pixels: a one-tap column (sum |u| = 1).
        let row = [3, -1000, 20000, 7, 1];
        assert_eq!(
            two_width_matches_scalar::<u16>(&[1, 0], &row, 9, &mut rng),
            simd
        );
        assert_eq!(
            two_width_matches_scalar::<i16>(&[0, -1], &row, 1, &mut rng),
            simd
        );
        // Column sums spanning more than 2^16 values: the i32 passes run.
        assert!(!two_width_matches_scalar::<u8>(
            &[200, -58],
            &[1, 2, 1],
            1,
            &mut rng
        ));
    }
}
