//! Fallible allocation: every buffer whose size follows from the caller's
//! shapes (the output, the kernel's taps, the pipeline's scratch) is asked
//! for with `try_reserve`, so a request the system refuses is an
//! [`Error::AllocationFailed`] naming the size, never an abort of the
//! process ("memory allocation failed" and SIGABRT are what an infallible
//! `Vec` does).

use crate::error::Error;

/// The bytes of `n` elements of `T`, saturating.
fn bytes_of<T>(n: usize) -> usize {
    n.saturating_mul(core::mem::size_of::<T>())
}

/// An empty `Vec` with room for exactly `n` elements, or the error.
pub(crate) fn with_capacity<T>(n: usize, what: &'static str) -> Result<Vec<T>, Error> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Error::AllocationFailed {
            what,
            bytes: bytes_of::<T>(n),
        })?;
    Ok(v)
}

/// Buffers below this size are not probed: an allocator that refuses a few
/// megabytes leaves the process nothing to recover with, and the probe's
/// allocation and free measurably slowed tiny calls (the seed's 100 x 100
/// `apply`: 0.031 -> 0.041 ms, its output freshly zeroed twice over).
const PROBE_MIN_BYTES: usize = 16 << 20;

/// Whether `n` elements of `T` can be allocated now (for at least
/// [`PROBE_MIN_BYTES`]; smaller sizes are taken as available): asks for
/// them and gives them back. For buffers built by code that allocates infallibly
/// but better (a zeroed output comes from `calloc`, whose untouched pages
/// cost nothing, where a fallible `Vec` would have to write every zero),
/// and for the scratch each task of a call allocates: a probe, not a
/// reservation, so memory taken by someone else in between can still
/// fail later, but any size the system refuses outright is an `Err`.
pub(crate) fn probe<T>(n: usize, what: &'static str) -> Result<(), Error> {
    if bytes_of::<T>(n) < PROBE_MIN_BYTES {
        return Ok(());
    }
    with_capacity::<T>(n, what).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_sizes_are_errors_naming_the_bytes() {
        // More than isize::MAX bytes: refused before any system call.
        let err = with_capacity::<u64>(usize::MAX / 4, "the test").unwrap_err();
        assert_eq!(
            err,
            Error::AllocationFailed {
                what: "the test",
                bytes: usize::MAX
            }
        );
        assert!(err.to_string().starts_with("could not allocate"), "{err}");
        assert!(probe::<u8>(1 << 10, "a small buffer").is_ok());
        assert_eq!(with_capacity::<i32>(7, "x").unwrap().capacity(), 7);
    }
}
