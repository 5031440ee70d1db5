//! `simdconv._simdconv`: the compiled half of the Python package.
//!
//! This module only moves NumPy arrays in and out of the library: it takes
//! arrays that already have one of the library's element types (`float32`,
//! `float64`, `int32`, `int64`) or pixel types (`uint8`, `uint16`, `int16`,
//! see `pixels.rs`), views them without copying (any strides, negative
//! included), and runs [`simdconv::Filter2d`] or [`simdconv::ImageFilter`]
//! with the GIL released. Names (modes, borders, operations, methods,
//! backends, presets) are parsed by the crate's own `FromStr`s.
//! Everything SciPy-specific (argument names and their errors, dtype
//! promotion, the types the library has no kernels for, empty inputs)
//! lives in the Python package `simdconv/`, where it can be read next to
//! SciPy's own.

mod pixels;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use ndarray::ArrayView1;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyUntypedArray, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use simdconv::{Backend, Border, Element, Filter2d, Method, Mode, Operation, Rounding, Threads};

/// The library's error as a Python `ValueError` (bad input, never a panic).
pub(crate) fn value_error(err: simdconv::Error) -> PyErr {
    PyValueError::new_err(err.to_string())
}

/// The options of a filter, as the Python layer passes them (names the
/// crate's `FromStr`s parse).
struct Options {
    op: Operation,
    mode: Mode,
    /// The border's kind (a constant's value is set per element type).
    border: Border<i64>,
    backend: Option<Backend>,
    threads: Threads,
    low_rank: bool,
    method: Method,
    rounding: Rounding,
}

/// `name` parsed by the crate's `FromStr` (modes, borders, operations,
/// methods, backends, presets, overflow rules): a bad name is a
/// `ValueError` with the crate's message, which lists the known names.
fn parse_name<T: std::str::FromStr<Err = simdconv::Error>>(name: &str) -> PyResult<T> {
    name.parse().map_err(value_error)
}

/// `border` (a kind parsed from a name) with `fill` as its constant.
fn with_fill<T>(border: Border<i64>, fill: T) -> Border<T> {
    match border {
        Border::Constant(_) => Border::Constant(fill),
        Border::Wrap => Border::Wrap,
        Border::Symmetric => Border::Symmetric,
        Border::Mirror => Border::Mirror,
        Border::Replicate => Border::Replicate,
    }
}

impl Options {
    #[allow(clippy::too_many_arguments)]
    fn parse(
        operation: &str,
        mode: &str,
        border: &str,
        backend: Option<&str>,
        threads: usize,
        low_rank: bool,
        method: &str,
        rounding: &str,
    ) -> PyResult<Self> {
        // `Rounding` has no `FromStr` in the crate yet: its two names here.
        let rounding: Rounding = parse_name(rounding)?;
        Ok(Options {
            op: parse_name(operation)?,
            mode: parse_name(mode)?,
            border: parse_name(border)?,
            backend: backend.map(parse_name).transpose()?,
            threads: threads_policy(threads)?,
            low_rank,
            method: parse_name(method)?,
            rounding,
        })
    }

    fn border<T: Element>(&self, fill: T) -> Border<T> {
        with_fill(self.border, fill)
    }

    fn build<T: Element>(
        &self,
        kernel: ndarray::ArrayView2<'_, T>,
        fill: T,
    ) -> PyResult<Filter2d<T>> {
        let mut filter = Filter2d::new(kernel, self.op)
            .map_err(value_error)?
            .mode(self.mode)
            .border(self.border(fill))
            .threads(self.threads.clone())
            .low_rank(self.low_rank)
            .method(self.method)
            .rounding(self.rounding);
        if let Some(backend) = self.backend {
            filter = filter.backend(backend);
        }
        Ok(filter)
    }
}

/// `0`: automatic (rayon's global pool for large calls); `1`: the calling
/// thread; `n`: a pool of `n` threads, one per size for the process.
pub(crate) fn threads_policy(threads: usize) -> PyResult<Threads> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    match threads {
        0 => Ok(Threads::Auto),
        1 => Ok(Threads::Single),
        n => {
            let mut pools = POOLS
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(pool) = pools.get(&n) {
                return Ok(Threads::Pool(pool.clone()));
            }
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .thread_name(|i| format!("simdconv-{i}"))
                .build()
                .map_err(|e| PyValueError::new_err(format!("cannot start {n} threads: {e}")))?;
            let pool = Arc::new(pool);
            pools.insert(n, pool.clone());
            Ok(Threads::Pool(pool))
        }
    }
}

/// A filter of one of the library's element types.
enum AnyFilter {
    F32(Filter2d<f32>),
    F64(Filter2d<f64>),
    I32(Filter2d<i32>),
    I64(Filter2d<i64>),
    /// A narrow-pixel filter (`simdconv::ImageFilter`).
    Pixels(pixels::PixelFilter),
}

/// Runs `$body` with `$t` bound to the element type of the NumPy array
/// `$array` (one of the four), `$typed` to the array cast to
/// `PyArray2<$t>`; any other dtype or dimensionality is a `TypeError`.
macro_rules! with_element_type {
    ($array:expr, |$typed:ident: $t:ident| $body:expr) => {{
        let array: &Bound<'_, PyUntypedArray> = $array;
        if let Ok($typed) = array.cast::<PyArray2<f32>>() {
            type $t = f32;
            $body
        } else if let Ok($typed) = array.cast::<PyArray2<f64>>() {
            type $t = f64;
            $body
        } else if let Ok($typed) = array.cast::<PyArray2<i32>>() {
            type $t = i32;
            $body
        } else if let Ok($typed) = array.cast::<PyArray2<i64>>() {
            type $t = i64;
            $body
        } else {
            Err(unsupported(array))
        }
    }};
}

fn unsupported(array: &Bound<'_, PyUntypedArray>) -> PyErr {
    PyTypeError::new_err(format!(
        "simdconv computes with 2-D arrays of float32, float64, int32 or int64 \
         in native byte order, not a {}-D array of {}",
        array.ndim(),
        array.dtype()
    ))
}

/// A prepared filter of the kernel's element type.
fn build_any(
    kernel: &Bound<'_, PyUntypedArray>,
    fill: &Bound<'_, PyAny>,
    options: &Options,
) -> PyResult<AnyFilter> {
    with_element_type!(kernel, |k: T| {
        let kernel = k.try_readonly()?;
        let filter = options.build(kernel.as_array(), T::fill_from_py(fill)?)?;
        Ok(T::wrap(filter))
    })
}

/// Filters `image` (a `PyArray2<T>`) into `out` (or a new array), the GIL
/// released while the library runs.
fn apply_typed<'py, T>(
    filter: &Filter2d<T>,
    image: &Bound<'py, PyArray2<T>>,
    out: Option<&Bound<'py, PyUntypedArray>>,
) -> PyResult<Bound<'py, PyUntypedArray>>
where
    T: PyElement,
{
    let py = image.py();
    let image_ro = image.try_readonly()?;
    let view = image_ro.as_array();
    if view.is_empty() {
        return Err(PyValueError::new_err(format!(
            "the image is empty ({} x {})",
            view.nrows(),
            view.ncols()
        )));
    }
    let (h, w) = filter.output_shape(view.dim()).map_err(value_error)?;
    let out: Bound<'py, PyArray2<T>> = match out {
        Some(out) => out
            .cast::<PyArray2<T>>()
            .map_err(|_| {
                PyTypeError::new_err(format!(
                    "out must be a 2-D array of {} (the result's dtype), not a {}-D array of {}",
                    numpy::dtype::<T>(py),
                    out.ndim(),
                    out.dtype()
                ))
            })?
            .clone(),
        // SAFETY: `apply_into` writes every element of the output before
        // anyone reads it, and every bit pattern is a valid f32, f64, i32
        // or i64, so the uninitialised memory is never observed as such.
        None => unsafe { PyArray2::<T>::new(py, [h, w], false) },
    };
    {
        // A writable borrow fails (BorrowError) if `out` overlaps the image.
        let mut out_rw = out.try_readwrite().map_err(|e| {
            PyValueError::new_err(format!(
                "out must be a writeable array that does not overlap the inputs ({e})"
            ))
        })?;
        let out_view = out_rw.as_array_mut();
        py.detach(|| filter.apply_into(view, out_view))
            .map_err(value_error)?;
    }
    Ok(out.into_any().cast_into::<PyUntypedArray>()?)
}

impl AnyFilter {
    fn apply<'py>(
        &self,
        image: &Bound<'py, PyUntypedArray>,
        out: Option<&Bound<'py, PyUntypedArray>>,
    ) -> PyResult<Bound<'py, PyUntypedArray>> {
        macro_rules! arm {
            ($filter:expr, $t:ty) => {{
                let image = image.cast::<PyArray2<$t>>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "the image must be a 2-D array of {} (the filter's dtype), not a {}-D array of {}",
                        numpy::dtype::<$t>(image.py()),
                        image.ndim(),
                        image.dtype()
                    ))
                })?;
                apply_typed($filter, image, out)
            }};
        }
        match self {
            AnyFilter::F32(f) => arm!(f, f32),
            AnyFilter::F64(f) => arm!(f, f64),
            AnyFilter::I32(f) => arm!(f, i32),
            AnyFilter::I64(f) => arm!(f, i64),
            AnyFilter::Pixels(f) => f.apply(image, out),
        }
    }

    fn output_shape(&self, image: (usize, usize)) -> Result<(usize, usize), simdconv::Error> {
        match self {
            AnyFilter::F32(f) => f.output_shape(image),
            AnyFilter::F64(f) => f.output_shape(image),
            AnyFilter::I32(f) => f.output_shape(image),
            AnyFilter::I64(f) => f.output_shape(image),
            AnyFilter::Pixels(f) => f.output_shape(image),
        }
    }

    fn low_rank_terms(&self) -> Option<usize> {
        match self {
            AnyFilter::F32(f) => f.low_rank_terms(),
            AnyFilter::F64(f) => f.low_rank_terms(),
            AnyFilter::I32(f) => f.low_rank_terms(),
            AnyFilter::I64(f) => f.low_rank_terms(),
            // ImageFilter chooses its own evaluation (and reports its
            // accumulator instead).
            AnyFilter::Pixels(_) => None,
        }
    }

    fn resolved_backend(&self) -> Result<Backend, simdconv::Error> {
        match self {
            AnyFilter::F32(f) => f.resolved_backend(),
            AnyFilter::F64(f) => f.resolved_backend(),
            AnyFilter::I32(f) => f.resolved_backend(),
            AnyFilter::I64(f) => f.resolved_backend(),
            AnyFilter::Pixels(f) => f.resolved_backend(),
        }
    }
}

/// A `simdconv::Filter2d` of one element type: the kernel validated,
/// flipped and packed once. Built by `simdconv.Filter2d`, which picks the
/// element type and checks the names; not meant to be used directly.
#[pyclass(frozen, module = "simdconv._simdconv", name = "Prepared")]
struct Prepared {
    filter: AnyFilter,
}

#[pymethods]
impl Prepared {
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kernel, operation, mode, border, fill, backend, threads, low_rank, method, rounding))]
    fn new(
        kernel: &Bound<'_, PyUntypedArray>,
        operation: &str,
        mode: &str,
        border: &str,
        fill: &Bound<'_, PyAny>,
        backend: Option<&str>,
        threads: usize,
        low_rank: bool,
        method: &str,
        rounding: &str,
    ) -> PyResult<Self> {
        let options = Options::parse(
            operation, mode, border, backend, threads, low_rank, method, rounding,
        )?;
        Ok(Prepared {
            filter: build_any(kernel, fill, &options)?,
        })
    }

    /// Filters `image` (the filter's dtype, any strides) into `out` (the
    /// output shape and dtype, any strides) or a new array.
    #[pyo3(signature = (image, out = None))]
    fn apply<'py>(
        &self,
        image: &Bound<'py, PyUntypedArray>,
        out: Option<&Bound<'py, PyUntypedArray>>,
    ) -> PyResult<Bound<'py, PyUntypedArray>> {
        self.filter.apply(image, out)
    }

    /// A narrow-pixel filter (`ImageFilter`) of the 2-D integer kernel
    /// `kernel` (int16 or int32 taps) for images of `image_dtype` (uint8,
    /// uint16, int16) into `output_dtype`, with `preset`'s rules.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kernel, image_dtype, output_dtype, operation, mode, border, fill, preset, backend, threads))]
    fn pixels(
        kernel: &Bound<'_, PyUntypedArray>,
        image_dtype: &str,
        output_dtype: &str,
        operation: &str,
        mode: &str,
        border: &str,
        fill: &Bound<'_, PyAny>,
        preset: &str,
        backend: Option<&str>,
        threads: usize,
    ) -> PyResult<Self> {
        let common = pixels::Common::parse(border, backend, threads)?;
        let filter = pixels::kernel_filter(
            kernel,
            image_dtype,
            output_dtype,
            operation,
            mode,
            preset,
            fill,
            &common,
        )?;
        Ok(Prepared {
            filter: AnyFilter::Pixels(filter),
        })
    }

    /// `cv2.GaussianBlur` on `image_dtype` (uint8, uint16) images:
    /// `ksize` is OpenCV's `(width, height)`.
    #[staticmethod]
    #[pyo3(signature = (image_dtype, ksize, sigma_x, sigma_y, border, backend, threads))]
    fn gaussian_opencv(
        image_dtype: &str,
        ksize: (usize, usize),
        sigma_x: f64,
        sigma_y: f64,
        border: &str,
        backend: Option<&str>,
        threads: usize,
    ) -> PyResult<Self> {
        let common = pixels::Common::parse(border, backend, threads)?;
        Ok(Prepared {
            filter: AnyFilter::Pixels(pixels::gaussian_opencv(
                image_dtype,
                ksize,
                sigma_x,
                sigma_y,
                &common,
            )?),
        })
    }

    /// `cv2.Sobel(image, cv2.CV_16S, dx, dy, ksize=ksize, delta=delta)` on
    /// uint8 images; `ksize` 0 is `cv2.Scharr` (OpenCV's `ksize=-1`).
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (dx, dy, ksize, delta, border, backend, threads))]
    fn derivative_opencv(
        dx: usize,
        dy: usize,
        ksize: usize,
        delta: f64,
        border: &str,
        backend: Option<&str>,
        threads: usize,
    ) -> PyResult<Self> {
        let common = pixels::Common::parse(border, backend, threads)?;
        Ok(Prepared {
            filter: AnyFilter::Pixels(pixels::derivative_opencv(dx, dy, ksize, delta, &common)?),
        })
    }

    fn output_shape(&self, image: (usize, usize)) -> PyResult<(usize, usize)> {
        self.filter.output_shape(image).map_err(value_error)
    }

    /// The accumulator of a pixel filter (`i16`, `i32`, `i64`), None for
    /// the others.
    fn accumulator(&self) -> Option<&'static str> {
        match &self.filter {
            AnyFilter::Pixels(f) => Some(f.accumulator()),
            _ => None,
        }
    }

    /// The kernel's shape of a pixel filter, None for the others.
    fn kernel_shape(&self) -> Option<(usize, usize)> {
        match &self.filter {
            AnyFilter::Pixels(f) => Some(f.kernel_shape()),
            _ => None,
        }
    }

    fn low_rank_terms(&self) -> Option<usize> {
        self.filter.low_rank_terms()
    }

    fn resolved_backend(&self) -> PyResult<String> {
        Ok(self
            .filter
            .resolved_backend()
            .map_err(value_error)?
            .to_string())
    }
}

/// One call: build the filter and apply it (the drop-ins' path, which keeps
/// no filter object).
#[pyfunction]
#[pyo3(signature = (image, kernel, operation, mode, border, fill, out = None))]
fn filter2d<'py>(
    image: &Bound<'py, PyUntypedArray>,
    kernel: &Bound<'py, PyUntypedArray>,
    operation: &str,
    mode: &str,
    border: &str,
    fill: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyUntypedArray>>,
) -> PyResult<Bound<'py, PyUntypedArray>> {
    let options = Options::parse(operation, mode, border, None, 0, true, "direct", "separate")?;
    with_element_type!(kernel, |k: T| {
        let kernel = k.try_readonly()?;
        let filter = options.build(kernel.as_array(), T::fill_from_py(fill)?)?;
        let image = image
            .cast::<PyArray2<T>>()
            .map_err(|_| unsupported(image))?;
        apply_typed(&filter, image, out)
    })
}

/// One call of a narrow-pixel filter (the drop-ins' path for uint8,
/// uint16 and int16 results): the image read in place whatever its
/// strides, the result written into `out` or a new array of
/// `output_dtype`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (image, kernel, output_dtype, operation, mode, border, fill, preset, out = None))]
fn pixel_filter2d<'py>(
    image: &Bound<'py, PyUntypedArray>,
    kernel: &Bound<'py, PyUntypedArray>,
    output_dtype: &str,
    operation: &str,
    mode: &str,
    border: &str,
    fill: &Bound<'py, PyAny>,
    preset: &str,
    out: Option<&Bound<'py, PyUntypedArray>>,
) -> PyResult<Bound<'py, PyUntypedArray>> {
    let common = pixels::Common::parse(border, None, 0)?;
    let image_dtype = image.dtype().to_string();
    let filter = pixels::kernel_filter(
        kernel,
        &image_dtype,
        output_dtype,
        operation,
        mode,
        preset,
        fill,
        &common,
    )?;
    filter.apply(image, out)
}

/// The library's element types, as the binding moves them.
trait PyElement: Element + numpy::Element {
    /// The fill value from Python (for `f32` through a Python float, which
    /// is exact: the Python layer has already rounded it to float32).
    fn fill_from_py(fill: &Bound<'_, PyAny>) -> PyResult<Self>;
    fn wrap(filter: Filter2d<Self>) -> AnyFilter;
}

macro_rules! py_element {
    ($($t:ty => $variant:ident via $py:ty),*) => {$(
        impl PyElement for $t {
            fn fill_from_py(fill: &Bound<'_, PyAny>) -> PyResult<Self> {
                Ok(fill.extract::<$py>()? as $t)
            }
            fn wrap(filter: Filter2d<Self>) -> AnyFilter {
                AnyFilter::$variant(filter)
            }
        }
    )*};
}
py_element!(f32 => F32 via f64, f64 => F64 via f64, i32 => I32 via i32, i64 => I64 via i64);

/// Where index `start..stop` of an axis of `length` reads under `border`
/// (the library's `Border::source_index`; -1 where a constant border
/// supplies the sample). The Dask path pads with these.
#[pyfunction]
fn source_indices<'py>(
    py: Python<'py>,
    border: &str,
    start: isize,
    stop: isize,
    length: usize,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let border: Border<i64> = parse_name(border)?;
    let map: Vec<i64> = (start..stop)
        .map(|i| border.source_index(i, length).map_or(-1, |s| s as i64))
        .collect();
    Ok(PyArray1::from_array(py, &ArrayView1::from(&map[..])))
}

/// The crate's name of the border `name` (its `FromStr`, then its
/// `Display`: `fill`, `wrap`, `symm`, `mirror` or `nearest`), or a
/// `ValueError` listing the names it knows.
#[pyfunction]
fn parse_border(name: &str) -> PyResult<String> {
    Ok(parse_name::<Border<i64>>(name)?.to_string())
}

/// The backends this CPU can run, `scalar` first, the best last.
#[pyfunction]
fn available_backends() -> Vec<String> {
    Backend::available()
        .into_iter()
        .map(|b| b.to_string())
        .collect()
}

/// The fastest backend this CPU can run (ignores `SIMDCONV_BACKEND`).
#[pyfunction]
fn detect_backend() -> String {
    Backend::detect().to_string()
}

#[pymodule]
fn _simdconv(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Prepared>()?;
    m.add_function(wrap_pyfunction!(filter2d, m)?)?;
    m.add_function(wrap_pyfunction!(pixel_filter2d, m)?)?;
    m.add_function(wrap_pyfunction!(source_indices, m)?)?;
    m.add_function(wrap_pyfunction!(parse_border, m)?)?;
    m.add_function(wrap_pyfunction!(available_backends, m)?)?;
    m.add_function(wrap_pyfunction!(detect_backend, m)?)?;
    Ok(())
}
