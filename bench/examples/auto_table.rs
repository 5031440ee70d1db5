//! `Method::Auto` against the better of direct and FFT, each timed on its
//! own (issue #25, item 4): for every element type, image size and square
//! kernel size, the medians of `Method::Direct`, `Method::Fft` and
//! `Method::Auto` calls on one thread, in `same` mode, into reused
//! outputs, timed in alternating rounds, with the method `auto` ran and
//! `auto / best`.
//!
//! ```sh
//! cargo run --release -p simdconv-bench --example auto_table
//! cargo run --release -p simdconv-bench --example auto_table -- \
//!     --types f32 --sizes 1000 --kernels 3,9,31 --budget 0.5
//! ```
//!
//! A random kernel has full rank, so `auto` chooses between direct and
//! FFT only (a separable kernel would add the separable passes). Beyond
//! `--skip-direct` G multiply-adds (default 150) direct calls are not timed
//! at all (the row then shows `-` and `auto / best` against FFT alone).

use std::time::Instant;

use ndarray::Array2;
use simdconv::{Element, Filter2d, Method, Mode, Threads};
use simdconv_bench::lcg::Lcg;

struct Options {
    types: Vec<String>,
    sizes: Vec<usize>,
    kernels: Vec<usize>,
    budget: f64,
    skip_direct: f64,
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        types: vec!["f32".into(), "f64".into()],
        sizes: vec![1000, 4096],
        kernels: vec![3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 25, 31, 41, 63, 95, 127],
        budget: 1.0,
        skip_direct: 150.0,
    };
    let mut args = std::env::args().skip(1);
    let list = |s: Option<String>| -> Result<Vec<String>, String> {
        Ok(s.ok_or("a flag needs a value")?
            .split(',')
            .map(str::to_owned)
            .collect())
    };
    let nums = |v: Vec<String>| -> Result<Vec<usize>, String> {
        v.iter()
            .map(|s| s.parse().map_err(|e| format!("{s:?}: {e}")))
            .collect()
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--types" => o.types = list(args.next())?,
            "--sizes" => o.sizes = nums(list(args.next())?)?,
            "--kernels" => o.kernels = nums(list(args.next())?)?,
            "--budget" => {
                o.budget = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--budget SECONDS")?
            }
            "--skip-direct" => {
                o.skip_direct = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .ok_or("--skip-direct GMAC")?
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(o)
}

/// The medians of the methods' calls, timed in alternating rounds (one
/// call of each per round, so that a slower minute of a shared machine
/// slows all of them alike), rounds until `budget` seconds have passed
/// (at least one after a warm-up round, at most 51). A `None` method is
/// not timed.
fn medians<const N: usize>(
    budget: f64,
    calls: &mut [Option<Box<dyn FnMut() + '_>>; N],
) -> [Option<f64>; N] {
    let start = Instant::now();
    for f in calls.iter_mut().flatten() {
        f();
    }
    let round = start.elapsed().as_secs_f64();
    let mut times: [Vec<f64>; N] = core::array::from_fn(|_| vec![]);
    let begin = Instant::now();
    let mut rounds = 0;
    while rounds == 0 || (rounds < 51 && begin.elapsed().as_secs_f64() + round < budget) {
        for (f, t) in calls.iter_mut().zip(&mut times) {
            if let Some(f) = f {
                let s = Instant::now();
                f();
                t.push(s.elapsed().as_secs_f64());
            }
        }
        rounds += 1;
    }
    times.map(|mut t| {
        t.sort_by(|a, b| a.total_cmp(b));
        t.get(t.len() / 2).copied()
    })
}

fn row<T: Element>(name: &str, n: usize, k: usize, o: &Options, lcg: &mut Lcg, cast: fn(f64) -> T) {
    let image = Array2::from_shape_fn((n, n), |_| cast(lcg.f64()));
    let kernel = Array2::from_shape_fn((k, k), |_| cast(lcg.f64()));
    let build = |m: Method| -> Filter2d<T> {
        Filter2d::convolution(&kernel)
            .expect("a valid kernel")
            .mode(Mode::Same)
            .threads(Threads::Single)
            .method(m)
    };
    let gmac = (n * n * k * k) as f64 / 1e9;
    let methods = [Method::Direct, Method::Fft, Method::Auto];
    let mut outs: Vec<Array2<T>> = methods
        .iter()
        .map(|_| Array2::from_elem((n, n), cast(0.0)))
        .collect();
    let mut calls: [Option<Box<dyn FnMut() + '_>>; 3] = {
        let mut outs = outs.iter_mut();
        core::array::from_fn(|i| {
            let out = outs.next().expect("one output per method");
            let f = build(methods[i]);
            let image = &image;
            (methods[i] != Method::Direct || gmac <= o.skip_direct).then(|| {
                Box::new(move || f.apply_into(image, &mut *out).expect("apply")) as Box<dyn FnMut()>
            })
        })
    };
    let [direct, fft, auto] = medians(o.budget, &mut calls);
    let (fft, auto) = (fft.expect("timed"), auto.expect("timed"));
    let ran = build(Method::Auto).explain((n, n)).expect("explain").method;
    let best = direct.map_or(fft, |d| d.min(fft));
    let ms = |t: Option<f64>| t.map_or("-".to_string(), |t| format!("{:.3}", t * 1e3));
    println!(
        "| {name} | {n} x {n} | {k} x {k} | {} | {} | {} | {ran} | {:.2} |",
        ms(direct),
        ms(Some(fft)),
        ms(Some(auto)),
        auto / best
    );
}

fn main() {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("auto_table: {e}");
            eprintln!(
                "usage: auto_table [--types f32,f64] [--sizes 1000,4096] [--kernels 3,5,...] \
                 [--budget SECONDS] [--skip-direct GMAC]"
            );
            std::process::exit(2);
        }
    };
    println!(
        "backend {}, one thread, same mode, alternating rounds over about {} s per row",
        simdconv::Backend::detect(),
        o.budget
    );
    println!("| type | image | kernel | direct (ms) | FFT (ms) | `auto` (ms) | `auto` runs | `auto` / best |");
    println!("| --- | --- | --- | ---: | ---: | ---: | --- | ---: |");
    let mut lcg = Lcg(25);
    for t in &o.types {
        for &n in &o.sizes {
            for &k in &o.kernels {
                match t.as_str() {
                    "f32" => row::<f32>(t, n, k, &o, &mut lcg, |v| v as f32),
                    "f64" => row::<f64>(t, n, k, &o, &mut lcg, |v| v),
                    other => {
                        eprintln!("auto_table: unknown type {other:?} (f32, f64)");
                        std::process::exit(2);
                    }
                }
            }
        }
    }
}
