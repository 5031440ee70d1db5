//! # simdconv
//!
//! Fast 2D convolution and correlation of [`ndarray`] arrays, with the
//! semantics of `scipy.signal.convolve2d` / `correlate2d`, SIMD row kernels
//! chosen at run time from the CPU's features, and results that are
//! bit-identical to a plain scalar reference on every backend.
//!
//! ```
//! use ndarray::array;
//! use simdconv::{convolve2d, Border, Filter2d, Mode};
//!
//! let image = array![[1i64, 2, 3], [4, 5, 6], [7, 8, 9]];
//! let kernel = array![[1i64, 0], [0, -1]];
//!
//! // The seed's operation: full convolution, zero border.
//! let full = convolve2d(&image, &kernel)?;
//! assert_eq!(full.dim(), (4, 4));
//!
//! // A prepared filter: packed once, applied to many images.
//! let filter = Filter2d::convolution(&kernel)?
//!     .mode(Mode::Same)
//!     .border(Border::Symmetric);
//! let same = filter.apply(&image)?;
//! assert_eq!(same.dim(), (3, 3));
//! # Ok::<(), simdconv::Error>(())
//! ```
//!
//! See [`Filter2d`] for the exact formula and order of operations, [`Mode`]
//! and [`Border`] for SciPy's modes and borders, and [`Backend`] for
//! dispatch and how to force an implementation.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod backend;
mod border;
mod element;
mod error;
mod filter;
mod geometry;
mod kernels;
mod lowrank;
mod pipeline;
mod threads;

pub use backend::{Backend, BACKEND_ENV};
pub use border::Border;
pub use element::Element;
pub use error::Error;
pub use filter::{convolve2d, correlate2d, Filter2d};
pub use geometry::{Mode, Operation};
pub use threads::Threads;

/// The README's code examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
