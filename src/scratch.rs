//! Scratch buffers kept per thread between calls.
//!
//! A call's scratch (the ring of padded rows, the low-rank column rows, a
//! band for strided outputs) is allocated at the start and freed at the
//! end. For small images that is most of the heap traffic of a call, and
//! glibc hands freed memory at the top of the heap back to the kernel once
//! more than 128 KiB is free there, so the next call faults the same pages
//! in again, which nearly doubled the seed's 100 x 100 `i64` call
//! (`docs/TUNING.md`, "Scratch and output pages"). Buffers taken here go back to a small
//! per-thread cache when dropped instead, so repeated calls on one thread
//! (or on one rayon worker) reuse them.
//!
//! The cache is bounded: at most [`MAX_BUFFERS`] buffers and
//! [`MAX_CACHED_BYTES`] per thread; a buffer that would not fit is freed as
//! usual. A buffer comes out either filled with the value asked for
//! ([`Scratch::filled`]) or, for scratch that is always written before it
//! matters, holding whatever initialised values it last held
//! ([`Scratch::reused`]).

use std::any::Any;
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};

/// The most buffers one thread keeps.
const MAX_BUFFERS: usize = 8;

/// The most bytes of buffers one thread keeps (a 4096-column `f64` ring for a
/// 9-row kernel is about 1 MiB). Smaller under Miri, where the tests fill
/// buffers of about this size element by element.
const MAX_CACHED_BYTES: usize = if cfg!(miri) { 64 << 10 } else { 8 << 20 };

/// A cached buffer: its capacity in bytes, and the `Vec<T>` itself.
struct Cached {
    bytes: usize,
    vec: Box<dyn Any>,
}

thread_local! {
    static CACHE: RefCell<Vec<Cached>> = const { RefCell::new(Vec::new()) };
}

/// A `Vec<T>` of scratch that returns to this thread's cache when dropped.
pub(crate) struct Scratch<T: 'static> {
    vec: Vec<T>,
}

impl<T: Copy + 'static> Scratch<T> {
    /// `len` copies of `value`, in a cached buffer if this thread has one
    /// of type `T` (the smallest that holds `len`, else any, grown).
    pub(crate) fn filled(len: usize, value: T) -> Self {
        let mut vec = take::<T>(len).unwrap_or_default();
        vec.clear();
        vec.resize(len, value);
        Scratch { vec }
    }

    /// `len` initialised elements in a cached buffer, without refilling
    /// what a previous call left in it: only elements beyond its old length
    /// are set to `value`. For scratch whose every element is written before
    /// it is read into a stored output (the ring, the low-rank column rows:
    /// what is never written reaches only outputs a kernel does not store),
    /// where refilling a 96-row ring cost a 3 x 3 two-thread call 7%.
    pub(crate) fn reused(len: usize, value: T) -> Self {
        let mut vec = take::<T>(len).unwrap_or_default();
        vec.truncate(len);
        vec.resize(len, value);
        Scratch { vec }
    }

    /// An empty buffer (grown later with [`Vec::resize`]).
    pub(crate) fn empty() -> Self {
        let mut vec = take::<T>(0).unwrap_or_default();
        vec.clear();
        Scratch { vec }
    }
}

/// Takes this thread's cached `Vec<T>` best suited to `len` elements.
fn take<T: 'static>(len: usize) -> Option<Vec<T>> {
    CACHE
        .try_with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            let fits = |c: &Cached| c.vec.downcast_ref::<Vec<T>>().map(|v| v.capacity());
            let best = cache
                .iter()
                .enumerate()
                .filter_map(|(i, c)| fits(c).map(|cap| (i, cap)))
                // The smallest that holds len; failing that the largest.
                .min_by_key(|&(_, cap)| {
                    (cap < len, if cap >= len { cap } else { usize::MAX - cap })
                })?
                .0;
            let cached = cache.swap_remove(best);
            cached.vec.downcast::<Vec<T>>().ok().map(|v| *v)
        })
        .ok()
        .flatten()
}

impl<T: 'static> Drop for Scratch<T> {
    fn drop(&mut self) {
        let vec = core::mem::take(&mut self.vec);
        let bytes = vec.capacity() * core::mem::size_of::<T>();
        if bytes == 0 || bytes > MAX_CACHED_BYTES {
            return;
        }
        // During thread teardown the cache may be gone: the buffer is then
        // simply freed.
        let _ = CACHE.try_with(|cache| {
            let Ok(mut cache) = cache.try_borrow_mut() else {
                return;
            };
            // Make room: drop the oldest buffers first.
            let mut total: usize = cache.iter().map(|c| c.bytes).sum();
            while !cache.is_empty()
                && (cache.len() >= MAX_BUFFERS || total + bytes > MAX_CACHED_BYTES)
            {
                total -= cache.remove(0).bytes;
            }
            cache.push(Cached {
                bytes,
                vec: Box::new(vec),
            });
        });
    }
}

impl<T: 'static> Deref for Scratch<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.vec
    }
}

impl<T: 'static> DerefMut for Scratch<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.vec
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached() -> (usize, usize) {
        CACHE.with(|c| {
            let c = c.borrow();
            (c.len(), c.iter().map(|c| c.bytes).sum())
        })
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "needs a thread with a fresh cache: WebAssembly has no threads"
    )]
    fn buffers_come_back_filled_and_are_reused() {
        std::thread::spawn(|| {
            let mut a = Scratch::filled(1000, 7i64);
            assert!(a.iter().all(|&x| x == 7));
            a[3] = -1;
            let ptr = a.as_ptr();
            drop(a);
            assert_eq!(cached().0, 1);
            // Same type, no larger: the same allocation, refilled.
            let b = Scratch::filled(500, 0i64);
            assert_eq!(b.as_ptr(), ptr);
            assert_eq!(b.len(), 500);
            assert!(b.iter().all(|&x| x == 0));
            // Another type never gets it.
            let c = Scratch::filled(10, 1.5f32);
            assert_ne!(c.as_ptr() as usize, ptr as usize);
            assert!(c.iter().all(|&x| x == 1.5));
            drop((b, c));
            assert_eq!(cached().0, 2);
            // Grown when too small.
            let d = Scratch::filled(5000, 2i64);
            assert_eq!(d.len(), 5000);
            assert!(d.iter().all(|&x| x == 2));
            drop(d);
            // Reused: the old contents stay, only new elements are filled.
            let mut e = Scratch::reused(3000, 9i64);
            assert!(e.iter().all(|&x| x == 2));
            e.fill(4);
            drop(e);
            let f = Scratch::reused(6000, 9i64);
            assert!(f[..3000].iter().all(|&x| x == 4));
            assert!(f[3000..].iter().all(|&x| x == 9));
        })
        .join()
        .unwrap();
    }

    #[test]
    #[cfg_attr(
        target_arch = "wasm32",
        ignore = "needs a thread with a fresh cache: WebAssembly has no threads"
    )]
    fn the_cache_stays_bounded() {
        std::thread::spawn(|| {
            let many: Vec<Scratch<u8>> = (0..3 * MAX_BUFFERS)
                .map(|_| Scratch::filled(64, 0))
                .collect();
            drop(many);
            assert_eq!(cached().0, MAX_BUFFERS);
            let big = Scratch::filled(MAX_CACHED_BYTES / 2 + 1, 0u8);
            let big2 = Scratch::filled(MAX_CACHED_BYTES / 2 + 1, 0u8);
            drop((big, big2));
            assert!(cached().1 <= MAX_CACHED_BYTES);
            // Larger than the whole cache: freed, not kept.
            drop(Scratch::filled(MAX_CACHED_BYTES + 1, 0u8));
            assert!(cached().1 <= MAX_CACHED_BYTES);
            let empty = Scratch::<f64>::empty();
            assert!(empty.is_empty());
        })
        .join()
        .unwrap();
    }
}
