//! Colour images: the same kernel on every channel (OpenCV's rule), with
//! the channels last, `(H, W, C)` as `image`, Pillow and OpenCV hold RGB(A)
//! pixels, or planar, `(C, H, W)`. Every mode and border acts per channel
//! exactly as on a 2-D image, and every channel's bits are those of that
//! channel filtered alone.
//!
//! An interleaved image whose pixels are contiguous (strides `(.., C, 1)`)
//! is filtered in one pass as an `H x (W * C)` image, with the taps
//! stepping by `C` columns (`Taps::with_step`): the row kernels vectorise
//! across `x * C`, and each output element sums exactly the taps and
//! samples of its own channel, in the reference's order. The border maps
//! whole pixels (`ColumnMap` with `cell = C`). Other layouts, and `Valid`
//! with a kernel larger than the image, filter each channel as a strided
//! 2-D view instead.

use ndarray::{Array3, ArrayView2, ArrayView3, ArrayViewMut2, ArrayViewMut3, AsArray, Axis, Ix3};

use super::accumulator::Engine;
use super::conversion::{Converter, FromFloat, FromModular};
use super::filter::{two_width, ImageFilter};
use super::{Output, Pixel};
use crate::error::Error;
use crate::pipeline::split;

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
        if axis.index() == 2 && c > 1 && self.apply_interleaved(image, out.view_mut(), c)? {
            return Ok(());
        }
        for (src, dst) in image.axis_iter(axis).zip(out.axis_iter_mut(axis)) {
            self.apply_into(src, dst)?;
        }
        Ok(())
    }

    /// The one-pass interleaved path, if this image and output take it
    /// (see the module documentation); `Ok(false)`: not taken, nothing
    /// written.
    fn apply_interleaved(
        &self,
        image: ArrayView3<'_, P>,
        out: ArrayViewMut3<'_, O>,
        c: usize,
    ) -> Result<bool, Error> {
        let (Some(image), Some(out)) = (pixel_rows(image), pixel_rows_mut(out)) else {
            return Ok(false);
        };
        let backend = self.resolved_backend()?;
        let (exact, float) = (self.exact(), FromFloat::new(&self.rules));
        match &self.engine {
            Engine::I16(f, sums) => {
                let modular = FromModular::new(sums.lo, sums.hi, exact);
                let store = Converter::new(modular, backend);
                f.clone().with_cells(c).apply_cells(image, out, &store, c)
            }
            Engine::I32(f, sums) => {
                let f = f.clone().with_cells(c);
                if let Some((call, split, threads)) =
                    two_width::<P>(&f, sums, image.dim(), c, out.dim())?
                {
                    let k = split.offset();
                    let exact = exact.offset(k).for_sums(sums.lo - k, sums.hi - k);
                    let store = Converter::new(exact, backend);
                    split::execute(&call, &split, threads, image, out, &store)?;
                    return Ok(true);
                }
                let store = Converter::new(exact.for_sums(sums.lo, sums.hi), backend);
                f.apply_cells(image, out, &store, c)
            }
            Engine::I64(f) => {
                let store = Converter::new(exact, backend);
                f.clone().with_cells(c).apply_cells(image, out, &store, c)
            }
            Engine::F32(f) => {
                let store = Converter::new(float, backend);
                f.clone().with_cells(c).apply_cells(image, out, &store, c)
            }
            Engine::F64(f) => {
                let store = Converter::new(float, backend);
                f.clone().with_cells(c).apply_cells(image, out, &store, c)
            }
        }
    }
}

/// `(H, W, C)` with pixels contiguous (strides `(.., C, 1)`) as `H x (W *
/// C)`.
fn pixel_rows<T>(mut image: ArrayView3<'_, T>) -> Option<ArrayView2<'_, T>> {
    let c = image.len_of(Axis(2));
    let unit = image.stride_of(Axis(2)) == 1 && image.stride_of(Axis(1)) == c as isize;
    (unit && image.merge_axes(Axis(1), Axis(2))).then(|| image.index_axis_move(Axis(1), 0))
}

/// [`pixel_rows`] of an output.
fn pixel_rows_mut<T>(mut out: ArrayViewMut3<'_, T>) -> Option<ArrayViewMut2<'_, T>> {
    let c = out.len_of(Axis(2));
    let unit = out.stride_of(Axis(2)) == 1 && out.stride_of(Axis(1)) == c as isize;
    (unit && out.merge_axes(Axis(1), Axis(2))).then(|| out.index_axis_move(Axis(1), 0))
}
