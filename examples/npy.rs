//! Convolves or correlates two NumPy `.npy` files: cross-check simdconv
//! against SciPy in two lines.
//!
//! ```text
//! cargo run --release --example npy -- image.npy kernel.npy out.npy \
//!     [--mode full|same|valid] \
//!     [--border constant[=v]|wrap|symmetric|mirror|replicate] \
//!     [--correlate] [--backend <name>]
//! ```
//!
//! The defaults are SciPy's: `--mode full`, `--border constant=0`,
//! convolution. Both files must be 2-D with the same dtype, one of
//! `float32`, `float64`, `int32`, `int64` (detected from the file); the
//! output has that dtype too. `--backend` forces an implementation (see
//! `Backend`; `SIMDCONV_BACKEND` works as well).
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
//! out = np.load("out.npy")
//! expected = signal.convolve2d(np.load("image.npy"), np.load("kernel.npy"), mode="same", boundary="symm")
//! print(np.array_equal(out, expected))                 # integers: exact
//! print(np.allclose(out, expected, rtol=1e-12, atol=0)) # floats: sums in another order
//! ```

use std::fmt::Display;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Instant;

use ndarray::Array2;
use ndarray_npy::{read_npy, write_npy, ReadNpyError, ReadableElement, WritableElement};
use simdconv::{Backend, Border, Element, Filter2d, Mode, Operation};

const USAGE: &str = "usage: npy <image.npy> <kernel.npy> <out.npy> [--mode full|same|valid]
           [--border constant[=v]|wrap|symmetric|mirror|replicate] [--correlate]
           [--backend scalar|sse2|sse41|avx2|avx512|neon]";

/// The command line, parsed (the border's fill value stays text until the
/// element type is known).
struct Options {
    image: String,
    kernel: String,
    output: String,
    mode: Mode,
    border: String,
    op: Operation,
    backend: Option<Backend>,
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
    let mut mode = Mode::Full;
    let mut border = "constant".to_string();
    let mut op = Operation::Convolution;
    let mut backend = None;
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
            "--mode" => mode = value()?.parse().map_err(|e| format!("{e}"))?,
            "--border" => border = value()?,
            "--correlate" => op = Operation::Correlation,
            "--backend" => backend = Some(value()?.parse().map_err(|e| format!("{e}"))?),
            f if f.starts_with('-') => return Err(format!("unknown option {f:?}")),
            _ => files.push(arg.clone()),
        }
    }
    let [image, kernel, output] = <[String; 3]>::try_from(files).map_err(|files| {
        format!(
            "expected three files (image, kernel, output), got {}",
            files.len()
        )
    })?;
    Ok(Options {
        image,
        kernel,
        output,
        mode,
        border,
        op,
        backend,
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
    let kernel: Array2<T> = read_npy(&o.kernel).map_err(|e| match e {
        ReadNpyError::WrongDescriptor(d) => format!(
            "{}: dtype {d} differs from the image's {dtype}; save both with the same \
             dtype, e.g. `kernel.astype(image.dtype)`",
            o.kernel
        ),
        e => format!("cannot read {}: {e}", o.kernel),
    })?;
    let border = parse_border::<T>(&o.border, dtype)?;
    let mut filter = Filter2d::new(kernel.view(), o.op)
        .map_err(|e| e.to_string())?
        .mode(o.mode)
        .border(border);
    if let Some(b) = o.backend {
        filter = filter.backend(b);
    }
    let backend = filter.resolved_backend().map_err(|e| e.to_string())?;

    let start = Instant::now();
    let out = filter.apply(&image).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed();

    write_npy(&o.output, &out).map_err(|e| format!("cannot write {}: {e}", o.output))?;
    let (h, w) = image.dim();
    let (kh, kw) = kernel.dim();
    let (oh, ow) = out.dim();
    println!(
        "{}: {dtype} {h} x {w}, {}: {kh} x {kw} -> {}: {oh} x {ow}",
        o.image, o.kernel, o.output
    );
    println!(
        "{:?}, Mode::{:?}, Border::{border:?}, backend {backend}, {:.3} ms",
        o.op,
        o.mode,
        elapsed.as_secs_f64() * 1e3
    );
    println!("check in Python: {}", scipy_line(o, &border));
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
fn scipy_line<T: Display>(o: &Options, border: &Border<T>) -> String {
    let function = match o.op {
        Operation::Convolution => "convolve2d",
        Operation::Correlation => "correlate2d",
    };
    let mode = o.mode;
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
        o.image, o.kernel
    )
}
