//! The crate's error type: every bad input is an `Err`, never a panic.

use core::fmt;

use crate::backend::Backend;

/// Everything that can go wrong when building or applying a filter.
///
/// Each variant carries the sizes or names involved, and its `Display`
/// message says what was wrong and how to fix it.
///
/// ```
/// use ndarray::Array2;
/// use simdconv::{convolve2d, Error};
///
/// let image = Array2::<f32>::zeros((0, 4));
/// let kernel = Array2::<f32>::ones((3, 3));
/// let err = convolve2d(image.view(), kernel.view()).unwrap_err();
/// assert!(matches!(err, Error::EmptyImage { rows: 0, cols: 4 }));
/// assert_eq!(err.to_string(), "the image is empty (0 x 4): both sides must be at least 1");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The image has a zero-length axis.
    EmptyImage {
        /// Image rows.
        rows: usize,
        /// Image columns.
        cols: usize,
    },
    /// The kernel has a zero-length axis.
    EmptyKernel {
        /// Kernel rows.
        rows: usize,
        /// Kernel columns.
        cols: usize,
    },
    /// `Mode::Valid` needs one input to contain the other (be at least as
    /// large on both axes), as in `scipy.signal.convolve2d`.
    ValidModeMismatch {
        /// Image shape (rows, cols).
        image: (usize, usize),
        /// Kernel shape (rows, cols).
        kernel: (usize, usize),
    },
    /// The output array given to `apply_into` has the wrong shape.
    OutputShape {
        /// The shape the call produces.
        expected: (usize, usize),
        /// The shape that was given.
        actual: (usize, usize),
    },
    /// The 3-D output array given to a colour-image call has the wrong
    /// shape.
    OutputShape3 {
        /// The shape the call produces.
        expected: (usize, usize, usize),
        /// The shape that was given.
        actual: (usize, usize, usize),
    },
    /// A buffer the shapes call for would exceed `isize::MAX` bytes, the
    /// most one Rust allocation can hold (or its size overflows `usize`).
    ShapeOverflow {
        /// Image shape (rows, cols).
        image: (usize, usize),
        /// Kernel shape (rows, cols).
        kernel: (usize, usize),
    },
    /// The kernel's taps would exceed `isize::MAX` bytes.
    KernelTooLarge {
        /// Kernel rows.
        rows: usize,
        /// Kernel columns.
        cols: usize,
    },
    /// Memory for a buffer could not be allocated (the system refused it,
    /// or it would exceed `isize::MAX` bytes): returned instead of
    /// aborting the process.
    AllocationFailed {
        /// What the buffer was for: `"the output"`, `"the kernel's taps"`,
        /// `"the padded-row ring"`.
        what: &'static str,
        /// The bytes asked for.
        bytes: usize,
    },
    /// A parameter of a kernel builder is out of its range.
    BadParameter {
        /// The parameter's name.
        what: &'static str,
        /// The value given, as text (`Error` is `Eq`).
        value: String,
        /// What it must be.
        rule: &'static str,
    },
    /// An element type the call does not take (e.g. a Gaussian for an
    /// integer image).
    FloatOnly {
        /// What needs a float type.
        what: &'static str,
    },
    /// An output type the chosen [`Preset`](crate::Preset) does not
    /// allow for this input type (e.g. `u16 -> u8` under OpenCV's rules,
    /// whose `filter2D` has no such `ddepth`).
    UnsupportedOutput {
        /// The preset's name.
        preset: String,
        /// The input's NumPy dtype name.
        input: &'static str,
        /// The output's NumPy dtype name.
        output: &'static str,
    },
    /// An axis that the array does not have.
    BadAxis {
        /// The axis asked for.
        axis: usize,
        /// The array's number of axes.
        ndim: usize,
    },
    /// A mode, border, operation or method name (from `str::parse`) is not
    /// one this crate knows.
    UnknownName {
        /// What was being named: `"mode"`, `"border"`, `"operation"`,
        /// `"method"`, `"float rounding"` ([`Rounding`](crate::Rounding)),
        /// `"rounding"` ([`Round`](crate::Round)), `"overflow"`,
        /// `"preset"`.
        what: &'static str,
        /// The name that was given.
        name: String,
        /// Every name that is accepted.
        known: Vec<&'static str>,
    },
    /// A backend name (from `str::parse` or `SIMDCONV_BACKEND`) is not one
    /// this crate knows.
    UnknownBackend {
        /// The name that was given.
        name: String,
        /// Whether the name came from the `SIMDCONV_BACKEND` variable.
        from_env: bool,
        /// The backends this CPU can run.
        available: Vec<Backend>,
    },
    /// A backend was forced (by `Filter2d::backend` or `SIMDCONV_BACKEND`)
    /// that this CPU, or this build, cannot run.
    BackendUnavailable {
        /// The backend that was asked for.
        backend: Backend,
        /// Whether it came from the `SIMDCONV_BACKEND` variable.
        from_env: bool,
        /// The backends this CPU can run.
        available: Vec<Backend>,
    },
}

fn list(backends: &[Backend]) -> String {
    let names: Vec<&str> = backends.iter().map(|b| b.name()).collect();
    names.join(", ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptyImage { rows, cols } => write!(
                f,
                "the image is empty ({rows} x {cols}): both sides must be at least 1"
            ),
            Error::EmptyKernel { rows, cols } => write!(
                f,
                "the kernel is empty ({rows} x {cols}): both sides must be at least 1"
            ),
            Error::ValidModeMismatch { image, kernel } => write!(
                f,
                "valid mode needs one input to contain the other, but the image is {} x {} \
                 and the kernel is {} x {}",
                image.0, image.1, kernel.0, kernel.1
            ),
            Error::OutputShape { expected, actual } => write!(
                f,
                "the output array is {} x {} but this call produces {} x {}",
                actual.0, actual.1, expected.0, expected.1
            ),
            Error::OutputShape3 { expected, actual } => write!(
                f,
                "the output array is {} x {} x {} but this call produces {} x {} x {}",
                actual.0, actual.1, actual.2, expected.0, expected.1, expected.2
            ),
            Error::ShapeOverflow { image, kernel } => write!(
                f,
                "a {} x {} image and a {} x {} kernel need buffers of more than \
                 isize::MAX bytes (the most one allocation can hold)",
                image.0, image.1, kernel.0, kernel.1
            ),
            Error::KernelTooLarge { rows, cols } => write!(
                f,
                "the kernel ({rows} x {cols}) needs more than isize::MAX bytes \
                 (the most one allocation can hold)"
            ),
            Error::AllocationFailed { what, bytes } => write!(
                f,
                "could not allocate {bytes} bytes ({:.1} GiB) for {what}",
                *bytes as f64 / (1u64 << 30) as f64
            ),
            Error::BadParameter { what, value, rule } => {
                write!(f, "{what} = {value} is out of range: it must be {rule}")
            }
            Error::FloatOnly { what } => {
                write!(f, "{what} needs a float element type (f32 or f64)")
            }
            Error::UnsupportedOutput {
                preset,
                input,
                output,
            } => write!(
                f,
                "the {preset} preset does not allow {input} -> {output}: choose an output \
                 type it allows (see Preset), or set the rounding and overflow rules \
                 without a preset"
            ),
            Error::BadAxis { axis, ndim } => write!(
                f,
                "axis {axis} does not exist: the array has {ndim} axes (0 to {})",
                ndim - 1
            ),
            Error::UnknownName { what, name, known } => write!(
                f,
                "{name:?} is not a {what} name (known: {})",
                known.join(", ")
            ),
            Error::UnknownBackend {
                name,
                from_env,
                available,
            } => {
                if *from_env {
                    write!(f, "SIMDCONV_BACKEND={name:?} is not a backend name")?;
                } else {
                    write!(f, "{name:?} is not a backend name")?;
                }
                write!(
                    f,
                    " (known: {}; available on this CPU: {})",
                    list(Backend::ALL),
                    list(available)
                )
            }
            Error::BackendUnavailable {
                backend,
                from_env,
                available,
            } => {
                if *from_env {
                    write!(f, "SIMDCONV_BACKEND={backend}: ")?;
                }
                write!(
                    f,
                    "the {backend} backend cannot run on this CPU or build (available: {})",
                    list(available)
                )
            }
        }
    }
}

impl std::error::Error for Error {}
