//! Convolves or correlates two NumPy `.npy` files: cross-check simdconv
//! against SciPy in two lines.
//!
//! ```text
//! cargo run --release --example npy -- image.npy kernel.npy out.npy \
//!     [--mode full|same|valid] \
//!     [--border constant[=v]|wrap|symmetric|mirror|replicate] \
//!     [--correlate] [--backend <name>] \
//!     [--method direct|separable|fft|auto] [--explain]
//! ```
//!
//! The defaults are SciPy's: `--mode full`, `--border constant=0`,
//! convolution. Both files must be 2-D with the same dtype, one of
//! `float32`, `float64`, `int32`, `int64` (detected from the file); the
//! output has that dtype too. `--backend` forces an implementation (see
//! `Backend`; `SIMDCONV_BACKEND` works as well). `--method` picks how a
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
//! can be overridden. Gaussians take float images.

use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use ndarray::{Array2, ArrayD};
use ndarray_npy::{read_npy, write_npy, ReadNpyError, ReadableElement, WritableElement};
use simdconv::{Backend, Border, Element, Filter2d, Method, Mode, Operation};

const USAGE: &str = "usage: npy <image.npy> <kernel.npy> <out.npy> [--mode full|same|valid]
           [--border constant[=v]|wrap|symmetric|mirror|replicate] [--correlate]
           [--backend scalar|sse2|sse41|avx2|avx512|neon]
           [--method direct|separable|fft|auto] [--explain]
       npy <image.npy> <out.npy> --separable <col.npy> <row.npy> [options as above]
       npy <image.npy> <out.npy> --gaussian SIGMA [--sigma-y S] --like opencv|scipy
           [--ksize K] [--truncate T] [options as above]";

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
    explain: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The dtype of image.npy decides the element type.
    match match_dtype(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut files = Vec::new();
    let mut mode = None;
    let mut border = None;
    let mut op = Operation::Convolution;
    let mut backend = None;
    let mut method = None;
    let mut explain = false;
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
            "--explain" => explain = true,
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
        explain,
    })
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
    Err(format!(
        "{}: unsupported dtype (use float32, float64, int32 or int64, e.g. `a.astype(np.float64)`)",
        o.image
    ))
}

fn run<T>(o: &Options, image: Array2<T>, dtype: &str) -> Result<(), String>
where
    T: Element + ReadableElement + WritableElement + FromStr + Display,
{
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
