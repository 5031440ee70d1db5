//! One-process before/after comparison of two simdconv versions (see
//! README.md): both are linked in, and every round times the old and then
//! the new code on the same arrays, after checking their results agree.

use ndarray::Array2;
use std::time::Instant;

/// Whether the row `name` runs: `AB_ONLY=W4,W6` keeps the rows whose name
/// starts with one of the comma-separated prefixes (all rows when unset).
fn selected(name: &str) -> bool {
    match std::env::var("AB_ONLY") {
        Ok(only) if !only.is_empty() => only.split(',').any(|p| name.starts_with(p.trim())),
        _ => true,
    }
}

fn med(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

macro_rules! row {
    ($name:expr, $img:expr, $k:expr, $mode_same:expr, $reps:expr) => {
        'row: {
            if !selected(&$name) {
                break 'row;
            }
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
        }
    };
}

/// One narrow-pixel row (both versions must have `ImageFilter`: the
/// `pixels` feature): `$build`
/// makes the filter from a crate path, `$run` applies it into an output.
#[cfg(feature = "pixels")]
macro_rules! pixel_row {
    ($name:expr, $reps:expr, $out:expr, |$krate:ident| $build:expr, |$f:ident, $o:ident| $run:expr) => {
        'row: {
            if !selected($name) {
                break 'row;
            }
            for single in [true, false] {
                let fo = {
                    use old as $krate;
                    let f = $build;
                    if single {
                        f.threads(old::Threads::Single)
                    } else {
                        f
                    }
                };
                let fnw = {
                    use new as $krate;
                    let f = $build;
                    if single {
                        f.threads(new::Threads::Single)
                    } else {
                        f
                    }
                };
                let (mut oo, mut on) = ($out, $out);
                let time = |run: &mut dyn FnMut()| {
                    let s = Instant::now();
                    run();
                    s.elapsed().as_secs_f64()
                };
                {
                    let ($f, $o) = (&fo, &mut oo);
                    $run;
                }
                {
                    let ($f, $o) = (&fnw, &mut on);
                    $run;
                }
                assert!(oo == on, "{} results differ", $name);
                let (mut a, mut b) = (vec![], vec![]);
                for _ in 0..$reps {
                    a.push(time(&mut || {
                        let ($f, $o) = (&fo, &mut oo);
                        $run;
                    }));
                    b.push(time(&mut || {
                        let ($f, $o) = (&fnw, &mut on);
                        $run;
                    }));
                }
                let (a, b) = (med(a), med(b));
                println!(
                    "| {} | {} | {:.3} | {:.3} | {:.2}x |",
                    $name,
                    if single { "1" } else { "auto" },
                    a * 1e3,
                    b * 1e3,
                    a / b
                );
            }
        }
    };
}

/// The narrow-pixel workloads W8, W9, W12, W13, u8 box filters B3/B31 and
/// the OpenCV Gaussians G13/G17 (docs/MEASURING.md), into
/// preallocated outputs.
#[cfg(feature = "pixels")]
fn pixels(reps: usize) {
    let mut s = 1u64;
    let mut rnd = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as u32
    };
    let img = Array2::from_shape_fn((1000, 1000), |_| rnd() as u8);
    let rgb = ndarray::Array3::from_shape_fn((1000, 1000, 3), |_| rnd() as u8);
    let img16 = img.mapv(|v| u16::from(v) * 257 ^ (rnd() as u16 & 0xff));
    let mut k = Array2::from_shape_fn((9, 9), |(i, j)| {
        let n = (9 * i + j) as u64;
        1 + (((n * 2654435761) % (1u64 << 32)) >> 24) as i32 % 5
    });
    let sum: i32 = k.sum();
    k[[4, 4]] += 256 - sum;
    let sobel = ndarray::array![[-1i32, 0, 1], [-2, 0, 2], [-1, 0, 1]];
    println!("| workload | threads | before ms | after ms | speed-up |");
    println!("| --- | --- | ---: | ---: | ---: |");
    pixel_row!(
        "W8 u8 9x9 /256",
        reps,
        Array2::<u8>::zeros((1000, 1000)),
        |c| c::ImageFilter::<u8>::correlation(&k)
            .unwrap()
            .divisor(256)
            .preset(c::Preset::OpenCv)
            .mode(c::Mode::Same)
            .border(c::Border::Mirror),
        |f, o| f.apply_into(&img, o.view_mut()).unwrap()
    );
    pixel_row!(
        "W9 u8 RGB 9x9 /256",
        reps,
        ndarray::Array3::<u8>::zeros((1000, 1000, 3)),
        |c| c::ImageFilter::<u8>::correlation(&k)
            .unwrap()
            .divisor(256)
            .preset(c::Preset::OpenCv)
            .mode(c::Mode::Same)
            .border(c::Border::Mirror),
        |f, o| f.apply_channels_last_into(&rgb, o.view_mut()).unwrap()
    );
    pixel_row!(
        "W12 u16 9x9 /256",
        reps,
        Array2::<u16>::zeros((1000, 1000)),
        |c| c::ImageFilter::<u16>::correlation(&k)
            .unwrap()
            .divisor(256)
            .preset(c::Preset::OpenCv)
            .mode(c::Mode::Same)
            .border(c::Border::Mirror),
        |f, o| f.apply_into(&img16, o.view_mut()).unwrap()
    );
    pixel_row!(
        "W13 Sobel u8 -> i16",
        reps * 4,
        Array2::<i16>::zeros((1000, 1000)),
        |c| c::ImageFilter::<u8>::correlation(&sobel)
            .unwrap()
            .output::<i16>()
            .preset(c::Preset::OpenCv)
            .mode(c::Mode::Same)
            .border(c::Border::Mirror),
        |f, o| f.apply_into(&img, o.view_mut()).unwrap()
    );
    for k in [3usize, 31] {
        let ones = vec![1i32; k];
        pixel_row!(
            &format!("B{k} u8 box {k}x{k} /{}", k * k),
            reps,
            Array2::<u8>::zeros((1000, 1000)),
            |c| c::ImageFilter::<u8>::separable_correlation(&ones, &ones)
                .unwrap()
                .divisor((k * k) as u32)
                .preset(c::Preset::OpenCv)
                .mode(c::Mode::Same)
                .border(c::Border::Mirror),
            |f, o| f.apply_into(&img, o.view_mut()).unwrap()
        );
    }
    // Both commits need gaussian_opencv (bc9f394 on).
    pixel_row!(
        "G13 u8 Gaussian sigma 2",
        reps,
        Array2::<u8>::zeros((1000, 1000)),
        |c| c::ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0).unwrap(),
        |f, o| f.apply_into(&img, o.view_mut()).unwrap()
    );
    pixel_row!(
        "G17 u16 Gaussian sigma 2",
        reps,
        Array2::<u16>::zeros((1000, 1000)),
        |c| c::ImageFilter::<u16>::gaussian_opencv((0, 0), 2.0, 0.0).unwrap(),
        |f, o| f.apply_into(&img16, o.view_mut()).unwrap()
    );
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
    let reps = rounds.max(1);
    match which {
        "table" => {}
        #[cfg(feature = "pixels")]
        "pixels" => return pixels(reps),
        _ => {
            eprintln!("usage: simdconv-ab [ROUNDS] table|pixels (pixels: --features pixels)");
            std::process::exit(2);
        }
    }
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
