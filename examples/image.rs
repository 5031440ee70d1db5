//! Filters a PNG per channel in `f32` with simdconv, or (`--pixels`) its
//! own `u8` / `u16` samples with `ImageFilter`.
//!
//! ```text
//! cargo run --release --example image -- <input.png> <filter> <output.png> [--pixels]
//!
//! filters:  gaussian <sigma>   Gaussian blur, kernel radius ceil(3 sigma)
//!           sobel              gradient magnitude from two 3x3 correlations
//!           sharpen            3x3: the identity plus a Laplacian
//!           box <size>         mean over size x size pixels
//! ```
//!
//! For example
//! `cargo run --release --example image -- assets/sample.png gaussian 2.0 out.png`.
//! Each channel goes through `Filter2d::apply` in `Mode::Same`, with
//! `Border::Replicate` for Sobel and `Border::Symmetric` otherwise; alpha
//! is dropped. The example prints the backend that ran
//! (`Filter2d::resolved_backend`) and the median time of one `apply` call.
//!
//! With `--pixels` there is no `f32` round trip: the PNG's samples are
//! decoded into one buffer (palettes expanded to RGB(A), grey below 8 bits
//! to 8 bits) and viewed as an `(H, W, C)` array without a copy
//! (`ArrayView3::from_shape` over the buffer), `u8` for 8-bit PNGs and
//! `u16` for 16-bit ones, whose big-endian samples are decoded straight
//! into the `u16` buffer through `bytemuck::cast_slice_mut` and put in
//! native order in place. `ImageFilter::apply_channels_last` filters the
//! colour channels (an alpha channel is copied through unchanged), and
//! the output PNG keeps the input's colour type and bit depth:
//!
//! | filter | `--pixels` |
//! | --- | --- |
//! | `gaussian` | the same `f32` taps, summed in `f32`, rounded half to even |
//! | `sobel` | the integer Sobel taps into exact `i32` derivatives; `sqrt(gx^2 + gy^2) / 4` rounded half to even, clamped |
//! | `sharpen` | the integer taps, exact, saturated to the pixel range |
//! | `box` | taps 1 and divisor `size^2`: the exact mean, rounded half to even |
//!
//! The values are those of the `f32` path to within 1 (its quantisation
//! rounds half away from zero, and the `f32` sums round differently).
//!
//! `cargo run --release --example image -- --generate assets/sample.png`
//! writes the procedural test image shipped in `assets/`.
//!
//! The filters themselves, and the PNG sample buffers, are in
//! `examples/common/filters.rs`, which `tests/image_example.rs` tests.

#[path = "common/filters.rs"]
mod filters;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use filters::{AnyPng, Named, Png, Sample};
use simdconv::Backend;

const USAGE: &str = "usage: image <input.png> <filter> <output.png> [--pixels]
       image --generate <output.png> [side]
filters: gaussian <sigma> | sobel | sharpen | box <size>
--pixels: filter the PNG's own u8 / u16 samples with ImageFilter (no f32)";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let pixels = args.iter().any(|a| a == "--pixels");
    args.retain(|a| a != "--pixels");
    let result = if args.first().map(String::as_str) == Some("--generate") {
        generate(&args[1..])
    } else if pixels {
        parse(&args).and_then(|(input, named, output)| run_pixels(input, named, output))
    } else {
        parse(&args).and_then(|(input, named, output)| run(input, named, output))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A wrong command line (the usage is printed) or a failed run.
enum Failure {
    Usage(String),
    Run(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Run(message)
    }
}

fn parse(args: &[String]) -> Result<(&String, Named, &String), Failure> {
    let [input, rest @ ..] = args else {
        return Err(Failure::Usage("missing arguments".into()));
    };
    let (named, used) = Named::parse(rest).map_err(Failure::Usage)?;
    match &rest[used..] {
        [output] => Ok((input, named, output)),
        [] => Err(Failure::Usage("missing the output file".into())),
        [_, extra, ..] => Err(Failure::Usage(format!("unexpected argument {extra:?}"))),
    }
}

fn run(input: &str, named: Named, output: &str) -> Result<(), Failure> {
    let image =
        filters::open_png(Path::new(input)).map_err(|e| format!("cannot read {input}: {e}"))?;
    let (w, h) = image.dimensions();
    println!("{input}: {w} x {h} RGB");

    // Build once, apply many times: the kernels are validated and packed here.
    let filters = named.build().map_err(|e| e.to_string())?;
    let (kh, kw) = filters[0].kernel_shape();
    let backend = filters[0].resolved_backend().map_err(|e| e.to_string())?;
    println!(
        "filter:  {named} ({} correlation{} of {kh}x{kw}, Mode::Same, Border::{:?})",
        filters.len(),
        if filters.len() > 1 { "s" } else { "" },
        named.border()
    );
    println!(
        "backend: {backend} (this CPU has: {})",
        names(&Backend::available())
    );

    let channels = filters::to_channels(&image);
    let filter_all = || filters::filter_channels(named, &filters, &channels);
    let out = filter_all().map_err(|e| e.to_string())?; // also the warm-up
    let (runs, per_image) = time(|| {
        std::hint::black_box(filter_all().expect("the first run succeeded"));
    });
    let calls = 3 * filters.len();
    println!(
        "time:    {} per Filter2d::apply call ({calls} calls per image, {} per image; median of {runs} runs)",
        show(per_image / calls as u32),
        show(per_image),
    );

    filters::save_png(&filters::from_channels(&out), Path::new(output))
        .map_err(|e| format!("cannot write {output}: {e}"))?;
    println!("wrote {output}");
    Ok(())
}

/// The `--pixels` path: the PNG's samples at their own depth.
fn run_pixels(input: &str, named: Named, output: &str) -> Result<(), Failure> {
    let png = filters::open_png_samples(Path::new(input))
        .map_err(|e| format!("cannot read {input}: {e}"))?;
    match png {
        AnyPng::Eight(png) => run_samples(&png, input, named, output),
        AnyPng::Sixteen(png) => run_samples(&png, input, named, output),
    }
}

fn run_samples<S: Sample>(
    png: &Png<S>,
    input: &str,
    named: Named,
    output: &str,
) -> Result<(), Failure> {
    // A view of the decoded buffer: no copy, no conversion.
    let image = png.view()?;
    let (h, w, c) = image.dim();
    println!(
        "{input}: {w} x {h} {:?}, {} (H, W, C) = ({h}, {w}, {c})",
        png.color,
        S::NAME
    );
    let filter = named.build_pixels::<S>().map_err(|e| e.to_string())?;
    let backend = filter.resolved_backend().map_err(|e| e.to_string())?;
    println!(
        "filter:  {named} (ImageFilter<{}>, {} accumulator, Mode::Same, Border::{:?}{})",
        S::NAME,
        filter.accumulator(),
        named.border(),
        if png.alpha() { ", alpha kept" } else { "" }
    );
    println!(
        "backend: {backend} (this CPU has: {})",
        names(&Backend::available())
    );
    let out = filter
        .apply(image, png.alpha())
        .map_err(|e| e.to_string())?; // also the warm-up
    let (runs, per_image) = time(|| {
        std::hint::black_box(
            filter
                .apply(image, png.alpha())
                .expect("the first run succeeded"),
        );
    });
    println!(
        "time:    {} per image ({} apply_channels_last call{}; median of {runs} runs)",
        show(per_image),
        filter.calls(),
        if filter.calls() > 1 { "s" } else { "" }
    );
    filters::save_png_samples(out.view(), png.color, Path::new(output))
        .map_err(|e| format!("cannot write {output}: {e}"))?;
    println!("wrote {output}");
    Ok(())
}

/// Writes the procedural test image.
fn generate(args: &[String]) -> Result<(), Failure> {
    let (output, side) = match args {
        [output] => (output, 256),
        [output, side] => (
            output,
            side.parse()
                .ok()
                .filter(|s| (2..=8192).contains(s))
                .ok_or_else(|| {
                    Failure::Usage(format!("side {side:?} must be an integer in 2..=8192"))
                })?,
        ),
        _ => {
            return Err(Failure::Usage(
                "--generate takes an output file and an optional side".into(),
            ))
        }
    };
    filters::save_png(&filters::sample_image(side), Path::new(output))
        .map_err(|e| format!("cannot write {output}: {e}"))?;
    println!("wrote {output} ({side} x {side} RGB)");
    Ok(())
}

/// Runs `call` repeatedly for about half a second (at least 5 times);
/// returns the number of runs and the median duration.
fn time(mut call: impl FnMut()) -> (usize, Duration) {
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 5 || (start.elapsed() < Duration::from_millis(500) && times.len() < 1000) {
        let t = Instant::now();
        call();
        times.push(t.elapsed());
    }
    times.sort();
    (times.len(), times[times.len() / 2])
}

fn show(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        format!("{:.2} ms", us / 1000.0)
    }
}

fn names(backends: &[Backend]) -> String {
    let names: Vec<&str> = backends.iter().map(|b| b.name()).collect();
    names.join(", ")
}
