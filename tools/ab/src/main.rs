//! One-process before/after comparison of two simdconv versions (see
//! README.md): both are linked in, and every round times the old and then
//! the new code on the same arrays, after checking their results agree.

use ndarray::Array2;
use std::time::Instant;

fn med(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

macro_rules! row {
    ($name:expr, $img:expr, $k:expr, $mode_same:expr, $reps:expr) => {{
        let (img, k) = ($img, $k);
        for single in [true, false] {
            let mut fo = old::Filter2d::convolution(k.view()).unwrap();
            let mut fnw = new::Filter2d::convolution(k.view()).unwrap();
            if $mode_same {
                fo = fo.mode(old::Mode::Same);
                fnw = fnw.mode(new::Mode::Same);
            }
            if single {
                fo = fo.threads(old::Threads::Single);
                fnw = fnw.threads(new::Threads::Single);
            }
            let mut oo = fo.apply(img.view()).unwrap();
            let mut on = fnw.apply(img.view()).unwrap();
            assert!(oo == on, "{} results differ", $name);
            let px = (oo.len() * k.len()) as f64;
            let inner = (2_000_000 / img.len()).max(1);
            let (mut a, mut b, mut c, mut d) = (vec![], vec![], vec![], vec![]);
            for _ in 0..$reps {
                let s = Instant::now();
                for _ in 0..inner {
                    fo.apply_into(img.view(), oo.view_mut()).unwrap();
                }
                a.push(s.elapsed().as_secs_f64() / inner as f64);
                let s = Instant::now();
                for _ in 0..inner {
                    fnw.apply_into(img.view(), on.view_mut()).unwrap();
                }
                b.push(s.elapsed().as_secs_f64() / inner as f64);
                let s = Instant::now();
                for _ in 0..inner {
                    drop(fo.apply(img.view()).unwrap());
                }
                c.push(s.elapsed().as_secs_f64() / inner as f64);
                let s = Instant::now();
                for _ in 0..inner {
                    drop(fnw.apply(img.view()).unwrap());
                }
                d.push(s.elapsed().as_secs_f64() / inner as f64);
            }
            let (a, b, c, d) = (med(a), med(b), med(c), med(d));
            println!(
                "| {} | {} | {:.3} | {:.3} ({:.1}) | {:.2}x | {:.3} | {:.3} ({:.1}) | {:.2}x |",
                $name,
                if single { "1" } else { "auto" },
                c * 1e3,
                d * 1e3,
                px / d / 1e9,
                c / d,
                a * 1e3,
                b * 1e3,
                px / b / 1e9,
                a / b
            );
        }
    }};
}

fn arange(r: usize, c: usize) -> Array2<i64> {
    Array2::from_shape_fn((r, c), |(i, j)| (i * c + j) as i64)
}
fn lcg(shape: (usize, usize), seed: u64) -> Array2<f64> {
    let mut s = seed;
    Array2::from_shape_fn(shape, |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(21);
    let which = args.get(2).map(|s| s.as_str()).unwrap_or("table");
    if which != "table" {
        eprintln!("usage: simdconv-ab [ROUNDS] table");
        std::process::exit(2);
    }
    let reps = rounds.max(1);
    println!("| workload | threads | apply before ms | apply after ms (GMAC/s) | speed-up | into before ms | into after ms (GMAC/s) | speed-up |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    row!(
        "W1 i64 100² arange 9x9",
        arange(100, 100),
        arange(9, 9),
        false,
        reps * 4
    );
    row!(
        "W2 i64 1000² arange 9x9",
        arange(1000, 1000),
        arange(9, 9),
        false,
        reps
    );
    for k in [3usize, 9, 15, 31] {
        row!(
            format!("W3-k{k} f32 1000²"),
            lcg((1000, 1000), 1).mapv(|v| v as f32),
            lcg((k, k), 2).mapv(|v| v as f32),
            false,
            if k == 31 { reps / 2 + 1 } else { reps }
        );
    }
    row!(
        "W4 f64 1000² 9x9",
        lcg((1000, 1000), 3),
        lcg((9, 9), 4),
        false,
        reps
    );
    row!(
        "W5 i32 1000² 9x9",
        lcg((1000, 1000), 5).mapv(|v| (v * 100.0) as i32),
        lcg((9, 9), 6).mapv(|v| (v * 10.0) as i32),
        false,
        reps
    );
    row!(
        "W6 f32 4096² 9x9",
        lcg((4096, 4096), 7).mapv(|v| v as f32),
        lcg((9, 9), 8).mapv(|v| v as f32),
        false,
        reps / 3 + 1
    );
    row!(
        "W7 f32 1000² 9x9 same",
        lcg((1000, 1000), 9).mapv(|v| v as f32),
        lcg((9, 9), 10).mapv(|v| v as f32),
        true,
        reps
    );
}
