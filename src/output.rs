//! The output arrays that `apply` allocates.
//!
//! A fresh large allocation is mapped lazily: its first write to each page
//! faults, and with 4 KiB pages a 4096 x 4096 `f32` output takes 16,400
//! faults, which cost more than the convolution itself (`docs/TUNING.md`,
//! "Scratch and output pages"). On
//! Linux, large outputs therefore ask for transparent huge pages
//! (`madvise(MADV_HUGEPAGE)`, honoured when THP is `always` or `madvise`),
//! so the same output takes about 32 faults of 2 MiB. Nothing else
//! changes: the array is an ordinary zero-filled `Array2`.

use ndarray::{Array, Array2, Dimension};

use crate::error::Error;

/// Outputs of at least this many bytes ask for huge pages.
#[cfg(all(target_os = "linux", not(miri)))]
const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

/// A zero-filled array of `shape` for `apply` to write into, or
/// [`Error::AllocationFailed`] if the system refuses its memory. (Probed
/// fallibly, then allocated zeroed: large zeroed buffers come from fresh
/// pages that cost nothing until written.)
pub(crate) fn zeroed<T: Copy + Default>(shape: (usize, usize)) -> Result<Array2<T>, Error> {
    zeroed_dim(ndarray::Ix2(shape.0, shape.1))
}

/// [`zeroed`] of any dimension (colour images are 3-D).
pub(crate) fn zeroed_dim<T: Copy + Default, D: Dimension>(dim: D) -> Result<Array<T, D>, Error> {
    let n = dim.size_checked().unwrap_or(usize::MAX);
    crate::alloc::probe::<T>(n, "the output")?;
    let out = Array::from_elem(dim, T::default());
    if let Some(buf) = out.as_slice_memory_order() {
        advise_huge_pages(buf);
    }
    Ok(out)
}

/// Asks the kernel to back the whole pages inside `buf` with huge pages.
/// The advice is only a hint: failure (THP off, an old kernel) changes
/// nothing but speed, so it is ignored. (Not under Miri, which has no
/// `madvise`.)
#[cfg(all(target_os = "linux", not(miri)))]
fn advise_huge_pages<T>(buf: &[T]) {
    let bytes = core::mem::size_of_val(buf);
    if bytes < HUGE_PAGE_MIN_BYTES {
        return;
    }
    // SAFETY: sysconf has no preconditions; it reads a constant.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    let Ok(page) = usize::try_from(page) else {
        return;
    };
    if !page.is_power_of_two() {
        return;
    }
    let first = buf.as_ptr() as usize;
    let start = first.next_multiple_of(page);
    let end = (first + bytes) & !(page - 1);
    if end > start {
        // SAFETY: [start, end) is a page-aligned range inside `buf`, memory
        // this process owns. MADV_HUGEPAGE changes only how the kernel backs
        // those pages, never their contents or whether they are mapped, so
        // `buf` stays valid and initialised whatever the call returns.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(all(target_os = "linux", not(miri))))]
fn advise_huge_pages<T>(_buf: &[T]) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_zero_filled_whatever_their_size() {
        let small: Array2<f32> = zeroed((3, 5)).unwrap();
        assert!(small.iter().all(|&x| x.to_bits() == 0));
        // Above the huge-page threshold (smaller under Miri, where it is slow
        // and the advice is compiled out).
        let shape = if cfg!(miri) { (30, 20) } else { (1100, 1000) };
        let large: Array2<i64> = zeroed(shape).unwrap();
        assert_eq!(large.dim(), shape);
        assert!(large.iter().all(|&x| x == 0));
        let empty: Array2<f64> = zeroed((0, 7)).unwrap();
        assert!(empty.is_empty());
    }
}
