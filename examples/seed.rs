//! The seed's job, reproduced and beaten.
//!
//! The classic Cython tutorial on NumPy convolution computes the full 2D
//! convolution of `f = arange(N*N).reshape(N, N)` (int64) with
//! `g = arange(81).reshape(9, 9)`: 1.86 s in Python and 5.97 ms in its best
//! Cython for N = 100, 597 ms for N = 1000. This example runs the same
//! workloads on every backend this CPU has, by the direct method and by the
//! exact low-rank method (the kernel has rank 2), on one thread and on all,
//! checks every result against the tutorial's naive loops, and prints the
//! medians of `apply_into` (output reused; `apply` also allocates).
//!
//! Run: `cargo run --release --example seed`

use std::time::{Duration, Instant};

use ndarray::Array2;
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

fn main() -> Result<(), simdconv::Error> {
    let g = Array2::from_shape_fn((9, 9), |(i, j)| (9 * i + j) as i64);
    let threads = rayon::current_num_threads();
    println!("simdconv seed: full 2D convolution, int64 arange(N*N) image, arange(81) 9x9 kernel");
    println!(
        "backends on this CPU: {:?} (detected: {}); {threads} threads available",
        Backend::available(),
        Backend::detect()
    );
    println!(
        "the kernel has rank {}: the low-rank path does {} taps per output instead of 81 \
         (factors chosen so that most taps are adds and shifts, not multiplies)\n",
        Filter2d::convolution(&g)?.low_rank_terms().unwrap_or(0),
        Filter2d::convolution(&g)?.low_rank_terms().unwrap_or(0) * 18,
    );
    println!(
        "{:<8} {:<8} {:<9} {:>7} {:>10} {:>8} {:>9} {:>9} {:>9}",
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
    // (N, runs, the tutorial's Python and best Cython times in seconds)
    let workloads: [(usize, usize, Option<f64>, f64); 2] =
        [(100, 201, Some(1.86), 5.97e-3), (1000, 15, None, 0.597)];
    let mut all_ok = true;
    for (n, runs, python, cython) in workloads {
        let f = Array2::from_shape_fn((n, n), |(i, j)| (i * n + j) as i64);
        let reference = naive_convolve(&f, &g);
        // GMAC/s counts the direct method's work (81 per output) for every
        // row, so the column compares times.
        let macs = (reference.len() * g.len()) as f64;
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
            let parallel = matches!(threading, Threads::Auto);
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
                "{:<8} {:<8} {:<9} {:>7} {:>10.3} {:>8.2} {:>8.1}x {:>9} {:>8.0}x{}",
                format!("N={n}"),
                backend.name(),
                path,
                if parallel { threads } else { 1 },
                t * 1e3,
                macs / t / 1e9,
                scalar / t,
                python.map_or("-".to_string(), |p| format!("{:.0}x", p / t)),
                cython / t,
                if ok { "" } else { "  WRONG RESULT" },
            );
        }
    }
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
