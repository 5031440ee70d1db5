//! What a [`Filter2d`](crate::Filter2d) is set to: the builder's choices,
//! kept apart from the packed kernel and readable back in one place
//! ([`Filter2d::settings`](crate::Filter2d::settings)).

use crate::backend::Backend;
use crate::border::Border;
use crate::geometry::{Mode, Operation};
use crate::threads::Threads;

/// How a filter evaluates a float kernel: the one choice that may change
/// the results' rounding (integer results never change: their only fast
/// path, the exact low-rank form, is bit-identical and on by default; see
/// [`Filter2d::low_rank`](crate::Filter2d::low_rank)).
///
/// ```
/// use ndarray::Array2;
/// use simdconv::{Filter2d, Method};
/// let g = [1.0f32, 4.0, 6.0, 4.0, 1.0];
/// let k = Array2::from_shape_fn((5, 5), |(i, j)| g[i] * g[j] / 256.0);
/// let f = Filter2d::convolution(&k)?.method(Method::Separable);
/// assert_eq!(f.settings().method, Method::Separable);
/// assert_eq!(f.low_rank_terms(), Some(1)); // it applies to this kernel
/// assert_eq!("separable".parse::<Method>()?, Method::Separable);
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Every tap of the 2-D kernel, in the reference's order: the scalar
    /// reference's bits on every backend (the default).
    #[default]
    Direct,
    /// A float kernel that is one outer product (up to its own rounding)
    /// runs as a column pass and a row pass, `kh + kw` multiply-adds per
    /// output instead of `kh * kw`; other kernels run direct. The same
    /// bits on every backend and thread count, not the direct ones: the
    /// error bound is on [`Filter2d::method`](crate::Filter2d::method).
    Separable,
    /// Float kernels through fast Fourier transforms: overlap-save tiles
    /// of the output, each a real 2-D transform of the border-extended
    /// input it reads, a product with the kernel's spectrum (computed once
    /// per tile size and kept in the filter) and an inverse transform.
    /// About `log2(N)` operations per output instead of `kh * kw`: faster
    /// than direct from about 21 x 21 taps on (see
    /// [`Filter2d::explain`](crate::Filter2d::explain) and `docs/FFT.md`).
    /// The same modes, borders and centring as the direct path; not its
    /// bits, but within the bound on
    /// [`Filter2d::method`](crate::Filter2d::method). A tile whose input
    /// holds a NaN or an infinity runs direct, so non-finite values reach
    /// the outputs the direct path gives them and no others. Integer
    /// filters ignore it and stay exact.
    Fft,
    /// The fastest of [`Direct`](Method::Direct),
    /// [`Separable`](Method::Separable) (when the kernel is one outer
    /// product) and [`Fft`](Method::Fft) for each call, from a cost model
    /// of their single-thread times fitted on measured rates
    /// (`docs/FFT.md`, "Choosing a method"). The choice depends on the shapes,
    /// the element type and the backend, never on the thread count, so
    /// results are the same for every thread count;
    /// [`Filter2d::explain`](crate::Filter2d::explain) tells the choice
    /// and the modelled times. Integer filters run exactly as always.
    Auto,
}

/// How each multiply-add of a float kernel rounds. By name (`FromStr`,
/// `Display`): `separate`, `fused`.
///
/// ```
/// use ndarray::array;
/// use simdconv::{Filter2d, Rounding};
/// let f = Filter2d::convolution(&array![[0.5f64, 0.25]])?.rounding(Rounding::Fused);
/// assert_eq!(f.settings().rounding, Rounding::Fused);
/// assert_eq!("fused".parse::<Rounding>()?, Rounding::Fused);
/// assert_eq!(Rounding::Separate.to_string(), "separate");
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// The product rounded, then the sum rounded: the scalar reference
    /// and SciPy's loop (the default).
    #[default]
    Separate,
    /// One rounding per step (fused multiply-add): faster where the CPU
    /// has FMA instructions, the same bits on every backend, not the
    /// reference's. The error bound is on
    /// [`Filter2d::rounding`](crate::Filter2d::rounding).
    Fused,
}

/// Every setting of a filter, as the builder left it.
///
/// ```
/// use ndarray::array;
/// use simdconv::{Border, Filter2d, Method, Mode, Operation, Rounding};
/// let f = Filter2d::correlation(&array![[1i32, 2]])?.mode(Mode::Same).border(Border::Wrap);
/// let s = f.settings();
/// assert_eq!((s.operation, s.mode, s.border), (Operation::Correlation, Mode::Same, Border::Wrap));
/// assert_eq!((s.method, s.rounding, s.backend, s.low_rank), (Method::Direct, Rounding::Separate, None, true));
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings<T> {
    /// Convolution or correlation (set when the filter is built).
    pub operation: Operation,
    /// [`Filter2d::mode`](crate::Filter2d::mode).
    pub mode: Mode,
    /// [`Filter2d::border`](crate::Filter2d::border).
    pub border: Border<T>,
    /// [`Filter2d::backend`](crate::Filter2d::backend); `None`: automatic.
    pub backend: Option<Backend>,
    /// [`Filter2d::threads`](crate::Filter2d::threads).
    pub threads: Threads,
    /// [`Filter2d::method`](crate::Filter2d::method).
    pub method: Method,
    /// [`Filter2d::rounding`](crate::Filter2d::rounding).
    pub rounding: Rounding,
    /// [`Filter2d::low_rank`](crate::Filter2d::low_rank).
    pub low_rank: bool,
}
