//! The seed's job, reproduced and beaten.
//!
//! The classic Cython tutorial on NumPy convolution computes the full 2D
//! convolution of `f = arange(N*N).reshape(N, N)` (int64) with
//! `g = arange(81).reshape(9, 9)`, and publishes 1.86 s in Python and
//! 5.97 ms in its best Cython for N = 100, 597 ms for N = 1000, measured on
//! the tutorial author's machine years ago. This example runs the same
//! workloads on every backend this CPU has, by the direct method and by the
//! exact low-rank method (the kernel has rank 2), on one thread and with the
//! default thread policy, checks every result against the tutorial's naive
//! loops, and prints the medians of `apply_into` (output reused; `apply`
//! also allocates).
//!
//! The "x Python" and "x Cython" columns divide those *published* times by
//! this machine's: they say how far the job has come, not how this CPU
//! compares with Cython on the same machine (`docs/PEERS.md` has that).
//! "threads" is the number of threads a row's calls really ran on: the
//! default policy keeps small calls on the calling thread. "direct-eq.
//! GMAC/s" counts the direct method's 81 multiply-adds per output for every
//! row, so on the low-rank rows it is a speed, not an arithmetic rate.
//!
//! It uses the library alone (`ndarray` and rayon's thread count through
//! its re-exports; no dev-dependency).
//!
//! Run: `cargo run --release --example seed`

use std::time::{Duration, Instant};

use simdconv::ndarray::Array2;
use simdconv::{Backend, Filter2d, Threads};

/// The tutorial's `naive_convolve`, loop for loop: zero outside the image,
/// wrapping int64 arithmetic (odd kernel sides, as in the tutorial).
fn naive_convolve(f: &Array2<i64>, g: &Array2<i64>) -> Array2<i64> {
    let (vmax, wmax) = (f.nrows() as isize, f.ncols() as isize);
    let (smax, tmax) = (g.nrows() as isize, g.ncols() as isize);
    let (smid, tmid) = (smax / 2, tmax / 2);
    let (xmax, ymax) = (vmax + 2 * smid, wmax + 2 * tmid);
    let mut h = Array2::<i64>::zeros((xmax as usize, ymax as usize));
    for x in 0..xmax {
        for y in 0..ymax {
            let s_from = (smid - x).max(-smid);
            let s_to = ((xmax - x) - smid).min(smid + 1);
            let t_from = (tmid - y).max(-tmid);
            let t_to = ((ymax - y) - tmid).min(tmid + 1);
            let mut value = 0i64;
            for s in s_from..s_to {
                for t in t_from..t_to {
                    let (v, w) = (x - smid + s, y - tmid + t);
                    let tap = g[[(smid - s) as usize, (tmid - t) as usize]];
                    value = value.wrapping_add(tap.wrapping_mul(f[[v as usize, w as usize]]));
                }
            }
            h[[x as usize, y as usize]] = value;
        }
    }
    h
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Median wall time of `runs` calls (after one warm-up call).
fn time<R>(runs: usize, mut call: impl FnMut() -> R) -> Duration {
    std::hint::black_box(call());
    let times = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(call());
            start.elapsed()
        })
        .collect();
    median(times)
}

/// What the columns mean, printed under the table.
const LEGEND: &str = "\
threads            the threads a row's calls ran on: the default policy keeps calls below
                   2^21 multiply-adds (about 0.1 ms) on the calling thread
direct-eq. GMAC/s  81 multiply-adds per output / median time, on every row: the low-rank
                   rows do less work, so there it is a speed, not an arithmetic rate
x Python/Cython    the tutorial's published times (Python 1.86 s at N=100; best Cython
                   5.97 ms at N=100, 597 ms at N=1000), measured on another machine years
                   ago, divided by this machine's median: not a same-machine comparison
                   (docs/PEERS.md has Cython, SciPy and OpenCV timed beside simdconv)";

/// The threads of the pool `Threads::Auto` runs on: rayon's global pool
/// (through the crate's re-export); without the `rayon` feature, none but
/// the caller.
#[cfg(feature = "rayon")]
fn pool_threads() -> usize {
    simdconv::rayon::current_num_threads()
}

#[cfg(not(feature = "rayon"))]
fn pool_threads() -> usize {
    1
}

/// The threads a call with `Threads::Auto` runs on, by the rule of
/// `src/threads.rs` (documented in the crate's "Threads" section): a call
/// below 2^21 multiply-adds of the direct method (about 0.1 ms of work), or
/// with fewer than 32 output rows, stays on the calling thread; a larger
/// one is split into bands of at least 16 output rows, two per thread.
fn auto_threads(out_shape: (usize, usize), kernel_taps: usize, pool: usize) -> usize {
    const MIN_PARALLEL_MACS: usize = 1 << 21;
    const MIN_TASK_ROWS: usize = 16;
    let (rows, cols) = out_shape;
    let macs = rows * cols * kernel_taps;
    if pool > 1 && macs >= MIN_PARALLEL_MACS && rows >= 2 * MIN_TASK_ROWS {
        pool.min((2 * pool).min(rows / MIN_TASK_ROWS))
    } else {
        1
    }
}

fn main() -> Result<(), simdconv::Error> {
    let g = Array2::from_shape_fn((9, 9), |(i, j)| (9 * i + j) as i64);
    let pool = pool_threads();
    let rank = Filter2d::convolution(&g)?.low_rank_terms().unwrap_or(0);
    let (kh, kw) = g.dim();
    println!("simdconv seed: full 2D convolution, int64 arange(N*N) image, arange(81) 9x9 kernel");
    println!(
        "backends on this CPU: {:?} (detected: {}); the default thread policy may use {pool} thread{}",
        Backend::available(),
        Backend::detect(),
        if pool == 1 { "" } else { "s" },
    );
    println!(
        "the kernel has rank {rank}: the low-rank path evaluates {rank} x ({kh} + {kw}) = {} taps \
         per output instead of {} (most of them adds and shifts, not multiplies)\n",
        rank * (kh + kw),
        kh * kw,
    );
    println!(
        "{:<8} {:<8} {:<9} {:>7} {:>10} {:>10} {:>9} {:>10} {:>10}",
        "", "", "", "", "", "direct-eq.", "", "published", "published"
    );
    println!(
        "{:<8} {:<8} {:<9} {:>7} {:>10} {:>10} {:>9} {:>10} {:>10}",
        "workload",
        "backend",
        "path",
        "threads",
        "median ms",
        "GMAC/s",
        "x scalar",
        "x Python",
        "x Cython"
    );
    // (N, runs, the tutorial's published Python and best Cython times in
    // seconds, measured on another machine)
    let workloads: [(usize, usize, Option<f64>, f64); 2] =
        [(100, 201, Some(1.86), 5.97e-3), (1000, 15, None, 0.597)];
    let mut all_ok = true;
    for (n, runs, python, cython) in workloads {
        let f = Array2::from_shape_fn((n, n), |(i, j)| (i * n + j) as i64);
        let reference = naive_convolve(&f, &g);
        // The direct method's work (81 multiply-adds per output), for every
        // row: on the low-rank rows the column compares times, not rates.
        let direct_macs = (reference.len() * g.len()) as f64;
        let mut scalar_time = None;
        let best = Backend::detect();
        let mut rows: Vec<(Backend, &str, Threads, bool)> = Vec::new();
        for backend in Backend::available() {
            rows.push((backend, "direct", Threads::Single, false));
            // The Scalar backend is the reference: always direct.
            if backend != Backend::Scalar {
                rows.push((backend, "low-rank", Threads::Single, true));
            }
        }
        rows.push((best, "direct", Threads::Auto, false));
        rows.push((best, "low-rank", Threads::Auto, true));
        for (backend, path, threading, low_rank) in rows {
            let threads = match threading {
                Threads::Single => 1,
                _ => auto_threads(reference.dim(), g.len(), pool),
            };
            let filter = Filter2d::convolution(&g)?
                .backend(backend)
                .threads(threading)
                .low_rank(low_rank);
            let mut out = filter.apply(&f)?;
            let ok = out == reference;
            all_ok &= ok;
            let t = time(runs, || filter.apply_into(&f, &mut out)).as_secs_f64();
            let scalar = *scalar_time.get_or_insert(t);
            println!(
                "{:<8} {:<8} {:<9} {:>7} {:>10.3} {:>10.2} {:>8.1}x {:>10} {:>9.0}x{}",
                format!("N={n}"),
                backend.name(),
                path,
                threads,
                t * 1e3,
                direct_macs / t / 1e9,
                scalar / t,
                python.map_or("-".to_string(), |p| format!("{:.0}x", p / t)),
                cython / t,
                if ok { "" } else { "  WRONG RESULT" },
            );
        }
    }
    println!("\n{LEGEND}");
    println!(
        "\ncheck against the tutorial's naive loops: {}",
        if all_ok {
            "every result identical"
        } else {
            "MISMATCH"
        }
    );
    if !all_ok {
        std::process::exit(1);
    }
    Ok(())
}
