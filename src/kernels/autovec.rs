//! Plain row loops, compiled once per instruction set: the conversions
//! around the row kernels (e.g. the narrow-pixel output conversion), which
//! are written as ordinary safe generic code ([`RowMap`]) in the layer
//! above and instantiated here inside `#[target_feature]` functions, so
//! that the compiler vectorises them with the backend's registers (a
//! 64-bit arithmetic shift, 8-lane `i64` minimum and a narrowing store on
//! AVX-512, where the x86-64 baseline build has only SSE2's and would keep
//! such a loop scalar).
//!
//! Nothing here changes a result: the same safe code runs on every
//! backend, only compiled with different instructions available.

use crate::backend::Backend;

/// A safe loop over one row: `dst[i]` from `src[i]`.
pub(crate) trait RowMap: Sync {
    /// The source element.
    type Src: Copy;
    /// The destination element.
    type Dst: Copy;
    /// Maps `src` into `dst` (same length; or `src` empty, for a map that
    /// rewrites `dst` in place). Implementations are
    /// `#[inline(always)]`, so they are compiled into each entry below
    /// with its instruction set.
    fn map(&self, src: &[Self::Src], dst: &mut [Self::Dst]);
}

/// A [`RowMap`] compiled for one backend.
pub(crate) type RowMapFn<M> = fn(&M, &[<M as RowMap>::Src], &mut [<M as RowMap>::Dst]);

/// `map` compiled for `backend` (the baseline build where that backend
/// needs nothing more: scalar, SSE2, NEON, WebAssembly).
pub(crate) fn select<M: RowMap>(backend: Backend) -> RowMapFn<M> {
    match backend {
        #[cfg(simdconv_avx512)]
        Backend::Avx512 => avx512::<M>,
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Avx2 => avx2::<M>,
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        Backend::Sse41 => sse41::<M>,
        _ => baseline::<M>,
    }
}

fn baseline<M: RowMap>(m: &M, src: &[M::Src], dst: &mut [M::Dst]) {
    m.map(src, dst)
}

/// Defines an entry compiling `RowMap::map` with `$feature`.
#[allow(unused_macros)]
macro_rules! entry {
    ($name:ident, $feature:literal, $backend:expr) => {
        fn $name<M: RowMap>(m: &M, src: &[M::Src], dst: &mut [M::Dst]) {
            #[target_feature(enable = $feature)]
            unsafe fn inner<M: RowMap>(m: &M, src: &[M::Src], dst: &mut [M::Dst]) {
                m.map(src, dst)
            }
            assert!(
                $backend.is_available(),
                "a row map called on a CPU without its features"
            );
            // SAFETY: the backend is available, so the CPU has every
            // feature in `$feature`; `map` itself is safe code.
            unsafe { inner(m, src, dst) }
        }
    };
}

#[cfg(simdconv_avx512)]
entry!(
    avx512,
    "avx512f,avx512dq,avx512bw,avx512vl",
    Backend::Avx512
);
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
entry!(avx2, "avx2", Backend::Avx2);
#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
entry!(sse41, "sse4.1", Backend::Sse41);

#[cfg(test)]
mod tests {
    use super::*;

    struct Halve;

    impl RowMap for Halve {
        type Src = i64;
        type Dst = u8;
        #[inline(always)]
        fn map(&self, src: &[i64], dst: &mut [u8]) {
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = (s >> 1).clamp(0, 255) as u8;
            }
        }
    }

    #[test]
    fn every_backend_runs_the_same_loop() {
        let src: Vec<i64> = (-300..700).collect();
        let mut want = vec![0u8; src.len()];
        Halve.map(&src, &mut want);
        for backend in Backend::available() {
            let mut got = vec![0u8; src.len()];
            select::<Halve>(backend)(&Halve, &src, &mut got);
            assert_eq!(got, want, "{backend}");
        }
    }
}
