//! The opt-in separable float path: taken only for kernels that are one
//! outer product, the same bits on every backend and thread count, and
//! within its documented error bound of the exact sum.

use ndarray::{s, Array2, ShapeBuilder};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use simdconv::{Backend, Border, Element, Filter2d, Method, Mode, Rounding, Threads};

mod common;
use common::cases;

/// A float type's bits and the f64 view the bound is checked in.
trait Float: Element + std::fmt::Debug {
    const EPS: f64;
    fn f64(self) -> f64;
    fn of(v: f64) -> Self;
    fn bits(self) -> u64;
}
impl Float for f32 {
    const EPS: f64 = f32::EPSILON as f64;
    fn f64(self) -> f64 {
        self as f64
    }
    fn of(v: f64) -> Self {
        v as f32
    }
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Float for f64 {
    const EPS: f64 = f64::EPSILON;
    fn f64(self) -> f64 {
        self
    }
    fn of(v: f64) -> Self {
        v
    }
    fn bits(self) -> u64 {
        self.to_bits()
    }
}

/// `u v^T` rounded to the type, as users build separable kernels.
fn outer<T: Float>(u: &[f64], v: &[f64]) -> Array2<T> {
    Array2::from_shape_fn((u.len(), v.len()), |(i, j)| {
        T::of(u[i]).mul_add_ref(T::of(v[j]), T::zero())
    })
}

/// Checks one full-mode, zero-border correlation against the bound of
/// `Filter2d::separable`, computed in f64 (for f64 data the reference's own
/// error, at most `1.01 kh kw u` of the same sums, is added to the bound).
fn check_bound<T: Float>(image: &Array2<T>, kernel: &Array2<T>) -> Result<(), TestCaseError> {
    let (kh, kw) = kernel.dim();
    let (h, w) = image.dim();
    let filter = Filter2d::correlation(kernel)
        .unwrap()
        .method(Method::Separable);
    prop_assert_eq!(filter.low_rank_terms(), Some(1));
    let got = filter.apply(image).unwrap();
    let k = kernel.mapv(|x| x.f64());
    // The factors as the filter picks them: the largest tap's row and column.
    let (p, q) = k
        .indexed_iter()
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
        .map(|(at, _)| at)
        .unwrap();
    let pivot = k[[p, q]];
    let u: Vec<f64> = (0..kh).map(|i| T::of(k[[i, q]] / pivot).f64()).collect();
    let v: Vec<f64> = (0..kw).map(|j| k[[p, j]]).collect();
    let residual = k
        .indexed_iter()
        .map(|((i, j), x)| (x - u[i] * v[j]).abs())
        .fold(0.0, f64::max);
    prop_assert!(residual <= 4.0 * T::EPS * pivot.abs());
    let unit = T::EPS / 2.0;
    for y in 0..h + kh - 1 {
        for x in 0..w + kw - 1 {
            let (mut exact, mut s_uv, mut s_x, mut s_k) = (0.0, 0.0, 0.0, 0.0);
            for i in 0..kh {
                for j in 0..kw {
                    let (r, c) = (
                        y as isize + i as isize - (kh as isize - 1),
                        x as isize + j as isize - (kw as isize - 1),
                    );
                    if r < 0 || c < 0 || r >= h as isize || c >= w as isize {
                        continue;
                    }
                    let xv = image[[r as usize, c as usize]].f64();
                    exact += k[[i, j]] * xv;
                    s_uv += (u[i] * v[j] * xv).abs();
                    s_x += xv.abs();
                    s_k += (k[[i, j]] * xv).abs();
                }
            }
            let reference_error = if T::EPS < 1e-10 {
                1.01 * (kh * kw) as f64 * unit * s_k
            } else {
                0.0
            };
            let bound = 1.01 * (kh + kw) as f64 * unit * s_uv + residual * s_x + reference_error;
            let diff = (got[[y, x]].f64() - exact).abs();
            prop_assert!(
                diff <= bound,
                "({y}, {x}): |{} - {exact}| = {diff} > {bound}",
                got[[y, x]].f64()
            );
        }
    }
    Ok(())
}

fn vector(len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<f64>> {
    len.prop_flat_map(|n| {
        proptest::collection::vec(prop_oneof![-2.0f64..2.0, Just(0.0), Just(1.0)], n)
    })
}

fn separable_case() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>, usize, usize)> {
    (2usize..=9, 2usize..=9, 1usize..=30, 1usize..=120).prop_flat_map(|(kh, kw, h, w)| {
        (
            vector(kh..=kh),
            vector(kw..=kw),
            proptest::collection::vec(-100.0f64..100.0, h * w),
            Just(h),
            Just(w),
        )
    })
}

fn run_bound<T: Float>(n: u32) {
    let mut runner = TestRunner::new(Config {
        cases: cases(n),
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&separable_case(), |(u, v, f, h, w)| {
            let kernel: Array2<T> = outer(&u, &v);
            let is_zero = kernel.iter().all(|x| x.f64() == 0.0);
            let (kh, kw) = kernel.dim();
            if is_zero || kh * kw <= kh + kw {
                return Ok(());
            }
            let image =
                Array2::from_shape_vec((h, w), f.iter().map(|&x| T::of(x)).collect()).unwrap();
            check_bound(&image, &kernel)
        })
        .unwrap();
}

#[test]
fn f32_separable_results_are_within_the_documented_bound() {
    run_bound::<f32>(64);
}

#[test]
fn f64_separable_results_are_within_the_documented_bound() {
    run_bound::<f64>(48);
}

#[test]
fn separable_results_are_the_same_on_every_backend_and_thread_count() {
    let g: Vec<f64> = (0..7)
        .map(|i| (-((i as f64 - 3.0).powi(2)) / 4.5).exp())
        .collect();
    let h: Vec<f64> = (0..5).map(|i| 0.5 - i as f64 * 0.2).collect();
    let kernel: Array2<f32> = outer(&g, &h);
    let image = Array2::from_shape_fn((300, 260), |(y, x)| {
        ((y * 37 + x * 11) % 101) as f32 / 7.0 - 5.0
    });
    for (mode, border) in [
        (Mode::Full, Border::Constant(0.5)),
        (Mode::Same, Border::Symmetric),
        (Mode::Valid, Border::Wrap),
    ] {
        for fused in [false, true] {
            let base = Filter2d::convolution(&kernel)
                .unwrap()
                .mode(mode)
                .border(border)
                .method(Method::Separable)
                .rounding(if fused {
                    Rounding::Fused
                } else {
                    Rounding::Separate
                });
            assert_eq!(base.low_rank_terms(), Some(1));
            let reference = base
                .clone()
                .backend(Backend::Scalar)
                .threads(Threads::Single)
                .apply(&image)
                .unwrap();
            for backend in Backend::available() {
                for threads in [Threads::Single, Threads::Auto] {
                    let f = base.clone().backend(backend).threads(threads);
                    // Strided input and output views too.
                    let got = f.apply(image.slice(s![.., ..])).unwrap();
                    assert!(
                        got.iter()
                            .zip(&reference)
                            .all(|(a, b)| a.bits() == b.bits()),
                        "{backend} {mode:?} fused={fused}"
                    );
                    let t = image.t().as_standard_layout().into_owned();
                    let mut out = Array2::zeros(reference.dim().f());
                    f.apply_into(t.t(), &mut out).unwrap();
                    assert!(
                        out.iter()
                            .zip(&reference)
                            .all(|(a, b)| a.bits() == b.bits()),
                        "{backend} transposed"
                    );
                }
            }
        }
    }
}

#[test]
fn only_outer_products_are_taken_as_separable() {
    // Off by far more than rounding: not separable, the option is ignored.
    let mut k: Array2<f64> = outer(&[1.0, 2.0, 3.0], &[1.0, -1.0, 0.5]);
    let separable = Filter2d::correlation(&k).unwrap().method(Method::Separable);
    assert_eq!(separable.low_rank_terms(), Some(1));
    k[[1, 1]] += 1e-9;
    let perturbed = Filter2d::correlation(&k).unwrap().method(Method::Separable);
    assert_eq!(perturbed.low_rank_terms(), None);
    // Not without the opt-in, not for 1 x n kernels, nor with non-finite taps.
    assert_eq!(
        Filter2d::correlation(&outer::<f32>(&[1.0, 2.0], &[3.0, 4.0, 5.0]))
            .unwrap()
            .low_rank_terms(),
        None
    );
    assert_eq!(
        Filter2d::correlation(&outer::<f32>(&[1.0], &[3.0, 4.0, 5.0]))
            .unwrap()
            .method(Method::Separable)
            .low_rank_terms(),
        None
    );
    let inf = Array2::from_elem((3, 3), f32::INFINITY);
    assert_eq!(
        Filter2d::correlation(&inf)
            .unwrap()
            .method(Method::Separable)
            .low_rank_terms(),
        None
    );
    // Integer kernels keep their exact path, with or without the option.
    let ints = Array2::from_shape_fn((4, 4), |(i, j)| (i as i64 + 1) * (j as i64 - 2));
    let f = Filter2d::correlation(&ints).unwrap();
    let image = Array2::from_shape_fn((20, 30), |(y, x)| (y * 30 + x) as i64 * 0x0001_2345_6789);
    assert_eq!(
        f.clone().method(Method::Separable).apply(&image).unwrap(),
        f.clone().low_rank(false).apply(&image).unwrap()
    );
}
