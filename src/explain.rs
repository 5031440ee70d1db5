//! `Explanation`: which method a call runs, and why, before it runs
//! (OpenCV switching silently to its DFT path is the anti-example).

use core::fmt;

use crate::settings::Method;

/// Which method [`Filter2d::apply`](crate::Filter2d::apply) runs for an
/// image shape, and why: from
/// [`Filter2d::explain`](crate::Filter2d::explain).
///
/// ```
/// use ndarray::Array2;
/// use simdconv::{Filter2d, Method, Mode};
/// let blur = Filter2d::convolution(&Array2::from_elem((31, 31), 1.0f32 / 961.0))?
///     .mode(Mode::Same)
///     .method(Method::Fft);
/// let why = blur.explain((1000, 1000))?;
/// assert_eq!(why.method, Method::Fft);
/// let tiles = why.fft.unwrap();
/// assert!(tiles.transform.0 >= 31 && tiles.tiles.0 * tiles.tile.0 >= 1000);
/// println!("{why}"); // fft (3 x 3 tiles of ... outputs, ... transforms) for a ...
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Explanation {
    /// The method that runs: [`Method::Direct`], [`Method::Separable`] or
    /// [`Method::Fft`].
    pub method: Method,
    /// The method the filter was set to.
    pub requested: Method,
    /// The output shape.
    pub output_shape: (usize, usize),
    /// The outer products an exact integer factorisation runs as, when
    /// it runs (bit-identical to direct).
    pub low_rank_terms: Option<usize>,
    /// The FFT method's tiles, when it runs.
    pub fft: Option<FftTiles>,
    /// Why, in one sentence.
    pub reason: String,
}

/// How the FFT method cuts a call into tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FftTiles {
    /// The transform size of every tile, `(Nh, Nw)`: the error bound's `N`.
    pub transform: (usize, usize),
    /// Outputs per tile, `(Nh - kh + 1, Nw - kw + 1)` (the last tiles of a
    /// row or column may be smaller).
    pub tile: (usize, usize),
    /// Tiles down and across.
    pub tiles: (usize, usize),
}

impl FftTiles {
    /// The factor of the FFT method's error bound for these tiles,
    /// `(21 L + 4) u` with `L = log2 Nh + log2 Nw` and `u` the unit
    /// roundoff (`f32::EPSILON / 2` or `f64::EPSILON / 2`): each output
    /// is within `error_factor(u) * ||k||_1 * ||x||_2` of the exact
    /// result, `k` the kernel and `x` the `Nh x Nw` block of
    /// border-extended samples its tile reads (see
    /// [`Method::Fft`] and `docs/FFT.md`).
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::{Filter2d, Method};
    /// let f = Filter2d::convolution(&Array2::<f32>::ones((31, 31)))?.method(Method::Fft);
    /// let tiles = f.explain((1000, 1000))?.fft.unwrap();
    /// assert!(tiles.error_factor(f32::EPSILON as f64 / 2.0) < 4e-5);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn error_factor(&self, unit_roundoff: f64) -> f64 {
        crate::fft::bound::factor(self.transform, unit_roundoff)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.method)?;
        if let Some(t) = &self.fft {
            write!(
                f,
                " ({} x {} tiles of {} x {} outputs, {} x {} transforms)",
                t.tiles.0, t.tiles.1, t.tile.0, t.tile.1, t.transform.0, t.transform.1
            )?;
        }
        if let Some(r) = self.low_rank_terms {
            write!(f, " (exact low rank, {r} terms)")?;
        }
        write!(
            f,
            " for a {} x {} output: {}",
            self.output_shape.0, self.output_shape.1, self.reason
        )
    }
}
