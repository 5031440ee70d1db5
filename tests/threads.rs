#![cfg(feature = "rayon")]
//! Threaded calls give the single-threaded result bit for bit, for every
//! element type, backend, mode and pool size.

use std::sync::Arc;

use ndarray::{s, Array2};
use simdconv::{Backend, Border, Filter2d, Threads};

mod common;
use common::{first_difference, Bits, Rng, MODES};

fn check<T: Bits>(make: impl Fn(u64) -> T) {
    let mut rng = Rng::new(7);
    // Large enough to be split (well over the parallel threshold), with an
    // odd height so the bands are uneven.
    let image = Array2::from_shape_fn((201, 181), |_| make(rng.next() >> 11));
    let kernel = Array2::from_shape_fn((9, 9), |_| make(rng.next() >> 11));
    // WebAssembly has no threads (a pool cannot be built there): only
    // `Auto` runs, on the calling thread (see the last test).
    let sizes: &[usize] = if cfg!(target_arch = "wasm32") {
        &[]
    } else {
        &[2, 3]
    };
    let pools: Vec<Threads> = sizes
        .iter()
        .map(|&n| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap();
            Threads::Pool(Arc::new(pool))
        })
        .chain([Threads::Auto])
        .collect();
    for backend in Backend::available() {
        for mode in MODES {
            let filter = Filter2d::convolution(&kernel)
                .unwrap()
                .mode(mode)
                .border(Border::Mirror)
                .backend(backend);
            let single = filter
                .clone()
                .threads(Threads::Single)
                .apply(&image)
                .unwrap();
            for threads in &pools {
                let threaded = filter.clone().threads(threads.clone());
                let out = threaded.apply(&image).unwrap();
                assert_eq!(
                    first_difference(out.view(), single.view()),
                    None,
                    "{backend} {mode:?} {threads:?}"
                );
                // A strided output and a transposed input, threaded.
                let (h, w) = single.dim();
                let mut big = Array2::from_elem((2 * h, w), T::zero());
                threaded
                    .apply_into(image.view(), big.slice_mut(s![..;2, ..]))
                    .unwrap();
                assert_eq!(
                    first_difference(big.slice(s![..;2, ..]), single.view()),
                    None
                );
            }
        }
    }
}

#[test]
fn f32_threads_are_bit_identical() {
    check(|r| (r % 20001) as f32 / 997.0 - 10.0);
}

#[test]
fn f64_threads_are_bit_identical() {
    check(|r| (r % 2_000_001) as f64 / 99_991.0 - 10.0);
}

#[test]
fn i32_threads_are_bit_identical_with_overflow() {
    check(|r| r as i32);
}

#[test]
fn i64_threads_are_bit_identical_with_overflow() {
    check(|r| (r << 11) as i64 ^ r as i64);
}

/// WebAssembly (WASI, and the browser without its threads proposal) cannot
/// spawn a thread: rayon's global pool then runs on the calling thread, so
/// `Threads::Auto` is single-threaded there, and building a pool fails.
#[test]
#[cfg(target_arch = "wasm32")]
fn auto_runs_on_the_calling_thread_on_webassembly() {
    let kernel = Array2::from_elem((9, 9), 1.0f32);
    let image = Array2::from_elem((300, 300), 1.0f32);
    let auto = Filter2d::convolution(&kernel)
        .unwrap()
        .apply(&image)
        .unwrap();
    assert_eq!(auto[[150, 150]], 81.0);
    assert_eq!(rayon::current_num_threads(), 1);
    assert!(rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .is_err());
}
