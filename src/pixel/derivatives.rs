//! OpenCV's derivative filters (`cv2.Sobel`, `cv2.Scharr`) as
//! [`ImageFilter`] presets.
//!
//! For `u8` images into `i16` (`ddepth = cv2.CV_16S`) OpenCV runs its
//! separable filter in exact integers (both 1-D kernels are integer), so
//! its result is the exact sum of the outer product of the kernels over the
//! border-extended image, saturated to `i16`: what these presets compute,
//! as a column pass and a row pass in the exact accumulator.

use super::{ImageFilter, Overflow, Pixel};
use crate::border::Border;
use crate::error::Error;
use crate::geometry::Mode;
use crate::kernel1d::{derivative, scharr};

impl<P: Pixel> ImageFilter<P, P> {
    /// `cv2.Sobel(image, ddepth, dx, dy, ksize=ksize)`: the derivative of
    /// order `dx` along the rows (x) and `dy` down the columns (y), with
    /// OpenCV's kernels ([`kernel1d::derivative`](crate::kernel1d::derivative);
    /// `ksize` 1 means a 3-tap derivative without smoothing, as in OpenCV),
    /// in [`Mode::Same`] with [`Border::Mirror`] (`BORDER_REFLECT_101`),
    /// saturating. Choose the output type as OpenCV's `ddepth` with
    /// [`output`](Self::output): `u8` images into `i16` are
    /// `cv2.Sobel(image, cv2.CV_16S, dx, dy, ksize=ksize)` bit for bit
    /// (checked against cv2 outputs of every border it has), as is
    /// [`delta`](Self::delta) with an integer `delta`.
    ///
    /// `ksize` must be 1, 3, 5, ..., 31 and larger than each order (1
    /// allows orders up to 2); `dx + dy` must be positive. Else
    /// [`Error::BadParameter`].
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use simdconv::ImageFilter;
    /// // cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3)
    /// let dx = ImageFilter::<u8>::sobel_opencv(1, 0, 3)?.output::<i16>();
    /// let img = Array2::from_shape_fn((4, 6), |(_, x)| if x < 3 { 0u8 } else { 200 });
    /// let d: Array2<i16> = dx.apply(&img)?;
    /// assert_eq!(d.row(1), array![0, 0, 800, 800, 0, 0]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn sobel_opencv(dx: usize, dy: usize, ksize: usize) -> Result<Self, Error> {
        if dx + dy == 0 {
            return Err(Error::BadParameter {
                what: "dx + dy",
                value: "0".into(),
                rule: "at least one derivative order must be positive (OpenCV's rule)",
            });
        }
        let kernel = |order: usize| -> Result<Vec<i32>, Error> {
            match (ksize, order) {
                // ksize 1: no smoothing, a 3-tap derivative.
                (1, 0) => Ok(vec![1]),
                (1, 1 | 2) => derivative(order, 3),
                (1, _) => Err(Error::BadParameter {
                    what: "derivative order",
                    value: order.to_string(),
                    rule: "at most 2 with ksize 1 (OpenCV's rule)",
                }),
                _ => derivative(order, ksize),
            }
        };
        let (kx, ky) = (kernel(dx)?, kernel(dy)?);
        Self::derivative_preset(&ky, &kx)
    }

    /// `cv2.Scharr(image, ddepth, dx, dy)`: the 3x3 Scharr derivative
    /// (`[-1, 0, 1]` along the derivative's axis, `[3, 10, 3]` across it,
    /// [`kernel1d::scharr`](crate::kernel1d::scharr)), otherwise as
    /// [`sobel_opencv`](Self::sobel_opencv). Exactly one of `dx`, `dy` is
    /// 1 and the other 0, else [`Error::BadParameter`].
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::ImageFilter;
    /// let dy = ImageFilter::<u8>::scharr_opencv(0, 1)?.output::<i16>();
    /// let img = Array2::from_shape_fn((5, 3), |(y, _)| if y < 2 { 0u8 } else { 100 });
    /// let d: Array2<i16> = dy.apply(&img)?;
    /// assert_eq!(d[[1, 1]], 1600); // (3 + 10 + 3) * 100
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn scharr_opencv(dx: usize, dy: usize) -> Result<Self, Error> {
        if !matches!((dx, dy), (1, 0) | (0, 1)) {
            return Err(Error::BadParameter {
                what: "(dx, dy)",
                value: format!("({dx}, {dy})"),
                rule: "(1, 0) or (0, 1) for Scharr (OpenCV's rule)",
            });
        }
        let (d, s) = scharr();
        let (kx, ky) = if dx == 1 { (d, s) } else { (s, d) };
        Self::derivative_preset(&ky, &kx)
    }

    fn derivative_preset(column: &[i32], row: &[i32]) -> Result<Self, Error> {
        Ok(Self::separable_correlation(column, row)?
            .mode(Mode::Same)
            .border(Border::Mirror)
            .overflow(Overflow::Saturate))
    }
}
