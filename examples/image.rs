//! Filters a PNG per channel in `f32` with simdconv.
//!
//! ```text
//! cargo run --release --example image -- <input.png> <filter> <output.png>
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
//! `cargo run --release --example image -- --generate assets/sample.png`
//! writes the procedural test image shipped in `assets/`.
//!
//! The filters themselves are in `examples/common/filters.rs`, which
//! `tests/image_example.rs` tests.

#[path = "common/filters.rs"]
mod filters;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use filters::Named;
use simdconv::Backend;

const USAGE: &str = "usage: image <input.png> <filter> <output.png>
       image --generate <output.png> [side]
filters: gaussian <sigma> | sobel | sharpen | box <size>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.first().map(String::as_str) == Some("--generate") {
        generate(&args[1..])
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
