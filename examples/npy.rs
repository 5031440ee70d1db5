//! Convolves or correlates two NumPy `.npy` files: cross-check simdconv
//! against SciPy in two lines.
//!
//! ```text
//! cargo run --release --example npy -- image.npy kernel.npy out.npy \
//!     [--mode full|same|valid] \
//!     [--border constant[=v]|wrap|symmetric|mirror|replicate] \
//!     [--correlate] [--backend <name>] [--threads N] \
//!     [--method direct|separable|fft|auto] [--explain]
//! ```
//!
//! The defaults are SciPy's: `--mode full`, `--border constant=0`,
//! convolution. Both files must be 2-D with the same dtype, one of
//! `float32`, `float64`, `int32`, `int64` (detected from the file); the
//! output has that dtype too. Images of `uint8`, `uint16` and `int16`
//! pixels take their own kernels and flags (see "Narrow pixels" below).
//! `--backend` forces an implementation (see
//! `Backend`; `SIMDCONV_BACKEND` works as well); `--threads N` sets the
//! thread policy (`Threads`): `0` or `auto` the default (rayon's pool for
//! large calls), `1` or `single` the calling thread, `N` a pool of `N`
//! threads; the bits are the same for every choice. `--method` picks how a
//! float kernel is evaluated (default `direct`, the reference's bits, or
//! the preset's own method; `fft` and `auto` are within the bound in
//! `docs/FFT.md`; integer kernels stay exact whatever the method), and
//! `--explain` prints which method the call runs and why
//! (`Filter2d::explain`) before running it.
//!
//! | this example | `scipy.signal.convolve2d` / `correlate2d` |
//! | --- | --- |
//! | `--mode full\|same\|valid` | `mode="full"\|"same"\|"valid"` |
//! | `--border constant=v` | `boundary="fill", fillvalue=v` |
//! | `--border wrap` | `boundary="wrap"` |
//! | `--border symmetric` | `boundary="symm"` |
//! | `--border mirror`, `replicate` | none: `np.pad(image, p, mode="reflect")`, `mode="edge"`, then `mode="valid"` |
//! | `--correlate` | `correlate2d` instead of `convolve2d` |
//!
//! ```python
//! import numpy as np
//! from scipy import signal
//! image, kernel, out = np.load("image.npy"), np.load("kernel.npy"), np.load("out.npy")
//! expected = signal.convolve2d(image, kernel, mode="same", boundary="symm")
//! print(np.array_equal(out, expected))  # integers: True (exact, wrap-around included)
//! ```
//!
//! Floats agree to rounding, not bit for bit: SciPy adds the products in
//! another order. Each side is within `2 (n + 1) u S + 2 n eta` of the exact
//! sum (the bound documented on `Filter2d::rounding`: `n` taps, `u` the
//! unit roundoff, `eta` the smallest subnormal, `S` the sum of the
//! products' absolute values: the same call on `np.abs` of both inputs,
//! and `fillvalue=abs(v)`), so the two differ by at most twice that:
//!
//! ```python
//! n, fi = kernel.size, np.finfo(out.dtype)
//! S = signal.convolve2d(np.abs(image).astype(np.float64), np.abs(kernel).astype(np.float64),
//!                       mode="same", boundary="symm")
//! bound = 4 * (n + 1) * (fi.eps / 2) * S + 4 * n * fi.smallest_subnormal
//! print(np.all(np.abs(out.astype(np.float64) - expected) <= bound))  # floats: True
//! ```
//!
//! A fixed relative tolerance does not hold: where products cancel, a
//! result is small and its rounding error is not. On float64 random
//! normals `np.allclose(out, expected, rtol=1e-12, atol=0)` is `False`, and
//! so is `np.allclose(out, expected)` on float32 ones; `np.allclose(out,
//! expected, rtol=0, atol=bound.max())` is a one-number form of the check.

//! The kernel may also come as two 1-D kernels or as a Gaussian preset, in
//! place of the kernel file (then two files: image and output):
//!
//! | this example | SciPy / OpenCV |
//! | --- | --- |
//! | `--separable col.npy row.npy` | `ndimage.correlate1d` along axis 0 with `col`, then axis 1 with `row` (with `--correlate`); `cv2.sepFilter2D(image, -1, row, col)` |
//! | `--gaussian S [--sigma-y SY] --like scipy [--truncate T]` | `ndimage.gaussian_filter(image, sigma=(SY, S), truncate=T)` (`mode="reflect"`: `--border symmetric`) |
//! | `--gaussian S [--sigma-y SY] --like opencv [--ksize K]` | `cv2.GaussianBlur(image, (K, K), S, sigmaY=SY)` (`BORDER_REFLECT_101`: `--border mirror`) |
//!
//! The presets default to `--mode same` and their library's border; both
//! can be overridden. Gaussians take float images; `--like opencv` also
//! takes `uint8` and `uint16` images, which it blurs as `cv2.GaussianBlur`
//! does, bit for bit (OpenCV's fixed-point path,
//! `ImageFilter::gaussian_opencv`).
//!
//! # Narrow pixels: `uint8`, `uint16`, `int16` images
//!
//! An image of dtype `uint8`, `uint16` or `int16` goes through
//! `ImageFilter`, with no float round trip: 2-D `(H, W)`, or 3-D `(H, W,
//! C)` with the channels last (RGB, RGBA; `ImageFilter::apply_channels_last`:
//! each channel filtered alone with the same kernel). Its kernel file is
//! 2-D, `int32` or `int16` (exact integer sums) or `float32` or `float64`
//! (sums in that type), and the output file has the output dtype and the
//! image's layout. Five flags set the conversion of each sum:
//!
//! | flag | meaning | default |
//! | --- | --- | --- |
//! | `--divisor D` | divide each sum by `D`, a positive integer | 1 |
//! | `--delta V` | add `V` after the division (integer kernel: `V * D` must be a whole number) | 0 |
//! | `--rounding half-even\|half-up\|toward-zero` | how a quotient becomes an integer | `half-even` |
//! | `--overflow saturate\|wrap` | a value out of the output's range is clamped, or wraps modulo 2^bits | `saturate` |
//! | `--output-dtype uint8\|uint16\|int16\|int32\|float32` | the output's dtype (OpenCV's `ddepth`) | the image's |
//! | `--preset opencv\|scipy-signal\|scipy-ndimage` | a library's rules (below) | none |
//!
//! An integer kernel's exact sum `S` becomes `overflow(round((S + V * D) /
//! D))`, computed exactly; a float kernel's sum `s` becomes
//! `overflow(round(s / D + V))`, computed in `f64`. A `float32` output
//! takes the quotient unrounded (to the nearest `float32`).
//!
//! | `--preset` | stands for | rounding | overflow | output dtypes |
//! | --- | --- | --- | --- | --- |
//! | `opencv` | `cv2.filter2D` | `half-even` | `saturate` | OpenCV's `ddepth` restrictions: the image's, `float32`, or `int16` from `uint8` |
//! | `scipy-signal` | `scipy.signal.convolve2d` / `correlate2d` on integer arrays | `toward-zero` | `wrap` | any |
//! | `scipy-ndimage` | `scipy.ndimage.convolve` / `correlate` (a C cast of the `f64` sum) | `toward-zero` | `wrap` | any |
//!
//! Precedence: `--rounding` and `--overflow` override the preset's rule
//! wherever they stand on the command line, before or after `--preset`
//! (the preset is applied first, then the explicit rules); the preset's
//! output restriction stays. A preset sets neither the mode, the border,
//! the operation nor the divisor: `cv2.filter2D(image, -1,
//! kernel.astype(np.float32) / 256, borderType=cv2.BORDER_REFLECT_101)` is
//!
//! ```text
//! cargo run --release --example npy -- image.npy kernel.npy out.npy \
//!     --correlate --mode same --border mirror --divisor 256 --preset opencv
//! ```
//!
//! bit for bit (with the int32 taps in `kernel.npy`, wherever OpenCV's
//! float32 sums are exact and it keeps its direct path, as in
//! `tests/data/pixels`). `--mode`, `--border` (a `constant=v` fill is a
//! pixel value), `--correlate`, `--backend`, `--threads` and `--explain`
//! act as for the other dtypes; `--method` takes only `direct`, and
//! `--gaussian --like scipy` takes float and int images only; `--separable` takes int32 or float32 1-D kernels for these images (`ImageFilter::separable_new`: the conversion once, after both passes). The five
//! conversion flags and `--preset` are errors for the other dtypes
//! (`--output-dtype` naming the image's own dtype excepted).
//!
//! Errors never panic: a bad flag value (`--divisor 0`, an unknown
//! rounding, overflow, preset or dtype name) prints the message and the
//! usage and exits with status 2; a file or combination the example
//! cannot run (an unsupported dtype or shape, an output dtype the preset
//! does not allow, a delta an integer kernel cannot add exactly) prints
//! the message and exits with status 1, writing nothing.

use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use ndarray::{Array2, ArrayD, Ix2, Ix3};
use ndarray_npy::{read_npy, write_npy, ReadNpyError, ReadableElement, WritableElement};
use simdconv::{
    Backend, Border, Element, Filter2d, ImageFilter, Method, Mode, Operation, Output, Overflow,
    Pixel, Preset, Round, Tap, Threads,
};

const USAGE: &str = "usage: npy <image.npy> <kernel.npy> <out.npy> [--mode full|same|valid]
           [--border constant[=v]|wrap|symmetric|mirror|replicate] [--correlate]
           [--backend scalar|sse2|sse41|avx2|avx512|neon] [--threads N|auto|single]
           [--method direct|separable|fft|auto] [--explain]
       npy <image.npy> <out.npy> --separable <col.npy> <row.npy> [options as above]
       npy <image.npy> <out.npy> --gaussian SIGMA [--sigma-y S] --like opencv|scipy
           [--ksize K] [--truncate T] [options as above]
uint8, uint16, int16 images (H x W or H x W x C; kernel int32, int16, float32, float64):
       npy <image.npy> <kernel.npy> <out.npy> [options as above]
           [--divisor D] [--delta V] [--rounding half-even|half-up|toward-zero]
           [--overflow saturate|wrap] [--output-dtype uint8|uint16|int16|int32|float32]
           [--preset opencv|scipy-signal|scipy-ndimage]";

/// The output dtypes of narrow-pixel images (`--output-dtype`).
const OUTPUT_DTYPES: [&str; 5] = ["uint8", "uint16", "int16", "int32", "float32"];

/// Where the kernel comes from.
enum KernelSource {
    /// A 2-D kernel file.
    File(String),
    /// A column and a row kernel file.
    Separable(String, String),
    /// A Gaussian preset.
    Gaussian(Gaussian),
}

/// `--gaussian` and its flags.
struct Gaussian {
    sigma_x: f64,
    sigma_y: Option<f64>,
    ksize: usize,
    truncate: f64,
    like_opencv: bool,
}

/// The command line, parsed (the border's fill value stays text until the
/// element type is known).
struct Options {
    image: String,
    kernel: KernelSource,
    output: String,
    /// `None`: full for a kernel file, same for the presets.
    mode: Option<Mode>,
    /// `None`: constant=0, or the preset library's border.
    border: Option<String>,
    op: Operation,
    backend: Option<Backend>,
    /// `None`: direct, or the preset's own method.
    method: Option<Method>,
    /// `None`: the default policy (`Threads::Auto`).
    threads: Option<Threads>,
    explain: bool,
    /// The flags of narrow-pixel images.
    pixel: PixelFlags,
}

/// The flags only `uint8`, `uint16` and `int16` images take (`None`: not
/// given).
#[derive(Default)]
struct PixelFlags {
    divisor: Option<u32>,
    delta: Option<f64>,
    rounding: Option<Round>,
    overflow: Option<Overflow>,
    /// One of [`OUTPUT_DTYPES`].
    output_dtype: Option<&'static str>,
    preset: Option<Preset>,
}

impl PixelFlags {
    /// The first flag given that only narrow-pixel images take, for an
    /// image of dtype `dtype`.
    fn given_for(&self, dtype: &str) -> Option<&'static str> {
        [
            (self.divisor.is_some(), "--divisor"),
            (self.delta.is_some(), "--delta"),
            (self.rounding.is_some(), "--rounding"),
            (self.overflow.is_some(), "--overflow"),
            (
                self.output_dtype.is_some_and(|d| d != dtype),
                "--output-dtype",
            ),
            (self.preset.is_some(), "--preset"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }
}

/// Why the example stopped: a wrong command line (exit status 2, with the
/// usage) or a job it cannot run (exit status 1).
#[derive(Debug)]
pub enum Failure {
    Usage(String),
    Run(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli(&args) {
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

/// The whole example for the arguments after the program name
/// (`tests/npy_pixels.rs` calls it as the command line would).
pub fn cli(args: &[String]) -> Result<(), Failure> {
    let options = parse(args).map_err(Failure::Usage)?;
    // The dtype of image.npy decides the element type.
    match_dtype(&options).map_err(Failure::Run)
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut files = Vec::new();
    let mut mode = None;
    let mut border = None;
    let mut op = Operation::Convolution;
    let mut backend = None;
    let mut method = None;
    let mut threads = None;
    let mut explain = false;
    let mut pixel = PixelFlags::default();
    let mut separable = None;
    let mut sigma = None;
    let (mut sigma_y, mut ksize, mut truncate, mut like) = (None, 0, 4.0, None);
    let number = |flag: &str, v: String| -> Result<f64, String> {
        v.parse()
            .map_err(|_| format!("{flag} takes a number, not {v:?}"))
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        // `--mode same` or `--mode=same` (`--border=constant=2` too).
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag {
            "--mode" => mode = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--border" => border = Some(value()?),
            "--separable" => {
                let col = value()?;
                let row = args.next().cloned().ok_or("--separable needs two files")?;
                separable = Some((col, row));
            }
            "--gaussian" => sigma = Some(number(flag, value()?)?),
            "--sigma-y" => sigma_y = Some(number(flag, value()?)?),
            "--ksize" => ksize = number(flag, value()?)? as usize,
            "--truncate" => truncate = number(flag, value()?)?,
            "--like" => {
                like = Some(match value()?.as_str() {
                    "opencv" => true,
                    "scipy" => false,
                    other => return Err(format!("--like takes opencv or scipy, not {other:?}")),
                })
            }
            "--correlate" => op = Operation::Correlation,
            "--backend" => backend = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--method" => method = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--threads" => threads = Some(parse_threads(&value()?)?),
            "--explain" => explain = true,
            "--divisor" => {
                let v = value()?;
                let d = v.parse().ok().filter(|&d: &u32| d > 0).ok_or_else(|| {
                    format!(
                        "--divisor takes a positive integer (at most {}), not {v:?}",
                        u32::MAX
                    )
                })?;
                pixel.divisor = Some(d);
            }
            "--delta" => {
                let v = number(flag, value()?)?;
                if !v.is_finite() {
                    return Err(format!("--delta takes a finite number, not {v}"));
                }
                pixel.delta = Some(v);
            }
            "--rounding" => pixel.rounding = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--overflow" => pixel.overflow = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--preset" => pixel.preset = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            "--output-dtype" => {
                let v = value()?;
                let known = OUTPUT_DTYPES.iter().find(|&&d| d == v).ok_or_else(|| {
                    format!(
                        "--output-dtype takes {}, not {v:?}",
                        OUTPUT_DTYPES.join(", ")
                    )
                })?;
                pixel.output_dtype = Some(known);
            }
            f if f.starts_with('-') => return Err(format!("unknown option {f:?}")),
            _ => files.push(arg.clone()),
        }
    }
    let (image, kernel, output) = match (separable, sigma) {
        (Some(_), Some(_)) => return Err("--separable and --gaussian exclude each other".into()),
        (None, None) => {
            let [image, kernel, output] = <[String; 3]>::try_from(files).map_err(|files| {
                format!(
                    "expected three files (image, kernel, output), got {}",
                    files.len()
                )
            })?;
            (image, KernelSource::File(kernel), output)
        }
        (separable, sigma) => {
            let [image, output] = <[String; 2]>::try_from(files).map_err(|files| {
                format!("expected two files (image, output), got {}", files.len())
            })?;
            let kernel = match (separable, sigma) {
                (Some((col, row)), _) => KernelSource::Separable(col, row),
                (_, Some(sigma_x)) => KernelSource::Gaussian(Gaussian {
                    sigma_x,
                    sigma_y,
                    ksize,
                    truncate,
                    like_opencv: like.ok_or("--gaussian needs --like opencv or --like scipy")?,
                }),
                _ => unreachable!("one of them is set"),
            };
            (image, kernel, output)
        }
    };
    Ok(Options {
        image,
        kernel,
        output,
        mode,
        border,
        op,
        backend,
        method,
        threads,
        explain,
        pixel,
    })
}

/// `--threads`: `0` or `auto`, `1` or `single`, or a pool of `N` threads.
fn parse_threads(text: &str) -> Result<Threads, String> {
    let n = match text {
        "auto" => 0,
        "single" => 1,
        _ => text.parse::<usize>().map_err(|_| {
            format!("--threads takes a number of threads, auto or single, not {text:?}")
        })?,
    };
    match n {
        0 => Ok(Threads::Auto),
        1 => Ok(Threads::Single),
        #[cfg(feature = "rayon")]
        n => {
            let pool = simdconv::rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| format!("cannot start {n} threads: {e}"))?;
            Ok(Threads::Pool(std::sync::Arc::new(pool)))
        }
        #[cfg(not(feature = "rayon"))]
        n => Err(format!(
            "--threads {n}: built without the rayon feature, only 0 (auto) and 1"
        )),
    }
}

/// Runs the job for the element type of the image file: tries each
/// supported dtype in turn.
fn match_dtype(o: &Options) -> Result<(), String> {
    macro_rules! try_type {
        ($t:ty, $name:literal) => {
            match read_npy::<_, Array2<$t>>(&o.image) {
                Ok(image) => return run::<$t>(o, image, $name),
                Err(ReadNpyError::WrongDescriptor(_)) => {}
                Err(e) => return Err(format!("cannot read {}: {}", o.image, e)),
            }
        };
    }
    try_type!(f64, "float64");
    try_type!(f32, "float32");
    try_type!(i64, "int64");
    try_type!(i32, "int32");
    // Narrow pixels: 2-D or 3-D (channels last), through ImageFilter.
    macro_rules! try_pixel {
        ($t:ty) => {
            match read_npy::<_, ArrayD<$t>>(&o.image) {
                Ok(image) => return run_pixels::<$t>(o, image),
                Err(ReadNpyError::WrongDescriptor(_)) => {}
                Err(e) => return Err(format!("cannot read {}: {}", o.image, e)),
            }
        };
    }
    try_pixel!(u8);
    try_pixel!(u16);
    try_pixel!(i16);
    Err(format!(
        "{}: unsupported dtype (use float32, float64, int32 or int64, e.g. \
         `a.astype(np.float64)`, or uint8, uint16, int16 pixels)",
        o.image
    ))
}

fn run<T>(o: &Options, image: Array2<T>, dtype: &str) -> Result<(), String>
where
    T: Element + ReadableElement + WritableElement + FromStr + Display,
{
    if let Some(flag) = o.pixel.given_for(dtype) {
        return Err(format!(
            "{flag} applies to uint8, uint16 and int16 images; {} is {dtype}",
            o.image
        ));
    }
    let read = |path: &str| -> Result<ArrayD<T>, String> {
        read_npy(path).map_err(|e| match e {
            ReadNpyError::WrongDescriptor(d) => format!(
                "{path}: dtype {d} differs from the image's {dtype}; save both with the same \
                 dtype, e.g. `kernel.astype(image.dtype)`"
            ),
            e => format!("cannot read {path}: {e}"),
        })
    };
    let as_1d = |a: ArrayD<T>, path: &str| -> Result<Vec<T>, String> {
        if a.ndim() != 1 {
            return Err(format!(
                "{path}: a 1-D kernel was expected, not shape {:?}",
                a.shape()
            ));
        }
        Ok(a.iter().copied().collect())
    };
    let (filter, kernel_name) = match &o.kernel {
        KernelSource::File(path) => {
            let k = read(path)?
                .into_dimensionality::<ndarray::Ix2>()
                .map_err(|_| format!("{path}: a 2-D kernel was expected"))?;
            (Filter2d::new(&k, o.op), path.clone())
        }
        KernelSource::Separable(col, row) => {
            let (c, r) = (as_1d(read(col)?, col)?, as_1d(read(row)?, row)?);
            (
                Filter2d::separable_new(&c, &r, o.op),
                format!("{col} x {row}"),
            )
        }
        KernelSource::Gaussian(g) => {
            let sigma_y = g.sigma_y.unwrap_or(g.sigma_x);
            let f = if g.like_opencv {
                Filter2d::gaussian_opencv((g.ksize, g.ksize), g.sigma_x, sigma_y)
            } else {
                Filter2d::gaussian_scipy((sigma_y, g.sigma_x), g.truncate)
            };
            (f, format!("gaussian {} x {sigma_y}", g.sigma_x))
        }
    };
    let filter = filter.map_err(|e| e.to_string())?;
    let preset = matches!(o.kernel, KernelSource::Gaussian(_));
    let mode = o
        .mode
        .unwrap_or(if preset { Mode::Same } else { Mode::Full });
    let border = match &o.border {
        Some(text) => parse_border::<T>(text, dtype)?,
        None if preset => filter.settings().border,
        None => Border::Constant(T::zero()),
    };
    let mut filter = filter.mode(mode).border(border);
    if let Some(b) = o.backend {
        filter = filter.backend(b);
    }
    if let Some(m) = o.method {
        filter = filter.method(m);
    }
    if let Some(t) = &o.threads {
        filter = filter.threads(t.clone());
    }
    let backend = filter.resolved_backend().map_err(|e| e.to_string())?;
    if o.explain {
        let why = filter.explain(image.dim()).map_err(|e| e.to_string())?;
        println!("method: {why}");
    }

    let start = Instant::now();
    let out = filter.apply(&image).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();

    write_npy(&o.output, &out).map_err(|e| format!("cannot write {}: {e}", o.output))?;
    let (h, w) = image.dim();
    let (kh, kw) = filter.kernel_shape();
    let (oh, ow) = out.dim();
    println!(
        "{}: {dtype} {h} x {w}, {kernel_name}: {kh} x {kw} -> {}: {oh} x {ow}",
        o.image, o.output
    );
    println!(
        "{:?}, Mode::{mode:?}, Border::{border:?}, Method::{:?}, backend {backend}, {:.3} ms",
        filter.operation(),
        filter.settings().method,
        elapsed.as_secs_f64() * 1e3
    );
    if let KernelSource::File(kernel) = &o.kernel {
        println!("check in Python: {}", scipy_line(o, kernel, mode, &border));
    }
    Ok(())
}

fn parse_border<T: Element + FromStr>(text: &str, dtype: &str) -> Result<Border<T>, String> {
    let (name, fill) = match text.split_once('=') {
        Some((name, fill)) => (name, Some(fill)),
        None => (text, None),
    };
    // SciPy's names (fill, wrap, symm, and scipy.ndimage's) and the
    // variants' own, as `Border`'s `FromStr` takes them.
    let border: Border<T> = name.parse().map_err(|e| format!("{e}"))?;
    match (border, fill) {
        (Border::Constant(_), Some(f)) => {
            let v = f.parse().map_err(|_| {
                format!("fill value {f:?} is not a valid {dtype}, the image's dtype")
            })?;
            Ok(Border::Constant(v))
        }
        (border, None) => Ok(border),
        (_, Some(_)) => Err(format!("only constant takes a value, not {name}")),
    }
}

/// The SciPy call that computes the same thing, where scipy.signal has one.
fn scipy_line<T: Display>(o: &Options, kernel: &str, mode: Mode, border: &Border<T>) -> String {
    let function = match o.op {
        Operation::Convolution => "convolve2d",
        Operation::Correlation => "correlate2d",
    };
    let boundary = match border {
        Border::Constant(v) => format!("boundary=\"fill\", fillvalue={v}"),
        Border::Wrap => "boundary=\"wrap\"".into(),
        Border::Symmetric => "boundary=\"symm\"".into(),
        Border::Mirror | Border::Replicate => {
            return "scipy.signal has no mirror / replicate boundary: pad with \
                    np.pad(image, ..., mode=\"reflect\" / \"edge\") and use mode=\"valid\""
                .into()
        }
    };
    format!(
        "signal.{function}(np.load(\"{}\"), np.load(\"{}\"), mode=\"{mode}\", {boundary})",
        o.image, kernel
    )
}

/// Runs the job for a narrow-pixel image (`uint8`, `uint16`, `int16`),
/// 2-D or 3-D with the channels last, through `ImageFilter`.
fn run_pixels<P>(o: &Options, image: ArrayD<P>) -> Result<(), String>
where
    P: Pixel + FromStr + Display,
{
    let dtype = P::NAME;
    let kernel = match &o.kernel {
        KernelSource::File(path) => PixelKernel::<P>::read(path, o.op)?,
        KernelSource::Separable(col, row) => PixelKernel::<P>::read_separable(col, row, o.op)?,
        KernelSource::Gaussian(g) if g.like_opencv => PixelKernel::<P>::gaussian_opencv(g)?,
        KernelSource::Gaussian(_) => {
            return Err(format!(
                "--gaussian --like scipy takes float images; {} is {dtype}: use --like opencv \
                 (cv2.GaussianBlur's fixed-point path, uint8 and uint16) or a 2-D kernel file",
                o.image
            ))
        }
    };
    if let Some(m) = o.method.filter(|&m| m != Method::Direct) {
        return Err(format!(
            "--method {m}: {dtype} images are filtered by the direct method only"
        ));
    }
    if !matches!(image.ndim(), 2 | 3) {
        return Err(format!(
            "{}: a {dtype} image must be 2-D (H, W) or 3-D (H, W, C) with the channels \
             last, not shape {:?}",
            o.image,
            image.shape()
        ));
    }
    match o.pixel.output_dtype.unwrap_or(dtype) {
        "uint8" => run_pixels_into::<P, u8>(o, image, kernel),
        "uint16" => run_pixels_into::<P, u16>(o, image, kernel),
        "int16" => run_pixels_into::<P, i16>(o, image, kernel),
        "int32" => run_pixels_into::<P, i32>(o, image, kernel),
        "float32" => run_pixels_into::<P, f32>(o, image, kernel),
        other => Err(format!("output dtype {other} is not supported")),
    }
}

/// The kernel file of a narrow-pixel image, as a filter.
struct PixelKernel<P: Pixel> {
    filter: ImageFilter<P>,
    path: String,
    /// The file's dtype.
    dtype: &'static str,
    /// `sum |tap|` of integer taps (`None` for float taps).
    abs_sum: Option<i64>,
    /// The `--gaussian --like opencv` preset's `(ksize, sigma_x,
    /// sigma_y)`, with its own mode, border and conversion defaults.
    gaussian: Option<((usize, usize), f64, f64)>,
}

impl<P: Pixel> PixelKernel<P> {
    /// Two 1-D kernel files of one dtype (`int32`, `int16` or `float32`):
    /// `ImageFilter::separable_new`.
    fn read_separable(col: &str, row: &str, op: Operation) -> Result<Self, String> {
        fn one_d<T>(k: ArrayD<T>, path: &str) -> Result<ndarray::Array1<T>, String> {
            let shape = k.shape().to_vec();
            k.into_dimensionality::<ndarray::Ix1>()
                .map_err(|_| format!("{path}: a 1-D kernel was expected, not shape {shape:?}"))
        }
        macro_rules! try_pair {
            ($t:ty, $name:literal) => {
                if let (Ok(c), Ok(r)) = (
                    read_npy::<_, ArrayD<$t>>(col),
                    read_npy::<_, ArrayD<$t>>(row),
                ) {
                    let (c, r) = (one_d(c, col)?, one_d(r, row)?);
                    return Ok(PixelKernel {
                        filter: ImageFilter::separable_new(&c, &r, op)
                            .map_err(|e| format!("{col} x {row}: {e}"))?,
                        path: format!("{col} x {row}"),
                        dtype: $name,
                        abs_sum: None,
                        gaussian: None,
                    });
                }
            };
        }
        try_pair!(i32, "int32");
        try_pair!(i16, "int16");
        try_pair!(f32, "float32");
        Err(format!(
            "{col}, {row}: two readable 1-D kernels of one dtype, int32 (exact) or float32, \
             were expected for {} pixels",
            P::NAME
        ))
    }

    /// `cv2.GaussianBlur`'s fixed-point path (`ImageFilter::gaussian_opencv`).
    fn gaussian_opencv(g: &Gaussian) -> Result<Self, String> {
        let sigma_y = g.sigma_y.unwrap_or(0.0);
        let filter = ImageFilter::<P>::gaussian_opencv((g.ksize, g.ksize), g.sigma_x, sigma_y)
            .map_err(|e| format!("--gaussian: {e}"))?;
        let (kh, kw) = filter.kernel_shape();
        Ok(PixelKernel {
            filter,
            path: format!(
                "gaussian {} x {}",
                g.sigma_x,
                if sigma_y > 0.0 { sigma_y } else { g.sigma_x }
            ),
            dtype: "OpenCV fixed point",
            abs_sum: None,
            gaussian: Some(((kw, kh), g.sigma_x, sigma_y)),
        })
    }

    /// Reads `path` as `int32`, `int16`, `float32` or `float64` taps.
    fn read(path: &str, op: Operation) -> Result<Self, String> {
        // Each attempt returns the file's dtype descriptor if it differs.
        macro_rules! try_taps {
            ($t:ty, $name:literal, $abs:expr) => {
                match read_npy::<_, ArrayD<$t>>(path) {
                    Ok(k) => return Self::build(k, op, path, $name, $abs),
                    Err(ReadNpyError::WrongDescriptor(d)) => d,
                    Err(e) => return Err(format!("cannot read {path}: {e}")),
                }
            };
        }
        try_taps!(i32, "int32", |t: &i32| Some(i64::from(*t).abs()));
        try_taps!(i16, "int16", |t: &i16| Some(i64::from(*t).abs()));
        try_taps!(f32, "float32", |_: &f32| None);
        let found = try_taps!(f64, "float64", |_: &f64| None);
        Err(format!(
            "{path}: dtype {found} is not a kernel for {} pixels: save int32 taps (exact \
             sums, e.g. `kernel.astype(np.int32)` with --divisor) or float32 ones",
            P::NAME
        ))
    }

    fn build<K: Tap>(
        kernel: ArrayD<K>,
        op: Operation,
        path: &str,
        dtype: &'static str,
        abs: impl Fn(&K) -> Option<i64>,
    ) -> Result<Self, String> {
        let shape = kernel.shape().to_vec();
        let kernel = kernel
            .into_dimensionality::<Ix2>()
            .map_err(|_| format!("{path}: a 2-D kernel was expected, not shape {shape:?}"))?;
        let abs_sum = kernel
            .iter()
            .map(&abs)
            .try_fold(0i64, |s, a| a.and_then(|a| s.checked_add(a)));
        Ok(PixelKernel {
            filter: ImageFilter::new(&kernel, op).map_err(|e| format!("{path}: {e}"))?,
            path: path.to_string(),
            dtype,
            abs_sum,
            gaussian: None,
        })
    }
}

/// The narrow-pixel job with output type `O`: sets the flags, filters,
/// writes the output file and prints what ran.
fn run_pixels_into<P, O>(
    o: &Options,
    image: ArrayD<P>,
    kernel: PixelKernel<P>,
) -> Result<(), String>
where
    P: Pixel + FromStr + Display,
    O: Output + WritableElement,
{
    // The Gaussian preset's defaults are OpenCV's: same mode, reflect-101.
    let preset = kernel.gaussian.is_some();
    let mode = o
        .mode
        .unwrap_or(if preset { Mode::Same } else { Mode::Full });
    let border = match &o.border {
        Some(text) => parse_pixel_border::<P>(text)?,
        None if preset => Border::Mirror,
        None => Border::Constant(P::default()),
    };
    let flags = &o.pixel;
    let mut filter = kernel
        .filter
        .clone()
        .output::<O>()
        .mode(mode)
        .border(border);
    if let Some(b) = o.backend {
        filter = filter.backend(b);
    }
    if let Some(t) = &o.threads {
        filter = filter.threads(t.clone());
    }
    if let Some(d) = flags.divisor {
        filter = filter.divisor(d);
    }
    if let Some(v) = flags.delta {
        filter = filter.delta(v);
    }
    // The preset first, then the explicit rules: --rounding and --overflow
    // win wherever they stand on the command line.
    if let Some(p) = flags.preset {
        filter = filter.preset(p);
    }
    if let Some(r) = flags.rounding {
        filter = filter.round(r);
    }
    if let Some(v) = flags.overflow {
        filter = filter.overflow(v);
    }
    filter.check().map_err(|e| e.to_string())?;
    let backend = filter.resolved_backend().map_err(|e| e.to_string())?;
    if o.explain {
        println!(
            "method: direct, {} accumulator ({})",
            filter.accumulator(),
            match filter.accumulator() {
                "i16" => "exact sums recovered from wrapping 16-bit lanes",
                "i32" | "i64" => "exact integer sums",
                _ => "float sums in the reference's order",
            }
        );
    }

    let start = Instant::now();
    let out_shape = match image.ndim() {
        2 => {
            let image = image
                .view()
                .into_dimensionality::<Ix2>()
                .map_err(|e| e.to_string())?;
            let out = filter.apply(image).map_err(|e| e.to_string())?;
            write_npy(&o.output, &out).map_err(|e| format!("cannot write {}: {e}", o.output))?;
            out.shape().to_vec()
        }
        _ => {
            let image = image
                .view()
                .into_dimensionality::<Ix3>()
                .map_err(|e| e.to_string())?;
            let out = filter
                .apply_channels_last(image)
                .map_err(|e| e.to_string())?;
            write_npy(&o.output, &out).map_err(|e| format!("cannot write {}: {e}", o.output))?;
            out.shape().to_vec()
        }
    };
    let elapsed = start.elapsed();

    let shape = |s: &[usize]| {
        let dims: Vec<String> = s.iter().map(usize::to_string).collect();
        dims.join(" x ")
    };
    let (kh, kw) = filter.kernel_shape();
    println!(
        "{}: {} {}, {}: {} {kh} x {kw} -> {}: {} {}",
        o.image,
        P::NAME,
        shape(image.shape()),
        kernel.path,
        kernel.dtype,
        o.output,
        O::NAME,
        shape(&out_shape)
    );
    let preset = flags
        .preset
        .map(|p| format!(" (preset {p})"))
        .unwrap_or_default();
    let divisor = match (flags.divisor, kernel.gaussian) {
        (Some(d), _) => d.to_string(),
        // The preset's: 2^(2 x fraction bits).
        (None, Some(_)) if P::NAME == "uint8" => "2^16".into(),
        (None, Some(_)) => "2^32".into(),
        (None, None) => "1".into(),
    };
    println!(
        "{:?}, Mode::{mode:?}, Border::{border:?}, divisor {divisor}, delta {}, rounding {}, \
         overflow {}{preset}, accumulator {}, backend {backend}, {:.3} ms",
        if kernel.gaussian.is_some() {
            Operation::Correlation
        } else {
            o.op
        },
        flags.delta.unwrap_or(0.0),
        filter.rounding_rule(),
        filter.overflow_rule(),
        filter.accumulator(),
        elapsed.as_secs_f64() * 1e3
    );
    let call = Call {
        o,
        kernel: &kernel,
        mode,
        border: &border,
        rules: (filter.rounding_rule(), filter.overflow_rule()),
        output: O::NAME,
        channels: image.ndim() == 3,
    };
    if let Some(line) = call.peer_line() {
        println!("check in Python: {line}");
    }
    Ok(())
}

/// A border for pixel images: the name as `Border`'s `FromStr` takes it,
/// a `constant=v` fill parsed as a pixel value.
fn parse_pixel_border<P: Pixel + FromStr>(text: &str) -> Result<Border<P>, String> {
    let (name, fill) = match text.split_once('=') {
        Some((name, fill)) => (name, Some(fill)),
        None => (text, None),
    };
    let border: Border<i64> = name.parse().map_err(|e| format!("{e}"))?;
    Ok(match (border, fill) {
        (Border::Constant(_), fill) => Border::Constant(match fill {
            Some(f) => f.parse().map_err(|_| {
                format!(
                    "fill value {f:?} is not a valid {}, the image's dtype",
                    P::NAME
                )
            })?,
            None => P::default(),
        }),
        (_, Some(_)) => return Err(format!("only constant takes a value, not {name}")),
        (Border::Wrap, None) => Border::Wrap,
        (Border::Symmetric, None) => Border::Symmetric,
        (Border::Mirror, None) => Border::Mirror,
        (Border::Replicate, None) => Border::Replicate,
    })
}

impl<P: Pixel + Display> Call<'_, P> {
    /// `cv2.GaussianBlur`, while the job is still its path: the preset's
    /// rules, no divisor or delta of the user's, the same dtype, same mode
    /// and one of GaussianBlur's borders.
    fn gaussian_line(&self, (ksize, sx, sy): ((usize, usize), f64, f64)) -> Option<String> {
        let o = self.o;
        let untouched = o.pixel.divisor.is_none() && o.pixel.delta.unwrap_or(0.0) == 0.0;
        let border = opencv_border(self.border)?;
        if !untouched
            || self.rules != (Round::HalfUp, Overflow::Saturate)
            || self.output != P::NAME
            || self.mode != Mode::Same
        {
            return None;
        }
        Some(format!(
            "cv2.GaussianBlur(np.load(\"{}\"), ({}, {}), {sx}, sigmaY={sy}, borderType=cv2.{border})",
            o.image, ksize.0, ksize.1
        ))
    }
}

/// OpenCV's name of a border it has (a constant one only of value 0).
fn opencv_border<P: Pixel>(border: &Border<P>) -> Option<&'static str> {
    match border {
        Border::Mirror => Some("BORDER_REFLECT_101"),
        Border::Symmetric => Some("BORDER_REFLECT"),
        Border::Replicate => Some("BORDER_REPLICATE"),
        Border::Constant(v) if *v == P::default() => Some("BORDER_CONSTANT"),
        _ => None,
    }
}

/// A narrow-pixel job, for the peer call that computes the same bits.
struct Call<'a, P: Pixel> {
    o: &'a Options,
    kernel: &'a PixelKernel<P>,
    mode: Mode,
    border: &'a Border<P>,
    rules: (Round, Overflow),
    output: &'static str,
    channels: bool,
}

impl<P: Pixel + Display> Call<'_, P> {
    /// The preset's library call, where it computes exactly this job (the
    /// conditions `tools/vectors/pixels.py` checks: odd kernel sides for
    /// `same`, integer taps, a power-of-two divisor that keeps the float
    /// taps exact, OpenCV's direct path and exact float32 sums).
    fn peer_line(&self) -> Option<String> {
        let o = self.o;
        if let Some(g) = self.kernel.gaussian {
            return self.gaussian_line(g);
        }
        let preset = o.pixel.preset?;
        if self.rules != preset.rules() {
            return None;
        }
        let abs_sum = self.kernel.abs_sum?;
        let divisor = o.pixel.divisor.unwrap_or(1);
        let delta = o.pixel.delta.unwrap_or(0.0);
        let (kh, kw) = self.kernel.filter.kernel_shape();
        let odd = kh % 2 == 1 && kw % 2 == 1;
        let (image, kernel) = (&o.image, &self.kernel.path);
        let same_dtype = self.output == P::NAME;
        match preset {
            Preset::OpenCv => {
                let border = opencv_border(self.border)?;
                let max = P::MIN.unsigned_abs().max(P::MAX.unsigned_abs());
                let direct_taps = if P::NAME == "uint8" && matches!(self.output, "uint8" | "int16")
                {
                    130
                } else {
                    50
                };
                let exact = u64::try_from(abs_sum).ok()?.checked_mul(max)? < 1 << 24;
                if o.op != Operation::Correlation
                    || self.mode != Mode::Same
                    || !odd
                    || !divisor.is_power_of_two()
                    || kh * kw >= direct_taps
                    || !exact
                {
                    return None;
                }
                let ddepth = match self.output {
                    o if o == P::NAME => "-1",
                    "int16" => "cv2.CV_16S",
                    "float32" => "cv2.CV_32F",
                    _ => return None,
                };
                Some(format!(
                    "cv2.filter2D(np.load(\"{image}\"), {ddepth}, np.load(\"{kernel}\").astype(np.float32) \
                     / {divisor}, delta={delta}, borderType=cv2.{border})"
                ))
            }
            Preset::ScipySignal => {
                let function = match o.op {
                    Operation::Convolution => "convolve2d",
                    Operation::Correlation => "correlate2d",
                };
                let boundary = match self.border {
                    Border::Constant(v) => format!("boundary=\"fill\", fillvalue={v}"),
                    Border::Wrap => "boundary=\"wrap\"".into(),
                    Border::Symmetric => "boundary=\"symm\"".into(),
                    _ => return None,
                };
                if self.channels || !same_dtype || divisor != 1 || delta != 0.0 {
                    return None;
                }
                Some(format!(
                    "signal.{function}(np.load(\"{image}\"), np.load(\"{kernel}\").astype(np.{}), \
                     mode=\"{}\", {boundary})",
                    P::NAME,
                    self.mode
                ))
            }
            Preset::ScipyNdimage => {
                let function = match o.op {
                    Operation::Convolution => "convolve",
                    Operation::Correlation => "correlate",
                };
                let mode = match self.border {
                    Border::Constant(v) => format!("mode=\"constant\", cval={v}"),
                    Border::Wrap => "mode=\"wrap\"".into(),
                    Border::Symmetric => "mode=\"reflect\"".into(),
                    Border::Mirror => "mode=\"mirror\"".into(),
                    Border::Replicate => "mode=\"nearest\"".into(),
                };
                if self.mode != Mode::Same
                    || !odd
                    || !same_dtype
                    || !divisor.is_power_of_two()
                    || delta != 0.0
                {
                    return None;
                }
                let weights = if self.channels {
                    format!("(np.load(\"{kernel}\") / {divisor})[:, :, None]")
                } else {
                    format!("np.load(\"{kernel}\") / {divisor}")
                };
                Some(format!(
                    "ndimage.{function}(np.load(\"{image}\"), {weights}, {mode})"
                ))
            }
            _ => None,
        }
    }
}
