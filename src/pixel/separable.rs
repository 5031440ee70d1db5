//! Narrow-pixel filters built from 1-D kernels: a column kernel and a row
//! kernel (`cv2.sepFilter2D`), or one kernel along one axis
//! (`scipy.ndimage.correlate1d`), with the same accumulators and
//! conversions as a 2-D kernel.

use ndarray::{ArrayView1, ArrayView2, AsArray, Axis, Ix1};

use super::{ImageFilter, Pixel, Tap};
use crate::error::Error;
use crate::geometry::Operation;

impl<P: Pixel> ImageFilter<P, P> {
    /// A separable convolution: the 2-D kernel `column[i] * row[j]`,
    /// evaluated as a column pass then a row pass in the accumulator (see
    /// [`Filter2d::separable_convolution`](crate::Filter2d::separable_convolution)
    /// for the exact definition); the conversion (divisor, delta, rounding,
    /// overflow) applies once, to the second pass's sums, never between
    /// the passes (unlike `scipy.ndimage` and `imageproc`, which round to
    /// the pixel type in between).
    ///
    /// Integer taps (`i16`, `i32`, `i64`): the accumulator is chosen from
    /// the exact range of the outer product's sums, as for a 2-D kernel,
    /// and the two passes give exactly the 2-D filter's sums (the
    /// arithmetic is exact modulo the accumulator's width and the range
    /// fits it). Float taps: the passes run in the kernel's type, within
    /// the separable bound of the float filter.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use simdconv::{Border, ImageFilter, Mode};
    /// // A 5x5 binomial blur as 1-D taps: [1 4 6 4 1] / 16 each way.
    /// let b = [1i32, 4, 6, 4, 1];
    /// let blur = ImageFilter::<u8>::separable_correlation(&b, &b)?
    ///     .divisor(256)
    ///     .mode(Mode::Same)
    ///     .border(Border::Mirror);
    /// let img = Array2::from_shape_fn((20, 30), |(y, x)| (x * 9 + y * 5) as u8);
    /// // Equal to the 2-D kernel, bit for bit.
    /// let k = Array2::from_shape_fn((5, 5), |(i, j)| b[i] * b[j]);
    /// let direct = ImageFilter::<u8>::correlation(&k)?
    ///     .divisor(256)
    ///     .mode(Mode::Same)
    ///     .border(Border::Mirror);
    /// assert_eq!(blur.apply(&img)?, direct.apply(&img)?);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn separable_convolution<'a, 'b, K, C, R>(column: C, row: R) -> Result<Self, Error>
    where
        K: Tap + 'a + 'b,
        C: AsArray<'a, K, Ix1>,
        R: AsArray<'b, K, Ix1>,
    {
        Self::separable_new(column, row, Operation::Convolution)
    }

    /// A separable correlation (`cv2.sepFilter2D(img, ddepth, row,
    /// column)`; two `scipy.ndimage.correlate1d` calls, axis 0 then 1, but
    /// without their rounding in between); see
    /// [`separable_convolution`](Self::separable_convolution).
    pub fn separable_correlation<'a, 'b, K, C, R>(column: C, row: R) -> Result<Self, Error>
    where
        K: Tap + 'a + 'b,
        C: AsArray<'a, K, Ix1>,
        R: AsArray<'b, K, Ix1>,
    {
        Self::separable_new(column, row, Operation::Correlation)
    }

    /// A separable filter for either operation.
    pub fn separable_new<'a, 'b, K, C, R>(column: C, row: R, op: Operation) -> Result<Self, Error>
    where
        K: Tap + 'a + 'b,
        C: AsArray<'a, K, Ix1>,
        R: AsArray<'b, K, Ix1>,
    {
        let (column, row): (ArrayView1<'a, K>, ArrayView1<'b, K>) = (column.into(), row.into());
        Ok(Self::with_engine(K::separable_engine::<P>(
            column, row, op,
        )?))
    }

    /// A 1-D convolution along `axis` (0: down the columns, 1: along the
    /// rows), as `scipy.ndimage.convolve1d` (with this crate's centring,
    /// see [`Filter2d::convolution1d`](crate::Filter2d::convolution1d)). A
    /// colour image `(H, W, C)` through
    /// [`apply_channels_last`](Self::apply_channels_last) is filtered along
    /// its height or width.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use simdconv::{Border, ImageFilter, Mode};
    /// let f = ImageFilter::<u8>::correlation1d(&[1i32, 2, 1], Axis(1))?
    ///     .divisor(4)
    ///     .mode(Mode::Same)
    ///     .border(Border::Replicate);
    /// assert_eq!(f.apply(&array![[0u8, 0, 255, 255]])?, array![[0u8, 64, 191, 255]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn convolution1d<'a, K, W>(weights: W, axis: Axis) -> Result<Self, Error>
    where
        K: Tap + 'a,
        W: AsArray<'a, K, Ix1>,
    {
        Self::one_axis(weights.into(), axis, Operation::Convolution)
    }

    /// A 1-D correlation along `axis`, as `scipy.ndimage.correlate1d`
    /// (see [`convolution1d`](Self::convolution1d)).
    pub fn correlation1d<'a, K, W>(weights: W, axis: Axis) -> Result<Self, Error>
    where
        K: Tap + 'a,
        W: AsArray<'a, K, Ix1>,
    {
        Self::one_axis(weights.into(), axis, Operation::Correlation)
    }

    fn one_axis<K: Tap>(
        weights: ArrayView1<'_, K>,
        axis: Axis,
        op: Operation,
    ) -> Result<Self, Error> {
        let shape = crate::separable::one_axis_shape(weights.len(), axis)?;
        let taps: Vec<K> = weights.iter().copied().collect();
        let kernel =
            ArrayView2::from_shape(shape, &taps).expect("n taps in an n x 1 or 1 x n shape");
        Self::new(kernel, op)
    }
}
