//! `Mode`: output shapes and where the output window lies, by SciPy's rules.

use crate::error::Error;

/// Which part of the full convolution to return (SciPy's `mode=`).
///
/// For an `H x W` image and a `kh x kw` kernel:
///
/// - `Full`: `(H + kh - 1) x (W + kw - 1)`, every position where the kernel
///   and the image overlap.
/// - `Same`: `H x W`, centred on the full output. The window starts at
///   `((kh - 1) / 2, (kw - 1) / 2)` for convolution and at `(kh / 2, kw / 2)`
///   for correlation, as SciPy does (the two differ for even kernel sides).
/// - `Valid`: only positions that use no border sample: `(H - kh + 1) x
///   (W - kw + 1)`. When the kernel contains the image (`kh >= H` and
///   `kw >= W`) the roles swap as in `scipy.signal.convolve2d`: the output is
///   `(kh - H + 1) x (kw - W + 1)`, where the image lies wholly under the
///   kernel. When each input is larger on one axis it is an
///   [`Error::ValidModeMismatch`].
///
/// ```
/// use simdconv::{Mode, Operation};
/// assert_eq!(Mode::Full.output_shape((10, 20), (3, 4), Operation::Convolution), Ok((12, 23)));
/// assert_eq!(Mode::Same.output_shape((10, 20), (3, 4), Operation::Correlation), Ok((10, 20)));
/// assert_eq!(Mode::Valid.output_shape((10, 20), (3, 4), Operation::Convolution), Ok((8, 17)));
/// assert_eq!(Mode::Valid.output_shape((2, 3), (5, 5), Operation::Convolution), Ok((4, 3)));
/// assert!(Mode::Valid.output_shape((2, 9), (5, 5), Operation::Convolution).is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The whole result, `(H + kh - 1) x (W + kw - 1)` (the default).
    #[default]
    Full,
    /// The size of the image, centred as SciPy centres it.
    Same,
    /// Only outputs computed without any border sample.
    Valid,
}

/// Convolution flips the kernel; correlation slides it as it is.
///
/// Convolution: `out[y][x] = sum_{i,j} g[i][j] * f[y - i][x - j]`.
/// Correlation: `out[y][x] = sum_{i,j} g[i][j] * f[y + i][x + j]`
/// (up to the mode's offset; the exact full-output formulas are in the
/// [crate documentation](crate#what-it-computes)). Convolution is
/// correlation with the kernel flipped on both axes.
///
/// [`Filter2d::convolution`](crate::Filter2d::convolution) and
/// [`Filter2d::correlation`](crate::Filter2d::correlation) pick one;
/// [`Filter2d::new`](crate::Filter2d::new) takes it as a value.
///
/// ```
/// use ndarray::{array, s};
/// use simdconv::{Filter2d, Operation};
///
/// let f = array![[1.0f64, 2.0, 3.0]];
/// let g = array![[1.0f64, 10.0]];
/// let conv = Filter2d::new(g.view(), Operation::Convolution)?.apply(&f)?;
/// let corr = Filter2d::new(g.view(), Operation::Correlation)?.apply(&f)?;
/// assert_eq!(conv, array![[1.0, 12.0, 23.0, 30.0]]);
/// assert_eq!(corr, array![[10.0, 21.0, 32.0, 3.0]]);
/// // Convolution = correlation with the flipped kernel.
/// let flipped = Filter2d::correlation(g.slice(s![.., ..;-1]))?.apply(&f)?;
/// assert_eq!(conv, flipped);
/// # Ok::<(), simdconv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `scipy.signal.convolve2d`.
    Convolution,
    /// `scipy.signal.correlate2d`.
    Correlation,
}

/// Where a call's output comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Window {
    /// A window of the full (border-extended) output: `shape` outputs whose
    /// first one is full-output position `offset`.
    OfFull {
        shape: (usize, usize),
        offset: (usize, usize),
    },
    /// `Valid` with the kernel containing the image: computed with the roles
    /// of image and kernel swapped.
    SwappedValid { shape: (usize, usize) },
}

impl Window {
    pub(crate) fn shape(&self) -> (usize, usize) {
        match *self {
            Window::OfFull { shape, .. } | Window::SwappedValid { shape } => shape,
        }
    }
}

/// The most elements any buffer may hold: every byte size of the largest
/// element type (8 bytes) then fits in `isize`, as Rust allocations must.
pub(crate) const MAX_ELEMENTS: usize = isize::MAX as usize / 8;

fn fits(n: usize) -> bool {
    n <= MAX_ELEMENTS
}

/// The output window of one call. Inputs must be non-empty.
pub(crate) fn window(
    image: (usize, usize),
    kernel: (usize, usize),
    mode: Mode,
    op: Operation,
) -> Result<Window, Error> {
    let overflow = Error::ShapeOverflow { image, kernel };
    let (h, w) = image;
    let (kh, kw) = kernel;
    // Every index the pipeline forms is below (H + kh) or (W + kw) plus the
    // output size; bounding these by isize::MAX keeps all of it in range.
    let full_h = h
        .checked_add(kh)
        .filter(|&n| fits(n))
        .ok_or(overflow.clone())?
        - 1;
    let full_w = w
        .checked_add(kw)
        .filter(|&n| fits(n))
        .ok_or(overflow.clone())?
        - 1;
    let win = match mode {
        Mode::Full => Window::OfFull {
            shape: (full_h, full_w),
            offset: (0, 0),
        },
        Mode::Same => {
            let offset = match op {
                Operation::Convolution => ((kh - 1) / 2, (kw - 1) / 2),
                Operation::Correlation => (kh / 2, kw / 2),
            };
            Window::OfFull {
                shape: (h, w),
                offset,
            }
        }
        Mode::Valid => {
            if h >= kh && w >= kw {
                Window::OfFull {
                    shape: (h - kh + 1, w - kw + 1),
                    offset: (kh - 1, kw - 1),
                }
            } else if h <= kh && w <= kw {
                Window::SwappedValid {
                    shape: (kh - h + 1, kw - w + 1),
                }
            } else {
                return Err(Error::ValidModeMismatch { image, kernel });
            }
        }
    };
    let (oh, ow) = win.shape();
    // The output has oh * ow elements; the pipeline's ring of padded rows
    // at most (kh + 64) x (ow + kw + 64).
    oh.checked_mul(ow)
        .filter(|&n| fits(n))
        .ok_or(overflow.clone())?;
    let ring_rows = kh.checked_add(64);
    let ring_cols = ow.checked_add(kw).and_then(|n| n.checked_add(64));
    ring_rows
        .zip(ring_cols)
        .and_then(|(r, c)| r.checked_mul(c))
        .filter(|&n| fits(n))
        .ok_or(overflow)?;
    Ok(win)
}

impl Mode {
    /// The output shape of this mode for an image and a kernel shape, or
    /// the error a call with these shapes returns.
    ///
    /// ```
    /// use simdconv::{Error, Mode, Operation::Convolution};
    /// assert_eq!(Mode::Same.output_shape((480, 640), (5, 5), Convolution), Ok((480, 640)));
    /// assert_eq!(
    ///     Mode::Full.output_shape((0, 640), (5, 5), Convolution),
    ///     Err(Error::EmptyImage { rows: 0, cols: 640 })
    /// );
    /// ```
    pub fn output_shape(
        self,
        image: (usize, usize),
        kernel: (usize, usize),
        op: Operation,
    ) -> Result<(usize, usize), Error> {
        if image.0 == 0 || image.1 == 0 {
            return Err(Error::EmptyImage {
                rows: image.0,
                cols: image.1,
            });
        }
        if kernel.0 == 0 || kernel.1 == 0 {
            return Err(Error::EmptyKernel {
                rows: kernel.0,
                cols: kernel.1,
            });
        }
        window(image, kernel, self, op).map(|w| w.shape())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;

    #[test]
    fn same_mode_centres_even_kernels_differently_for_correlation() {
        let conv = window((5, 5), (4, 2), Mode::Same, Convolution).unwrap();
        let corr = window((5, 5), (4, 2), Mode::Same, Correlation).unwrap();
        assert_eq!(
            conv,
            Window::OfFull {
                shape: (5, 5),
                offset: (1, 0)
            }
        );
        assert_eq!(
            corr,
            Window::OfFull {
                shape: (5, 5),
                offset: (2, 1)
            }
        );
    }

    #[test]
    fn valid_mode_swaps_when_the_kernel_contains_the_image() {
        assert_eq!(
            window((2, 3), (4, 3), Mode::Valid, Convolution),
            Ok(Window::SwappedValid { shape: (3, 1) })
        );
        // Equal shapes are the ordinary case: one output, no border.
        assert_eq!(
            window((3, 3), (3, 3), Mode::Valid, Correlation),
            Ok(Window::OfFull {
                shape: (1, 1),
                offset: (2, 2)
            })
        );
        assert_eq!(
            window((2, 5), (3, 3), Mode::Valid, Convolution),
            Err(Error::ValidModeMismatch {
                image: (2, 5),
                kernel: (3, 3)
            })
        );
    }

    #[test]
    fn huge_shapes_overflow_into_an_error() {
        let big = usize::MAX / 2;
        assert!(matches!(
            window((big, 1), (big, 1), Mode::Full, Convolution),
            Err(Error::ShapeOverflow { .. })
        ));
        let side = 1usize << (usize::BITS / 2);
        assert!(matches!(
            window((side, side), (1, 1), Mode::Full, Convolution),
            Err(Error::ShapeOverflow { .. })
        ));
    }
}
