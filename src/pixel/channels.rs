//! Colour images: the same kernel on every channel (OpenCV's rule), with
//! the channels last, `(H, W, C)` as `image`, Pillow and OpenCV hold RGB(A)
//! pixels, or planar, `(C, H, W)`. Every mode and border acts per channel
//! exactly as on a 2-D image: each channel is a 2-D view of the image
//! (strided by `C` when interleaved), filtered through the same pipeline,
//! so its bits are those of that channel filtered alone.

use ndarray::{Array3, ArrayView3, ArrayViewMut3, AsArray, Axis, Ix3};

use super::filter::ImageFilter;
use super::{Output, Pixel};
use crate::error::Error;

impl<P: Pixel, O: Output> ImageFilter<P, O> {
    /// Filters a channels-last image `(H, W, C)` (any strides, any `C >=
    /// 1`) into a new `(H', W', C)` array: each channel as
    /// [`apply`](Self::apply) would filter it alone.
    ///
    /// ```
    /// use ndarray::{array, Array3};
    /// use simdconv::{Border, ImageFilter, Mode};
    /// let box3 = ImageFilter::<u8>::correlation(&array![[1i32, 1, 1]])?
    ///     .divisor(3)
    ///     .mode(Mode::Same)
    ///     .border(Border::Replicate);
    /// // One row of three RGB pixels.
    /// let rgb = Array3::from_shape_vec((1, 3, 3), vec![0u8, 30, 255, 3, 60, 255, 6, 90, 0])?;
    /// let out = box3.apply_channels_last(&rgb)?;
    /// assert_eq!(out.into_raw_vec_and_offset().0, vec![1u8, 40, 255, 3, 60, 170, 5, 80, 85]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_channels_last<'a, V>(&self, image: V) -> Result<Array3<O>, Error>
    where
        V: AsArray<'a, P, Ix3>,
    {
        let image: ArrayView3<'a, P> = image.into();
        let (h, w, c) = image.dim();
        let (oh, ow) = self.planes_shape(h, w, c)?;
        self.check()?;
        let mut out = crate::output::zeroed_dim(Ix3(oh, ow, c))?;
        self.apply_channels_last_into(image, out.view_mut())?;
        Ok(out)
    }

    /// [`apply_channels_last`](Self::apply_channels_last) into `out` (any
    /// strides), which must have the shape `(H', W', C)`.
    pub fn apply_channels_last_into<'a, 'o, V, W>(&self, image: V, out: W) -> Result<(), Error>
    where
        V: AsArray<'a, P, Ix3>,
        W: Into<ArrayViewMut3<'o, O>>,
    {
        self.apply_planes(image.into(), out.into(), Axis(2))
    }

    /// Filters a planar image `(C, H, W)` (any strides, any `C >= 1`) into
    /// a new `(C, H', W')` array, each plane as [`apply`](Self::apply)
    /// would filter it.
    pub fn apply_planar<'a, V>(&self, image: V) -> Result<Array3<O>, Error>
    where
        V: AsArray<'a, P, Ix3>,
    {
        let image: ArrayView3<'a, P> = image.into();
        let (c, h, w) = image.dim();
        let (oh, ow) = self.planes_shape(h, w, c)?;
        self.check()?;
        let mut out = crate::output::zeroed_dim(Ix3(c, oh, ow))?;
        self.apply_planar_into(image, out.view_mut())?;
        Ok(out)
    }

    /// [`apply_planar`](Self::apply_planar) into `out` (any strides), which
    /// must have the shape `(C, H', W')`.
    pub fn apply_planar_into<'a, 'o, V, W>(&self, image: V, out: W) -> Result<(), Error>
    where
        V: AsArray<'a, P, Ix3>,
        W: Into<ArrayViewMut3<'o, O>>,
    {
        self.apply_planes(image.into(), out.into(), Axis(0))
    }

    /// The output's plane shape, or the error for an image of `c` empty
    /// channels or a bad plane.
    fn planes_shape(&self, h: usize, w: usize, c: usize) -> Result<(usize, usize), Error> {
        if c == 0 {
            return Err(Error::BadParameter {
                what: "channels",
                value: "0".into(),
                rule: "at least 1 (the channel axis is empty)",
            });
        }
        self.output_shape((h, w))
    }

    /// Filters every plane along `axis` of `image` into the same plane of
    /// `out`.
    fn apply_planes(
        &self,
        image: ArrayView3<'_, P>,
        mut out: ArrayViewMut3<'_, O>,
        axis: Axis,
    ) -> Result<(), Error> {
        let plane = |d: (usize, usize, usize)| match axis.index() {
            0 => (d.0, (d.1, d.2)),
            _ => (d.2, (d.0, d.1)),
        };
        let (c, (h, w)) = plane(image.dim());
        let expected = self.planes_shape(h, w, c)?;
        let (oc, shape) = plane(out.dim());
        if oc != c || shape != expected {
            let want = if axis.index() == 0 {
                (c, expected.0, expected.1)
            } else {
                (expected.0, expected.1, c)
            };
            return Err(Error::OutputShape3 {
                expected: want,
                actual: out.dim(),
            });
        }
        self.check()?;
        for (src, dst) in image.axis_iter(axis).zip(out.axis_iter_mut(axis)) {
            self.apply_into(src, dst)?;
        }
        Ok(())
    }
}
