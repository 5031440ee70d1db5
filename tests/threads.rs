#![cfg(feature = "rayon")]
//! Threaded calls give the single-threaded result bit for bit, for every
//! element type, backend, mode and pool size.

use std::sync::Arc;

use ndarray::{s, Array2};
use simdconv::{Backend, Border, Element, Filter2d, Mode, Threads};

fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 11
}

fn same_bits<T: Element>(a: &Array2<T>, b: &Array2<T>) -> bool {
    // Compare through Debug so NaN payloads and signed zeros count: the
    // inputs here are finite, so every output is too.
    a.dim() == b.dim()
        && a.iter()
            .zip(b)
            .all(|(x, y)| format!("{x:?}") == format!("{y:?}"))
}

fn check<T: Element>(make: impl Fn(u64) -> T) {
    let mut state = 7u64;
    // Large enough to be split (well over the parallel threshold), with an
    // odd height so the bands are uneven.
    let image = Array2::from_shape_fn((201, 181), |_| make(lcg(&mut state)));
    let kernel = Array2::from_shape_fn((9, 9), |_| make(lcg(&mut state)));
    let pools: Vec<Threads> = [2, 3]
        .into_iter()
        .map(|n| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap();
            Threads::Pool(Arc::new(pool))
        })
        .chain([Threads::Auto])
        .collect();
    for backend in Backend::available() {
        for mode in [Mode::Full, Mode::Same, Mode::Valid] {
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
                assert!(same_bits(&out, &single), "{backend} {mode:?} {threads:?}");
                // A strided output and a transposed input, threaded.
                let (h, w) = single.dim();
                let mut big = Array2::from_elem((2 * h, w), T::zero());
                threaded
                    .apply_into(image.view(), big.slice_mut(s![..;2, ..]))
                    .unwrap();
                assert!(same_bits(&big.slice(s![..;2, ..]).to_owned(), &single));
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
