//! The Rust side of python/bench/bench.py: the same calls as the Python
//! benchmark, timed in Rust, so that the binding's overhead per call is
//! the difference of two medians taken on the same machine.
//!
//! `cargo run --release -p simdconv-python --example rust_timing`
//! prints one line per workload: `name median_seconds runs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ndarray::Array2;
use simdconv::{convolve2d, Filter2d, Threads};

/// Median of `runs` timed calls (after one warm-up call), or of as many as
/// fit in about `budget` seconds, at least 5.
fn median<F: FnMut()>(mut call: F, budget: f64) -> (f64, usize) {
    call();
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5
        || (start.elapsed() < Duration::from_secs_f64(budget) && times.len() < 100_001)
    {
        let t0 = Instant::now();
        call();
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], times.len())
}

fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

fn main() {
    let mut s = 1u64;
    let seed_kernel = Array2::from_shape_fn((9, 9), |(i, j)| (9 * i + j) as i64);
    let f32_kernel = Array2::from_shape_fn((9, 9), |_| (lcg(&mut s) % 2001) as f32 / 1000.0 - 1.0);
    let ints =
        |n: usize, s: &mut u64| Array2::from_shape_fn((n, n), |_| (lcg(s) % 2001) as i64 - 1000);
    let floats = |n: usize, s: &mut u64| {
        Array2::from_shape_fn((n, n), |_| (lcg(s) % 2001) as f32 / 1000.0 - 1.0)
    };

    let tiny = Array2::<f64>::ones((1, 1));
    let (t, n) = median(|| drop(black_box(convolve2d(&tiny, &tiny).unwrap())), 1.0);
    println!("f64_1x1_1x1 {t:.9} {n}");

    let f = ints(100, &mut s);
    let (t, n) = median(
        || drop(black_box(convolve2d(&f, &seed_kernel).unwrap())),
        1.0,
    );
    println!("i64_100_9x9 {t:.9} {n}");
    let single = Filter2d::convolution(&seed_kernel)
        .unwrap()
        .threads(Threads::Single);
    let (t, n) = median(|| drop(black_box(single.apply(&f).unwrap())), 1.0);
    println!("i64_100_9x9_prepared_1t {t:.9} {n}");

    let f = ints(1000, &mut s);
    let (t, n) = median(
        || drop(black_box(convolve2d(&f, &seed_kernel).unwrap())),
        2.0,
    );
    println!("i64_1000_9x9 {t:.9} {n}");

    let f = floats(1000, &mut s);
    let (t, n) = median(
        || drop(black_box(convolve2d(&f, &f32_kernel).unwrap())),
        2.0,
    );
    println!("f32_1000_9x9 {t:.9} {n}");
    let single = Filter2d::convolution(&f32_kernel)
        .unwrap()
        .threads(Threads::Single);
    let (t, n) = median(|| drop(black_box(single.apply(&f).unwrap())), 2.0);
    println!("f32_1000_9x9_prepared_1t {t:.9} {n}");

    let f = floats(4096, &mut s);
    let (t, n) = median(
        || drop(black_box(convolve2d(&f, &f32_kernel).unwrap())),
        3.0,
    );
    println!("f32_4096_9x9 {t:.9} {n}");
}
