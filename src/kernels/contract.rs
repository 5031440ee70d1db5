//! The row-kernel contract every backend implements: the function type,
//! the slack after each padded row, and the check made once per block at
//! a kernel's edge so its inner loop needs none.
//!
//! A [`RowKernel`] computes a block of consecutive output rows:
//!
//! ```text
//! out[y][x] = sum over i in 0..kh, j in 0..kw of taps[i * kw + j] * rows[y + i][x + j]
//! ```
//!
//! for `y in 0..out.len()` and `x in 0..width`, where `width` is the length
//! of every output row and `rows.len() == out.len() + kh - 1`. `taps` is the
//! *effective* kernel (already flipped for convolution), packed once as a
//! [`Taps`]. The rows are padded input rows: the border has already been
//! applied, so a kernel never tests a border and never walks a stride.
//!
//! The accumulation order is the definition of the results' bits: for each
//! output, `acc = 0`, then `acc = acc + taps[t] * x_t` for `t = 0, 1, ...`
//! in row-major tap order (kernel rows top to bottom, taps left to right),
//! every product rounded before its sum, integers wrapping. Every backend
//! reproduces this exactly.
//!
//! Every input row holds at least `width + kw - 1 + ROW_SLACK` elements: a
//! vector kernel may load whole vectors past the last sample it needs, and
//! whatever it finds there only reaches outputs it does not store.

use super::taps::Taps;

/// Elements of slack after each padded row: the widest vector's lanes
/// (32 `i16` in a 512-bit register; every kernel asserts its own fits).
pub(crate) const ROW_SLACK: usize = 32;

/// Computes `out.len()` output rows from `out.len() + kh - 1` padded rows
/// (see the module documentation for the exact contract).
pub type RowKernel<T> = fn(rows: &[&[T]], taps: &Taps<T>, out: &mut [&mut [T]]);

/// Checks the contract at a kernel's edge, so its inner loop needs no
/// checks; returns the output width. A violation is a bug in the pipeline.
#[inline]
pub(crate) fn check_block<T>(rows: &[&[T]], taps: &Taps<T>, out: &[&mut [T]]) -> usize {
    let (kh, kw) = (taps.rows(), taps.cols());
    assert!(
        !out.is_empty() && kh > 0 && kw > 0,
        "row kernel: empty block"
    );
    assert_eq!(
        rows.len(),
        out.len() + kh - 1,
        "row kernel: input row count"
    );
    let width = out[0].len();
    assert!(
        out.iter().all(|o| o.len() == width),
        "row kernel: ragged output"
    );
    let need = width + kw - 1 + ROW_SLACK;
    assert!(
        rows.iter().all(|r| r.len() >= need),
        "row kernel: short input row"
    );
    width
}
