//! Filters built from 1-D kernels: separable filters against the 2-D filter
//! of their outer product (equal for integers, within the documented bound
//! for floats) on every backend, thread count, mode and border; the
//! Gaussian preset and the 1-D filters against checked-in scipy.ndimage
//! outputs (tools/vectors/gaussian.py).

use std::path::PathBuf;

use ndarray::{Array2, Axis};
use ndarray_npy::read_npy;
use simdconv::{Backend, Border, Filter2d, Method, Mode, Operation, Threads};

mod common;
use common::{borders, first_difference, Bits, Rng, MODES, OPERATIONS};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gaussian")
        .join(name)
}

/// The image tools/vectors/gaussian.py filters (computed in f64, then
/// rounded to the type as NumPy's `astype` does).
fn scipy_image<T>(cast: fn(f64) -> T) -> Array2<T> {
    Array2::from_shape_fn((23, 31), |(y, x)| {
        cast(((37 * y + 11 * x) % 97) as f64 / 7.0 - 5.0)
    })
}

#[test]
fn integer_separable_filters_equal_the_outer_product_on_every_backend() {
    let mut rng = Rng::new(3);
    for &(kh, kw) in &[(1, 1), (3, 3), (2, 5), (9, 1), (1, 8), (7, 4), (13, 13)] {
        let column: Vec<i32> = (0..kh).map(|_| rng.next() as i32).collect();
        let row: Vec<i32> = (0..kw).map(|_| (rng.below(11) as i32) - 5).collect();
        let outer = Array2::from_shape_fn((kh, kw), |(i, j)| column[i].wrapping_mul(row[j]));
        let image = Array2::from_shape_fn((17, 29), |_| rng.next() as i32);
        for op in OPERATIONS {
            let separable = Filter2d::separable_new(&column, &row, op).unwrap();
            assert_eq!(separable.settings().method, Method::Separable);
            let direct = Filter2d::new(&outer, op).unwrap();
            for mode in MODES {
                for border in borders(-7) {
                    for backend in Backend::available() {
                        let set = |f: &Filter2d<i32>| {
                            f.clone().mode(mode).border(border).backend(backend)
                        };
                        let a = set(&separable).apply(&image);
                        let b = set(&direct).apply(&image);
                        match (a, b) {
                            (Ok(a), Ok(b)) => assert_eq!(
                                first_difference(a.view(), b.view()),
                                None,
                                "{backend} {op:?} {mode:?} {border:?} {kh}x{kw}"
                            ),
                            (a, b) => assert_eq!(a.is_err(), b.is_err()),
                        }
                    }
                }
            }
        }
    }
}

/// Float separable filters give one set of bits on every backend and
/// thread count, and stay within the documented bound of the exact sum.
fn floats_agree_and_stay_in_bound<T: Bits + From<f32> + Into<f64>>(eps: f64) {
    let mut rng = Rng::new(11);
    for &(kh, kw) in &[(3, 3), (5, 2), (1, 9), (13, 13)] {
        let column: Vec<T> = (0..kh).map(|_| T::from(rng.unit() as f32)).collect();
        let row: Vec<T> = (0..kw).map(|_| T::from(rng.unit() as f32)).collect();
        let image = Array2::from_shape_fn((40, 70), |_| T::from((rng.unit() * 100.0) as f32));
        let filter = Filter2d::separable_correlation(&column, &row)
            .unwrap()
            .mode(Mode::Same)
            .border(Border::Mirror);
        let reference = filter
            .clone()
            .backend(Backend::Scalar)
            .threads(Threads::Single)
            .apply(&image)
            .unwrap();
        for backend in Backend::available() {
            for threads in [Threads::Single, Threads::Auto] {
                let out = filter
                    .clone()
                    .backend(backend)
                    .threads(threads)
                    .apply(&image)
                    .unwrap();
                assert_eq!(
                    first_difference(out.view(), reference.view()),
                    None,
                    "{backend}"
                );
            }
        }
        // The bound: exact sums in f64 (f32 products are exact there; for
        // f64 the exact sum's own error is far below the bound's slack).
        let (c, r): (Vec<f64>, Vec<f64>) = (
            column.iter().map(|&v| v.into()).collect(),
            row.iter().map(|&v| v.into()).collect(),
        );
        let (h, w) = image.dim();
        let at = |y: isize, x: isize| -> f64 {
            let m = |i: isize, n: usize| Border::<f64>::Mirror.source_index(i, n).unwrap();
            image[[m(y, h), m(x, w)]].into()
        };
        let u = eps / 2.0;
        for y in 0..h {
            for x in 0..w {
                let (mut exact, mut s) = (0.0, 0.0);
                for (i, ci) in c.iter().enumerate() {
                    for (j, rj) in r.iter().enumerate() {
                        // Same mode, correlation: the window starts
                        // kh / 2 - (kh - 1) rows above (SciPy's centring).
                        let v = at(
                            (y + i + kh / 2) as isize - (kh - 1) as isize,
                            (x + j + kw / 2) as isize - (kw - 1) as isize,
                        );
                        exact += ci * rj * v;
                        s += (ci * rj * v).abs();
                    }
                }
                let got: f64 = reference[[y, x]].into();
                let bound = 1.01 * (kh + kw) as f64 * u * s + 1e-300;
                assert!(
                    (got - exact).abs() <= bound,
                    "{kh}x{kw} ({y}, {x}): {got} vs {exact}, bound {bound}"
                );
            }
        }
    }
}

#[test]
fn f32_separable_filters_are_one_set_of_bits_within_the_bound() {
    floats_agree_and_stay_in_bound::<f32>(f32::EPSILON as f64);
}

#[test]
fn f64_separable_filters_are_one_set_of_bits_within_the_bound() {
    floats_agree_and_stay_in_bound::<f64>(f64::EPSILON);
}

/// `|ours - scipy| <= (1.01 (kh + kw) + 2) u M` (see `gaussian_scipy`).
fn gaussian_matches_scipy<T>(tag: &str, eps: f64, cast: fn(f64) -> T)
where
    T: Bits + From<f32> + Into<f64> + ndarray_npy::ReadableElement,
{
    let image = scipy_image(cast);
    let m = image.iter().map(|&v| v.into().abs()).fold(0.0, f64::max);
    for (mode, border) in [
        ("reflect", Border::Symmetric),
        ("nearest", Border::Replicate),
        ("mirror", Border::Mirror),
        ("wrap", Border::Wrap),
        ("constant", Border::Constant(T::from(0.0))),
    ] {
        let expected: Array2<T> = read_npy(data(&format!("gauss-{tag}-{mode}.npy"))).unwrap();
        let filter = Filter2d::<T>::gaussian_scipy((1.5, 2.0), 4.0)
            .unwrap()
            .border(border);
        let (kh, kw) = filter.kernel_shape();
        assert_eq!((kh, kw), (13, 17));
        let bound = (1.01 * (kh + kw) as f64 + 2.0) * eps / 2.0 * m;
        for backend in Backend::available() {
            let out = filter.clone().backend(backend).apply(&image).unwrap();
            let worst = out
                .iter()
                .zip(&expected)
                .map(|(&a, &b)| (a.into() - b.into()).abs())
                .fold(0.0, f64::max);
            assert!(worst <= bound, "{tag} {mode} {backend}: {worst} > {bound}");
        }
    }
    // correlate1d([1, -2, 3, 0.5, 1], axis) with mode="reflect".
    let weights: Vec<T> = [1.0f32, -2.0, 3.0, 0.5, 1.0].map(T::from).to_vec();
    for axis in [0, 1] {
        let expected: Array2<T> = read_npy(data(&format!("corr1d-{tag}-axis{axis}.npy"))).unwrap();
        let filter = Filter2d::correlation1d(&weights, Axis(axis))
            .unwrap()
            .mode(Mode::Same)
            .border(Border::Symmetric);
        let out = filter.apply(&image).unwrap();
        let bound = 1.01 * 5.0 * eps / 2.0 * 7.5 * m;
        for (&a, &b) in out.iter().zip(&expected) {
            assert!(
                (a.into() - b.into()).abs() <= bound,
                "axis {axis}: {a:?} {b:?}"
            );
        }
    }
}

#[test]
fn f32_gaussian_matches_scipy_within_the_bound() {
    gaussian_matches_scipy::<f32>("f32", f32::EPSILON as f64, |v| v as f32);
}

#[test]
fn f64_gaussian_matches_scipy_within_the_bound() {
    gaussian_matches_scipy::<f64>("f64", f64::EPSILON, |v| v);
}

#[test]
fn one_dimensional_signals_and_bad_inputs() {
    // A 1 x N signal through the 2-D API: the 1-D filter and the 1 x n
    // kernel are the same filter.
    let signal = Array2::from_shape_fn((1, 1000), |(_, x)| (x % 17) as i64 - 8);
    let a = Filter2d::convolution1d(&[1i64, 3, -2], Axis(1))
        .unwrap()
        .apply(&signal)
        .unwrap();
    let b = Filter2d::convolution(&ndarray::array![[1i64, 3, -2]])
        .unwrap()
        .apply(&signal)
        .unwrap();
    assert_eq!(a, b);
    assert!(Filter2d::<f32>::convolution1d(&[1.0f32], Axis(2)).is_err());
    assert!(Filter2d::<f32>::separable_correlation(&[] as &[f32], &[1.0f32]).is_err());
    assert!(Filter2d::<i32>::gaussian_scipy((1.0, 1.0), 4.0).is_err());
    let _ = Operation::Convolution;
}
