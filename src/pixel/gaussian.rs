//! OpenCV's bit-exact Gaussian blur (`cv2.GaussianBlur` on `u8` and `u16`
//! images), as an [`ImageFilter`] preset.
//!
//! OpenCV blurs 8- and 16-bit images in fixed point: 1-D kernels quantised
//! to integers summing to `2^b` (`b` = 8 for `u8`, 16 for `u16`;
//! [`kernel1d::gaussian_opencv_fixed`](crate::kernel1d::gaussian_opencv_fixed)),
//! a row pass and a column pass whose products and sums are all exact (the
//! taps are positive and sum to `2^b`, so nothing saturates), and one final
//! rounding half up. Its result is therefore the exact sum `S` of the 2-D
//! kernel `ky * kx^T` over the border-extended image, rounded half up after
//! dividing by `2^(2b)`: an [`ImageFilter`] with that integer kernel,
//! divisor `2^(2b)` and [`Round::HalfUp`] computes the same integers on
//! every backend (built from the two 1-D kernels, it runs a column pass
//! and a row pass in its exact accumulator, as OpenCV runs two passes).

use super::{ImageFilter, Overflow, Pixel, Round};
use crate::border::Border;
use crate::error::Error;
use crate::geometry::Mode;
use crate::kernel1d::{gaussian_opencv_fixed, opencv_ksize};

impl<P: Pixel> ImageFilter<P, P> {
    /// `cv2.GaussianBlur(image, ksize, sigma_x, sigmaY=sigma_y)` on `u8`
    /// or `u16` pixels, bit for bit: OpenCV's fixed-point kernels (see
    /// [`kernel1d::gaussian_opencv_fixed`](crate::kernel1d::gaussian_opencv_fixed)),
    /// the exact sums, rounded half up, saturating; [`Mode::Same`] and
    /// [`Border::Mirror`] (OpenCV's default `BORDER_REFLECT_101`).
    ///
    /// As in OpenCV: `ksize` is `(width, height)`, each odd, or 0 to take
    /// it from the sigma (`round(6 sigma + 1) | 1` for `u8`,
    /// `round(8 sigma + 1) | 1` for `u16`); `sigma_y <= 0` means `sigma_x`; a sigma
    /// `<= 0` with a given size takes OpenCV's rule for that size. The
    /// other borders of `GaussianBlur` are `border(Border::Symmetric)`
    /// (`BORDER_REFLECT`), `Border::Replicate` and `Border::Constant(0)`.
    /// Colour images (`(H, W, C)`) go through
    /// [`apply_channels_last`](Self::apply_channels_last), as OpenCV blurs
    /// each channel alike.
    ///
    /// `i16` images, a size of 0 without a positive sigma, and an even
    /// size are [`Error::BadParameter`] (OpenCV blurs `i16` in floating
    /// point, not on this path).
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::ImageFilter;
    ///
    /// // cv2.GaussianBlur(img, (0, 0), 2.0): 13 x 13 for u8 images.
    /// let blur = ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0)?;
    /// assert_eq!(blur.kernel_shape(), (13, 13));
    /// let img = Array2::from_shape_fn((48, 64), |(y, x)| if (x / 8 + y / 8) % 2 == 0 { 255u8 } else { 0 });
    /// let out = blur.apply(&img)?;
    /// assert_eq!(out.dim(), (48, 64));
    /// // A constant image stays constant: the taps sum to exactly 2^16.
    /// assert!(blur.apply(&Array2::from_elem((9, 9), 77u8))?.iter().all(|&v| v == 77));
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn gaussian_opencv(
        ksize: (usize, usize),
        sigma_x: f64,
        sigma_y: f64,
    ) -> Result<Self, Error> {
        let bits = match P::NAME {
            "uint8" => 8,
            "uint16" => 16,
            _ => {
                return Err(Error::BadParameter {
                    what: "pixel type",
                    value: P::NAME.into(),
                    rule: "uint8 or uint16 (OpenCV blurs other types in floating point, \
                           not on its bit-exact path)",
                })
            }
        };
        let sigma_y = if sigma_y > 0.0 { sigma_y } else { sigma_x };
        let size = |k: usize, sigma: f64| -> Result<usize, Error> {
            match (k, sigma > 0.0) {
                (0, true) => Ok(opencv_ksize(sigma, bits == 8)),
                (0, false) => Err(Error::BadParameter {
                    what: "ksize",
                    value: "0".into(),
                    rule: "positive when sigma is 0 or less (one of them must be given)",
                }),
                (k, _) => Ok(k),
            }
        };
        let (kw, kh) = (size(ksize.0, sigma_x)?, size(ksize.1, sigma_y)?);
        let kx = gaussian_opencv_fixed(kw, sigma_x, bits)?;
        let ky = gaussian_opencv_fixed(kh, sigma_y, bits)?;
        let mut filter = Self::separable_correlation(&ky, &kx)?
            .mode(Mode::Same)
            .border(Border::Mirror)
            .round(Round::HalfUp)
            .overflow(Overflow::Saturate);
        filter.rules.divisor = 1u64 << (2 * bits);
        Ok(filter)
    }
}
