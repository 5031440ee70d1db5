//! The opt-in fused multiply-add mode: identical bits on every backend, and
//! within its documented error bound of the exact sum.

use approx::abs_diff_eq;
use ndarray::Array2;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use simdconv::{Backend, Border, Filter2d, Mode, Operation, Rounding};

mod common;
use common::{cases, Rng};

/// Each output of a full correlation with a zero border, summed exactly
/// enough: f32 products are exact in f64, and the f64 sum's own error is
/// far below the f32 bound. Returns (sum, sum of absolute terms).
fn exact_f32(f: &Array2<f32>, g: &Array2<f32>) -> Array2<(f64, f64)> {
    let (h, w) = f.dim();
    let (kh, kw) = g.dim();
    Array2::from_shape_fn((h + kh - 1, w + kw - 1), |(y, x)| {
        let (mut sum, mut abs) = (0.0f64, 0.0f64);
        for i in 0..kh {
            for j in 0..kw {
                let (r, c) = (y + i, x + j);
                if r >= kh - 1 && c >= kw - 1 && r - (kh - 1) < h && c - (kw - 1) < w {
                    // black_box keeps this an f64 x f64 multiply: QEMU 7.2 gets
                    // s390x's fused f32 x f32 -> f64 multiply (MDEBR) wrong.
                    let k = std::hint::black_box(f64::from(g[[i, j]]));
                    let x = std::hint::black_box(f64::from(f[[r - (kh - 1), c - (kw - 1)]]));
                    let term = k * x;
                    sum += term;
                    abs += term.abs();
                }
            }
        }
        (sum, abs)
    })
}

fn image(values: Vec<f32>, rows: usize) -> Array2<f32> {
    let rows = rows.min(values.len());
    let cols = values.len() / rows;
    Array2::from_shape_vec((rows, cols), values[..rows * cols].to_vec()).unwrap()
}

#[test]
fn fused_f32_is_bit_identical_on_every_backend_and_within_its_bound() {
    let mut runner = TestRunner::new(Config {
        cases: cases(128),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        1usize..=20,
        proptest::collection::vec(-100f32..100f32, 1..=600),
        1usize..=11,
        proptest::collection::vec(-2f32..2f32, 1..=121),
    );
    runner
        .run(&strategy, |(rows, f, krows, g)| {
            let f = image(f, rows);
            let g = image(g, krows);
            let exact = exact_f32(&f, &g);
            let n = g.len() as f64;
            let (u, eta) = (2f64.powi(-24), 2f64.powi(-149));
            let base = Filter2d::correlation(&g).unwrap().rounding(Rounding::Fused);
            let reference = base.clone().backend(Backend::Scalar).apply(&f).unwrap();
            for backend in Backend::available() {
                let out = base.clone().backend(backend).apply(&f).unwrap();
                let same = out
                    .iter()
                    .zip(&reference)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                prop_assert!(
                    same,
                    "{backend}: fused results differ from the scalar fused reference"
                );
            }
            let plain = Filter2d::correlation(&g).unwrap().apply(&f).unwrap();
            for ((fused, plain), &(sum, abs)) in reference.iter().zip(&plain).zip(&exact) {
                let bound = 2.0 * (n + 1.0) * u * abs + 2.0 * n * eta;
                prop_assert!(abs_diff_eq!(f64::from(*fused), sum, epsilon = bound));
                prop_assert!(abs_diff_eq!(f64::from(*plain), sum, epsilon = bound));
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fused_f64_is_bit_identical_on_every_backend() {
    let mut rng = Rng::new(99);
    let mut next = || rng.unit();
    for (h, w, kh, kw) in [
        (37, 53, 9, 9),
        (5, 130, 3, 7),
        (64, 64, 31, 31),
        (3, 3, 5, 4),
    ] {
        let f = Array2::from_shape_fn((h, w), |_| next() * 1e3);
        let g = Array2::from_shape_fn((kh, kw), |_| next());
        for mode in [Mode::Full, Mode::Same, Mode::Valid] {
            let base = Filter2d::new(g.view(), Operation::Convolution)
                .unwrap()
                .mode(mode)
                .border(Border::Wrap)
                .rounding(Rounding::Fused);
            let reference = base.clone().backend(Backend::Scalar).apply(&f).unwrap();
            for backend in Backend::available() {
                let out = base.clone().backend(backend).apply(&f).unwrap();
                assert!(
                    out.iter()
                        .zip(&reference)
                        .all(|(a, b)| a.to_bits() == b.to_bits()),
                    "{backend} {mode:?} {h}x{w} k{kh}x{kw}"
                );
            }
        }
    }
}

#[test]
fn fused_mode_keeps_nan_and_ignores_integers() {
    let f = Array2::from_shape_fn((6, 6), |(i, j)| if i == j { f32::INFINITY } else { 1.0 });
    let g = Array2::from_shape_fn((3, 3), |(i, _)| i as f32); // zero taps meet inf
    let plain = Filter2d::convolution(&g).unwrap().apply(&f).unwrap();
    let fused = Filter2d::convolution(&g)
        .unwrap()
        .rounding(Rounding::Fused)
        .apply(&f)
        .unwrap();
    for (a, b) in plain.iter().zip(&fused) {
        assert_eq!(a.is_nan(), b.is_nan());
    }
    let fi = Array2::from_shape_fn((9, 9), |(i, j)| {
        ((i * 9 + j) as i64).wrapping_mul(i64::MAX / 7)
    });
    let gi = Array2::from_shape_fn((4, 4), |(i, j)| (i as i64 - j as i64) * 3);
    assert_eq!(
        Filter2d::convolution(&gi)
            .unwrap()
            .rounding(Rounding::Fused)
            .apply(&fi)
            .unwrap(),
        Filter2d::convolution(&gi).unwrap().apply(&fi).unwrap()
    );
}
