//! Narrow pixels: `uint8`, `uint16` and `int16` images through
//! [`simdconv::ImageFilter`], read in place (any strides) and written into
//! the output dtype the caller chose, with the GIL released.
//!
//! The binding uses five (image, output) pairs: each pixel type into
//! itself, and `uint8` into `uint16` or `int16` (SciPy's result dtype of a
//! `uint8` image and a wider kernel: the image is read as it is, its values
//! are the same integers). The taps are `int16` or `int32` arrays; the
//! accumulator is the library's choice (exact sums).

use ndarray::{ArrayViewMut2, ArrayViewMut3};
use numpy::{PyArray2, PyArray3, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use simdconv::{Backend, Border, ImageFilter, Mode, Operation, Output, Pixel, Preset, Threads};

use crate::{parse_name, threads_policy, value_error, with_fill};

/// An [`ImageFilter`] of one of the binding's (image, output) pairs.
pub(crate) enum PixelFilter {
    U8(ImageFilter<u8, u8>),
    U8U16(ImageFilter<u8, u16>),
    U8I16(ImageFilter<u8, i16>),
    U16(ImageFilter<u16, u16>),
    I16(ImageFilter<i16, i16>),
}

/// Runs `$body` with `$f` bound to the filter, whatever its types.
macro_rules! each {
    ($filter:expr, |$f:ident| $body:expr) => {
        match $filter {
            PixelFilter::U8($f) => $body,
            PixelFilter::U8U16($f) => $body,
            PixelFilter::U8I16($f) => $body,
            PixelFilter::U16($f) => $body,
            PixelFilter::I16($f) => $body,
        }
    };
}

impl PixelFilter {
    pub(crate) fn apply<'py>(
        &self,
        image: &Bound<'py, PyUntypedArray>,
        out: Option<&Bound<'py, PyUntypedArray>>,
    ) -> PyResult<Bound<'py, PyUntypedArray>> {
        each!(self, |f| apply(f, image, out))
    }

    pub(crate) fn output_shape(
        &self,
        image: (usize, usize),
    ) -> Result<(usize, usize), simdconv::Error> {
        each!(self, |f| f.output_shape(image))
    }

    pub(crate) fn resolved_backend(&self) -> Result<Backend, simdconv::Error> {
        each!(self, |f| f.resolved_backend())
    }

    /// The accumulator's name (`i16`, `i32`, `i64`).
    pub(crate) fn accumulator(&self) -> &'static str {
        each!(self, |f| f.accumulator())
    }

    pub(crate) fn kernel_shape(&self) -> (usize, usize) {
        each!(self, |f| f.kernel_shape())
    }
}

/// A pixel type of the binding, with the outputs it may go into.
pub(crate) trait PyPixel: Pixel + numpy::Element + TryFrom<i64> {
    /// `filter` with the output type named `output` (a NumPy dtype name).
    fn into_output(filter: ImageFilter<Self>, output: &str) -> PyResult<PixelFilter>;
}

fn bad_output(input: &str, output: &str) -> PyErr {
    PyTypeError::new_err(format!(
        "simdconv filters {input} images into {} here, not {output}",
        match input {
            "uint8" => "uint8, uint16 or int16",
            other => other,
        }
    ))
}

impl PyPixel for u8 {
    fn into_output(filter: ImageFilter<u8>, output: &str) -> PyResult<PixelFilter> {
        Ok(match output {
            "uint8" => PixelFilter::U8(filter),
            "uint16" => PixelFilter::U8U16(filter.output()),
            "int16" => PixelFilter::U8I16(filter.output()),
            other => return Err(bad_output("uint8", other)),
        })
    }
}

impl PyPixel for u16 {
    fn into_output(filter: ImageFilter<u16>, output: &str) -> PyResult<PixelFilter> {
        match output {
            "uint16" => Ok(PixelFilter::U16(filter)),
            other => Err(bad_output("uint16", other)),
        }
    }
}

impl PyPixel for i16 {
    fn into_output(filter: ImageFilter<i16>, output: &str) -> PyResult<PixelFilter> {
        match output {
            "int16" => Ok(PixelFilter::I16(filter)),
            other => Err(bad_output("int16", other)),
        }
    }
}

/// Runs `$body` with `$p` the pixel type named `$name` (`uint8`, `uint16`,
/// `int16`); another name is a `TypeError`.
macro_rules! with_pixel_type {
    ($name:expr, |$p:ident| $body:expr) => {
        match $name {
            "uint8" => {
                type $p = u8;
                $body
            }
            "uint16" => {
                type $p = u16;
                $body
            }
            "int16" => {
                type $p = i16;
                $body
            }
            other => Err(PyTypeError::new_err(format!(
                "simdconv's pixel filters take uint8, uint16 or int16 images, not {other}"
            ))),
        }
    };
}

/// The settings every pixel filter takes.
pub(crate) struct Common {
    border: Border<i64>,
    backend: Option<Backend>,
    threads: Threads,
}

impl Common {
    pub(crate) fn parse(border: &str, backend: Option<&str>, threads: usize) -> PyResult<Self> {
        Ok(Common {
            border: parse_name(border)?,
            backend: backend.map(parse_name).transpose()?,
            threads: threads_policy(threads)?,
        })
    }

    /// `filter` with these settings, a constant border of `fill`.
    fn set<P: PyPixel>(&self, filter: ImageFilter<P>, fill: P) -> ImageFilter<P> {
        let mut filter = filter
            .border(with_fill(self.border, fill))
            .threads(self.threads.clone());
        if let Some(backend) = self.backend {
            filter = filter.backend(backend);
        }
        filter
    }
}

/// `fill` (a Python integer) as a pixel value.
fn pixel_fill<P: PyPixel>(fill: &Bound<'_, PyAny>) -> PyResult<P> {
    let value: i64 = fill.extract()?;
    P::try_from(value).map_err(|_| {
        PyValueError::new_err(format!("the fill value {value} is not a {} value", P::NAME))
    })
}

/// A filter of the 2-D integer kernel `kernel` (`int16` or `int32` taps)
/// for images of `image_dtype`, into `output_dtype`, with `preset`'s rules
/// (`scipy-signal`: exact sums wrapped into the output type, SciPy's
/// arithmetic).
#[allow(clippy::too_many_arguments)]
pub(crate) fn kernel_filter(
    kernel: &Bound<'_, PyUntypedArray>,
    image_dtype: &str,
    output_dtype: &str,
    operation: &str,
    mode: &str,
    preset: &str,
    fill: &Bound<'_, PyAny>,
    common: &Common,
) -> PyResult<PixelFilter> {
    let op: Operation = parse_name(operation)?;
    let mode: Mode = parse_name(mode)?;
    let preset: Preset = parse_name(preset)?;
    with_pixel_type!(image_dtype, |P| {
        let fill = pixel_fill::<P>(fill)?;
        let filter = if let Ok(k) = kernel.cast::<PyArray2<i16>>() {
            ImageFilter::<P>::new(k.try_readonly()?.as_array(), op)
        } else if let Ok(k) = kernel.cast::<PyArray2<i32>>() {
            ImageFilter::<P>::new(k.try_readonly()?.as_array(), op)
        } else {
            return Err(PyTypeError::new_err(format!(
                "the taps of a pixel filter are a 2-D array of int16 or int32, not a {}-D array of {}",
                kernel.ndim(),
                kernel.dtype()
            )));
        }
        .map_err(value_error)?;
        let filter = common.set(filter.mode(mode).preset(preset), fill);
        finish(filter, output_dtype)
    })
}

/// `filter` into `output`, its conversion checked now (a bad divisor,
/// delta or preset output is a `ValueError` at construction).
fn finish<P: PyPixel>(filter: ImageFilter<P>, output: &str) -> PyResult<PixelFilter> {
    let filter = P::into_output(filter, output)?;
    each!(&filter, |f| f.check()).map_err(value_error)?;
    Ok(filter)
}

/// `cv2.GaussianBlur(image, (kw, kh), sigma_x, sigmaY=sigma_y)` for
/// `uint8` or `uint16` images ([`ImageFilter::gaussian_opencv`]).
pub(crate) fn gaussian_opencv(
    image_dtype: &str,
    ksize: (usize, usize),
    sigma_x: f64,
    sigma_y: f64,
    common: &Common,
) -> PyResult<PixelFilter> {
    with_pixel_type!(image_dtype, |P| {
        let filter =
            ImageFilter::<P>::gaussian_opencv(ksize, sigma_x, sigma_y).map_err(value_error)?;
        finish(common.set(filter, 0), image_dtype)
    })
}

/// `cv2.Sobel(image, cv2.CV_16S, dx, dy, ksize=ksize, delta=delta)` for
/// `uint8` images ([`ImageFilter::sobel_opencv`]); `ksize` 0: Scharr
/// ([`ImageFilter::scharr_opencv`], OpenCV's `ksize=-1`).
pub(crate) fn derivative_opencv(
    dx: usize,
    dy: usize,
    ksize: usize,
    delta: f64,
    common: &Common,
) -> PyResult<PixelFilter> {
    let filter = match ksize {
        0 => ImageFilter::<u8>::scharr_opencv(dx, dy),
        k => ImageFilter::<u8>::sobel_opencv(dx, dy, k),
    }
    .map_err(value_error)?;
    finish(common.set(filter.delta(delta), 0), "int16")
}

/// The message of an array that is not an image of `P` (2-D or 3-D).
fn not_an_image<P: Pixel>(image: &Bound<'_, PyUntypedArray>) -> PyErr {
    PyTypeError::new_err(format!(
        "the image must be a 2-D or 3-D (H, W, C) array of {} (the filter's pixel type), \
         not a {}-D array of {}",
        P::NAME,
        image.ndim(),
        image.dtype()
    ))
}

/// The message of an `out` of the wrong type or dimensionality.
fn bad_out<O: Output>(out: &Bound<'_, PyUntypedArray>, ndim: usize) -> PyErr {
    PyTypeError::new_err(format!(
        "out must be a {ndim}-D array of {} (the result's dtype), not a {}-D array of {}",
        O::NAME,
        out.ndim(),
        out.dtype()
    ))
}

/// A writable borrow of `out`, which fails if it overlaps the image.
macro_rules! borrow_out {
    ($out:expr) => {
        $out.try_readwrite().map_err(|e| {
            PyValueError::new_err(format!(
                "out must be a writeable array that does not overlap the inputs ({e})"
            ))
        })?
    };
}

/// Filters `image` (a 2-D image, or 3-D with the channels last) into `out`
/// or a new array, the GIL released while the library runs.
fn apply<'py, P, O>(
    filter: &ImageFilter<P, O>,
    image: &Bound<'py, PyUntypedArray>,
    out: Option<&Bound<'py, PyUntypedArray>>,
) -> PyResult<Bound<'py, PyUntypedArray>>
where
    P: Pixel + numpy::Element,
    O: Output + numpy::Element,
{
    let py = image.py();
    let empty =
        |shape: &[usize]| PyValueError::new_err(format!("the image is empty (shape {:?})", shape));
    if let Ok(image) = image.cast::<PyArray2<P>>() {
        let image_ro = image.try_readonly()?;
        let view = image_ro.as_array();
        if view.is_empty() {
            return Err(empty(view.shape()));
        }
        let (h, w) = filter.output_shape(view.dim()).map_err(value_error)?;
        let out: Bound<'py, PyArray2<O>> = match out {
            Some(out) => out
                .cast::<PyArray2<O>>()
                .map_err(|_| bad_out::<O>(out, 2))?
                .clone(),
            // SAFETY: `apply_into` writes every element of the output
            // before anyone reads it, and every bit pattern is a valid
            // u8, u16 or i16.
            None => unsafe { PyArray2::<O>::new(py, [h, w], false) },
        };
        {
            let mut out_rw = borrow_out!(out);
            let out_view: ArrayViewMut2<'_, O> = out_rw.as_array_mut();
            py.detach(|| filter.apply_into(view, out_view))
                .map_err(value_error)?;
        }
        return Ok(out.into_any().cast_into::<PyUntypedArray>()?);
    }
    if let Ok(image) = image.cast::<PyArray3<P>>() {
        let image_ro = image.try_readonly()?;
        let view = image_ro.as_array();
        if view.is_empty() {
            return Err(empty(view.shape()));
        }
        let (h, w, c) = view.dim();
        let (oh, ow) = filter.output_shape((h, w)).map_err(value_error)?;
        let out: Bound<'py, PyArray3<O>> = match out {
            Some(out) => out
                .cast::<PyArray3<O>>()
                .map_err(|_| bad_out::<O>(out, 3))?
                .clone(),
            // SAFETY: as above (every element written before it is read).
            None => unsafe { PyArray3::<O>::new(py, [oh, ow, c], false) },
        };
        {
            let mut out_rw = borrow_out!(out);
            let out_view: ArrayViewMut3<'_, O> = out_rw.as_array_mut();
            py.detach(|| filter.apply_channels_last_into(view, out_view))
                .map_err(value_error)?;
        }
        return Ok(out.into_any().cast_into::<PyUntypedArray>()?);
    }
    Err(not_an_image::<P>(image))
}
