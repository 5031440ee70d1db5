//! `Filter2d`: a validated, packed kernel, applied to many images.

use std::sync::Arc;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, AsArray, Ix2};

use crate::backend::{self, Backend};
use crate::border::Border;
use crate::element::sealed::Sealed;
use crate::element::Element;
use crate::error::Error;
use crate::explain::{Explanation, FftTiles};
use crate::factor::Factors;
use crate::fft::{self, Tiling, Transform};
use crate::geometry::{self, Mode, Operation, Window};
use crate::kernels::Taps;
use crate::pipeline::{self, Call, Evaluation};
use crate::settings::{Method, Rounding, Settings};
use crate::threads::Threads;
use crate::transfer::{Load, Same, Store};

/// A window's `(offset, shape)` in the full output, in pixels.
type OffsetShape = ((usize, usize), (usize, usize));

/// A 2D convolution or correlation kernel, validated and packed once.
///
/// Build it with [`Filter2d::convolution`] or [`Filter2d::correlation`],
/// set the [`Mode`], [`Border`] and optionally a [`Backend`], then
/// [`apply`](Filter2d::apply) it to any number of images. A filter is
/// `Send + Sync`: share it between threads freely.
///
/// # What it computes
///
/// With `g` the kernel, the *effective* kernel `k` is `g` flipped on both
/// axes for convolution and `g` itself for correlation. Output position
/// `(y, x)` of the full output is
///
/// ```text
/// out[y][x] = sum over i in 0..kh, j in 0..kw of k[i][j] * f~[y + i - (kh - 1)][x + j - (kw - 1)]
/// ```
///
/// where `f~` is the image extended by the border. `Same` and `Valid` return
/// a window of this (see [`Mode`]).
///
/// # Order of operations
///
/// Every backend computes each output as SciPy's loop does, starting from
/// `0` and adding `k[i][j] * x` for every tap in row-major order (kernel
/// rows top to bottom, taps left to right), each product rounded before it
/// is added
/// (unless [`Rounding::Fused`] is chosen) and integers wrapping. Float results are therefore identical, bit for bit,
/// on every backend and thread count. (In `Valid` mode with a kernel larger
/// than the image, the roles swap as in SciPy: the image becomes the kernel.)
/// The [crate documentation](crate#what-it-computes) has the formulas and
/// a worked example of every mode and border.
///
/// ```
/// use ndarray::array;
/// use simdconv::{Border, Filter2d, Mode};
///
/// let image = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// let kernel = array![[1.0f32, 0.0], [0.0, -1.0]];
/// let filter = Filter2d::correlation(kernel.view())?
///     .mode(Mode::Same)
///     .border(Border::Replicate);
/// let out = filter.apply(image.view())?;
/// assert_eq!(out, array![[-4.0f32, -4.0, -3.0], [-1.0, -1.0, 0.0]]);
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone)]
pub struct Filter2d<T: Element> {
    kernel: Kernel<T>,
    settings: Settings<T>,
}

/// The kernel, validated and packed once: what no setting changes.
#[derive(Clone)]
struct Kernel<T: Element> {
    taps: Taps<T>,
    kh: usize,
    kw: usize,
    /// The exact factorisation of an integer kernel, when it saves work.
    exact: Option<Factors<T>>,
    /// A float kernel's rank-one factors, for [`Method::Separable`].
    separable: Option<Factors<T>>,
    /// A float kernel's spectra for [`Method::Fft`], per transform size,
    /// computed when first needed (shared by clones).
    spectra: Arc<<T as Sealed>::Fft>,
}

/// `Method::Auto`'s modelled single-thread times, in nanoseconds.
struct Modelled {
    direct: f64,
    separable: Option<f64>,
    fft: Option<(Tiling, f64)>,
}

/// How one call is evaluated.
enum Route<'a, T> {
    /// Every tap, in the reference's order.
    Direct,
    /// Sums of outer products: exact integer factors, or a float kernel's
    /// separable factors.
    Factored(&'a Factors<T>),
    /// FFT tiles.
    Fft(Tiling),
}

/// The shape and the settings, not the taps (a 31 x 31 kernel's taps
/// would be most of the output).
impl<T: Element> core::fmt::Debug for Filter2d<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Filter2d")
            .field("kernel_shape", &self.kernel_shape())
            .field("low_rank_terms", &self.low_rank_terms())
            .field("settings", &self.settings)
            .finish()
    }
}

impl<T: Element> Filter2d<T> {
    /// A convolution filter (`scipy.signal.convolve2d`): full mode, zero
    /// border, automatic backend until set otherwise.
    ///
    /// The kernel may have any strides; it is copied (flipped) here.
    /// An empty kernel is [`Error::EmptyKernel`].
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::Filter2d;
    /// let f = Filter2d::convolution(&array![[1i64, 2], [3, 4]])?;
    /// assert_eq!(f.apply(&array![[1i64]])?, array![[1, 2], [3, 4]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn convolution<'a, K>(kernel: K) -> Result<Self, Error>
    where
        K: AsArray<'a, T, Ix2>,
        T: 'a,
    {
        Self::new(kernel, Operation::Convolution)
    }

    /// A correlation filter (`scipy.signal.correlate2d`): full mode, zero
    /// border, automatic backend until set otherwise.
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::Filter2d;
    /// let f = Filter2d::correlation(&array![[1i64, 2], [3, 4]])?;
    /// assert_eq!(f.apply(&array![[1i64]])?, array![[4, 3], [2, 1]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn correlation<'a, K>(kernel: K) -> Result<Self, Error>
    where
        K: AsArray<'a, T, Ix2>,
        T: 'a,
    {
        Self::new(kernel, Operation::Correlation)
    }

    /// A filter for either operation.
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Filter2d, Operation};
    /// let f = Filter2d::new(&array![[2.0f64]], Operation::Correlation)?;
    /// assert_eq!(f.operation(), Operation::Correlation);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn new<'a, K>(kernel: K, op: Operation) -> Result<Self, Error>
    where
        K: AsArray<'a, T, Ix2>,
        T: 'a,
    {
        let kernel: ArrayView2<'a, T> = kernel.into();
        let (kh, kw) = kernel.dim();
        let n = check_kernel_shape::<T>(kh, kw)?;
        let mut taps = crate::alloc::with_capacity::<T>(n, "the kernel's taps")?;
        match op {
            Operation::Convolution => taps.extend(kernel.slice(s![..;-1, ..;-1]).iter().copied()),
            Operation::Correlation => taps.extend(kernel.iter().copied()),
        }
        let exact = Factors::exact_integer(&taps, kh, kw);
        let separable = Factors::separable_float(&taps, kh, kw);
        Ok(Self::from_parts(
            taps,
            (kh, kw),
            op,
            exact,
            separable,
            Method::Direct,
        ))
    }

    /// A filter of the effective kernel `taps` (`kh x kw`, row-major,
    /// already flipped for convolution) with its factorisations, in the
    /// default settings but for `method`.
    pub(crate) fn from_parts(
        taps: Vec<T>,
        (kh, kw): (usize, usize),
        op: Operation,
        exact: Option<Factors<T>>,
        separable: Option<Factors<T>>,
        method: Method,
    ) -> Self {
        Filter2d {
            kernel: Kernel {
                kh,
                kw,
                exact,
                separable,
                taps: Taps::new(taps, kh, kw),
                spectra: Arc::default(),
            },
            settings: Settings {
                operation: op,
                mode: Mode::Full,
                border: Border::Constant(T::zero()),
                backend: None,
                threads: Threads::Auto,
                method,
                rounding: Rounding::Separate,
                low_rank: true,
            },
        }
    }

    /// Sets the output mode (default [`Mode::Full`]).
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::{Filter2d, Mode};
    /// let f = Filter2d::convolution(&Array2::<f32>::ones((3, 3)))?;
    /// assert_eq!(f.output_shape((10, 10))?, (12, 12));
    /// let f = f.mode(Mode::Same);
    /// assert_eq!(f.settings().mode, Mode::Same);
    /// assert_eq!(f.output_shape((10, 10))?, (10, 10));
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn mode(mut self, mode: Mode) -> Self {
        self.settings.mode = mode;
        self
    }

    /// Sets the border (default `Border::Constant(0)`).
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Border, Filter2d, Mode};
    /// let f = Filter2d::correlation(&array![[1i32, 1, 1]])?.mode(Mode::Same);
    /// assert_eq!(f.settings().border, Border::Constant(0));
    /// let image = array![[1i32, 2, 3]];
    /// assert_eq!(f.apply(&image)?, array![[3, 6, 5]]);
    /// assert_eq!(f.border(Border::Wrap).apply(&image)?, array![[6, 6, 6]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn border(mut self, border: Border<T>) -> Self {
        self.settings.border = border;
        self
    }

    /// Forces a backend. If this CPU cannot run it, every `apply` returns
    /// [`Error::BackendUnavailable`]. Without it, a filter runs on
    /// `SIMDCONV_BACKEND` if set, else on [`Backend::detect`].
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Backend, Filter2d};
    /// let f = Filter2d::convolution(&array![[1.0f32, 2.0]])?.backend(Backend::Scalar);
    /// assert_eq!(f.resolved_backend()?, Backend::Scalar);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn backend(mut self, backend: Backend) -> Self {
        self.settings.backend = Some(backend);
        self
    }

    /// Sets the thread policy (default [`Threads::Auto`]: large calls on
    /// rayon's pool, small ones on the calling thread). Results are
    /// bit-identical whatever the policy.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::{Filter2d, Threads};
    /// let f = Filter2d::convolution(&Array2::<f64>::ones((5, 5)))?.threads(Threads::Single);
    /// assert_eq!(f.apply(&Array2::<f64>::ones((100, 100)))?[[50, 50]], 25.0);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn threads(mut self, threads: Threads) -> Self {
        self.settings.threads = threads;
        self
    }

    /// Whether an integer kernel of low rank may be evaluated as row and
    /// column passes (default `true`).
    ///
    /// An integer kernel that equals a sum of `r` outer products of integer
    /// vectors, with `r * (kh + kw) < kh * kw`, is detected when the filter
    /// is built. Evaluated as `r` column passes (one per outer product)
    /// and one row pass over their results, it needs `r * (kh + kw)`
    /// multiply-adds per output instead of `kh * kw`, and
    /// the result is bit-identical to the direct one: the identity holds in
    /// the integers, so also modulo 2^32 or 2^64, wrap-around included.
    /// Float kernels always use the direct path, and so does
    /// [`Backend::Scalar`], the reference every other path is tested
    /// against.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::Filter2d;
    /// let g = Array2::from_shape_fn((9, 9), |(i, j)| (9 * i + j) as i64);
    /// let f = Array2::from_shape_fn((50, 50), |(i, j)| (i * 50 + j) as i64 * 1_000_000_007);
    /// let fast = Filter2d::convolution(&g)?;
    /// assert_eq!(fast.low_rank_terms(), Some(2));
    /// let direct = fast.clone().low_rank(false);
    /// assert_eq!(fast.apply(&f)?, direct.apply(&f)?);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn low_rank(mut self, enabled: bool) -> Self {
        self.settings.low_rank = enabled;
        self
    }

    /// Chooses how a float kernel is evaluated (default [`Method::Direct`],
    /// the reference's bits).
    ///
    /// [`Method::Separable`] evaluates a separable float kernel as a
    /// column pass and then a row pass: `kh + kw` multiply-adds per output
    /// instead of `kh * kw` (a 9x9 Gaussian: 18 instead of 81).
    ///
    /// A float kernel is separable here when it is one outer product
    /// `u v^T` up to its own rounding: with `(p, q)` its largest tap,
    /// `v` its row `p` and `u` its column `q` divided by that tap, every
    /// tap is within `4 eps |K[p][q]|` of `u[i] * v[j]` (`eps` the type's
    /// machine epsilon), as kernels built as outer products in floating
    /// point are. Other kernels, and integer kernels (whose exact
    /// factorisation is [`low_rank`](Self::low_rank)), run direct;
    /// [`low_rank_terms`](Self::low_rank_terms) is `Some(1)` when it
    /// applies.
    ///
    /// The result is not the direct one's bits, but it is still the same
    /// on every backend and thread count (each pass runs the row kernels'
    /// fixed order), and [`Rounding::Fused`] applies to both passes when
    /// also chosen.
    ///
    /// **Error bound.** For finite values without underflow, with `u = eps
    /// / 2` the unit roundoff, `S' = sum |u_i| |v_j| |x_ij|` and `X = sum
    /// |x_ij|` over an output's window and `R = max |K_ij - u_i v_j|` (at
    /// most `4 eps |K[p][q]|`), the separable result is within
    /// `1.01 (kh + kw) u S' + R X` of the exact sum (for `(kh + kw) u <=
    /// 0.01`). The direct result is within `1.01 kh kw u S` (`S = sum |K_ij
    /// x_ij|`), so for kernels of one sign the separable path is the more
    /// accurate. With infinities or NaN in the input, outputs are still
    /// infinite or NaN near them, but not necessarily where the direct
    /// path puts them.
    ///
    /// [`Method::Fft`] evaluates a float kernel through fast Fourier
    /// transforms of overlap-save tiles (`docs/FFT.md`): `O(log N)` work
    /// per output instead of `kh * kw`, the same modes, borders and
    /// centring. [`explain`](Self::explain) tells the tiles a call uses.
    /// Its results are the same on every backend and thread count (the
    /// tiling depends on the shapes alone), not the direct ones.
    ///
    /// **FFT error bound.** For a tile with transforms of `Nh x Nw`,
    /// `L = log2 Nh + log2 Nw`, `k` the kernel and `x` the tile's `Nh x Nw`
    /// block of border-extended samples, every output of the tile is
    /// within `(21 L + 4) u ||k||_1 ||x||_2` of the exact result (`u` the
    /// unit roundoff; [`FftTiles::error_factor`](crate::FftTiles::error_factor)
    /// gives the factor), without underflow or overflow. This is the
    /// classical normwise bound (Higham, *Accuracy and Stability of
    /// Numerical Algorithms*, Thm. 24.2, three transforms and one product),
    /// so unlike the direct path's it does not shrink where the image is
    /// small: a large sample anywhere in a tile's block sets the absolute
    /// error of the whole tile. A tile whose input holds a NaN or an
    /// infinity, or whose result overflows, is computed by the direct
    /// path, so non-finite values reach exactly the outputs the direct
    /// path gives them. Integer kernels ignore the method (exact results).
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::{Filter2d, Method};
    /// let g: Vec<f32> = (0..9).map(|i| (-((i as f32 - 4.0).powi(2)) / 8.0).exp()).collect();
    /// let gauss = Array2::from_shape_fn((9, 9), |(i, j)| g[i] * g[j]);
    /// let image = Array2::from_shape_fn((64, 64), |(y, x)| ((y * 7 + x * 3) % 11) as f32);
    /// let direct = Filter2d::convolution(&gauss)?;
    /// let separable = direct.clone().method(Method::Separable);
    /// assert_eq!((direct.low_rank_terms(), separable.low_rank_terms()), (None, Some(1)));
    /// let (a, b) = (direct.apply(&image)?, separable.apply(&image)?);
    /// assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() <= 1e-4 * (1.0 + a.abs())));
    ///
    /// // The FFT method: the error bound's factor, times ||k||_1 ||x||_2.
    /// let fft = direct.clone().method(Method::Fft);
    /// let c = fft.apply(&image)?;
    /// let k1: f32 = gauss.iter().map(|v| v.abs()).sum();
    /// let x2 = image.iter().map(|v| v * v).sum::<f32>().sqrt(); // covers every block
    /// let factor = fft.explain(image.dim())?.fft.unwrap().error_factor(f32::EPSILON as f64 / 2.0);
    /// let bound = factor as f32 * k1 * x2;
    /// assert!(a.iter().zip(&c).all(|(a, c)| (a - c).abs() <= bound));
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn method(mut self, method: Method) -> Self {
        self.settings.method = method;
        self
    }

    /// `separable(true)` is `method(Method::Separable)`, `separable(false)`
    /// is `method(Method::Direct)`.
    #[deprecated(since = "0.2.0", note = "use `.method(Method::Separable)`")]
    pub fn separable(self, enabled: bool) -> Self {
        self.method(if enabled {
            Method::Separable
        } else {
            Method::Direct
        })
    }

    /// Chooses how each multiply-add of a float kernel rounds (default
    /// [`Rounding::Separate`], the reference's bits).
    ///
    /// With [`Rounding::Fused`] each step computes `acc + k * x` with one rounding instead of
    /// two, in the same tap order. Where the CPU has FMA instructions
    /// (AVX2 with FMA, AVX-512, NEON) this is up to twice as fast, because
    /// a fused multiply-add is one instruction where the default needs two.
    /// The results are still identical, bit for bit, on every backend and
    /// thread count (backends without FMA instructions run the scalar
    /// fused reference, `f32::mul_add`), but they differ from the default
    /// mode's in the last bits.
    ///
    /// **Error bound.** Each output is a sum of `n = kh * kw` terms; with
    /// `S` the same sum over absolute values, `u` the unit roundoff (2^-24
    /// for f32, 2^-53 for f64) and `eta` the smallest subnormal, both modes
    /// are within `2 * (n + 1) * u * S + 2 * n * eta` of the exact sum (the
    /// bound SciPy-generated test vectors use), so the two differ from each
    /// other by at most twice that. Integer kernels ignore this option:
    /// their arithmetic is exact modulo 2^bits either way.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::Filter2d;
    /// let k = Array2::from_shape_fn((5, 5), |(i, j)| 0.1f32 * (i + j) as f32);
    /// let f = Array2::from_shape_fn((40, 40), |(i, j)| ((i * 7 + j) % 13) as f32 - 6.0);
    /// let plain = Filter2d::convolution(&k)?.apply(&f)?;
    /// let fused = Filter2d::convolution(&k)?.fused_multiply_add(true).apply(&f)?;
    /// for (a, b) in plain.iter().zip(&fused) {
    ///     assert!((a - b).abs() <= 1e-4 * (1.0 + a.abs()));
    /// }
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn rounding(mut self, rounding: Rounding) -> Self {
        self.settings.rounding = rounding;
        self
    }

    /// `fused_multiply_add(true)` is `rounding(Rounding::Fused)`,
    /// `fused_multiply_add(false)` is `rounding(Rounding::Separate)`.
    #[deprecated(since = "0.2.0", note = "use `.rounding(Rounding::Fused)`")]
    pub fn fused_multiply_add(self, enabled: bool) -> Self {
        self.rounding(if enabled {
            Rounding::Fused
        } else {
            Rounding::Separate
        })
    }

    /// Every setting, as the builder left it.
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Filter2d, Mode};
    /// let f = Filter2d::convolution(&array![[1.0f32, 2.0]])?.mode(Mode::Valid);
    /// assert_eq!(f.settings().mode, Mode::Valid);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn settings(&self) -> &Settings<T> {
        &self.settings
    }

    /// The number of outer products the kernel is evaluated as, if the
    /// low-rank path is found and enabled.
    pub fn low_rank_terms(&self) -> Option<usize> {
        self.factors(None).map(|f| f.rank())
    }

    /// The factors the filter is evaluated with on `backend` (`None`: any
    /// but Scalar), if any: an integer kernel's exact ones (when enabled;
    /// never on the Scalar backend, which is the reference and runs the
    /// direct loops), or a float kernel's separable ones (for
    /// [`Method::Separable`]: an opt-in with its own results, the same on
    /// every backend).
    fn factors(&self, backend: Option<Backend>) -> Option<&Factors<T>> {
        let reference = backend == Some(Backend::Scalar);
        let exact = self
            .kernel
            .exact
            .as_ref()
            .filter(|_| self.settings.low_rank && !reference);
        let separable = self
            .kernel
            .separable
            .as_ref()
            .filter(|_| self.settings.method == Method::Separable);
        exact.or(separable)
    }

    /// The kernel's shape, `(rows, cols)`.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::Filter2d;
    /// let f = Filter2d::convolution(&Array2::<i32>::ones((3, 7)))?;
    /// assert_eq!(f.kernel_shape(), (3, 7));
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn kernel_shape(&self) -> (usize, usize) {
        (self.kernel.kh, self.kernel.kw)
    }

    /// Convolution or correlation (also `settings().operation`).
    pub fn operation(&self) -> Operation {
        self.settings.operation
    }

    /// The output mode.
    #[deprecated(since = "0.2.0", note = "use `settings().mode`")]
    pub fn output_mode(&self) -> Mode {
        self.settings.mode
    }

    /// The border.
    #[deprecated(since = "0.2.0", note = "use `settings().border`")]
    pub fn border_kind(&self) -> Border<T> {
        self.settings.border
    }

    /// The backend `apply` will run on, or the error it will return.
    ///
    /// Without [`Filter2d::backend`] this is the automatic choice:
    /// `SIMDCONV_BACKEND` if set, else [`Backend::detect`].
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Backend, Filter2d};
    /// let f = Filter2d::convolution(&array![[1.0f32]])?;
    /// match f.resolved_backend() {
    ///     Ok(b) => println!("running on {b}"),
    ///     Err(e) => println!("SIMDCONV_BACKEND is wrong: {e}"),
    /// }
    /// // A backend of another architecture is an error, not a fallback.
    /// let other = if cfg!(target_arch = "aarch64") { Backend::Avx2 } else { Backend::Neon };
    /// assert!(f.backend(other).resolved_backend().is_err());
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn resolved_backend(&self) -> Result<Backend, Error> {
        match self.settings.backend {
            Some(b) => b.check(),
            None => backend::automatic(),
        }
    }

    /// The output shape for an image of shape `image`, or the error
    /// `apply` would return for it.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::{Filter2d, Mode};
    /// let f = Filter2d::convolution(&Array2::<f32>::ones((5, 3)))?.mode(Mode::Valid);
    /// assert_eq!(f.output_shape((10, 10))?, (6, 8));
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn output_shape(&self, image: (usize, usize)) -> Result<(usize, usize), Error> {
        self.settings
            .mode
            .output_shape(image, self.kernel_shape(), self.settings.operation)
    }

    /// Filters `image` (any strides) into a new array.
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Filter2d, Mode};
    /// let f = Filter2d::convolution(&array![[1i32, 1, 1]])?.mode(Mode::Valid);
    /// assert_eq!(f.apply(&array![[1i32, 2, 3, 4]])?, array![[6, 9]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn apply<'a, V>(&self, image: V) -> Result<Array2<T>, Error>
    where
        V: AsArray<'a, T, Ix2>,
        T: 'a,
    {
        let image = image.into();
        let shape = self.output_shape(image.dim())?;
        let mut out = crate::output::zeroed(shape)?;
        self.apply_into(image, out.view_mut())?;
        Ok(out)
    }

    /// Filters `image` into `out`, which must have the output shape (any
    /// strides; elements outside the view are untouched). Nothing is
    /// allocated in proportion to the image.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use simdconv::Filter2d;
    /// let f = Filter2d::correlation(&array![[1.0f64, -1.0]])?;
    /// let mut out = Array2::zeros((1, 3));
    /// f.apply_into(&array![[1.0, 3.0]], &mut out)?;
    /// assert_eq!(out, array![[-1.0, -2.0, 3.0]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn apply_into<'a, 'o, V, O>(&self, image: V, out: O) -> Result<(), Error>
    where
        V: AsArray<'a, T, Ix2>,
        T: 'a,
        O: Into<ArrayViewMut2<'o, T>>,
    {
        self.apply_converted(image.into(), out.into(), &Same)
    }

    /// [`apply_into`](Self::apply_into) for an image of elements `I` that
    /// widen into `T` and an output of `O` that `store` converts into
    /// (narrow pixels: [`ImageFilter`](crate::ImageFilter)). The FFT
    /// method needs `T` in and out; other types run the direct method.
    pub(crate) fn apply_converted<I, O, S>(
        &self,
        image: ArrayView2<'_, I>,
        out: ArrayViewMut2<'_, O>,
        store: &S,
    ) -> Result<(), Error>
    where
        I: Load<T>,
        O: Copy + Send,
        S: Store<T, O>,
    {
        let expected = self.output_shape(image.dim())?;
        if out.dim() != expected {
            return Err(Error::OutputShape {
                expected,
                actual: out.dim(),
            });
        }
        let backend = self.resolved_backend()?;
        let kernel = match self.settings.rounding {
            Rounding::Separate => T::row_kernel(backend),
            Rounding::Fused => T::row_kernel_fused(backend),
        };
        let kernel = kernel.ok_or_else(|| Error::BackendUnavailable {
            backend,
            from_env: false,
            available: Backend::available(),
        })?;
        let (mode, op) = (self.settings.mode, self.settings.operation);
        match geometry::window(image.dim(), self.kernel_shape(), mode, op)? {
            Window::OfFull { offset, shape } => {
                let route = self.route(shape, backend);
                let evaluation = match route {
                    Route::Factored(factors) => Evaluation::Factored(factors),
                    Route::Direct | Route::Fft(_) => Evaluation::Direct {
                        taps: &self.kernel.taps,
                    },
                };
                let call = Call {
                    kernel_shape: self.kernel_shape(),
                    border: self.settings.border,
                    offset,
                    kernel,
                    backend,
                    evaluation,
                    cell: 1,
                };
                let threads = &self.settings.threads;
                if let Route::Fft(tiling) = route {
                    if let Some(image) = I::same_view(image) {
                        match store.same_view(out) {
                            Ok(out) => {
                                return self
                                    .kernel
                                    .spectra
                                    .execute(&call, tiling, threads, image, out)
                            }
                            Err(out) => {
                                return pipeline::execute_converted(
                                    &call, threads, image, out, store,
                                )
                            }
                        }
                    }
                }
                pipeline::execute_converted(&call, threads, image, out, store)
            }
            Window::SwappedValid { .. } => self.apply_swapped_valid(image, out, backend, store),
        }
    }

    /// This filter for interleaved images of `cell` channels: its taps read
    /// every `cell`-th column ([`Taps::with_step`]), for
    /// [`apply_cells`](Self::apply_cells).
    pub(crate) fn with_cells(mut self, cell: usize) -> Self {
        self.kernel.taps = self.kernel.taps.with_step(cell);
        self
    }

    /// Filters an interleaved image: `image` is `H x (W * cell)` elements,
    /// pixels of `cell` channels side by side, and `self` was made by
    /// [`with_cells`](Self::with_cells)`(cell)`. Every channel is filtered
    /// as it would be alone, with this filter's mode and border applied to
    /// whole pixels; `out` is `H' x (W' * cell)`. `Ok(false)` (nothing
    /// written) for `Valid` with a kernel larger than the image, whose
    /// roles swap: the caller filters each channel instead.
    pub(crate) fn apply_cells<I, O, S>(
        &self,
        image: ArrayView2<'_, I>,
        out: ArrayViewMut2<'_, O>,
        store: &S,
        cell: usize,
    ) -> Result<bool, Error>
    where
        I: Load<T>,
        O: Copy + Send,
        S: Store<T, O>,
    {
        assert_eq!(
            self.kernel.taps.step(),
            cell,
            "apply_cells: taps for {cell} channels"
        );
        let Some((offset, _)) = self.cells_window(image.dim(), cell, out.dim())? else {
            return Ok(false);
        };
        let backend = self.resolved_backend()?;
        let kernel = T::row_kernel(backend).ok_or_else(|| Error::BackendUnavailable {
            backend,
            from_env: false,
            available: Backend::available(),
        })?;
        let evaluation = match self.factors(Some(backend)) {
            Some(factors) => Evaluation::Factored(factors),
            None => Evaluation::Direct {
                taps: &self.kernel.taps,
            },
        };
        let call = Call {
            kernel_shape: (self.kernel.kh, self.kernel.taps.span()),
            border: self.settings.border,
            offset: (offset.0, offset.1 * cell),
            kernel,
            backend,
            evaluation,
            cell,
        };
        pipeline::execute_converted(&call, &self.settings.threads, image, out, store)?;
        Ok(true)
    }

    /// The window of an image of `dim` `(rows, columns)` whose rows hold
    /// `cell` interleaved elements per pixel: `Some((offset, shape))` in
    /// pixels when the output is a window of the full output (the shape
    /// `out` must then have, `cell` elements per pixel, else
    /// [`Error::OutputShape`]), `None` for a swapped valid mode.
    fn cells_window(
        &self,
        dim: (usize, usize),
        cell: usize,
        out: (usize, usize),
    ) -> Result<Option<OffsetShape>, Error> {
        let (mode, op) = (self.settings.mode, self.settings.operation);
        let window = geometry::window((dim.0, dim.1 / cell), self.kernel_shape(), mode, op)?;
        let Window::OfFull { offset, shape } = window else {
            return Ok(None);
        };
        let expected = (shape.0, shape.1 * cell);
        if out != expected {
            return Err(Error::OutputShape {
                expected,
                actual: out,
            });
        }
        Ok(Some((offset, shape)))
    }

    /// The call this filter makes for an image of `dim` elements (`H x (W
    /// * cell)`, `cell` channels interleaved, `self` made by
    /// [`with_cells`](Self::with_cells) when `cell > 1`) into an output of
    /// `out` elements, when that call evaluates a rank-one factorisation
    /// `u v^T`, with `u` and `v` and the thread policy: narrow pixels'
    /// two-width passes (`pipeline::split`) replace its two passes.
    /// `None`: another route (the call then runs as usual).
    #[allow(clippy::type_complexity)]
    pub(crate) fn rank_one_call(
        &self,
        dim: (usize, usize),
        cell: usize,
        out: (usize, usize),
    ) -> Result<Option<(Call<'_, T>, &[T], &[T], &Threads)>, Error> {
        let Some((offset, shape)) = self.cells_window(dim, cell, out)? else {
            return Ok(None);
        };
        let backend = self.resolved_backend()?;
        let Some(kernel) = T::row_kernel(backend) else {
            return Ok(None);
        };
        let factors = if cell == 1 {
            match self.route(shape, backend) {
                Route::Factored(factors) => Some(factors),
                Route::Direct | Route::Fft(_) => None,
            }
        } else {
            self.factors(Some(backend))
        };
        let Some(factors) = factors.filter(|f| f.rank() == 1) else {
            return Ok(None);
        };
        let call = Call {
            kernel_shape: (self.kernel.kh, self.kernel.taps.span()),
            border: self.settings.border,
            offset: (offset.0, offset.1 * cell),
            kernel,
            backend,
            evaluation: Evaluation::Factored(factors),
            cell,
        };
        let (u, v) = (factors.column_taps(0).dense(), factors.row_vector(0));
        Ok(Some((call, u, v, &self.settings.threads)))
    }

    /// How a call with an output window of `shape` runs on `backend`.
    fn route(&self, shape: (usize, usize), backend: Backend) -> Route<'_, T> {
        self.decide(shape, backend, false).0
    }

    /// [`route`](Self::route), and for [`Method::Auto`] the modelled
    /// single-thread times it chose from. Unless `full`, `Auto` skips the
    /// search for the FFT tiling when even the least cost any tiling could
    /// have ([`fft::size::cost_floor`]) loses to direct or separable: the
    /// same choice without the search (16-24 us a call on Zen 4, 5-7% of a
    /// 1000 x 1000 3 x 3 `f32` call). `Modelled::fft` is then `None`.
    fn decide(
        &self,
        shape: (usize, usize),
        backend: Backend,
        full: bool,
    ) -> (Route<'_, T>, Option<Modelled>) {
        let float = <T as Sealed>::Fft::AVAILABLE;
        let tiling = || fft::size::tiling(shape, self.kernel_shape()).filter(|_| float);
        match self.settings.method {
            Method::Fft => {
                if let Some(t) = tiling() {
                    return (Route::Fft(t), None);
                }
            }
            Method::Auto if float => {
                let (kh, kw) = self.kernel_shape();
                let bytes = core::mem::size_of::<T>();
                let outputs = shape.0 as f64 * shape.1 as f64;
                let direct = crate::tuning::direct_ns(backend, bytes, outputs, (kh * kw) as f64);
                let separable = self.kernel.separable.as_ref().map(|_| {
                    let columns = shape.0 as f64 * (shape.1 + kw - 1) as f64;
                    crate::tuning::direct_ns(backend, bytes, columns, kh as f64)
                        + crate::tuning::direct_ns(backend, bytes, outputs, kw as f64)
                });
                let floor = crate::tuning::fft_ns(bytes, fft::size::cost_floor(shape, (kh, kw)))
                    * crate::tuning::FFT_MARGIN;
                let search = full || floor < direct.min(separable.unwrap_or(f64::INFINITY));
                let modelled = Modelled {
                    direct,
                    separable,
                    fft: search
                        .then(tiling)
                        .flatten()
                        .map(|t| (t, crate::tuning::fft_ns(bytes, t.cost((kh, kw))))),
                };
                let separable = modelled.separable.unwrap_or(f64::INFINITY);
                let fft = modelled
                    .fft
                    .map_or(f64::INFINITY, |(_, ns)| ns * crate::tuning::FFT_MARGIN);
                let route = if fft < modelled.direct.min(separable) {
                    Route::Fft(modelled.fft.expect("finite time").0)
                } else if separable < modelled.direct {
                    Route::Factored(self.kernel.separable.as_ref().expect("finite time"))
                } else {
                    Route::Direct
                };
                return (route, Some(modelled));
            }
            _ => {}
        }
        let route = match self.factors(Some(backend)) {
            Some(factors) => Route::Factored(factors),
            None => Route::Direct,
        };
        (route, None)
    }

    /// Which method [`apply`](Self::apply) runs for an image of shape
    /// `image`, and why, or the error `apply` would return for it.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use simdconv::{Filter2d, Method};
    /// let g = Array2::from_shape_fn((41, 41), |(i, j)| ((i * j) % 7) as f64);
    /// let why = Filter2d::correlation(&g)?.method(Method::Fft).explain((300, 200))?;
    /// assert_eq!((why.requested, why.method), (Method::Fft, Method::Fft));
    /// let why = Filter2d::correlation(&array![[1i32, 2]])?.method(Method::Fft).explain((9, 9))?;
    /// assert_eq!(why.method, Method::Direct); // integers stay exact
    /// println!("{why}"); // direct for a 9 x 10 output: integer kernels are ...
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn explain(&self, image: (usize, usize)) -> Result<Explanation, Error> {
        let backend = self.resolved_backend()?;
        let output_shape = self.output_shape(image)?;
        let requested = self.settings.method;
        let (mode, op) = (self.settings.mode, self.settings.operation);
        let swapped = matches!(
            geometry::window(image, self.kernel_shape(), mode, op)?,
            Window::SwappedValid { .. }
        );
        let kernel = if swapped { image } else { self.kernel_shape() };
        let float = <T as Sealed>::Fft::AVAILABLE;
        let (method, low_rank_terms, fft, reason) = if swapped {
            // The image becomes the kernel: its factors are unknown here.
            let tiling = fft::size::tiling(output_shape, kernel).filter(|_| float);
            let reason = "valid mode with the kernel containing the image: the roles swap, \
                          the image is the kernel"
                .to_string();
            // Auto compares direct and FFT for the swapped shapes (the
            // image's own factors are not known here).
            let fft_pays = |t: &Tiling| {
                let bytes = core::mem::size_of::<T>();
                let outputs = output_shape.0 as f64 * output_shape.1 as f64;
                let taps = (kernel.0 * kernel.1) as f64;
                crate::tuning::fft_ns(bytes, t.cost(kernel)) * crate::tuning::FFT_MARGIN
                    < crate::tuning::direct_ns(backend, bytes, outputs, taps)
            };
            match tiling {
                Some(t)
                    if requested == Method::Fft || (requested == Method::Auto && fft_pays(&t)) =>
                {
                    (Method::Fft, None, Some(t), reason)
                }
                _ => (Method::Direct, None, None, reason),
            }
        } else {
            let (route, modelled) = self.decide(output_shape, backend, true);
            let auto = modelled.map(|m| {
                let ms = |ns: f64| format!("{:.3} ms", ns / 1e6);
                let mut text = format!(
                    "auto: the fastest by the cost model (one thread, {backend}): direct {}",
                    ms(m.direct)
                );
                if let Some(ns) = m.separable {
                    text += &format!(", separable {}", ms(ns));
                }
                if let Some((_, ns)) = m.fft {
                    text += &format!(", fft {}", ms(ns));
                }
                text
            });
            match route {
                Route::Fft(t) => (
                    Method::Fft,
                    None,
                    Some(t),
                    auto.unwrap_or_else(|| "requested".to_string()),
                ),
                Route::Factored(_) if float => (
                    Method::Separable,
                    None,
                    None,
                    auto.unwrap_or_else(|| {
                        "requested; the kernel is one outer product".to_string()
                    }),
                ),
                Route::Factored(f) => (
                    Method::Direct,
                    Some(f.rank()),
                    None,
                    "an exact integer factorisation, bit-identical to direct".to_string(),
                ),
                Route::Direct if auto.is_some() => {
                    (Method::Direct, None, None, auto.unwrap_or_default())
                }
                Route::Direct => {
                    let reason = match requested {
                        Method::Direct => "requested (the default)",
                        _ if !float => {
                            "integer kernels are always evaluated exactly: the method \
                             applies to float kernels"
                        }
                        Method::Separable => "requested, but the kernel is not one outer product",
                        _ => "requested, but the sizes overflow the FFT tiling",
                    };
                    (Method::Direct, None, None, reason.to_string())
                }
            }
        };
        let _ = backend;
        Ok(Explanation {
            method,
            requested,
            output_shape,
            low_rank_terms,
            fft: fft.map(|t| FftTiles {
                transform: t.size,
                tile: t.tile,
                tiles: t.count,
            }),
            reason,
        })
    }

    /// `Valid` with the kernel containing the image: SciPy swaps the inputs.
    /// Both operations then equal a valid convolution of the reversed
    /// effective kernel (as the image) by the image (as the kernel).
    /// (An image narrower than `T` is widened first: it is the kernel now.)
    fn apply_swapped_valid<I: Load<T>, O: Copy + Send, S: Store<T, O>>(
        &self,
        image: ArrayView2<'_, I>,
        out: ArrayViewMut2<'_, O>,
        backend: Backend,
        store: &S,
    ) -> Result<(), Error> {
        let taps = ArrayView2::from_shape(self.kernel_shape(), self.kernel.taps.dense())
            .expect("taps hold kh * kw elements");
        let taps = taps.slice(s![..;-1, ..;-1]);
        match I::same_view(image) {
            Some(same) => self
                .swapped(same, backend)?
                .apply_converted(taps, out, store),
            // A separate arm, not a shared binding: ndarray 0.15/0.16 do not
            // let the two views' lifetimes meet.
            None => {
                let widened = image.mapv(I::load);
                self.swapped(widened.view(), backend)?
                    .apply_converted(taps, out, store)
            }
        }
    }

    /// The filter whose kernel is `image`, with this one's settings.
    fn swapped(&self, image: ArrayView2<'_, T>, backend: Backend) -> Result<Filter2d<T>, Error> {
        let s = &self.settings;
        Ok(Filter2d::convolution(image)?
            .mode(Mode::Valid)
            .backend(backend)
            .threads(s.threads.clone())
            .low_rank(s.low_rank)
            .method(s.method)
            .rounding(s.rounding))
    }
}

/// Checks a `kh x kw` kernel's shape and that memory for its taps and
/// their column-major copy can be had (a broadcast view can name more taps
/// than memory holds); returns the tap count.
pub(crate) fn check_kernel_shape<T>(kh: usize, kw: usize) -> Result<usize, Error> {
    if kh == 0 || kw == 0 {
        return Err(Error::EmptyKernel { rows: kh, cols: kw });
    }
    let n = kh
        .checked_mul(kw)
        .filter(|&n| n <= geometry::MAX_ELEMENTS)
        .ok_or(Error::KernelTooLarge { rows: kh, cols: kw })?;
    crate::alloc::probe::<T>(n.saturating_mul(2), "the kernel's taps")?;
    Ok(n)
}

/// Full 2D convolution with a zero border, like `scipy.signal.convolve2d(f, g)`.
///
/// ```
/// use ndarray::array;
/// let h = simdconv::convolve2d(&array![[1i64, 2], [3, 4]], &array![[0i64, 1], [1, 0]])?;
/// assert_eq!(h, array![[0, 1, 2], [1, 5, 4], [3, 4, 0]]);
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn convolve2d<'a, 'b, T, V, K>(image: V, kernel: K) -> Result<Array2<T>, Error>
where
    T: Element,
    V: AsArray<'a, T, Ix2>,
    K: AsArray<'b, T, Ix2>,
    T: 'a + 'b,
{
    full_zero_border(image.into(), kernel.into(), Operation::Convolution)
}

/// Full 2D correlation with a zero border, like `scipy.signal.correlate2d(f, g)`.
///
/// ```
/// use ndarray::array;
/// let h = simdconv::correlate2d(&array![[1.0f32, 2.0]], &array![[1.0f32, 10.0]])?;
/// assert_eq!(h, array![[10.0, 21.0, 2.0]]);
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn correlate2d<'a, 'b, T, V, K>(image: V, kernel: K) -> Result<Array2<T>, Error>
where
    T: Element,
    V: AsArray<'a, T, Ix2>,
    K: AsArray<'b, T, Ix2>,
    T: 'a + 'b,
{
    full_zero_border(image.into(), kernel.into(), Operation::Correlation)
}

/// The free functions: full mode, zero border. An empty image is reported
/// before an empty kernel.
fn full_zero_border<T: Element>(
    image: ArrayView2<'_, T>,
    kernel: ArrayView2<'_, T>,
    op: Operation,
) -> Result<Array2<T>, Error> {
    if image.is_empty() {
        return Err(Error::EmptyImage {
            rows: image.nrows(),
            cols: image.ncols(),
        });
    }
    Filter2d::new(kernel, op)?.apply(image)
}

#[cfg(test)]
mod tests {
    //! The whole pipeline (column maps, the padded-row ring, both stages,
    //! the row kernels) on small inputs against naive loops. Small enough
    //! for Miri, which runs these with the scalar kernel and, where it
    //! reports SSE2, the SSE2 kernels' unsafe code.

    use super::*;
    use ndarray::Array2;

    /// `Method::Auto`'s shortcut (no tiling search when the FFT's cost
    /// floor loses) picks what the full model picks, on every backend,
    /// for plain and separable kernels from 1 x 1 to 127 x 127.
    #[test]
    #[cfg_attr(miri, ignore)]
    fn auto_skips_the_tiling_search_only_where_it_would_not_win() {
        let name = |r: &Route<'_, f32>| match r {
            Route::Direct => "direct",
            Route::Factored(_) => "factored",
            Route::Fft(_) => "fft",
        };
        let mut chosen = std::collections::BTreeSet::new();
        for backend in Backend::available() {
            for k in [1usize, 2, 3, 5, 9, 13, 15, 17, 21, 31, 63, 127] {
                let dense =
                    Array2::from_shape_fn((k, k), |(i, j)| ((i * 7 + j * 3) % 5) as f32 - 1.5);
                let ones = vec![1.0f32; k];
                let filters = [
                    Filter2d::convolution(&dense).unwrap(),
                    Filter2d::separable_convolution(&ones, &ones).unwrap(),
                ];
                for f in filters {
                    let f = f.method(Method::Auto);
                    for shape in [(1, 1), (40, 3), (200, 200), (1000, 1000), (4096, 4096)] {
                        let fast = f.decide(shape, backend, false).0;
                        let full = f.decide(shape, backend, true).0;
                        assert_eq!(name(&fast), name(&full), "{backend} {k}x{k} {shape:?}");
                        chosen.insert(name(&full));
                    }
                }
            }
        }
        // Where only the scalar backend runs (s390x, wasm without simd128)
        // the transforms win before the separable passes ever do.
        let routes = if Backend::available().len() > 1 { 3 } else { 2 };
        assert_eq!(
            chosen.len(),
            routes,
            "every route was exercised: {chosen:?}"
        );
    }

    /// The reference definition, written out: full-output position of the
    /// window, border mapping per index, sum from zero in tap order.
    /// `None` where the call must fail. (For integers only, `Valid` with a
    /// kernel containing the image is the zero-border full output's window
    /// at `(H - 1, W - 1)`: the taps off the image then add zero.)
    fn naive<T: Element>(
        f: &Array2<T>,
        g: &Array2<T>,
        op: Operation,
        mode: Mode,
        mut border: Border<T>,
    ) -> Option<Array2<T>> {
        let (h, w) = f.dim();
        let (kh, kw) = g.dim();
        let (oh, ow) = mode.output_shape((h, w), (kh, kw), op).ok()?;
        let offset = match mode {
            Mode::Full => (0, 0),
            Mode::Same if op == Operation::Convolution => ((kh - 1) / 2, (kw - 1) / 2),
            Mode::Same => (kh / 2, kw / 2),
            Mode::Valid if h >= kh && w >= kw => (kh - 1, kw - 1),
            Mode::Valid => {
                border = Border::Constant(T::zero());
                (h - 1, w - 1)
            }
        };
        let fill = border.fill().copied().unwrap_or_else(T::zero);
        Some(Array2::from_shape_fn((oh, ow), |(y, x)| {
            let mut acc = T::zero();
            for i in 0..kh {
                for j in 0..kw {
                    let k = match op {
                        Operation::Convolution => g[[kh - 1 - i, kw - 1 - j]],
                        Operation::Correlation => g[[i, j]],
                    };
                    let r = (y + offset.0 + i) as isize - (kh as isize - 1);
                    let c = (x + offset.1 + j) as isize - (kw as isize - 1);
                    let v = match (border.source_index(r, h), border.source_index(c, w)) {
                        (Some(r), Some(c)) => f[[r, c]],
                        _ => fill,
                    };
                    acc = k.mul_add_ref(v, acc);
                }
            }
            acc
        }))
    }

    fn check<T: Element>(f: &Array2<T>, g: &Array2<T>, fill: T) {
        let borders = [
            Border::Constant(fill),
            Border::Symmetric,
            Border::Wrap,
            Border::Mirror,
            Border::Replicate,
        ];
        // Miri interprets every step: two borders (the constant fill and a
        // reflection) cover the pipeline's code paths there.
        let borders = &borders[..if cfg!(miri) { 2 } else { borders.len() }];
        for op in [Operation::Convolution, Operation::Correlation] {
            // Built once: the low-rank search is most of a small test's
            // time under Miri.
            let prepared = Filter2d::new(g.view(), op).unwrap();
            for mode in [Mode::Full, Mode::Same, Mode::Valid] {
                for &border in borders {
                    let expected = naive(f, g, op, mode, border);
                    for backend in Backend::available() {
                        let filter = prepared
                            .clone()
                            .mode(mode)
                            .border(border)
                            .backend(backend)
                            .threads(Threads::Single);
                        let Some(expected) = &expected else {
                            assert!(filter.apply(f).is_err());
                            continue;
                        };
                        assert_eq!(
                            filter.apply(f).unwrap(),
                            expected,
                            "{backend} {op:?} {mode:?} {border:?}"
                        );
                        // A transposed input and a reversed output view.
                        let ft = f.t().as_standard_layout().into_owned();
                        let mut out = Array2::from_elem(expected.dim(), fill);
                        filter
                            .apply_into(ft.t(), out.slice_mut(s![..;-1, ..]))
                            .unwrap();
                        assert_eq!(out.slice(s![..;-1, ..]), expected, "{backend} strided");
                    }
                }
            }
        }
    }

    #[test]
    fn pipeline_matches_naive_loops_i32() {
        let f = Array2::from_shape_fn((4, 7), |(i, j)| {
            (i as i32 * 7 + j as i32).wrapping_mul(0x1234_5679)
        });
        let g = Array2::from_shape_fn((3, 2), |(i, j)| [3, -1, 0, 7, i32::MIN, 2][i * 2 + j]);
        check(&f, &g, -5);
    }

    #[test]
    fn pipeline_matches_naive_loops_f64() {
        let f = Array2::from_shape_fn((5, 3), |(i, j)| (i as f64 - 2.0) * 0.75 + j as f64);
        let g = Array2::from_shape_fn((2, 4), |(i, j)| 0.5 - (i * 4 + j) as f64 * 0.125);
        check(&f, &g, 1.5);
    }

    #[test]
    fn low_rank_stage_matches_naive_loops() {
        // Rank 1 (separable), wide enough that the low-rank path pays off.
        let u = [1i64, -2, 3, 5];
        let v = [2i64, 0, -1, 4, 7];
        let g = Array2::from_shape_fn((4, 5), |(i, j)| u[i] * v[j]);
        let f = Array2::from_shape_fn((6, 9), |(i, j)| {
            ((i * 9 + j) as i64).wrapping_mul(0x0123_4567_89AB_CDEF)
        });
        assert_eq!(Filter2d::convolution(&g).unwrap().low_rank_terms(), Some(1));
        check(&f, &g, 3);
    }

    #[test]
    #[allow(deprecated)]
    fn deprecated_builder_calls_still_set_the_choices() {
        let f = Filter2d::convolution(&Array2::<f32>::ones((3, 3))).unwrap();
        let s = f.clone().separable(true).fused_multiply_add(true);
        assert_eq!(s.settings().method, Method::Separable);
        assert_eq!(s.settings().rounding, Rounding::Fused);
        let s = s.separable(false).fused_multiply_add(false);
        assert_eq!(s.settings().method, Method::Direct);
        assert_eq!(s.settings().rounding, Rounding::Separate);
        let s = s.mode(Mode::Same).border(Border::Wrap);
        assert_eq!(
            (s.output_mode(), s.border_kind()),
            (Mode::Same, Border::Wrap)
        );
    }

    #[test]
    fn debug_prints_the_shape_and_settings_not_the_taps() {
        let f = Filter2d::convolution(&Array2::<f64>::ones((31, 31))).unwrap();
        let text = format!("{f:?}");
        assert!(text.contains("kernel_shape: (31, 31)"), "{text}");
        assert!(text.contains("mode: Full"), "{text}");
        assert!(text.len() < 400, "{} bytes: {text}", text.len());
    }

    #[test]
    fn kernel_larger_than_the_image() {
        let f = Array2::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as i32 + 1);
        let g = Array2::from_shape_fn((5, 4), |(i, j)| (i * 4 + j) as i32 - 9);
        check(&f, &g, 2);
    }
}
