//! The FFT method (`Method::Fft`): the same outputs as the direct path
//! within the documented error bound, for every mode, border, operation,
//! kernel shape and stride; non-finite input only where the direct path
//! puts it; the same bits on every thread count; integers untouched.

mod common;

use common::{borders, Rng, MODES, OPERATIONS};
use ndarray::{s, Array2, ArrayView2};
use simdconv::{Backend, Border, Element, Filter2d, Method, Mode, Operation, Threads};

/// A float type the tests run in.
trait Float: Element + Into<f64> + core::fmt::Display {
    const U: f64;
    fn of(v: f64) -> Self;
}

impl Float for f32 {
    const U: f64 = f32::EPSILON as f64 / 2.0;
    fn of(v: f64) -> Self {
        v as f32
    }
}

impl Float for f64 {
    const U: f64 = f64::EPSILON / 2.0;
    fn of(v: f64) -> Self {
        v
    }
}

/// `a + b` as a rounded sum and its exact error (TwoSum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// What one call reads: the effective kernel, the offset of the output
/// window in the full output, the border, and the output shape.
struct Geometry<T> {
    k: Array2<f64>,
    offset: (isize, isize),
    border: Border<T>,
    shape: (usize, usize),
}

fn geometry<T: Float>(
    f: (usize, usize),
    g: &Array2<T>,
    op: Operation,
    mode: Mode,
    border: Border<T>,
) -> Option<Geometry<T>> {
    let (h, w) = f;
    let (kh, kw) = g.dim();
    let shape = mode.output_shape(f, (kh, kw), op).ok()?;
    let (offset, border) = match mode {
        Mode::Full => ((0, 0), border),
        Mode::Same if op == Operation::Convolution => (((kh - 1) / 2, (kw - 1) / 2), border),
        Mode::Same => ((kh / 2, kw / 2), border),
        Mode::Valid if h >= kh && w >= kw => ((kh - 1, kw - 1), border),
        // The roles swap: the zero-border full output's window at (H-1, W-1).
        Mode::Valid => ((h - 1, w - 1), Border::Constant(T::zero())),
    };
    let k = Array2::from_shape_fn((kh, kw), |(i, j)| match op {
        Operation::Convolution => g[[kh - 1 - i, kw - 1 - j]].into(),
        Operation::Correlation => g[[i, j]].into(),
    });
    Some(Geometry {
        k,
        offset: (offset.0 as isize, offset.1 as isize),
        border,
        shape,
    })
}

impl<T: Float> Geometry<T> {
    /// The extended image's sample at padded position `(r, c)` of output
    /// `(y, x)`'s window: full-output row `y + offset.0`, then `r - (kh-1)`.
    fn sample(&self, f: &ArrayView2<'_, T>, r: isize, c: isize) -> f64 {
        let (h, w) = f.dim();
        match (
            self.border.source_index(r, h),
            self.border.source_index(c, w),
        ) {
            (Some(r), Some(c)) => f[[r, c]].into(),
            _ => self.border.fill().copied().unwrap_or_else(T::zero).into(),
        }
    }

    /// Every sample the call reads: padded row `r` of the output window
    /// is full-output row `r + offset.0 - (kh - 1)`'s first sample row.
    fn padded(&self, f: &ArrayView2<'_, T>) -> Array2<f64> {
        let (kh, kw) = self.k.dim();
        let shape = (self.shape.0 + kh - 1, self.shape.1 + kw - 1);
        Array2::from_shape_fn(shape, |(r, c)| {
            let rr = r as isize + self.offset.0 - (kh as isize - 1);
            let cc = c as isize + self.offset.1 - (kw as isize - 1);
            self.sample(f, rr, cc)
        })
    }

    /// The exact outputs (sums in double-f64 arithmetic, products exact
    /// through fused multiply-adds): far closer than any bound below.
    fn exact(&self, f: &ArrayView2<'_, T>) -> Array2<f64> {
        let (kh, kw) = self.k.dim();
        let x = self.padded(f);
        Array2::from_shape_fn(self.shape, |(y, xx)| {
            let (mut hi, mut lo) = (0.0f64, 0.0f64);
            for i in 0..kh {
                for j in 0..kw {
                    let (kv, v) = (self.k[[i, j]], x[[y + i, xx + j]]);
                    let p = kv * v;
                    let pe = kv.mul_add(v, -p);
                    let (s, e) = two_sum(hi, p);
                    hi = s;
                    lo += e + pe;
                }
            }
            hi + lo
        })
    }

    /// `||k||_1 ||x||_2`, `x` every sample the call reads (a superset of
    /// any tile's block): the documented bound's norms, made larger.
    fn norms(&self, f: &ArrayView2<'_, T>) -> f64 {
        let k1: f64 = self.k.iter().map(|v| v.abs()).sum();
        let x2: f64 = self.padded(f).iter().map(|v| v * v).sum();
        k1 * x2.sqrt()
    }
}

/// The documented bound for a filter's call on `f`, and the worst ratio
/// of the error to it over the outputs (`<= 1` is what is promised).
fn worst_ratio<T: Float>(filter: &Filter2d<T>, f: ArrayView2<'_, T>, g: &Array2<T>) -> f64 {
    let st = filter.settings();
    let geo = geometry(f.dim(), g, st.operation, st.mode, st.border).unwrap();
    let why = filter.explain(f.dim()).unwrap();
    assert_eq!(why.method, Method::Fft, "{why}");
    let tiles = why.fft.unwrap();
    let (nh, nw) = tiles.transform;
    let levels = (nh as f64).log2() + (nw as f64).log2();
    let factor = (21.0 * levels + 4.0) * T::U;
    assert_eq!(tiles.error_factor(T::U), factor);
    let bound = factor * geo.norms(&f);
    let exact = geo.exact(&f);
    let out = filter.apply(f).unwrap();
    assert_eq!(out.dim(), exact.dim());
    let worst = out
        .iter()
        .zip(&exact)
        .map(|(&o, &e)| (o.into() - e).abs())
        .fold(0.0, f64::max);
    if bound == 0.0 {
        assert_eq!(worst, 0.0);
        0.0
    } else {
        worst / bound
    }
}

/// Sides of the larger test images: smaller in debug builds, where the
/// exact references and the transforms run unoptimised.
const SMALL: usize = if cfg!(debug_assertions) { 40 } else { 96 };

/// Rows enough for several tiles of a 21 x 21 to 33 x 33 kernel (release).
const TALL: usize = if cfg!(debug_assertions) { 160 } else { 600 };

fn random<T: Float>(rng: &mut Rng, shape: (usize, usize)) -> Array2<T> {
    Array2::from_shape_fn(shape, |_| T::of(rng.unit()))
}

#[test]
fn every_mode_border_and_shape_within_the_bound() {
    let mut rng = Rng::new(25);
    let images = [(1, 1), (5, 3), (19, 40), (37, 29)];
    let kernels = [(1, 1), (2, 4), (3, 3), (6, 5), (9, 9), (40, 2)];
    for &fs in &images {
        for &gs in &kernels {
            let f = random::<f64>(&mut rng, fs);
            let g = random::<f64>(&mut rng, gs);
            for op in OPERATIONS {
                let base = Filter2d::new(&g, op).unwrap().method(Method::Fft);
                for mode in MODES {
                    for border in borders(0.75) {
                        let filter = base.clone().mode(mode).border(border);
                        if filter.output_shape(fs).is_err() {
                            assert!(filter.apply(&f).is_err());
                            continue;
                        }
                        let r = worst_ratio(&filter, f.view(), &g);
                        assert!(r <= 1.0, "{fs:?} {gs:?} {op:?} {mode:?} {border:?}: {r}");
                    }
                }
            }
        }
    }
}

#[test]
fn strided_inputs_and_outputs_match_the_contiguous_ones() {
    let mut rng = Rng::new(7);
    let f = random::<f32>(&mut rng, (60, 70));
    let g = random::<f32>(&mut rng, (11, 8));
    let filter = Filter2d::convolution(&g)
        .unwrap()
        .method(Method::Fft)
        .mode(Mode::Same)
        .border(Border::Mirror);
    let want = filter.apply(&f).unwrap();
    let ft = f.t().as_standard_layout().into_owned();
    let stepped =
        Array2::from_shape_fn(
            (120, 70),
            |(y, x)| if y % 2 == 0 { f[[y / 2, x]] } else { f32::NAN },
        );
    let mut out = Array2::from_elem((70, 60), f32::NAN);
    filter
        .apply_into(ft.t(), out.view_mut().reversed_axes())
        .unwrap();
    assert_eq!(out.t(), want);
    assert_eq!(filter.apply(stepped.slice(s![..;2, ..])).unwrap(), want);
    let rev = f.slice(s![..;-1, ..;-1]).to_owned();
    assert_eq!(filter.apply(rev.slice(s![..;-1, ..;-1])).unwrap(), want);
}

#[test]
fn the_bound_holds_on_random_smooth_and_adversarial_inputs() {
    fn run<T: Float>(seed: u64) -> Vec<(String, f64)> {
        let mut rng = Rng::new(seed);
        let shape = (SMALL, SMALL + 20);
        let mut cases: Vec<(&str, Array2<T>)> = vec![
            ("random", random(&mut rng, shape)),
            (
                "smooth",
                Array2::from_shape_fn(shape, |(y, x)| {
                    T::of(((y as f64) * 0.05).sin() * ((x as f64) * 0.03).cos() + 2.0)
                }),
            ),
            (
                "dynamic range 1e-6..1e6",
                Array2::from_shape_fn(shape, |_| T::of(rng.unit() * 10f64.powf(6.0 * rng.unit()))),
            ),
        ];
        let mut huge = random::<T>(&mut rng, shape);
        huge[[SMALL / 2, SMALL / 2 + 5]] = T::of(1e7);
        cases.push(("one huge pixel", huge));
        let mut out = Vec::new();
        let kernels: &[(usize, usize)] = if cfg!(debug_assertions) {
            &[(12, 9)]
        } else {
            &[(31, 31), (24, 17)]
        };
        for &(kh, kw) in kernels {
            let kernel = format!("random {kh}x{kw}");
            let g = random::<T>(&mut rng, (kh, kw));
            for (name, f) in &cases {
                for (mode, border) in [
                    (Mode::Full, Border::Constant(T::zero())),
                    (Mode::Same, Border::Symmetric),
                ] {
                    let filter = Filter2d::correlation(&g)
                        .unwrap()
                        .method(Method::Fft)
                        .mode(mode)
                        .border(border);
                    let r = worst_ratio(&filter, f.view(), &g);
                    assert!(r <= 1.0, "{name} {kernel} {mode:?}: {r}");
                    out.push((format!("{name}, {kernel}, {mode}"), r));
                }
            }
        }
        out
    }
    for (name, r) in run::<f32>(1).into_iter().chain(run::<f64>(13)) {
        println!("error / bound: {r:.2e}  {name}");
    }
}

#[test]
fn non_finite_input_reaches_only_what_the_direct_path_reaches() {
    let mut rng = Rng::new(3);
    let g = random::<f32>(&mut rng, (21, 21));
    let (h, w) = (TALL, 2 * SMALL);
    let mut f = random::<f32>(&mut rng, (h, w));
    f[[10, w - 10]] = f32::NAN;
    f[[h - 100, 40]] = f32::INFINITY;
    f[[h - 99, 40]] = f32::NEG_INFINITY;
    for border in borders(0.5) {
        for mode in MODES {
            let direct = Filter2d::convolution(&g).unwrap().mode(mode).border(border);
            let fft = direct.clone().method(Method::Fft);
            let (a, b) = (direct.apply(&f).unwrap(), fft.apply(&f).unwrap());
            let tiles = fft.explain(f.dim()).unwrap().fft.unwrap().tiles;
            assert!(cfg!(debug_assertions) || tiles.0 > 1);
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x.is_nan(), y.is_nan(), "{border:?} {mode:?}");
                assert!(x.is_nan() || x.is_finite() == y.is_finite());
                if x.is_infinite() {
                    assert_eq!(x, y);
                }
            }
            assert!(a.iter().any(|v| v.is_nan()) && a.iter().any(|v| v.is_finite()));
        }
    }
    // A non-finite fill value reaches every output next to the edge, as
    // in the direct path.
    let f = random::<f64>(&mut rng, (100, 100));
    let g = random::<f64>(&mut rng, (9, 9));
    let filter = Filter2d::correlation(&g)
        .unwrap()
        .border(Border::Constant(f64::INFINITY));
    let (a, b) = (
        filter.apply(&f).unwrap(),
        filter.clone().method(Method::Fft).apply(&f).unwrap(),
    );
    for (x, y) in a.iter().zip(&b) {
        assert_eq!((x.is_nan(), x.is_finite()), (y.is_nan(), y.is_finite()));
    }
}

#[test]
fn overflowing_tiles_run_direct() {
    let g = Array2::from_elem((5, 5), 1.0f32);
    let mut f = Array2::from_elem((40, 40), 1.0f32);
    f[[20, 20]] = f32::MAX;
    f[[20, 21]] = f32::MAX;
    let direct = Filter2d::correlation(&g).unwrap();
    let (a, b) = (
        direct.apply(&f).unwrap(),
        direct.clone().method(Method::Fft).apply(&f).unwrap(),
    );
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.is_finite(), y.is_finite());
        assert!(!x.is_finite() || (x - y).abs() <= 1e-4 * x.abs().max(1.0));
    }
}

#[test]
fn every_thread_count_and_backend_gives_the_same_bits() {
    let mut rng = Rng::new(11);
    let f = random::<f32>(&mut rng, (TALL, 3 * SMALL));
    let g = random::<f32>(&mut rng, (33, 31));
    let filter = Filter2d::correlation(&g)
        .unwrap()
        .method(Method::Fft)
        .mode(Mode::Same);
    let want = filter.clone().threads(Threads::Single).apply(&f).unwrap();
    let tiles = filter.explain(f.dim()).unwrap().fft.unwrap().tiles;
    assert!(cfg!(debug_assertions) || tiles.0 > 1);
    let bits = |a: &Array2<f32>| a.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    // WebAssembly cannot build a pool (no threads there): `Auto` only.
    if !cfg!(target_arch = "wasm32") {
        let pool = std::sync::Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(3)
                .build()
                .unwrap(),
        );
        let pooled = filter
            .clone()
            .threads(Threads::Pool(pool))
            .apply(&f)
            .unwrap();
        assert_eq!(bits(&pooled), bits(&want));
    }
    let auto = filter.apply(&f).unwrap();
    assert_eq!(bits(&auto), bits(&want));
    // The transforms do not depend on the backend; fallback tiles run on it.
    for backend in Backend::available() {
        let b = filter.clone().backend(backend).apply(&f).unwrap();
        assert_eq!(bits(&b), bits(&want), "{backend}");
    }
}

#[test]
fn integer_filters_ignore_the_fft_method() {
    let mut rng = Rng::new(5);
    let f = Array2::from_shape_fn((50, 60), |_| rng.next() as i64);
    let g = Array2::from_shape_fn((31, 31), |_| rng.next() as i64);
    let direct = Filter2d::convolution(&g).unwrap().mode(Mode::Same);
    let fft = direct.clone().method(Method::Fft);
    assert_eq!(fft.apply(&f).unwrap(), direct.apply(&f).unwrap());
    let why = fft.explain(f.dim()).unwrap();
    assert_eq!((why.requested, why.method), (Method::Fft, Method::Direct));
}

#[test]
fn one_filter_serves_many_image_sizes() {
    let mut rng = Rng::new(9);
    let g = random::<f64>(&mut rng, (15, 15));
    let filter = Filter2d::convolution(&g)
        .unwrap()
        .method(Method::Fft)
        .mode(Mode::Same);
    for shape in [(20, 20), (4 * SMALL, 30), (30, 4 * SMALL), (20, 20)] {
        let f = random::<f64>(&mut rng, shape);
        assert!(worst_ratio(&filter, f.view(), &g) <= 1.0, "{shape:?}");
    }
}

#[test]
fn auto_picks_direct_for_small_kernels_and_fft_for_large_ones() {
    let mut rng = Rng::new(21);
    let f = random::<f32>(&mut rng, (SMALL, SMALL));
    for backend in Backend::available() {
        let small = Filter2d::convolution(&random::<f32>(&mut rng, (3, 3)))
            .unwrap()
            .method(Method::Auto)
            .backend(backend);
        let why = small.explain((1000, 1000)).unwrap();
        assert!(why.reason.starts_with("auto"), "{why}");
        // The scalar backend's direct path is slow enough that even 3 x 3
        // runs faster through transforms.
        if backend != Backend::Scalar {
            let methods = (why.requested, why.method);
            assert_eq!(methods, (Method::Auto, Method::Direct), "{why}");
            // Direct is the reference's bits.
            let direct = small.clone().method(Method::Direct);
            assert_eq!(small.apply(&f).unwrap(), direct.apply(&f).unwrap());
        }

        let g = random::<f32>(&mut rng, (41, 41));
        let large = Filter2d::correlation(&g)
            .unwrap()
            .method(Method::Auto)
            .mode(Mode::Same)
            .backend(backend);
        let why = large.explain((1000, 1000)).unwrap();
        assert_eq!(why.method, Method::Fft, "{backend}: {why}");
        // The choice for this image runs what explain says.
        let run = large.explain(f.dim()).unwrap().method;
        let same = large.clone().method(run).apply(&f).unwrap();
        assert_eq!(large.apply(&f).unwrap(), same, "{backend}");
    }
    // A separable kernel: the cheapest is the two passes.
    let u: Vec<f64> = (0..41)
        .map(|i| (-((i as f64 - 20.0) / 8.0).powi(2)).exp())
        .collect();
    let gauss = Array2::from_shape_fn((41, 41), |(i, j)| u[i] * u[j]);
    let auto = Filter2d::convolution(&gauss).unwrap().method(Method::Auto);
    let why = auto.explain((1000, 1000)).unwrap();
    // (The backend a call runs on: SIMDCONV_BACKEND may force scalar.)
    if auto.resolved_backend().unwrap() == Backend::Scalar {
        // Scalar passes are slow enough that the transforms win (a
        // WebAssembly build without simd128, s390x): never the 2-D loops.
        assert_ne!(why.method, Method::Direct, "{why}");
    } else {
        assert_eq!(why.method, Method::Separable, "{why}");
    }
    // Integers: exact as always.
    let gi = Array2::from_shape_fn((41, 41), |(i, j)| (i * j) as i32 % 7);
    let why = Filter2d::convolution(&gi)
        .unwrap()
        .method(Method::Auto)
        .explain((1000, 1000))
        .unwrap();
    assert_eq!(why.method, Method::Direct, "{why}");
}

#[test]
fn auto_runs_swapped_valid_mode() {
    let mut rng = Rng::new(15);
    let f = random::<f64>(&mut rng, (20, 30));
    let g = random::<f64>(&mut rng, (90, 80));
    let direct = Filter2d::convolution(&g).unwrap().mode(Mode::Valid);
    let auto = direct.clone().method(Method::Auto);
    let fft = direct.clone().method(Method::Fft);
    let want = direct.apply(&f).unwrap();
    for filter in [auto, fft] {
        let got = filter.apply(&f).unwrap();
        assert_eq!(got.dim(), (71, 51));
        assert!(want
            .iter()
            .zip(&got)
            .all(|(a, b)| (a - b).abs() <= 1e-9 * (1.0 + a.abs())));
        let why = filter.explain(f.dim()).unwrap();
        assert!(why.reason.contains("roles swap"), "{why}");
    }
}
