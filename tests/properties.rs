//! Property tests: the pipeline on every backend against a deliberately
//! naive implementation written here (the seed's four nested loops, with
//! explicit border mapping), over random shapes, kernels (1..=15, even and
//! odd), modes, borders, operations, strides, element types and values that
//! overflow or are not finite.
//!
//! Comparison is exact: integers wrap identically, and floats follow the
//! documented order of operations (from zero, one product and one sum per tap in
//! row-major order over the effective kernel), so every bit must match
//! (a NaN only has to be a NaN).

use ndarray::{s, Array2, ArrayView2, ShapeBuilder};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use simdconv::{Backend, Border, Element, Filter2d, Mode, Operation};

mod common;
use common::{cases, Bits};

/// Where index `i` of an axis of length `m` reads, written out the long way.
fn naive_index(border: &Border<impl Copy>, i: i64, m: i64) -> Option<i64> {
    if (0..m).contains(&i) {
        return Some(i);
    }
    match border {
        Border::Constant(_) => None,
        Border::Wrap => Some(((i % m) + m) % m),
        Border::Symmetric => {
            let k = ((i % (2 * m)) + 2 * m) % (2 * m);
            Some(if k < m { k } else { 2 * m - 1 - k })
        }
        Border::Mirror => {
            if m == 1 {
                return Some(0);
            }
            let p = 2 * m - 2;
            let k = ((i % p) + p) % p;
            Some(if k < m { k } else { p - k })
        }
        Border::Replicate => Some(i.clamp(0, m - 1)),
    }
}

/// The seed's naive loops, generalised to every mode, border and operation.
fn naive<T: Element>(
    f: &Array2<T>,
    g: &Array2<T>,
    op: Operation,
    mode: Mode,
    border: Border<T>,
) -> Option<Array2<T>> {
    let (h, w) = (f.nrows() as i64, f.ncols() as i64);
    let (kh, kw) = (g.nrows() as i64, g.ncols() as i64);
    // The effective kernel: flipped for convolution.
    let tap = |i: i64, j: i64| -> T {
        match op {
            Operation::Convolution => g[[(kh - 1 - i) as usize, (kw - 1 - j) as usize]],
            Operation::Correlation => g[[i as usize, j as usize]],
        }
    };
    let sample = |r: i64, c: i64| -> T {
        match (naive_index(&border, r, h), naive_index(&border, c, w)) {
            (Some(r), Some(c)) => f[[r as usize, c as usize]],
            _ => match border {
                Border::Constant(v) => v,
                _ => unreachable!(),
            },
        }
    };
    let (oh, ow, oy, ox) = match mode {
        Mode::Full => (h + kh - 1, w + kw - 1, 0, 0),
        Mode::Same => match op {
            Operation::Convolution => (h, w, (kh - 1) / 2, (kw - 1) / 2),
            Operation::Correlation => (h, w, kh / 2, kw / 2),
        },
        Mode::Valid if h >= kh && w >= kw => (h - kh + 1, w - kw + 1, kh - 1, kw - 1),
        Mode::Valid if h <= kh && w <= kw => {
            // SciPy swaps the inputs: only image samples enter the sum, taken
            // with the image as the kernel (bottom-right sample first).
            let (oh, ow) = (kh - h + 1, kw - w + 1);
            let mut out = Array2::from_elem((oh as usize, ow as usize), T::zero());
            for y in 0..oh {
                for x in 0..ow {
                    let mut acc = T::zero();
                    for i in 0..h {
                        for j in 0..w {
                            let a = f[[(h - 1 - i) as usize, (w - 1 - j) as usize]];
                            let b = tap(kh - 1 - y - i, kw - 1 - x - j);
                            acc = a.mul_add_ref(b, acc);
                        }
                    }
                    out[[y as usize, x as usize]] = acc;
                }
            }
            return Some(out);
        }
        Mode::Valid => return None,
    };
    let mut out = Array2::from_elem((oh as usize, ow as usize), T::zero());
    for y in 0..oh {
        for x in 0..ow {
            let (fy, fx) = (y + oy, x + ox); // full-output position
            let mut acc = T::zero();
            for i in 0..kh {
                for j in 0..kw {
                    let v = sample(fy + i - (kh - 1), fx + j - (kw - 1));
                    acc = tap(i, j).mul_add_ref(v, acc);
                }
            }
            out[[y as usize, x as usize]] = acc;
        }
    }
    Some(out)
}

/// How an array is presented to the crate.
#[derive(Clone, Copy, Debug)]
enum Layout {
    Contiguous,
    Transposed,
    Stepped,
    Negative,
    /// Every other row of a wider array: contiguous rows (read in place by
    /// the pipeline's interior path) with a row stride that is not the width.
    SteppedRows,
}

/// Calls `use_view` with `a` presented in `layout` (same logical array).
fn with_layout<T: Element, R>(
    a: &Array2<T>,
    layout: Layout,
    use_view: impl FnOnce(ArrayView2<'_, T>) -> R,
) -> R {
    let (r, c) = a.dim();
    match layout {
        Layout::Contiguous => use_view(a.view()),
        Layout::Transposed => {
            let t = a.t().as_standard_layout().into_owned();
            use_view(t.t())
        }
        Layout::Stepped => {
            let mut big = Array2::from_elem((2 * r + 1, 3 * c + 2), T::zero());
            big.slice_mut(s![1..;2, 2..;3]).assign(a);
            use_view(big.slice(s![1..;2, 2..;3]))
        }
        Layout::Negative => {
            let rev = a.slice(s![..;-1, ..;-1]).to_owned();
            use_view(rev.slice(s![..;-1, ..;-1]))
        }
        Layout::SteppedRows => {
            let mut big = Array2::from_elem((2 * r, c + 3), T::zero());
            big.slice_mut(s![..;2, 1..c + 1]).assign(a);
            use_view(big.slice(s![..;2, 1..c + 1]))
        }
    }
}

#[derive(Clone, Debug)]
struct Case<T> {
    image: Array2<T>,
    kernel: Array2<T>,
    op: Operation,
    mode: Mode,
    border: Border<T>,
    image_layout: Layout,
    kernel_layout: Layout,
    out_layout: Layout,
}

fn array<T: Element + std::fmt::Debug>(
    rows: std::ops::RangeInclusive<usize>,
    cols: std::ops::RangeInclusive<usize>,
    value: impl Strategy<Value = T> + Clone,
) -> impl Strategy<Value = Array2<T>> {
    (rows, cols).prop_flat_map(move |(r, c)| {
        proptest::collection::vec(value.clone(), r * c)
            .prop_map(move |v| Array2::from_shape_vec((r, c), v).unwrap())
    })
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![
        Just(Layout::Contiguous),
        Just(Layout::Transposed),
        Just(Layout::Stepped),
        Just(Layout::Negative),
        Just(Layout::SteppedRows)
    ]
}

fn case<T: Element + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone + 'static,
    max_image: usize,
) -> impl Strategy<Value = Case<T>> {
    case_sized(value, 1..=max_image, 1..=max_image)
}

/// Random cases with image shapes in the given ranges.
fn case_sized<T: Element + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone + 'static,
    rows: std::ops::RangeInclusive<usize>,
    cols: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Case<T>> {
    let border = prop_oneof![
        value.clone().prop_map(Border::Constant),
        Just(Border::Wrap),
        Just(Border::Symmetric),
        Just(Border::Mirror),
        Just(Border::Replicate),
    ];
    let op = prop_oneof![Just(Operation::Convolution), Just(Operation::Correlation)];
    let mode = prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)];
    (
        array(rows, cols, value.clone()),
        array(1..=15, 1..=15, value),
        op,
        mode,
        border,
        (layout(), layout(), layout()),
    )
        .prop_map(|(image, kernel, op, mode, border, (il, kl, ol))| Case {
            image,
            kernel,
            op,
            mode,
            border,
            image_layout: il,
            kernel_layout: kl,
            out_layout: ol,
        })
}

/// Runs one case on every backend, through `apply` and `apply_into`.
fn check<T: Bits>(case: &Case<T>) -> Result<(), TestCaseError> {
    let expected = naive(&case.image, &case.kernel, case.op, case.mode, case.border);
    for backend in Backend::available() {
        let filter = with_layout(&case.kernel, case.kernel_layout, |k| {
            Filter2d::new(k, case.op)
        })
        .unwrap()
        .mode(case.mode)
        .border(case.border)
        .backend(backend);
        let got = with_layout(&case.image, case.image_layout, |f| filter.apply(f));
        let Some(expected) = &expected else {
            prop_assert!(got.is_err(), "{backend}: expected an error");
            continue;
        };
        let got = got.map_err(|e| TestCaseError::fail(format!("{backend}: {e}")))?;
        prop_assert_eq!(got.dim(), expected.dim());
        let bad = got
            .iter()
            .zip(expected)
            .position(|(&a, &b)| !T::same_bits(a, b));
        prop_assert!(
            bad.is_none(),
            "{backend}: apply differs at flat index {:?}\n got {got:?}\n expected {expected:?}",
            bad
        );

        // apply_into an output with the chosen layout; strided outputs must
        // leave the elements in between alone.
        let (oh, ow) = expected.dim();
        let sentinel = case.kernel[[0, 0]];
        let mut big = Array2::from_elem((2 * oh + 1, 3 * ow + 2), sentinel);
        let mut f_order = Array2::from_elem((oh, ow).f(), sentinel);
        let mut plain = Array2::from_elem((oh, ow), sentinel);
        let result = with_layout(&case.image, case.image_layout, |f| match case.out_layout {
            Layout::Stepped => filter.apply_into(f, big.slice_mut(s![1..;2, 2..;3])),
            Layout::Transposed => filter.apply_into(f, &mut f_order),
            Layout::Negative => filter.apply_into(f, plain.slice_mut(s![..;-1, ..;-1])),
            Layout::Contiguous | Layout::SteppedRows => filter.apply_into(f, &mut plain),
        });
        result.map_err(|e| TestCaseError::fail(format!("{backend}: apply_into: {e}")))?;
        let written = match case.out_layout {
            Layout::Stepped => big.slice(s![1..;2, 2..;3]).to_owned(),
            Layout::Transposed => f_order.clone(),
            Layout::Negative => plain.slice(s![..;-1, ..;-1]).to_owned(),
            Layout::Contiguous | Layout::SteppedRows => plain.clone(),
        };
        let bad = written
            .iter()
            .zip(expected)
            .position(|(&a, &b)| !T::same_bits(a, b));
        prop_assert!(
            bad.is_none(),
            "{backend}: apply_into ({:?}) differs at {:?}",
            case.out_layout,
            bad
        );
        if let Layout::Stepped = case.out_layout {
            for ((r, c), &v) in big.indexed_iter() {
                if r % 2 == 0 || c % 3 != 2 || c > 3 * ow {
                    prop_assert!(
                        T::same_bits(v, sentinel),
                        "{backend}: wrote outside the view at ({r}, {c})"
                    );
                }
            }
        }
    }
    Ok(())
}

fn run<T: Bits + std::fmt::Debug>(strategy: impl Strategy<Value = Case<T>>, default_cases: u32) {
    let mut runner = TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        ..Config::default()
    });
    runner.run(&strategy, |c| check(&c)).unwrap();
}

fn small_float32() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![(-8i32..8).prop_map(|v| v as f32 * 0.25), -1e3f32..1e3f32]
}

fn any_float32() -> impl Strategy<Value = f32> + Clone {
    prop_oneof![
        8 => -1e3f32..1e3f32,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => Just(-0.0f32),
        1 => Just(f32::MIN_POSITIVE / 8.0),
        1 => Just(f32::MAX),
    ]
}

fn any_float64() -> impl Strategy<Value = f64> + Clone {
    prop_oneof![
        8 => -1e6f64..1e6f64,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-0.0f64),
        1 => Just(4.9e-324f64),
        1 => Just(f64::MAX),
    ]
}

#[test]
fn f32_every_backend_matches_the_naive_loops() {
    run(case(small_float32(), 24), 96);
}

#[test]
fn f32_nonfinite_and_subnormal_values() {
    run(case(any_float32(), 20), 64);
}

#[test]
fn f64_every_backend_matches_the_naive_loops() {
    run(case(any_float64(), 20), 64);
}

#[test]
fn i32_wraps_like_the_naive_loops() {
    run(case(any::<i32>(), 24), 96);
}

#[test]
fn i32_small_values() {
    run(case(-100i32..100, 30), 32);
}

#[test]
fn i64_wraps_like_the_naive_loops() {
    run(case(any::<i64>(), 24), 96);
}

// Wide rows: the interior of each contiguous image row is read in place,
// the edges through padded rows; widths span both sides of the threshold.
#[test]
fn f32_wide_rows_read_in_place_match_the_naive_loops() {
    run(case_sized(any_float32(), 1..=7, 40..=300), 48);
}

#[test]
fn f64_wide_rows_read_in_place_match_the_naive_loops() {
    run(case_sized(-1e6f64..1e6f64, 1..=5, 40..=260), 32);
}

#[test]
fn i32_wide_rows_read_in_place_wrap_like_the_naive_loops() {
    run(case_sized(any::<i32>(), 1..=7, 40..=300), 32);
}

/// Taps for integer kernels that are about half zeros, with +-1 and
/// +-2^s among the rest: kernels under two-thirds nonzero run the tap
/// program (zeros skipped, adds and shifts), the others the dense strips.
fn sparse_tap<T: Element + std::fmt::Debug + Arbitrary>(
    one: T,
    minus_one: T,
    four: T,
    minus_eight: T,
) -> impl Strategy<Value = T> + Clone {
    prop_oneof![
        6 => Just(T::zero()),
        1 => Just(one),
        1 => Just(minus_one),
        1 => Just(four),
        1 => Just(minus_eight),
        2 => any::<T>(),
    ]
}

/// Random images with about half-zero kernels of up to 9 x 9.
fn sparse_case<T: Element + std::fmt::Debug + Arbitrary>(
    one: T,
    minus_one: T,
    four: T,
    minus_eight: T,
) -> impl Strategy<Value = Case<T>>
where
    T::Strategy: Clone + 'static,
{
    (
        case_sized(any::<T>(), 1..=12, 1..=120),
        array(1..=9, 1..=9, sparse_tap(one, minus_one, four, minus_eight)),
    )
        .prop_map(|(case, kernel)| Case { kernel, ..case })
}

#[test]
fn i32_sparse_kernels_wrap_like_the_naive_loops() {
    run(sparse_case(1i32, -1, 4, -8), 48);
}

#[test]
fn i64_sparse_kernels_wrap_like_the_naive_loops() {
    run(sparse_case(1i64, -1, 4, -8), 32);
}

/// One-column integer kernels (box sums among them) take the dense tile;
/// the low-rank column passes are such kernels.
fn column_case<T: Element + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone + 'static,
    one: T,
) -> impl Strategy<Value = Case<T>> {
    (2usize..=15, prop::bool::ANY).prop_flat_map(move |(kh, ones)| {
        let taps = if ones {
            Just(vec![one; kh]).boxed()
        } else {
            proptest::collection::vec(value.clone(), kh).boxed()
        };
        (
            array(1..=12, 1..=200, value.clone()),
            taps,
            prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)],
            prop_oneof![
                Just(Border::Wrap),
                Just(Border::Symmetric),
                Just(Border::Constant(one))
            ],
            layout(),
        )
            .prop_map(move |(image, taps, mode, border, il)| Case {
                image,
                kernel: Array2::from_shape_vec((kh, 1), taps).unwrap(),
                op: Operation::Convolution,
                mode,
                border,
                image_layout: il,
                kernel_layout: Layout::Contiguous,
                out_layout: Layout::Contiguous,
            })
    })
}

#[test]
fn i64_column_kernels_and_box_sums_wrap_like_the_naive_loops() {
    run(column_case(any::<i64>(), 1i64), 48);
}

#[test]
fn i32_column_kernels_and_box_sums_wrap_like_the_naive_loops() {
    run(column_case(any::<i32>(), 1i32), 48);
}

#[test]
fn i64_small_values_wide_images() {
    // Wide rows exercise the full register tiles, not just the tails.
    let strategy =
        (1usize..=6, 40usize..=140, 1usize..=9, 1usize..=9).prop_flat_map(|(h, w, kh, kw)| {
            (
                proptest::collection::vec(-1000i64..1000, h * w),
                proptest::collection::vec(-50i64..50, kh * kw),
                prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)],
            )
                .prop_map(move |(f, g, mode)| Case {
                    image: Array2::from_shape_vec((h, w), f).unwrap(),
                    kernel: Array2::from_shape_vec((kh, kw), g).unwrap(),
                    op: Operation::Convolution,
                    mode,
                    border: Border::Symmetric,
                    image_layout: Layout::Contiguous,
                    kernel_layout: Layout::Contiguous,
                    out_layout: Layout::Contiguous,
                })
        });
    run(strategy, 32);
}

/// Integer kernels built as sums of 1-3 outer products take the low-rank
/// path; it must agree with the naive loops bit for bit, overflow included.
fn low_rank_case<T: Element + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone + 'static,
) -> impl Strategy<Value = Case<T>> {
    low_rank_case_sized(value, 1..=30, 1..=40)
}

fn low_rank_case_sized<T: Element + std::fmt::Debug>(
    value: impl Strategy<Value = T> + Clone + 'static,
    rows: std::ops::RangeInclusive<usize>,
    cols: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Case<T>> {
    (3usize..=12, 3usize..=12, 1usize..=3).prop_flat_map(move |(kh, kw, rank)| {
        let vectors = proptest::collection::vec(
            (
                proptest::collection::vec(value.clone(), kh),
                proptest::collection::vec(value.clone(), kw),
            ),
            rank,
        );
        let border = prop_oneof![
            value.clone().prop_map(Border::Constant),
            Just(Border::Wrap),
            Just(Border::Symmetric),
            Just(Border::Mirror),
            Just(Border::Replicate),
        ];
        (
            array(rows.clone(), cols.clone(), value.clone()),
            vectors,
            prop_oneof![Just(Operation::Convolution), Just(Operation::Correlation)],
            prop_oneof![Just(Mode::Full), Just(Mode::Same), Just(Mode::Valid)],
            border,
            (layout(), layout()),
        )
            .prop_map(move |(image, vectors, op, mode, border, (il, ol))| {
                let mut kernel = Array2::from_elem((kh, kw), T::zero());
                for (u, v) in &vectors {
                    for ((i, j), k) in kernel.indexed_iter_mut() {
                        *k = u[i].mul_add_ref(v[j], *k);
                    }
                }
                Case {
                    image,
                    kernel,
                    op,
                    mode,
                    border,
                    image_layout: il,
                    kernel_layout: Layout::Contiguous,
                    out_layout: ol,
                }
            })
    })
}

#[test]
fn i64_low_rank_kernels_wrap_like_the_naive_loops() {
    run(low_rank_case(prop_oneof![any::<i64>(), -20i64..20]), 96);
}

#[test]
fn i64_low_rank_wide_rows_read_in_place() {
    run(
        low_rank_case_sized(prop_oneof![any::<i64>(), -20i64..20], 1..=6, 60..=260),
        32,
    );
}

#[test]
fn i32_low_rank_kernels_wrap_like_the_naive_loops() {
    run(low_rank_case(prop_oneof![any::<i32>(), -20i32..20]), 96);
}

#[test]
fn low_rank_path_is_taken_for_sums_of_outer_products() {
    let u = [1i64, -2, 3, 0, 5];
    let v = [2i64, 0, -1, 4, 1, 1];
    let kernel = Array2::from_shape_fn((5, 6), |(i, j)| u[i] * v[j] + (i as i64) * 3);
    let filter = Filter2d::convolution(&kernel).unwrap();
    assert_eq!(filter.low_rank_terms(), Some(2));
    assert_eq!(filter.clone().low_rank(false).low_rank_terms(), None);
    let floats = kernel.mapv(|x| x as f64);
    assert_eq!(
        Filter2d::convolution(&floats).unwrap().low_rank_terms(),
        None
    );
}

#[test]
fn every_sum_of_few_outer_products_is_detected() {
    let mut runner = TestRunner::new(Config {
        cases: cases(256),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (3usize..=15, 3usize..=15, 1usize..=4).prop_flat_map(|(kh, kw, rank)| {
        let pair = (
            proptest::collection::vec(any::<i64>(), kh),
            proptest::collection::vec(any::<i64>(), kw),
        );
        (Just((kh, kw)), proptest::collection::vec(pair, rank))
    });
    runner
        .run(&strategy, |((kh, kw), vectors)| {
            let mut kernel = Array2::<i64>::zeros((kh, kw));
            for (u, v) in &vectors {
                for ((i, j), k) in kernel.indexed_iter_mut() {
                    *k = k.wrapping_add(u[i].wrapping_mul(v[j]));
                }
            }
            let terms = Filter2d::correlation(&kernel).unwrap().low_rank_terms();
            let rank = vectors.len();
            if rank * (kh + kw) < kh * kw {
                prop_assert!(
                    terms.is_some_and(|t| t <= rank),
                    "{terms:?} for rank {rank}"
                );
            }
            Ok(())
        })
        .unwrap();
}

/// Scratch buffers are kept per thread between calls and not refilled:
/// whatever a call leaves in them (here NaN and infinity from a poisoned
/// image, wider and narrower than the next) must never reach a later
/// call's outputs, on any backend, direct or low-rank, read in place or
/// through the ring.
#[test]
fn scratch_left_by_earlier_calls_never_reaches_outputs() {
    let poison = |shape: (usize, usize)| {
        Array2::from_shape_fn(shape, |(i, j)| match (i + j) % 3 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            _ => -1e300,
        })
    };
    let clean = |shape: (usize, usize)| {
        Array2::from_shape_fn(shape, |(i, j)| ((i * 31 + j * 17) % 23) as f64 - 11.0)
    };
    let kernel = clean((7, 5));
    let ints = |a: &Array2<f64>| a.mapv(|v| if v.is_finite() { v as i64 } else { i64::MIN });
    for backend in Backend::available() {
        for (poisoned, shape) in [((300, 700), (120, 200)), ((40, 60), (90, 300))] {
            for transposed in [false, true] {
                let image = clean(shape);
                let image = if transposed {
                    image.t().to_owned().reversed_axes()
                } else {
                    image
                };
                for mode in [Mode::Full, Mode::Same] {
                    let f = Filter2d::convolution(&kernel)
                        .unwrap()
                        .mode(mode)
                        .backend(backend);
                    let _ = f.apply(&poison(poisoned)).unwrap();
                    let got = f.apply(&image).unwrap();
                    let want = naive(
                        &image,
                        &kernel,
                        Operation::Convolution,
                        mode,
                        Border::Constant(0.0),
                    );
                    assert_eq!(got, want.unwrap(), "{backend} f64 {mode:?} {transposed}");

                    // The low-rank path's column rows too (a rank-1 integer kernel).
                    let k = Array2::from_shape_fn((5, 6), |(i, j)| (i as i64 + 1) * (j as i64 - 2));
                    let g = Filter2d::convolution(&k)
                        .unwrap()
                        .mode(mode)
                        .backend(backend);
                    assert_eq!(g.low_rank_terms(), Some(1));
                    let _ = g.apply(&ints(&poison(poisoned))).unwrap();
                    let img = ints(&image);
                    let got = g.apply(&img).unwrap();
                    let want = naive(&img, &k, Operation::Convolution, mode, Border::Constant(0));
                    assert_eq!(
                        got,
                        want.unwrap(),
                        "{backend} i64 low-rank {mode:?} {transposed}"
                    );
                }
            }
        }
    }
}
