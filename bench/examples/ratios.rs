//! simdconv against the peers and the core's limits of `docs/PEERS.md`.
//!
//! Runs the key workloads W1-W7 (and G9) on every backend this CPU has, in
//! one process, and the narrow-pixel workloads W8, W9, W12, W8-i16 and W13
//! (`simdconv::ImageFilter` on the u8 / u16 / i16 images of
//! `simdconv_bench::pixels`): each result is first checked bit for bit
//! against the Scalar backend, then timed (median of several calls, output
//! allocated inside the call as in PEERS.md). The table gives the median,
//! GMAC/s (output pixels x channels x kernel taps / time), the speed-up
//! over Scalar, the ratio to the best peer median of PEERS.md (> 1 means
//! simdconv is faster) and the core's limit.
//!
//! Each backend row forces that backend on one thread on the direct path
//! (the row kernels' own speed, comparable to the one-core limits); the
//! `auto` row is the filter as a user gets it (detected backend, rayon
//! threads on large calls, exact low-rank evaluation of integer kernels).
//! The narrow-pixel rows cannot force the direct path (`ImageFilter` has no
//! `low_rank(false)`): W13's Sobel kernel, of rank 1, runs its exact
//! low-rank path on every backend but Scalar (rows marked `-lr1`). The
//! OpenCV fixed-point Gaussians G13-u8, G13-rgb and G17-u16
//! (`ImageFilter::gaussian_opencv`, `cv2.GaussianBlur` bit for bit) run
//! two separable passes on every backend but Scalar (`-sep`).
//!
//! Run: `cargo run --release -p simdconv-bench --example ratios [FILTER...]`,
//! where the optional FILTERs keep the workloads whose name or description
//! contains any of them (e.g. `W3`, `W3-k31`, `f32`, `i64`; `W8 W9 W12
//! W13`: the narrow pixels, `W8` also matching `W8-i16`; `G1`: the
//! Gaussians). With `--peers
//! FILE` (written by `tools/peers/peers.py` and/or
//! `tools/peers/pixel_peers.py`) the peers are the ones measured on this
//! machine instead of the built-in Zen 4 figures.

use std::time::{Duration, Instant};

use ndarray::{s, Array2, Array3, ArrayD};
use simdconv::{
    Backend, Border, Element, Filter2d, ImageFilter, Method, Mode, Output, Pixel, Preset, Threads,
};

/// Skip timing the Scalar backend when one call is estimated above this.
const SCALAR_MAX_SECONDS: f64 = 1.0;
/// Time spent per (workload, backend) measurement, roughly.
const TARGET_SECONDS: f64 = 0.75;
const MIN_RUNS: usize = 5;
const MAX_RUNS: usize = 101;

/// Clock and peak multiply-add rates per cycle of the machine PEERS.md was
/// measured on (2 vCPU AMD Zen 4, ~3.65 GHz): used to derive the core's
/// limit for the workloads PEERS.md gives no limit for.
const GHZ: f64 = 3.65;

use simdconv_bench::lcg::Lcg;
use simdconv_bench::measured_peers::Measured;
use simdconv_bench::pixels;

fn uniform_f32(shape: (usize, usize), seed: u64) -> Array2<f32> {
    let mut rng = Lcg(seed);
    Array2::from_shape_simple_fn(shape, || rng.f32())
}

fn uniform_f64(shape: (usize, usize), seed: u64) -> Array2<f64> {
    let mut rng = Lcg(seed);
    Array2::from_shape_simple_fn(shape, || rng.f64())
}

fn uniform_i32(shape: (usize, usize), max: i64, seed: u64) -> Array2<i32> {
    let mut rng = Lcg(seed);
    Array2::from_shape_simple_fn(shape, || rng.int(max) as i32)
}

/// `arange(rows * cols).reshape(rows, cols)` as int64, the seed's inputs.
fn arange_i64(shape: (usize, usize)) -> Array2<i64> {
    Array2::from_shape_fn(shape, |(i, j)| (i * shape.1 + j) as i64)
}

/// Bit patterns, to compare floats bit for bit.
trait Bits: Element {
    /// Multiply-adds per cycle one Zen 4 core peaks at (PEERS.md).
    const PEAK_MACS_PER_CYCLE: f64;
    /// Whether the separable opt-in applies to this type.
    const IS_FLOAT: bool = false;
    fn bits(self) -> u64;
}

impl Bits for f32 {
    const PEAK_MACS_PER_CYCLE: f64 = 16.0;
    const IS_FLOAT: bool = true;
    fn bits(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Bits for f64 {
    const PEAK_MACS_PER_CYCLE: f64 = 8.0;
    const IS_FLOAT: bool = true;
    fn bits(self) -> u64 {
        self.to_bits()
    }
}
impl Bits for i32 {
    const PEAK_MACS_PER_CYCLE: f64 = 13.0;
    fn bits(self) -> u64 {
        self as u32 as u64
    }
}
impl Bits for i64 {
    const PEAK_MACS_PER_CYCLE: f64 = 6.6;
    fn bits(self) -> u64 {
        self as u64
    }
}

/// The best peer medians of PEERS.md, in ms (measured 2026-11-25 on 2 vCPU
/// AMD Zen 4 with AVX-512; every peer on the same arrays).
struct Peers {
    /// The fastest peer of any kind and thread count, and who it is.
    best: Option<(f64, &'static str)>,
    /// The fastest single-threaded peer.
    best_1t: Option<(f64, &'static str)>,
    /// The core's limit as PEERS.md states it (one core), if it does.
    limit_ms: Option<f64>,
}

struct Workload {
    name: &'static str,
    description: &'static str,
    peers: Peers,
}

const CYTHON: &str = "Cython typed memoryviews (1)";
const NDCONV: &str = "ndarray-conv 0.6 direct (1)";
const NDCONV_FFT: &str = "ndarray-conv 0.6 FFT, rayon (2)";
const OPENCV_1: &str = "OpenCV filter2D (1)";
const OPENCV_2: &str = "OpenCV filter2D (2)";
const OPENCV_F32: &str = "OpenCV filter2D on f32 + np.rint (1)";
const OPENCV_SOBEL: &str = "OpenCV Sobel CV_16S (1)";
const OPENCV_GAUSSIAN: &str = "OpenCV GaussianBlur (1)";

/// The narrow-pixel workloads' peers: one thread only (OpenCV's filter2D
/// and Sobel leave a second thread idle on 1000 x 1000 images, see
/// tools/peers/pixel_peers.py), no stated limit (derived from the i32
/// accumulator's peak).
const fn one_thread(ms: f64, who: &'static str) -> Peers {
    Peers {
        best: Some((ms, who)),
        best_1t: Some((ms, who)),
        limit_ms: None,
    }
}

/// The narrow-pixel workloads (run by [`run_pixels`]).
const PIXEL_WORKLOADS: [&str; 8] = [
    "W8", "W9", "W12", "W8-i16", "W13", "G13-u8", "G13-rgb", "G17-u16",
];

/// W1-W7, G9 and W8-W13, and their PEERS.md figures (ms).
const WORKLOADS: [Workload; 20] = [
    Workload {
        name: "W1",
        description: "i64 100x100 arange, 9x9 arange",
        peers: Peers {
            best: Some((0.36, CYTHON)),
            best_1t: Some((0.36, CYTHON)),
            limit_ms: None,
        },
    },
    Workload {
        name: "W2",
        description: "i64 1000x1000 arange, 9x9 arange",
        peers: Peers {
            best: Some((33.2, NDCONV)),
            best_1t: Some((33.2, NDCONV)),
            limit_ms: Some(3.4),
        },
    },
    Workload {
        name: "W3-k3",
        description: "f32 1000x1000, 3x3",
        peers: Peers {
            best: Some((0.56, OPENCV_2)),
            best_1t: Some((0.58, OPENCV_1)),
            limit_ms: None,
        },
    },
    Workload {
        name: "W3-k9",
        description: "f32 1000x1000, 9x9",
        peers: Peers {
            best: Some((3.17, OPENCV_1)),
            best_1t: Some((3.17, OPENCV_1)),
            limit_ms: Some(1.41),
        },
    },
    Workload {
        name: "W3-k15",
        description: "f32 1000x1000, 15x15",
        peers: Peers {
            best: Some((9.73, NDCONV_FFT)),
            best_1t: Some((10.7, OPENCV_1)),
            limit_ms: None,
        },
    },
    Workload {
        name: "W3-k31",
        description: "f32 1000x1000, 31x31",
        peers: Peers {
            best: Some((9.86, NDCONV_FFT)),
            best_1t: Some((10.8, OPENCV_1)),
            limit_ms: Some(17.4),
        },
    },
    Workload {
        name: "W4",
        description: "f64 1000x1000, 9x9",
        peers: Peers {
            best: Some((10.7, OPENCV_2)),
            best_1t: Some((11.5, OPENCV_1)),
            limit_ms: Some(2.8),
        },
    },
    Workload {
        name: "W5",
        description: "i32 1000x1000 [-100,100], 9x9 [-10,10]",
        peers: Peers {
            best: Some((31.1, NDCONV)),
            best_1t: Some((31.1, NDCONV)),
            limit_ms: Some(1.7),
        },
    },
    Workload {
        name: "W6",
        description: "f32 4096x4096, 9x9",
        peers: Peers {
            best: Some((45.8, OPENCV_2)),
            best_1t: Some((67.6, OPENCV_1)),
            limit_ms: Some(23.0),
        },
    },
    Workload {
        name: "W7",
        description: "f32 1000x1000, 9x9, same mode",
        peers: Peers {
            best: None,
            best_1t: None,
            limit_ms: None,
        },
    },
    // Not in PEERS.md: a separable kernel, for the opt-in separable path
    // (peers as for W3-k9, which OpenCV runs the same way for any kernel).
    Workload {
        name: "G9",
        description: "f32 1000x1000, 9x9 Gaussian (separable)",
        peers: Peers {
            best: Some((3.17, OPENCV_1)),
            best_1t: Some((3.17, OPENCV_1)),
            limit_ms: Some(1.41),
        },
    },
    // The narrow pixels (ImageFilter; simdconv_bench::pixels): correlation,
    // same mode, Border::Mirror (reflect-101), Preset::OpenCv. Peers: the
    // single-thread OpenCV medians of PEERS.md. On u16 and i16, filter2D
    // takes its DFT path for this kernel (12.9 ms on W12, not exact at
    // ties); the fastest exact peer there is filter2D on an f32 copy of the
    // image, rounded by np.rint (3.2 ms). W13: cv2.Sobel, 0.064 ms measured
    // on 2026-12-07 (PEERS.md: 0.20; cv2.filter2D with the same kernel:
    // 0.39).
    Workload {
        name: "W8",
        description: "u8 1000x1000 -> u8, 9x9 / 256",
        peers: one_thread(4.7, OPENCV_1),
    },
    Workload {
        name: "W9",
        description: "u8 1000x1000x3 RGB -> u8, 9x9 / 256",
        peers: one_thread(13.8, OPENCV_1),
    },
    Workload {
        name: "W12",
        description: "u16 1000x1000 -> u16, 9x9 / 256",
        peers: one_thread(3.2, OPENCV_F32),
    },
    Workload {
        name: "W8-i16",
        description: "i16 1000x1000 -> i16, 9x9 / 256",
        peers: one_thread(3.2, OPENCV_F32),
    },
    Workload {
        name: "W13",
        description: "u8 1000x1000 -> i16, Sobel d/dx 3x3",
        peers: one_thread(0.064, OPENCV_SOBEL),
    },
    // The float Gaussian of issue 24: W8's u8 image as f32, OpenCV's 13-tap
    // kernel of sigma 2, same mode, reflect-101. Peers (tools/peers/
    // pixel_peers.py): cv2.GaussianBlur and cv2.sepFilter2D on f32 (1.27 ms,
    // one thread, Intel Xeon, 2026-12-07), scipy.ndimage.gaussian_filter
    // (9.4 ms).
    Workload {
        name: "G13-f32",
        description: "f32 1000x1000, Gaussian sigma 2, 13x13, same",
        peers: one_thread(1.27, "OpenCV sepFilter2D f32 (1)"),
    },
    // cv2.GaussianBlur(img, (0, 0), 2.0) bit for bit:
    // ImageFilter::gaussian_opencv, two exact separable passes. Peers:
    // cv2.GaussianBlur, one thread, measured on 2026-12-07 (Zen 4).
    Workload {
        name: "G13-u8",
        description: "u8 1000x1000, GaussianBlur sigma 2, 13x13",
        peers: one_thread(1.58, OPENCV_GAUSSIAN),
    },
    Workload {
        name: "G13-rgb",
        description: "u8 1000x1000x3 RGB, GaussianBlur sigma 2",
        peers: one_thread(3.54, OPENCV_GAUSSIAN),
    },
    Workload {
        name: "G17-u16",
        description: "u16 1000x1000, GaussianBlur sigma 2, 17x17",
        peers: one_thread(3.67, OPENCV_GAUSSIAN),
    },
];

/// The best peer medians a workload's rows are compared with.
struct BestPeers {
    /// The fastest peer of any thread count: (ms, who).
    best: Option<(f64, String)>,
    /// The fastest single-threaded peer.
    best_1t: Option<(f64, String)>,
}

impl BestPeers {
    /// From `--peers FILE` when given (G9 takes W3-k9's peers, as in
    /// PEERS.md's stand-in), else PEERS.md's Zen 4 figures.
    fn of(w: &Workload, measured: Option<&Measured>) -> BestPeers {
        match measured {
            Some(m) => {
                let (best, best_1t) = m.best(if w.name == "G9" { "W3-k9" } else { w.name });
                BestPeers { best, best_1t }
            }
            None => {
                let own = |p: Option<(f64, &str)>| p.map(|(ms, who)| (ms, who.to_string()));
                BestPeers {
                    best: own(w.peers.best),
                    best_1t: own(w.peers.best_1t),
                }
            }
        }
    }
}

/// A 9x9 Gaussian (sigma 2) built as an outer product in f32, as users do.
fn gaussian_f32(n: usize, sigma: f32) -> Array2<f32> {
    let c = (n as f32 - 1.0) / 2.0;
    let g: Vec<f32> = (0..n)
        .map(|i| (-(i as f32 - c).powi(2) / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f32 = g.iter().sum();
    Array2::from_shape_fn((n, n), |(i, j)| (g[i] / total) * (g[j] / total))
}

/// The outer product of OpenCV's `n`-tap Gaussian of `sigma` (`cv2.getGaussianKernel`,
/// [`simdconv::kernel1d::gaussian_opencv`]) with itself, in `f32`.
fn gaussian_opencv_f32(n: usize, sigma: f64) -> Result<Array2<f32>, simdconv::Error> {
    let g = simdconv::kernel1d::gaussian_opencv(n, sigma)?;
    Ok(Array2::from_shape_fn((n, n), |(i, j)| (g[i] * g[j]) as f32))
}

/// The number of threads `Threads::Auto` may use.
fn rayon_threads() -> usize {
    rayon::current_num_threads()
}

/// Median wall time of `runs` calls to `call`.
fn median_time<R>(runs: usize, mut call: impl FnMut() -> R) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(call());
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Wall time of one call.
fn once<R>(call: impl FnOnce() -> R) -> (R, f64) {
    let start = Instant::now();
    let r = std::hint::black_box(call());
    (r, start.elapsed().as_secs_f64())
}

fn fmt_ratio(r: Option<f64>) -> String {
    match r {
        Some(r) if r >= 100.0 => format!("{r:.0}x"),
        Some(r) if r >= 10.0 => format!("{r:.1}x"),
        Some(r) => format!("{r:.2}x"),
        None => "-".to_string(),
    }
}

/// The rows of one workload as they are timed and printed: what they share
/// (the workload, its peers and multiply-adds, the Scalar reference call)
/// and the Scalar median once measured, for the `x scalar` column.
struct Table<'a> {
    w: &'a Workload,
    peers: &'a BestPeers,
    /// Multiply-adds of one call (direct-equivalent).
    macs: f64,
    /// Whether the Scalar row is timed (else its one reference call counts).
    scalar_timed: bool,
    /// One Scalar call's estimated time (s), from a quarter-size image.
    scalar_estimate: f64,
    /// The one reference call on the Scalar backend (s).
    t_reference: f64,
    /// (ms, measured as a median), once the Scalar row has been printed.
    scalar_ms: Option<(f64, bool)>,
}

impl Table<'_> {
    /// Times `call` (a median of runs sized by one warm-up call; not for
    /// the Scalar row when it is estimated too slow) and prints its row:
    /// `label` names the row ("scalar" is the Scalar backend's), `ok` says
    /// whether its result equalled the reference, `limit` is the core's
    /// limit in ms that applies (with '*' when derived).
    fn row<R>(
        &mut self,
        label: &str,
        ok: bool,
        limit: Option<(f64, &str)>,
        mut call: impl FnMut() -> R,
    ) {
        let (w, macs) = (self.w, self.macs);
        let is_scalar = label == "scalar";
        let ms = if is_scalar && !self.scalar_timed {
            None
        } else {
            // One warm-up call sizes the number of runs.
            let (_, t1) = once(&mut call);
            let runs = ((TARGET_SECONDS / t1.max(1e-9)) as usize).clamp(MIN_RUNS, MAX_RUNS) | 1;
            Some(median_time(runs, call).as_secs_f64() * 1e3)
        };
        if is_scalar {
            self.scalar_ms = Some(match ms {
                Some(ms) => (ms, true),
                None => (self.t_reference * 1e3, false),
            });
        }
        let x_scalar = match (ms, self.scalar_ms) {
            (Some(ms), Some((s, measured))) => {
                let r = fmt_ratio(Some(s / ms));
                if measured {
                    r
                } else {
                    format!("~{r}")
                }
            }
            _ => "-".to_string(),
        };
        let peer =
            |p: &Option<(f64, String)>| fmt_ratio(p.as_ref().zip(ms).map(|((p, _), ms)| p / ms));
        println!(
            "{:<7} {:<38} {:<8} {:>10} {:>7} {:>9} {:>8} {:>8} {:>8} {:>6}{}",
            w.name,
            w.description,
            label,
            ms.map_or("-".to_string(), |ms| format!("{ms:.3}")),
            ms.map_or("-".to_string(), |ms| format!("{:.2}", macs / ms / 1e6)),
            x_scalar,
            peer(&self.peers.best),
            peer(&self.peers.best_1t),
            limit.map_or("-".to_string(), |(l, mark)| format!("{l:.2}{mark}")),
            limit
                .zip(ms)
                .map_or("-".to_string(), |((l, _), ms)| format!(
                    "{:.0}%",
                    l / ms * 100.0
                )),
            if ok {
                ""
            } else {
                "  WRONG: differs from scalar"
            },
        );
        if is_scalar && !self.scalar_timed {
            // Keep the note short: the estimate and the single reference call.
            println!(
                "{:<7} {:<38} {:<8} (not timed: ~{:.2} s per call estimated; one reference call took {:.3} s)",
                "", "", "", self.scalar_estimate, self.t_reference
            );
        }
    }
}

/// Which evaluation a row runs, for the reference it must equal.
#[derive(Clone, Copy, PartialEq)]
enum Path {
    Direct,
    Separable,
    Fft,
}

/// Runs one workload on every backend and prints its rows.
fn run<T: Bits>(
    w: &Workload,
    peers: &BestPeers,
    image: &Array2<T>,
    kernel: &Array2<T>,
    mode: Mode,
) -> Result<bool, simdconv::Error> {
    run_bordered(w, peers, image, kernel, mode, None)
}

/// [`run`] with a border other than the default zero one.
fn run_bordered<T: Bits>(
    w: &Workload,
    peers: &BestPeers,
    image: &Array2<T>,
    kernel: &Array2<T>,
    mode: Mode,
    border: Option<Border<T>>,
) -> Result<bool, simdconv::Error> {
    let bordered = |f: Filter2d<T>| match border {
        Some(b) => f.border(b),
        None => f,
    };
    // One backend forced, one thread, the direct path: the row kernels.
    let forced = |b: Backend| {
        Filter2d::convolution(kernel).map(bordered).map(|f| {
            f.mode(mode)
                .backend(b)
                .threads(Threads::Single)
                .low_rank(false)
        })
    };
    let scalar = forced(Backend::Scalar)?;
    let shape = scalar.output_shape(image.dim())?;
    let macs = (shape.0 * shape.1 * kernel.len()) as f64;

    // The core's limit: PEERS.md's figure, else derived the same way
    // (multiply-adds / peak rate); marked with '*' when derived. Two cores
    // (for `auto`): PEERS.md's W6 figure, else half of one core's.
    let limit_1 = match w.peers.limit_ms {
        Some(ms) => (ms, ""),
        None => (macs / (T::PEAK_MACS_PER_CYCLE * GHZ * 1e9) * 1e3, "*"),
    };
    let limit_2 = match w.name {
        "W6" => (12.0, ""),
        _ => (limit_1.0 / 2.0, "*"),
    };

    // Estimate one scalar call from a quarter-size image (1/16 of the area).
    let small = image.slice(s![..image.nrows().div_ceil(4), ..image.ncols().div_ceil(4)]);
    let small_macs = {
        let sh = scalar.output_shape(small.dim())?;
        (sh.0 * sh.1 * kernel.len()) as f64
    };
    scalar.apply(small)?;
    let (_, t_small) = once(|| scalar.apply(small));
    let scalar_estimate = t_small * macs / small_macs;

    // The reference, on the Scalar backend (one call, also timed).
    let (reference, t_reference) = once(|| scalar.apply(image));
    let reference = reference?;
    let scalar_timed = scalar_estimate <= SCALAR_MAX_SECONDS;

    // Every available backend, then the filter as a user gets it. Each row
    // carries the reference it must equal bit for bit: the direct Scalar
    // result, or for the opt-in separable and FFT paths the Scalar
    // backend's separable or FFT result.
    let mut rows: Vec<(String, Filter2d<T>, bool, Path)> = Backend::available()
        .into_iter()
        .map(|b| Ok((b.name().to_string(), forced(b)?, false, Path::Direct)))
        .collect::<Result<_, simdconv::Error>>()?;
    let best = Backend::detect();
    let auto = bordered(Filter2d::convolution(kernel)?).mode(mode);
    if let Some(r) = auto.low_rank_terms() {
        // The exact low-rank path on one thread.
        let one = auto.clone().backend(best).threads(Threads::Single);
        rows.push((format!("{best}-lr{r}"), one, false, Path::Direct));
    }
    let auto_label = match auto.low_rank_terms() {
        Some(r) => format!("auto-lr{r}"),
        None => "auto".to_string(),
    };
    rows.push((auto_label, auto.clone(), true, Path::Direct));
    // The FFT method for large float kernels (issue 25): one thread and
    // the default policy; the same bits on every backend and thread count.
    let fft = auto.clone().method(Method::Fft);
    let fft_reference = if T::IS_FLOAT && kernel.len() >= 15 * 15 {
        rows.push((
            "fft-1t".to_string(),
            fft.clone().threads(Threads::Single),
            false,
            Path::Fft,
        ));
        rows.push(("auto-fft".to_string(), fft.clone(), true, Path::Fft));
        Some(
            fft.backend(Backend::Scalar)
                .threads(Threads::Single)
                .apply(image)?,
        )
    } else {
        None
    };
    let separable = auto.method(Method::Separable);
    let separable_reference =
        if separable.low_rank_terms().is_some() && kernel.len() > 1 && T::IS_FLOAT {
            let one = separable.clone().backend(best).threads(Threads::Single);
            rows.push((format!("{best}-sep"), one, false, Path::Separable));
            rows.push((
                "auto-sep".to_string(),
                separable.clone(),
                true,
                Path::Separable,
            ));
            Some(
                separable
                    .clone()
                    .backend(Backend::Scalar)
                    .threads(Threads::Single)
                    .apply(image)?,
            )
        } else {
            None
        };

    let mut table = Table {
        w,
        peers,
        macs,
        scalar_timed,
        scalar_estimate,
        t_reference,
        scalar_ms: None,
    };
    let mut all_ok = true;
    for (label, f, is_auto, path) in &rows {
        let out = f.apply(image)?;
        let want = match (path, &separable_reference, &fft_reference) {
            (Path::Separable, Some(r), _) | (Path::Fft, _, Some(r)) => r,
            _ => &reference,
        };
        let ok = out.dim() == want.dim() && out.iter().zip(want).all(|(a, b)| a.bits() == b.bits());
        all_ok &= ok;
        // The low-rank and FFT paths do fewer multiply-adds: no MAC limit
        // applies.
        let limit = match (is_auto, f.low_rank_terms()) {
            _ if *path == Path::Fft => None,
            (_, Some(_)) => None,
            (false, None) => Some(limit_1),
            (true, None) => Some(limit_2),
        };
        table.row(label, ok, limit, || f.apply(image));
    }
    Ok(all_ok)
}

/// A narrow-pixel workload's image: grey `(H, W)`, filtered by
/// `ImageFilter::apply`, or colour `(H, W, C)`, by `apply_channels_last`.
trait PixelImage<P: Pixel>: Sized {
    /// Filters the image into a new array (as a user calls it).
    fn filter<O: Output>(&self, f: &ImageFilter<P, O>) -> Result<ArrayD<O>, simdconv::Error>;
    /// The top-left part with a quarter of the rows and of the columns.
    fn quarter(&self) -> Self;
    /// The shape of one plane `(rows, cols)` and the number of channels.
    fn planes(&self) -> ((usize, usize), usize);
}

impl<P: Pixel> PixelImage<P> for Array2<P> {
    fn filter<O: Output>(&self, f: &ImageFilter<P, O>) -> Result<ArrayD<O>, simdconv::Error> {
        f.apply(self).map(Array2::into_dyn)
    }
    fn quarter(&self) -> Self {
        self.slice(s![..self.nrows().div_ceil(4), ..self.ncols().div_ceil(4)])
            .to_owned()
    }
    fn planes(&self) -> ((usize, usize), usize) {
        (self.dim(), 1)
    }
}

impl<P: Pixel> PixelImage<P> for Array3<P> {
    fn filter<O: Output>(&self, f: &ImageFilter<P, O>) -> Result<ArrayD<O>, simdconv::Error> {
        f.apply_channels_last(self).map(Array3::into_dyn)
    }
    fn quarter(&self) -> Self {
        let (h, w, _) = self.dim();
        self.slice(s![..h.div_ceil(4), ..w.div_ceil(4), ..])
            .to_owned()
    }
    fn planes(&self) -> ((usize, usize), usize) {
        let (h, w, c) = self.dim();
        ((h, w), c)
    }
}

/// Runs one narrow-pixel workload (`P` pixels into `O`, the integer
/// `kernel` divided by `divisor`; correlation, same mode, Border::Mirror,
/// Preset::OpenCv) on every backend and prints its rows, as [`run`] does:
/// each backend forced on one thread, then `auto` (detected backend,
/// Threads::Auto), each result first compared with the Scalar backend's.
fn run_pixels<P: Pixel, O: Output, I: PixelImage<P>>(
    w: &Workload,
    peers: &BestPeers,
    image: &I,
    kernel: &Array2<i32>,
    divisor: u32,
) -> Result<bool, simdconv::Error> {
    let auto = ImageFilter::<P>::correlation(kernel)?
        .output::<O>()
        .divisor(divisor)
        .preset(Preset::OpenCv)
        .mode(Mode::Same)
        .border(Border::Mirror);
    // The exact low-rank form the accumulator's filter evaluates on every
    // backend but Scalar (ImageFilter cannot turn it off): that of the
    // same taps as a Filter2d of the accumulator type (the modular i16
    // accumulator factors modulo 2^16, as its Filter2d<i16> does).
    let low_rank = match auto.accumulator() {
        "i16" => Filter2d::correlation(&kernel.mapv(|t| t as i16))?.low_rank_terms(),
        "i32" => Filter2d::correlation(kernel)?.low_rank_terms(),
        "i64" => Filter2d::correlation(&kernel.mapv(i64::from))?.low_rank_terms(),
        _ => None,
    };
    let path = low_rank.map(|r| format!("-lr{r}"));
    run_pixel_rows(w, peers, image, auto, kernel.len(), path)
}

/// The rows of one narrow-pixel workload for the filter `auto`: `taps`
/// direct-equivalent multiply-adds per output value; `path` labels the
/// rows of every backend but Scalar when they take a path other than the
/// direct one (`-lrR` low-rank, `-sep` two separable passes), which has no
/// limit column.
fn run_pixel_rows<P: Pixel, O: Output, I: PixelImage<P>>(
    w: &Workload,
    peers: &BestPeers,
    image: &I,
    auto: ImageFilter<P, O>,
    taps: usize,
    path: Option<String>,
) -> Result<bool, simdconv::Error> {
    let forced = |b: Backend| auto.clone().backend(b).threads(Threads::Single);
    let scalar = forced(Backend::Scalar);
    let outputs = |image: &I| -> Result<f64, simdconv::Error> {
        let (plane, channels) = image.planes();
        let (oh, ow) = scalar.output_shape(plane)?;
        Ok((oh * ow * channels * taps) as f64)
    };
    let macs = outputs(image)?;
    let accumulator = auto.accumulator();

    // The core's limit, derived from the accumulator's peak (the sums are
    // its multiply-adds on widened pixels): i32 and i64 only, PEERS.md
    // states no i16 peak. '-' on the low-rank path.
    let peak = match accumulator {
        "i32" => Some(<i32 as Bits>::PEAK_MACS_PER_CYCLE),
        "i64" => Some(<i64 as Bits>::PEAK_MACS_PER_CYCLE),
        _ => None,
    };
    let limit_1 = peak.map(|p| (macs / (p * GHZ * 1e9) * 1e3, "*"));
    let limit_2 = limit_1.map(|(l, mark)| (l / 2.0, mark));

    // Estimate one scalar call from a quarter-size image (1/16 of the area).
    let small = image.quarter();
    small.filter(&scalar)?; // warm-up
    let (_, t_small) = once(|| small.filter(&scalar));
    let scalar_estimate = t_small * macs / outputs(&small)?;
    // The reference, on the Scalar backend (one call, also timed).
    let (reference, t_reference) = once(|| image.filter(&scalar));
    let reference = reference?;

    let best = Backend::detect();
    let mut rows: Vec<(String, ImageFilter<P, O>, bool)> = Backend::available()
        .into_iter()
        .map(|b| {
            let label = match &path {
                Some(p) if b != Backend::Scalar => format!("{b}{p}"),
                _ => b.name().to_string(),
            };
            (label, forced(b), false)
        })
        .collect();
    let auto_label = match &path {
        Some(p) => format!("auto{p}"),
        None => "auto".to_string(),
    };
    rows.push((auto_label, auto.clone(), true));
    debug_assert_eq!(auto.resolved_backend()?, best);

    let mut table = Table {
        w,
        peers,
        macs,
        scalar_timed: scalar_estimate <= SCALAR_MAX_SECONDS,
        scalar_estimate,
        t_reference,
        scalar_ms: None,
    };
    let mut all_ok = true;
    for (label, f, is_auto) in &rows {
        let out = image.filter(f)?;
        // Integer outputs: equality is bit equality.
        let ok =
            out.shape() == reference.shape() && out.iter().zip(&reference).all(|(a, b)| a == b);
        all_ok &= ok;
        let on_low_rank = path.is_some() && label != "scalar";
        let limit = match (on_low_rank, is_auto) {
            (true, _) => None,
            (false, false) => limit_1,
            (false, true) => limit_2,
        };
        table.row(label, ok, limit, || image.filter(f));
    }
    Ok(all_ok)
}

/// The accumulator `ImageFilter` picks for a narrow-pixel workload (it
/// depends on the pixel type and the taps only).
fn pixel_accumulator(name: &str) -> Result<&'static str, simdconv::Error> {
    let (w8, sobel) = (pixels::w8_kernel(), pixels::sobel_dx());
    Ok(match name {
        "W8" | "W9" => ImageFilter::<u8>::correlation(&w8)?.accumulator(),
        "W12" => ImageFilter::<u16>::correlation(&w8)?.accumulator(),
        "W8-i16" => ImageFilter::<i16>::correlation(&w8)?.accumulator(),
        "W13" => ImageFilter::<u8>::correlation(&sobel)?.accumulator(),
        "G13-u8" | "G13-rgb" => ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0)?.accumulator(),
        "G17-u16" => ImageFilter::<u16>::gaussian_opencv((0, 0), 2.0, 0.0)?.accumulator(),
        other => unreachable!("not a narrow-pixel workload: {other}"),
    })
}

fn main() -> Result<(), simdconv::Error> {
    // [--peers FILE] [FILTER...]
    let mut filters: Vec<String> = Vec::new();
    let mut peers_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--peers" {
            peers_file = args.next();
            if peers_file.is_none() {
                eprintln!("--peers needs a file written by tools/peers/peers.py or pixel_peers.py");
                std::process::exit(2);
            }
        } else {
            filters.push(arg);
        }
    }
    let measured = match peers_file.as_deref().map(Measured::read) {
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
        None => None,
    };
    let peers_source = match &measured {
        Some(m) => format!("peers measured by tools/peers/ on {}", m.origin),
        None => "PEERS.md (Zen 4)".to_string(),
    };
    // Any FILTER matching the name or the description keeps a workload.
    let selected = |w: &Workload| {
        filters.is_empty()
            || filters
                .iter()
                .any(|f| w.name.contains(f.as_str()) || w.description.contains(f.as_str()))
    };
    println!("simdconv vs {peers_source}: full 2D convolution unless noted, medians of single calls (output allocated)");
    println!(
        "backends on this CPU: {:?} (detected: {}); CPU: {}\n",
        Backend::available(),
        Backend::detect(),
        cpu_model()
    );
    println!(
        "{:<7} {:<38} {:<8} {:>10} {:>7} {:>9} {:>8} {:>8} {:>8} {:>6}",
        "name",
        "workload",
        "backend",
        "median ms",
        "GMAC/s",
        "x scalar",
        "x peer",
        "x 1Tpeer",
        "limit ms",
        "%lim"
    );

    let start = Instant::now();
    let mut all_ok = true;
    for w in WORKLOADS.iter().filter(|w| selected(w)) {
        let peers = BestPeers::of(w, measured.as_ref());
        let ok = match w.name {
            "W1" => run(
                w,
                &peers,
                &arange_i64((100, 100)),
                &arange_i64((9, 9)),
                Mode::Full,
            )?,
            "W2" => run(
                w,
                &peers,
                &arange_i64((1000, 1000)),
                &arange_i64((9, 9)),
                Mode::Full,
            )?,
            "W3-k3" | "W3-k9" | "W3-k15" | "W3-k31" => {
                let k: usize = w.name[4..].parse().expect("W3-kK");
                run(
                    w,
                    &peers,
                    &uniform_f32((1000, 1000), 1),
                    &uniform_f32((k, k), 2),
                    Mode::Full,
                )?
            }
            "W4" => run(
                w,
                &peers,
                &uniform_f64((1000, 1000), 1),
                &uniform_f64((9, 9), 2),
                Mode::Full,
            )?,
            "W5" => run(
                w,
                &peers,
                &uniform_i32((1000, 1000), 100, 1),
                &uniform_i32((9, 9), 10, 2),
                Mode::Full,
            )?,
            "W6" => run(
                w,
                &peers,
                &uniform_f32((4096, 4096), 1),
                &uniform_f32((9, 9), 2),
                Mode::Full,
            )?,
            "W7" => run(
                w,
                &peers,
                &uniform_f32((1000, 1000), 1),
                &uniform_f32((9, 9), 2),
                Mode::Same,
            )?,
            "G9" => run(
                w,
                &peers,
                &uniform_f32((1000, 1000), 1),
                &gaussian_f32(9, 2.0),
                Mode::Full,
            )?,
            "G13-f32" => run_bordered(
                w,
                &peers,
                &pixels::image_u8(pixels::SHAPE, pixels::SEED).mapv(f32::from),
                &gaussian_opencv_f32(13, 2.0)?,
                Mode::Same,
                Some(Border::Mirror),
            )?,
            "W8" => run_pixels::<u8, u8, _>(
                w,
                &peers,
                &pixels::image_u8(pixels::SHAPE, pixels::SEED),
                &pixels::w8_kernel(),
                256,
            )?,
            "W9" => run_pixels::<u8, u8, _>(
                w,
                &peers,
                &pixels::image_u8_rgb(pixels::SHAPE, pixels::SEED),
                &pixels::w8_kernel(),
                256,
            )?,
            "W12" => run_pixels::<u16, u16, _>(
                w,
                &peers,
                &pixels::image_u16(pixels::SHAPE, pixels::SEED),
                &pixels::w8_kernel(),
                256,
            )?,
            "W8-i16" => run_pixels::<i16, i16, _>(
                w,
                &peers,
                &pixels::image_i16(pixels::SHAPE, pixels::SEED),
                &pixels::w8_kernel(),
                256,
            )?,
            "W13" => run_pixels::<u8, i16, _>(
                w,
                &peers,
                &pixels::image_u8(pixels::SHAPE, pixels::SEED),
                &pixels::sobel_dx(),
                1,
            )?,
            "G13-u8" => run_pixel_rows(
                w,
                &peers,
                &pixels::image_u8(pixels::SHAPE, pixels::SEED),
                ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0)?,
                13 * 13,
                Some("-sep".into()),
            )?,
            "G13-rgb" => run_pixel_rows(
                w,
                &peers,
                &pixels::image_u8_rgb(pixels::SHAPE, pixels::SEED),
                ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0)?,
                13 * 13,
                Some("-sep".into()),
            )?,
            "G17-u16" => run_pixel_rows(
                w,
                &peers,
                &pixels::image_u16(pixels::SHAPE, pixels::SEED),
                ImageFilter::<u16>::gaussian_opencv((0, 0), 2.0, 0.0)?,
                17 * 17,
                Some("-sep".into()),
            )?,
            other => unreachable!("unknown workload {other}"),
        };
        all_ok &= ok;
    }

    println!(
        "\nbackend rows: that backend forced, one thread (Threads::Single), direct path (low_rank(false)).\n\
         auto: nothing forced, as a user gets it: detected backend ({}), Threads::Auto ({} rayon threads on\n\
         large calls), exact low-rank evaluation of integer kernels that have one ('-lrR': R outer products;\n\
         its GMAC/s are direct-equivalent). '<backend>-lrR': that path on one thread. '-sep': the opt-in\n\
         separable float path (Filter2d::separable(true)), one thread or auto. 'fft-1t', 'auto-fft': the\n\
         opt-in FFT method (Method::Fft, float kernels of 15x15 and more; GMAC/s direct-equivalent), one\n\
         thread or auto. Every row's result checked bit for bit first: against the Scalar backend's direct\n\
         result, '-sep' and FFT rows against its separable or FFT one.",
        Backend::detect(),
        rayon_threads()
    );
    if WORKLOADS
        .iter()
        .any(|w| selected(w) && PIXEL_WORKLOADS.contains(&w.name))
    {
        let accumulators: Vec<String> = WORKLOADS
            .iter()
            .filter(|w| selected(w) && PIXEL_WORKLOADS.contains(&w.name))
            .map(|w| Ok(format!("{} {}", w.name, pixel_accumulator(w.name)?)))
            .collect::<Result<_, simdconv::Error>>()?;
        println!(
            "W8-W13 (narrow pixels): ImageFilter, correlation, same mode, Border::Mirror (reflect-101),\n\
             Preset::OpenCv (half to even, saturating), divisor 256 (W13: 1); the colour image (W9) through\n\
             apply_channels_last, GMAC/s counting every channel. ImageFilter has no low_rank(false): a\n\
             kernel with an exact low-rank form (W13's Sobel, rank 1) runs it on every backend but Scalar\n\
             ('-lrR' rows), checked against the Scalar backend's direct result. G13/G17:\n\
             ImageFilter::gaussian_opencv((0, 0), 2.0, 0.0) (cv2.GaussianBlur bit for bit), two exact\n\
             separable passes ('-sep'; GMAC/s direct-equivalent). Sums in the exact accumulator\n\
             ImageFilter picks ('i16': modular 16-bit lanes): {}.",
            accumulators.join(", ")
        );
    }
    println!(
        "x scalar: scalar median / this median ('~': scalar not timed, its single reference call used instead)."
    );
    println!(
        "x peer / x 1Tpeer: best peer median of {peers_source} (any threads / one thread) / this median (> 1: simdconv faster):"
    );
    for w in WORKLOADS.iter().filter(|w| selected(w)) {
        let peers = BestPeers::of(w, measured.as_ref());
        let who = |p: &Option<(f64, String)>| {
            p.as_ref()
                .map_or("-".to_string(), |(ms, who)| format!("{ms} ms {who}"))
        };
        println!(
            "  {:<7} any: {:<50} 1 thread: {}",
            w.name,
            who(&peers.best),
            who(&peers.best_1t)
        );
    }
    println!(
        "limit ms: the core's limit from PEERS.md, one core (auto: two cores; '-' on the low-rank path);\n\
         '*' derived the same way: MACs / (peak MACs per cycle x {GHZ} GHz), peaks 16 f32, 8 f64, 13 i32,\n\
         6.6 i64 (two cores: half of that; W8-W13: the accumulator's, none for i16). %lim: limit /\n\
         this median. The\n\
         limits are Zen 4's (PEERS.md): %lim above 100% means this core's peak is higher (Zen 5: twice\n\
         Zen 4's 512-bit rate). Without --peers the peers are PEERS.md's, also Zen 4's: on another CPU\n\
         run `python3 tools/peers/peers.py` and `python3 tools/peers/pixel_peers.py --json\n\
         target/peers.json --merge` first and pass `--peers target/peers.json` to compare on one core."
    );
    println!(
        "check against the Scalar backend: {}; total {:.1} s",
        if all_ok {
            "every result bit-identical"
        } else {
            "MISMATCH"
        },
        start.elapsed().as_secs_f64()
    );
    if !all_ok {
        std::process::exit(1);
    }
    Ok(())
}

/// The CPU's model name and family as Linux reports them (`/proc/cpuinfo`),
/// or "unknown": the figures above mean different things on different cores.
fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |key: &str| {
        info.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split(':').nth(1))
            .map(|v| v.trim().to_string())
    };
    match (field("model name"), field("cpu family")) {
        (Some(name), Some(family)) => format!("{name} (family {family})"),
        (Some(name), None) => name,
        _ => "unknown".to_string(),
    }
}
