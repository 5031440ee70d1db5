//! Criterion benchmarks: full 2D convolution per element type, kernel size,
//! image size and backend, beside a naive four-loop baseline and
//! `ndarray-conv` 0.6's direct convolution.
//!
//! Benchmark ids are `{type}/k{K}/{N}x{N}/{impl}`, e.g.
//! `f32/k9/1000x1000/avx512`, where `{impl}` is
//! - a backend name (`scalar`, `sse2`, `sse41`, `avx2`, `avx512`, `neon`:
//!   every one `Backend::available()` lists), forced with `.backend(b)` on
//!   one thread (`Threads::Single`) and on the direct path
//!   (`.low_rank(false)`): the row kernels' own speed on one core;
//! - `auto`: the filter as a user gets it, nothing forced (detected
//!   backend, `Threads::Auto`, so both cores on large calls, and the exact
//!   low-rank path for integer kernels that have one, like the i64 `arange`
//!   kernels, which are rank 2): its `elem/s` is then *effective*
//!   (direct-equivalent) multiply-adds per second;
//! - `naive` or `ndarray-conv` (both single-threaded, direct).
//!
//! Other groups: `fft/` (the FFT method), `paths/` (evaluation paths and
//! thread policies), `pixels/` (the narrow-pixel workloads W8, W9, W12, W13,
//! and the OpenCV fixed-point Gaussians G13-u8, G13-rgb, G17-u16
//! through `ImageFilter`), `build` (building a filter).
//!
//! Filter by any part of the id (criterion takes a regex):
//!
//! ```text
//! cargo bench -p simdconv-bench --bench kernels            # everything (~13.5 min, busy 2 cores)
//! cargo bench -p simdconv-bench --bench kernels -- f32/k9  # f32, 9x9, every image size
//! cargo bench -p simdconv-bench --bench kernels -- 'f32/k3/'  # 3x3 only ("f32/k3" also matches k31)
//! cargo bench -p simdconv-bench --bench kernels -- '1000x1000/(avx2|avx512)$'
//! cargo bench -p simdconv-bench --bench kernels -- '^pixels/'   # W8-W13, G13, G17
//! ```
//!
//! Throughput is `output pixels x kernel taps` elements, so criterion's
//! `elem/s` figure is multiply-adds per second (`Gelem/s` = GMAC/s).
//!
//! Inputs: f32/f64 uniform in [-1, 1) from a fixed LCG; i32 image in
//! [-100, 100] and kernel in [-10, 10] (same LCG); i64 the seed tutorial's
//! `arange` image and `arange(K*K)` kernel.
//!
//! Before the first timed call of `naive` and `ndarray-conv`, their output is
//! checked against simdconv's (integers exactly, floats within a relative
//! tolerance; the result is printed to stderr). ndarray-conv's `conv`
//! flips the kernel (true convolution, like SciPy and simdconv; its
//! `no_reverse()` would be correlation), so the same kernel is passed to
//! both unchanged. It sums the flipped kernel's taps in row-major order
//! from zero, skipping zero taps, as simdconv's reference does: its results
//! came out bit-identical for every type and size here.
//!
//! Skipped to keep the whole run bounded (a single call would take more
//! than ~0.5 s, i.e. more than 5e8 multiply-adds at ~1 GMAC/s):
//! - `scalar` at 1000x1000 with K = 31 and at 4096x4096 (~1 s per call);
//! - `naive` everywhere except 100x100 and 1000x1000 with K <= 9.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array2;
use ndarray_conv::{ConvExt, ConvMode, PaddingMode};
use simdconv::{Backend, Element, Filter2d, Threads};

/// Multiply-adds above which the scalar backend is skipped (~0.5 s per call).
const SCALAR_MAX_MACS: usize = 500_000_000;
const KERNEL_SIZES: [usize; 5] = [3, 5, 9, 15, 31];
const IMAGE_SIZES: [usize; 2] = [100, 1000];

use simdconv_bench::lcg::Lcg;

/// What the benchmark needs per element type.
trait BenchElement: Element {
    const NAME: &'static str;
    fn image(n: usize) -> Array2<Self>;
    fn kernel(k: usize) -> Array2<Self>;
    /// `ndarray_conv::ConvExt::conv`, full mode, zero padding.
    fn ndarray_conv(image: &Array2<Self>, kernel: &Array2<Self>) -> Array2<Self>;
    /// |a - b| as f64 (0 for equal integers).
    fn abs_diff(a: Self, b: Self) -> f64;
    /// The largest difference accepted relative to max(1, |reference|):
    /// 0 for integers.
    const RTOL: f64;
    fn magnitude(self) -> f64;
}

macro_rules! float_bench_element {
    ($t:ty, $gen:ident, $rtol:expr) => {
        impl BenchElement for $t {
            const NAME: &'static str = stringify!($t);
            const RTOL: f64 = $rtol;
            fn image(n: usize) -> Array2<Self> {
                let mut rng = Lcg(1);
                Array2::from_shape_simple_fn((n, n), || rng.$gen())
            }
            fn kernel(k: usize) -> Array2<Self> {
                let mut rng = Lcg(2);
                Array2::from_shape_simple_fn((k, k), || rng.$gen())
            }
            fn ndarray_conv(image: &Array2<Self>, kernel: &Array2<Self>) -> Array2<Self> {
                image
                    .conv(kernel, ConvMode::Full, PaddingMode::Zeros)
                    .expect("ndarray-conv accepts the inputs")
            }
            fn abs_diff(a: Self, b: Self) -> f64 {
                (a as f64 - b as f64).abs()
            }
            fn magnitude(self) -> f64 {
                (self as f64).abs()
            }
        }
    };
}

float_bench_element!(f32, f32, 1e-4);
float_bench_element!(f64, f64, 1e-12);

impl BenchElement for i32 {
    const NAME: &'static str = "i32";
    const RTOL: f64 = 0.0;
    fn image(n: usize) -> Array2<Self> {
        let mut rng = Lcg(1);
        Array2::from_shape_simple_fn((n, n), || rng.int(100) as i32)
    }
    fn kernel(k: usize) -> Array2<Self> {
        let mut rng = Lcg(2);
        Array2::from_shape_simple_fn((k, k), || rng.int(10) as i32)
    }
    fn ndarray_conv(image: &Array2<Self>, kernel: &Array2<Self>) -> Array2<Self> {
        image
            .conv(kernel, ConvMode::Full, PaddingMode::Zeros)
            .expect("ndarray-conv accepts the inputs")
    }
    fn abs_diff(a: Self, b: Self) -> f64 {
        (a as f64 - b as f64).abs()
    }
    fn magnitude(self) -> f64 {
        (self as f64).abs()
    }
}

impl BenchElement for i64 {
    const NAME: &'static str = "i64";
    const RTOL: f64 = 0.0;
    /// The seed's `arange(N*N).reshape(N, N)`.
    fn image(n: usize) -> Array2<Self> {
        Array2::from_shape_fn((n, n), |(i, j)| (i * n + j) as i64)
    }
    /// The seed's `arange(K*K).reshape(K, K)`.
    fn kernel(k: usize) -> Array2<Self> {
        Array2::from_shape_fn((k, k), |(i, j)| (i * k + j) as i64)
    }
    fn ndarray_conv(image: &Array2<Self>, kernel: &Array2<Self>) -> Array2<Self> {
        image
            .conv(kernel, ConvMode::Full, PaddingMode::Zeros)
            .expect("ndarray-conv accepts the inputs")
    }
    fn abs_diff(a: Self, b: Self) -> f64 {
        (a as f64 - b as f64).abs()
    }
    fn magnitude(self) -> f64 {
        (self as f64).abs()
    }
}

/// Full convolution with four nested loops: output rows and columns, then
/// the effective (flipped) kernel's rows and taps, in simdconv's tap order
/// (so float results match bit for bit). Taps outside the image are skipped
/// through the loop bounds.
fn naive_convolve<T: Element>(f: &Array2<T>, g: &Array2<T>) -> Array2<T> {
    let (h, w) = f.dim();
    let (kh, kw) = g.dim();
    let (oh, ow) = (h + kh - 1, w + kw - 1);
    let fs = f.as_slice().expect("standard layout");
    let gs = g.as_slice().expect("standard layout");
    let mut out = vec![T::zero(); oh * ow];
    for y in 0..oh {
        // Effective kernel row a reads image row y + a - (kh - 1).
        let a_from = (kh - 1).saturating_sub(y);
        let a_to = kh.min(h + kh - 1 - y);
        for x in 0..ow {
            let b_from = (kw - 1).saturating_sub(x);
            let b_to = kw.min(w + kw - 1 - x);
            let mut acc = T::zero();
            for a in a_from..a_to {
                let row = (y + a - (kh - 1)) * w;
                let tap_row = (kh - 1 - a) * kw;
                for b in b_from..b_to {
                    let tap = gs[tap_row + kw - 1 - b];
                    acc = tap.mul_add_ref(fs[row + x + b - (kw - 1)], acc);
                }
            }
            out[y * ow + x] = acc;
        }
    }
    Array2::from_shape_vec((oh, ow), out).expect("oh * ow elements")
}

/// Checks `actual` against simdconv's result; panics on a mismatch.
fn check<T: BenchElement>(id: &str, who: &str, actual: &Array2<T>, expected: &Array2<T>) {
    assert_eq!(actual.dim(), expected.dim(), "{id}: {who} output shape");
    let mut max_diff = 0.0f64;
    let mut max_rel = 0.0f64;
    for (&a, &e) in actual.iter().zip(expected) {
        let d = T::abs_diff(a, e);
        max_diff = max_diff.max(d);
        max_rel = max_rel.max(d / e.magnitude().max(1.0));
    }
    assert!(
        max_rel <= T::RTOL,
        "{id}: {who} differs from simdconv: max |diff| {max_diff:e}, max relative {max_rel:e}"
    );
    let exact = actual.iter().zip(expected).all(|(a, e)| a == e);
    eprintln!(
        "check {id}: {who} {} simdconv (max |diff| {max_diff:e})",
        if exact {
            "equals"
        } else {
            "is within tolerance of"
        }
    );
}

fn bench_case<T: BenchElement>(c: &mut Criterion, k: usize, n: usize) {
    let name = format!("{}/k{k}/{n}x{n}", T::NAME);
    let image = T::image(n);
    let kernel = T::kernel(k);
    let out_pixels = (n + k - 1) * (n + k - 1);
    let macs = out_pixels * k * k;
    // simdconv's result on the best backend (direct path), computed once
    // when first needed.
    let expected_cell = std::cell::OnceCell::new();
    let expected = || {
        expected_cell.get_or_init(|| {
            Filter2d::convolution(&kernel)
                .and_then(|f| f.low_rank(false).apply(&image))
                .expect("simdconv accepts the inputs")
        })
    };

    let mut group = c.benchmark_group(&name);
    group.throughput(Throughput::Elements(macs as u64));

    for backend in Backend::available() {
        if backend == Backend::Scalar && macs > SCALAR_MAX_MACS {
            continue; // over ~0.5 s per call
        }
        let filter = Filter2d::convolution(&kernel)
            .expect("valid kernel")
            .backend(backend)
            .threads(Threads::Single)
            .low_rank(false);
        group.bench_function(BenchmarkId::from_parameter(backend), |b| {
            b.iter(|| filter.apply(black_box(&image)).expect("backend runs"))
        });
    }

    let auto = Filter2d::convolution(&kernel).expect("valid kernel");
    group.bench_function(BenchmarkId::from_parameter("auto"), |b| {
        b.iter(|| {
            auto.apply(black_box(&image))
                .expect("detected backend runs")
        })
    });

    if n <= 100 || (n <= 1000 && k <= 9) {
        let mut checked = false;
        group.bench_function(BenchmarkId::from_parameter("naive"), |b| {
            if !checked {
                check(&name, "naive", &naive_convolve(&image, &kernel), expected());
                checked = true;
            }
            b.iter(|| naive_convolve(black_box(&image), black_box(&kernel)))
        });
    }

    let mut checked = false;
    group.bench_function(BenchmarkId::from_parameter("ndarray-conv"), |b| {
        if !checked {
            check(
                &name,
                "ndarray-conv",
                &T::ndarray_conv(&image, &kernel),
                expected(),
            );
            checked = true;
        }
        b.iter(|| T::ndarray_conv(black_box(&image), black_box(&kernel)))
    });
    group.finish();
}

fn bench_type<T: BenchElement>(c: &mut Criterion) {
    for &k in &KERNEL_SIZES {
        for &n in &IMAGE_SIZES {
            bench_case::<T>(c, k, n);
        }
    }
}

fn bench_f32(c: &mut Criterion) {
    bench_type::<f32>(c);
    // Larger than the last-level cache: f32 with a 9x9 kernel only.
    bench_case::<f32>(c, 9, 4096);
}

fn bench_f64(c: &mut Criterion) {
    bench_type::<f64>(c);
}

fn bench_i32(c: &mut Criterion) {
    bench_type::<i32>(c);
}

fn bench_i64(c: &mut Criterion) {
    bench_type::<i64>(c);
}

/// Large float kernels (issue 25): ids `fft/{type}-{N}-k{K}-{mode}/{impl}`,
/// e.g. `fft/f32-1000-k63-full/fft-2t`: simdconv's FFT method on one and
/// on two threads, the direct path on two, and ndarray-conv 0.6's
/// `conv_fft` and `conv_fft_par` (zero border). Throughput counts the
/// direct method's multiply-adds.
///
/// ```text
/// cargo bench -p simdconv-bench --bench kernels -- '^fft/'
/// ```
fn bench_fft(c: &mut Criterion) {
    use ndarray_conv::ConvFFTExt;
    use simdconv::{Method, Mode};
    macro_rules! run {
        ($t:ty, $n:expr, $k:expr, $mode:expr) => {{
            let (n, k, mode): (usize, usize, Mode) = ($n, $k, $mode);
            let image = <$t as BenchElement>::image(n);
            let kernel = <$t as BenchElement>::kernel(k);
            let direct = Filter2d::convolution(&kernel)
                .expect("valid kernel")
                .mode(mode);
            let fft = direct.clone().method(Method::Fft);
            let mut out = direct.apply(&image).expect("runs");
            let macs = out.len() * k * k;
            let name = format!("fft/{}-{n}-k{k}-{mode}", <$t as BenchElement>::NAME);
            let mut group = c.benchmark_group(name);
            group.throughput(Throughput::Elements(macs as u64));
            for (id, filter) in [
                ("fft-1t", fft.clone().threads(Threads::Single)),
                ("fft-2t", fft.clone()),
                ("direct-2t", direct.clone()),
            ] {
                group.bench_function(BenchmarkId::from_parameter(id), |b| {
                    b.iter(|| {
                        filter
                            .apply_into(black_box(&image), &mut out)
                            .expect("runs")
                    })
                });
            }
            let conv_mode = match mode {
                Mode::Same => ConvMode::Same,
                _ => ConvMode::Full,
            };
            group.bench_function(BenchmarkId::from_parameter("ndarray-conv-fft"), |b| {
                b.iter(|| {
                    image
                        .conv_fft(&kernel, conv_mode, PaddingMode::Zeros)
                        .expect("runs")
                })
            });
            group.bench_function(BenchmarkId::from_parameter("ndarray-conv-fft-par"), |b| {
                b.iter(|| {
                    image
                        .conv_fft_par(&kernel, conv_mode, PaddingMode::Zeros)
                        .expect("runs")
                })
            });
            group.finish();
        }};
    }
    run!(f32, 1000, 31, Mode::Full);
    run!(f32, 1000, 31, Mode::Same);
    run!(f32, 1000, 63, Mode::Full);
    run!(f32, 1000, 63, Mode::Same);
    run!(f32, 4096, 31, Mode::Full);
    run!(f64, 1000, 31, Mode::Full);
}

/// Short runs: ten samples, 0.5 s warm-up, 1 s measurement (criterion
/// stretches it for calls too slow to fit ten samples). Command-line
/// options (`--sample-size`, `--measurement-time`, ...) still override.
fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .nresamples(20_000)
}

/// The evaluation paths and thread policies on the detected backend, in
/// one group per workload: ids `paths/{workload}/{path}`, e.g.
/// `paths/seed-i64-1000/low-rank-2t`. Throughput counts the direct
/// method's multiply-adds, so the low-rank rows show effective GMAC/s.
fn bench_paths(c: &mut Criterion) {
    fn run<T: simdconv::Element>(
        c: &mut Criterion,
        workload: &str,
        image: &ndarray::Array2<T>,
        kernel: &ndarray::Array2<T>,
        variants: &[(&str, Threads, bool, bool, bool)],
    ) {
        let (h, w) = image.dim();
        let (kh, kw) = kernel.dim();
        let macs = (h + kh - 1) * (w + kw - 1) * kh * kw;
        let mut group = c.benchmark_group(format!("paths/{workload}"));
        group.throughput(Throughput::Elements(macs as u64));
        for (path, threads, low_rank, fused, separable) in variants {
            let filter = Filter2d::convolution(kernel)
                .expect("valid kernel")
                .threads(threads.clone())
                .low_rank(*low_rank)
                .rounding(if *fused {
                    simdconv::Rounding::Fused
                } else {
                    simdconv::Rounding::Separate
                })
                .method(if *separable {
                    simdconv::Method::Separable
                } else {
                    simdconv::Method::Direct
                });
            let mut out = filter.apply(image).expect("runs");
            group.bench_function(BenchmarkId::from_parameter(path), |b| {
                b.iter(|| filter.apply_into(black_box(image), &mut out).expect("runs"))
            });
        }
        group.finish();
    }
    let (one, all) = (Threads::Single, Threads::Auto);
    let seed_image = <i64 as BenchElement>::image(1000);
    let seed_kernel = <i64 as BenchElement>::kernel(9);
    run(
        c,
        "seed-i64-1000",
        &seed_image,
        &seed_kernel,
        &[
            ("direct-1t", one.clone(), false, false, false),
            ("low-rank-1t", one.clone(), true, false, false),
            ("direct-2t", all.clone(), false, false, false),
            ("low-rank-2t", all.clone(), true, false, false),
        ],
    );
    let seed_small = <i64 as BenchElement>::image(100);
    run(
        c,
        "seed-i64-100",
        &seed_small,
        &seed_kernel,
        &[
            ("direct-1t", one.clone(), false, false, false),
            ("low-rank-1t", one.clone(), true, false, false),
        ],
    );
    let float_variants = [
        ("direct-1t", one.clone(), false, false, false),
        ("direct-2t", all.clone(), false, false, false),
        ("fused-1t", one.clone(), false, true, false),
        ("fused-2t", all.clone(), false, true, false),
    ];
    for n in [1000, 4096] {
        let image = <f32 as BenchElement>::image(n);
        let kernel = <f32 as BenchElement>::kernel(9);
        run(c, &format!("f32-{n}-k9"), &image, &kernel, &float_variants);
    }
    // Integer kernels: mostly nonzero (the rolling strips) and half zeros
    // (the tap program, zeros skipped); throughput counts all 81 taps.
    let image = <i32 as BenchElement>::image(1000);
    let dense = <i32 as BenchElement>::kernel(9).mapv(|t| if t == 0 { 3 } else { t });
    let sparse = ndarray::Array2::from_shape_fn((9, 9), |(i, j)| {
        if (i * 9 + j) % 2 == 0 {
            dense[[i, j]]
        } else {
            0
        }
    });
    for (name, kernel) in [
        ("i32-1000-k9-dense", &dense),
        ("i32-1000-k9-half-zero", &sparse),
    ] {
        run(
            c,
            name,
            &image,
            kernel,
            &[
                ("direct-1t", one.clone(), false, false, false),
                ("direct-2t", all.clone(), false, false, false),
            ],
        );
    }
    // Integer columns (9 x 1): a box sum and a progression run by
    // recurrence, a general column through the register tile.
    let image = <i64 as BenchElement>::image(1000);
    let column = |taps: [i64; 9]| ndarray::Array2::from_shape_fn((9, 1), |(i, _)| taps[i]);
    for (name, kernel) in [
        ("i64-1000-column9-box", column([1; 9])),
        (
            "i64-1000-column9-progression",
            column(core::array::from_fn(|i| 76 - 9 * i as i64)),
        ),
        (
            "i64-1000-column9-general",
            column([3, 1, 4, 1, 5, 9, 2, 6, 5]),
        ),
    ] {
        run(
            c,
            name,
            &image,
            &kernel,
            &[("direct-1t", one.clone(), false, false, false)],
        );
    }
    // A Gaussian (an outer product built in f32): direct vs the opt-in
    // separable path.
    let g: Vec<f32> = (0..9)
        .map(|i| (-((i as f32 - 4.0).powi(2)) / 8.0).exp())
        .collect();
    let gaussian = ndarray::Array2::from_shape_fn((9, 9), |(i, j)| g[i] * g[j]);
    let image = <f32 as BenchElement>::image(1000);
    run(
        c,
        "f32-1000-gauss9",
        &image,
        &gaussian,
        &[
            ("direct-1t", one.clone(), false, false, false),
            ("separable-1t", one.clone(), false, false, true),
            ("direct-2t", all.clone(), false, false, false),
            ("separable-2t", all.clone(), false, false, true),
        ],
    );
}

/// Building a filter (`Filter2d::convolution`): packing the taps, and for
/// integer kernels the bounded search for an exact low-rank form, on
/// pseudo-random kernels (no low-rank form: the search's worst case) from
/// 3x3 to 1001x1001. Ids `build/{i64,f32}-{k}`.
fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    for k in [3usize, 9, 31, 101, 1001] {
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let ints = ndarray::Array2::from_shape_fn((k, k), |_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1000) as i64 - 500
        });
        let floats = ints.mapv(|v| v as f32 / 500.0);
        group.bench_function(BenchmarkId::from_parameter(format!("i64-{k}")), |b| {
            b.iter(|| Filter2d::convolution(black_box(&ints)).expect("valid kernel"))
        });
        group.bench_function(BenchmarkId::from_parameter(format!("f32-{k}")), |b| {
            b.iter(|| Filter2d::convolution(black_box(&floats)).expect("valid kernel"))
        });
    }
    group.finish();
}

/// The narrow-pixel workloads of `docs/PEERS.md` (`ImageFilter` on the
/// images and kernels of `simdconv_bench::pixels`: correlation, same mode,
/// `Border::Mirror`, `Preset::OpenCv`) on the detected backend, one thread,
/// output allocated inside the call (as `ratios` and the peers time them):
/// ids `pixels/{workload}/{backend}`, e.g. `pixels/W8/avx512`.
///
/// - `W8`: u8 1000x1000, W8's 9x9 kernel / 256, u8 out;
/// - `W9`: the same on the u8 1000x1000x3 RGB image (`apply_channels_last`);
/// - `W12`: the same on the u16 image, u16 out;
/// - `W13`: u8 -> i16, Sobel d/dx 3x3 (rank 1: the exact low-rank path);
/// - `G13-u8`, `G13-rgb`, `G17-u16`: `ImageFilter::gaussian_opencv((0, 0),
///   2.0, 0.0)` (`cv2.GaussianBlur` bit for bit, two exact passes).
///
/// Throughput is output pixels x channels x taps, so `elem/s` is
/// direct-equivalent multiply-adds per second. Each workload's result is
/// first compared with the Scalar backend's, bit for bit (printed to
/// stderr).
///
/// ```text
/// cargo bench -p simdconv-bench --bench kernels -- '^pixels/'
/// ```
fn bench_pixels(c: &mut Criterion) {
    use simdconv::{Border, ImageFilter, Mode, Output, Pixel, Preset};
    use simdconv_bench::pixels;

    fn filter<P: Pixel, O: Output>(kernel: &Array2<i32>, divisor: u32) -> ImageFilter<P, O> {
        ImageFilter::<P>::correlation(kernel)
            .expect("valid kernel")
            .output::<O>()
            .divisor(divisor)
            .preset(Preset::OpenCv)
            .mode(Mode::Same)
            .border(Border::Mirror)
    }

    /// Checks `apply` on the detected backend against Scalar, then times it.
    fn run<P: Pixel, O: Output, R: PartialEq>(
        c: &mut Criterion,
        workload: &str,
        macs: usize,
        filter: ImageFilter<P, O>,
        apply: impl Fn(&ImageFilter<P, O>) -> R,
    ) {
        let backend = Backend::detect();
        let fast = filter.clone().backend(backend).threads(Threads::Single);
        let scalar = filter.backend(Backend::Scalar).threads(Threads::Single);
        assert!(
            apply(&fast) == apply(&scalar),
            "pixels/{workload}: {backend} differs from scalar"
        );
        eprintln!("check pixels/{workload}: {backend} equals scalar");
        let mut group = c.benchmark_group(format!("pixels/{workload}"));
        group.throughput(Throughput::Elements(macs as u64));
        group.bench_function(BenchmarkId::from_parameter(backend), |b| {
            b.iter(|| apply(black_box(&fast)))
        });
        group.finish();
    }

    let (w8, sobel) = (pixels::w8_kernel(), pixels::sobel_dx());
    let pixels_of = |shape: (usize, usize)| shape.0 * shape.1;
    let grey = pixels::image_u8(pixels::SHAPE, pixels::SEED);
    run(
        c,
        "W8",
        pixels_of(grey.dim()) * w8.len(),
        filter::<u8, u8>(&w8, 256),
        |f| f.apply(black_box(&grey)).expect("runs"),
    );
    let rgb = pixels::image_u8_rgb(pixels::SHAPE, pixels::SEED);
    run(
        c,
        "W9",
        rgb.len() * w8.len(),
        filter::<u8, u8>(&w8, 256),
        |f| f.apply_channels_last(black_box(&rgb)).expect("runs"),
    );
    let wide = pixels::image_u16(pixels::SHAPE, pixels::SEED);
    run(
        c,
        "W12",
        pixels_of(wide.dim()) * w8.len(),
        filter::<u16, u16>(&w8, 256),
        |f| f.apply(black_box(&wide)).expect("runs"),
    );
    run(
        c,
        "W13",
        pixels_of(grey.dim()) * sobel.len(),
        filter::<u8, i16>(&sobel, 1),
        |f| f.apply(black_box(&grey)).expect("runs"),
    );
    // cv2.GaussianBlur(img, (0, 0), 2.0), bit for bit: 13x13 for u8 and
    // the RGB image, 17x17 for u16 (direct-equivalent multiply-adds).
    let gauss_u8 = ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0).expect("valid");
    run(
        c,
        "G13-u8",
        pixels_of(grey.dim()) * 169,
        gauss_u8.clone(),
        |f| f.apply(black_box(&grey)).expect("runs"),
    );
    run(c, "G13-rgb", rgb.len() * 169, gauss_u8, |f| {
        f.apply_channels_last(black_box(&rgb)).expect("runs")
    });
    run(
        c,
        "G17-u16",
        pixels_of(wide.dim()) * 289,
        ImageFilter::<u16>::gaussian_opencv((0, 0), 2.0, 0.0).expect("valid"),
        |f| f.apply(black_box(&wide)).expect("runs"),
    );
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_build, bench_fft, bench_paths, bench_pixels, bench_f32, bench_f64, bench_i32, bench_i64
}
criterion_main!(benches);
