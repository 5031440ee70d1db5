//! Filters built from 1-D kernels: a column kernel and a row kernel
//! (OpenCV's `sepFilter2D`, two `scipy.ndimage.correlate1d` calls), and
//! one 1-D kernel along one axis (`correlate1d` / `convolve1d`).

use ndarray::{ArrayView1, ArrayView2, AsArray, Axis, Ix1};

use crate::element::Element;
use crate::error::Error;
use crate::factor::Factors;
use crate::filter::Filter2d;
use crate::geometry::Operation;
use crate::settings::Method;

impl<T: Element> Filter2d<T> {
    /// A separable convolution: the 2-D kernel `column[i] * row[j]`
    /// (`kh = column.len()`, `kw = row.len()`, any lengths, even included),
    /// evaluated as two 1-D passes, as OpenCV's `sepFilter2D` and two
    /// `scipy.ndimage.convolve1d` calls are.
    ///
    /// # What it computes, exactly
    ///
    /// With `u` and `v` the column and row kernels flipped (convolution),
    /// the filter first runs the **column pass**: every padded image row
    /// window gets `t[y][x] = sum_i u[i] * f~[y + i][x]` (the image
    /// extended by the border, taps in order from zero, each product
    /// rounded before its sum), kept in `T` (the intermediate is never
    /// rounded to anything narrower); then the **row pass**:
    /// `out[y][x] = sum_j v[j] * t[y][x + j]`. Both passes run the row
    /// kernels of the chosen backend in that fixed order, so every
    /// backend and thread count gives the same bits. Modes, borders and
    /// centring are those of the 2-D filter of the outer product
    /// ([`Filter2d::convolution`] of `column[i] * row[j]`).
    ///
    /// # Relation to the 2-D filter
    ///
    /// For integers the two are equal, bit for bit (the sums are exact
    /// modulo 2^bits in any order; wrapping as everywhere). For floats,
    /// with `u` the unit roundoff and `S' = sum |u_i| |v_j| |x_ij|` over an
    /// output's window, the two-pass result is within `1.01 (kh + kw) u
    /// S'` of the exact sum, where the 2-D filter's is within `1.01 kh kw u
    /// S'` (for `(kh + kw) u <= 0.01`, finite values, no underflow): the
    /// separable form is the more accurate, and the two differ by at most
    /// the sum of the bounds. [`Filter2d::method`]`(`[`Method::Direct`]`)`
    /// evaluates the 2-D outer product (its taps rounded products
    /// `fl(u_i v_j)`) instead.
    ///
    /// ```
    /// use ndarray::{array, Array2};
    /// use simdconv::{Border, Filter2d, Mode};
    /// // Sobel x: smoothing down the column, a difference along the row.
    /// let sobel = Filter2d::separable_convolution(&[1i32, 2, 1], &[1i32, 0, -1])?
    ///     .mode(Mode::Same)
    ///     .border(Border::Replicate);
    /// let image = Array2::from_shape_fn((4, 5), |(_, x)| if x < 2 { 0 } else { 10 });
    /// let edges = sobel.apply(&image)?;
    /// assert_eq!(edges.row(1), array![0, 40, 40, 0, 0]);
    /// // The same as the 2-D kernel, bit for bit, for integers.
    /// let k = array![[1, 0, -1], [2, 0, -2], [1, 0, -1]];
    /// let direct = Filter2d::convolution(&k)?.mode(Mode::Same).border(Border::Replicate);
    /// assert_eq!(direct.apply(&image)?, edges);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn separable_convolution<'a, 'b, C, R>(column: C, row: R) -> Result<Self, Error>
    where
        C: AsArray<'a, T, Ix1>,
        R: AsArray<'b, T, Ix1>,
        T: 'a + 'b,
    {
        Self::separable_new(column, row, Operation::Convolution)
    }

    /// A separable correlation: the 2-D kernel `column[i] * row[j]`
    /// slid as it is, as two `scipy.ndimage.correlate1d` calls (axis 0,
    /// then axis 1) or OpenCV's `sepFilter2D` compute it. Everything else
    /// is as for [`Filter2d::separable_convolution`].
    ///
    /// ```
    /// use ndarray::array;
    /// use simdconv::{Filter2d, Mode};
    /// let f = Filter2d::separable_correlation(&[1.0f64, 2.0], &[1.0, 0.0, -1.0])?.mode(Mode::Valid);
    /// let image = array![[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]];
    /// // t = [1 + 2 * 8, 2 + 2 * 16, 4 + 2 * 32] = [17, 34, 68]; out = 17 - 68.
    /// assert_eq!(f.apply(&image)?, array![[-51.0]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn separable_correlation<'a, 'b, C, R>(column: C, row: R) -> Result<Self, Error>
    where
        C: AsArray<'a, T, Ix1>,
        R: AsArray<'b, T, Ix1>,
        T: 'a + 'b,
    {
        Self::separable_new(column, row, Operation::Correlation)
    }

    /// A separable filter for either operation (see
    /// [`Filter2d::separable_convolution`]).
    pub fn separable_new<'a, 'b, C, R>(column: C, row: R, op: Operation) -> Result<Self, Error>
    where
        C: AsArray<'a, T, Ix1>,
        R: AsArray<'b, T, Ix1>,
        T: 'a + 'b,
    {
        let (column, row): (ArrayView1<'a, T>, ArrayView1<'b, T>) = (column.into(), row.into());
        let (kh, kw) = (column.len(), row.len());
        let n = crate::filter::check_kernel_shape::<T>(kh, kw)?;
        let flip = op == Operation::Convolution;
        let effective = |k: ArrayView1<'_, T>, n: usize| -> Result<Vec<T>, Error> {
            let mut v = crate::alloc::with_capacity(n, "the kernel's taps")?;
            if flip {
                v.extend(k.iter().rev().copied());
            } else {
                v.extend(k.iter().copied());
            }
            Ok(v)
        };
        let (u, v) = (effective(column, kh)?, effective(row, kw)?);
        // The 2-D outer product, for Method::Direct (and what the shape,
        // the swapped valid mode and the scalar loops see).
        let mut taps = crate::alloc::with_capacity::<T>(n, "the kernel's taps")?;
        for &ui in &u {
            taps.extend(v.iter().map(|&vj| ui.mul_elem(vj)));
        }
        let factors = Factors::rank_one(u, v);
        Ok(Self::from_parts(
            taps,
            (kh, kw),
            op,
            None,
            Some(factors),
            Method::Separable,
        ))
    }

    /// A 1-D convolution along `axis` of the image (`Axis(0)`: down the
    /// columns, a `n x 1` kernel; `Axis(1)`: along the rows, `1 x n`), as
    /// `scipy.ndimage.convolve1d(input, weights, axis)` computes it in
    /// [`Mode::Same`](crate::Mode::Same) with its border (ndimage's default
    /// `reflect` is [`Border::Symmetric`](crate::Border::Symmetric)). For
    /// odd lengths the centring is ndimage's; for even lengths SciPy's
    /// `signal` centring applies, one sample off ndimage's default origin.
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use simdconv::{Border, Filter2d, Mode};
    /// let f = Filter2d::convolution1d(&[1i64, 2, 3], Axis(1))?
    ///     .mode(Mode::Same)
    ///     .border(Border::Symmetric);
    /// // scipy.ndimage.convolve1d([[1, 0, 0, 5]], [1, 2, 3], axis=1)
    /// assert_eq!(f.apply(&array![[1i64, 0, 0, 5]])?, array![[5, 3, 5, 15]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn convolution1d<'a, K>(weights: K, axis: Axis) -> Result<Self, Error>
    where
        K: AsArray<'a, T, Ix1>,
        T: 'a,
    {
        Self::one_axis(weights.into(), axis, Operation::Convolution)
    }

    /// A 1-D correlation along `axis`, as `scipy.ndimage.correlate1d`
    /// (see [`Filter2d::convolution1d`]).
    ///
    /// ```
    /// use ndarray::{array, Axis};
    /// use simdconv::{Filter2d, Mode};
    /// let f = Filter2d::correlation1d(&[1.0f32, -1.0, 0.5], Axis(0))?.mode(Mode::Same);
    /// let out = f.apply(&array![[1.0f32], [2.0], [4.0]])?;
    /// // scipy.ndimage.correlate1d(x, [1, -1, 0.5], axis=0, mode="constant")
    /// assert_eq!(out, array![[0.0f32], [1.0], [-2.0]]);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn correlation1d<'a, K>(weights: K, axis: Axis) -> Result<Self, Error>
    where
        K: AsArray<'a, T, Ix1>,
        T: 'a,
    {
        Self::one_axis(weights.into(), axis, Operation::Correlation)
    }

    /// `scipy.ndimage.gaussian_filter(image, sigma=(sigma_y, sigma_x),
    /// truncate=truncate)` for a float image: the separable correlation of
    /// [`kernel1d::gaussian_scipy`] down the columns (axis 0) and then
    /// along the rows, in [`Mode::Same`] with [`Border::Symmetric`]
    /// (ndimage's default `mode="reflect"`; set another with
    /// [`Filter2d::border`]: `nearest`, `mirror`, `wrap` and `constant` map
    /// as in [`Border`]'s table).
    ///
    /// SciPy computes each pass in `f64` and rounds to the image's type
    /// between and after the passes; this filter computes in the image's
    /// type (the taps rounded to it), so the results agree within the
    /// separable bound of [`Filter2d::separable_convolution`] plus one
    /// rounding per pass: for images of magnitude at most `M`, `|ours -
    /// scipy| <= (1.01 (kh + kw) + 2) u M` with `u` the type's unit
    /// roundoff (the taps are positive and sum to 1). Tested against
    /// SciPy's outputs.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use simdconv::Filter2d;
    /// let blur = Filter2d::<f32>::gaussian_scipy((2.0, 2.0), 4.0)?;
    /// assert_eq!(blur.kernel_shape(), (17, 17));
    /// let flat = Array2::from_elem((20, 30), 3.0f32);
    /// let out = blur.apply(&flat)?;
    /// assert!(out.iter().all(|&v| (v - 3.0).abs() < 1e-5));
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    ///
    /// [`kernel1d::gaussian_scipy`]: crate::kernel1d::gaussian_scipy
    /// [`Mode::Same`]: crate::Mode::Same
    /// [`Border::Symmetric`]: crate::Border::Symmetric
    /// [`Border`]: crate::Border
    pub fn gaussian_scipy(sigma: (f64, f64), truncate: f64) -> Result<Self, Error> {
        let column = crate::kernel1d::gaussian_scipy(sigma.0, truncate, None)?;
        let row = crate::kernel1d::gaussian_scipy(sigma.1, truncate, None)?;
        Ok(Self::float_preset(&column, &row, "a Gaussian")?
            .mode(crate::Mode::Same)
            .border(crate::Border::Symmetric))
    }

    /// `cv2.GaussianBlur(image, ksize=(kw, kh), sigmaX=sigma_x,
    /// sigmaY=sigma_y)` for a float image, by OpenCV's rules: a size of 0
    /// comes from its sigma (`round(8 sigma + 1) | 1` for float images), a
    /// `sigma_y` of 0 is `sigma_x`, a sigma of 0 comes from the size
    /// ([`kernel1d::gaussian_opencv`]); [`Mode::Same`] with
    /// [`Border::Mirror`] (OpenCV's default `BORDER_REFLECT_101`). OpenCV
    /// runs its row pass first and this filter its column pass, so float
    /// results agree within the separable bound, not bit for bit.
    ///
    /// ```
    /// use simdconv::Filter2d;
    /// let blur = Filter2d::<f32>::gaussian_opencv((0, 0), 2.0, 0.0)?;
    /// assert_eq!(blur.kernel_shape(), (17, 17));
    /// let blur = Filter2d::<f64>::gaussian_opencv((5, 3), 0.0, 0.0)?;
    /// assert_eq!(blur.kernel_shape(), (3, 5)); // (rows, cols) from (width, height)
    /// assert!(Filter2d::<f32>::gaussian_opencv((0, 0), 0.0, 0.0).is_err());
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    ///
    /// [`kernel1d::gaussian_opencv`]: crate::kernel1d::gaussian_opencv
    /// [`Mode::Same`]: crate::Mode::Same
    /// [`Border::Mirror`]: crate::Border::Mirror
    pub fn gaussian_opencv(
        ksize: (usize, usize),
        sigma_x: f64,
        sigma_y: f64,
    ) -> Result<Self, Error> {
        let sigma_y = if sigma_y > 0.0 { sigma_y } else { sigma_x };
        let size = |k: usize, sigma: f64| -> Result<usize, Error> {
            match (k, sigma > 0.0) {
                (0, true) => Ok(crate::kernel1d::opencv_ksize(sigma, false)),
                (0, false) => Err(Error::BadParameter {
                    what: "ksize",
                    value: "0".into(),
                    rule: "positive when sigma is 0 (one of them must be given)",
                }),
                (k, _) => Ok(k),
            }
        };
        let (kw, kh) = (size(ksize.0, sigma_x)?, size(ksize.1, sigma_y)?);
        let row = crate::kernel1d::gaussian_opencv(kw, sigma_x)?;
        let column = crate::kernel1d::gaussian_opencv(kh, sigma_y)?;
        Ok(Self::float_preset(&column, &row, "a Gaussian")?
            .mode(crate::Mode::Same)
            .border(crate::Border::Mirror))
    }

    /// A separable correlation of `f64` weights rounded to a float `T`.
    fn float_preset(column: &[f64], row: &[f64], what: &'static str) -> Result<Self, Error> {
        if T::float_epsilon().is_none() {
            return Err(Error::FloatOnly { what });
        }
        let cast = |k: &[f64]| {
            k.iter()
                .map(|&w| T::from_float_value(w))
                .collect::<Vec<T>>()
        };
        Self::separable_correlation(&cast(column), &cast(row))
    }

    fn one_axis(weights: ArrayView1<'_, T>, axis: Axis, op: Operation) -> Result<Self, Error> {
        let shape = one_axis_shape(weights.len(), axis)?;
        let taps: Vec<T> = weights.iter().copied().collect();
        let kernel =
            ArrayView2::from_shape(shape, &taps).expect("n taps in an n x 1 or 1 x n shape");
        Filter2d::new(kernel, op)
    }
}

/// The 2-D shape of `n` taps along `axis`: `(n, 1)` down the columns
/// (axis 0), `(1, n)` along the rows (axis 1); another axis is
/// [`Error::BadAxis`].
pub(crate) fn one_axis_shape(n: usize, axis: Axis) -> Result<(usize, usize), Error> {
    match axis.index() {
        0 => Ok((n, 1)),
        1 => Ok((1, n)),
        _ => Err(Error::BadAxis {
            axis: axis.index(),
            ndim: 2,
        }),
    }
}
