//! Runs every reference case in `tests/data/vectors` (see the README there)
//! against the crate, on every backend this CPU can run.
//!
//! For each case and backend:
//!
//! - the filter is built from the kernel as `layout.kernel` presents it, with
//!   the case's mode and border, forced to that backend;
//! - `apply` runs on the image as `layout.image` presents it, and
//!   `apply_into` writes into an output presented as `layout.output` (for
//!   `strided`, the elements in between must stay untouched);
//! - where the mode is `full` and the border `Constant(0)`, `convolve2d` /
//!   `correlate2d` must agree too;
//! - results are compared with the expected output (integers exactly, floats
//!   within the per-element tolerance), and every backend's output must be
//!   bit-identical to the `Scalar` backend's;
//! - error cases must return `Err` from building or applying, never panic.
//!
//! All failures are collected and reported together at the end.

use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis, ShapeBuilder};
use ndarray_npy::{read_npy, ReadableElement};
use serde_json::Value;
use simdconv::{
    convolve2d, correlate2d, Backend, Border, Element, Error, Filter2d, Mode, Operation,
};

/// The vectors' directory, found from the crate root so that the test runs
/// from any working directory.
fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vectors")
}

// ---------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------

/// What the test needs of an element type beyond `simdconv::Element`.
trait TestElement: Element + ReadableElement + FromStr + Debug {
    const FLOAT: bool;
    /// The raw bits (for the bit-identity check and untouched elements).
    fn bits(self) -> u64;
    fn is_nan(self) -> bool;
    fn to_f64(self) -> f64;
    /// Fills the unused parts of input buffers: reading one shows in the result.
    fn poison() -> Self;
    /// Fills output buffers before a call: an element the call forgets to
    /// write, or writes outside the view, shows.
    fn sentinel() -> Self;
}

impl TestElement for f32 {
    const FLOAT: bool = true;
    fn bits(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn poison() -> Self {
        f32::NAN
    }
    fn sentinel() -> Self {
        -987_654.3
    }
}

impl TestElement for f64 {
    const FLOAT: bool = true;
    fn bits(self) -> u64 {
        self.to_bits()
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn poison() -> Self {
        f64::NAN
    }
    fn sentinel() -> Self {
        -987_654.321_012_345
    }
}

impl TestElement for i32 {
    const FLOAT: bool = false;
    fn bits(self) -> u64 {
        u64::from(self as u32)
    }
    fn is_nan(self) -> bool {
        false
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn poison() -> Self {
        0x3C3C_3C3C
    }
    fn sentinel() -> Self {
        -0x5A5A_5A5B
    }
}

impl TestElement for i64 {
    const FLOAT: bool = false;
    fn bits(self) -> u64 {
        self as u64
    }
    fn is_nan(self) -> bool {
        false
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn poison() -> Self {
        0x3C3C_3C3C_3C3C_3C3C
    }
    fn sentinel() -> Self {
        -0x5A5A_5A5A_5A5A_5A5B
    }
}

// ---------------------------------------------------------------------------
// index.json
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Contiguous,
    Transposed,
    Strided,
    Negative,
    BroadcastRows,
    BroadcastCols,
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    op: Operation,
    mode: Mode,
    /// The border's name (SciPy's, as `Border`'s `FromStr` takes it).
    border: String,
    fill: Option<String>,
    dtype: String,
    image: String,
    kernel: String,
    image_shape: (usize, usize),
    kernel_shape: (usize, usize),
    image_layout: Layout,
    kernel_layout: Layout,
    output_layout: Layout,
    ok: bool,
    out_shape: Option<(usize, usize)>,
    expected: Option<String>,
    tol: Option<String>,
}

fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| format!("missing field {key:?}"))
}

fn string(v: &Value, key: &str) -> Result<String, String> {
    field(v, key)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("field {key:?} is not a string"))
}

fn opt_string(v: &Value, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!(
            "field {key:?} is neither a string nor null: {other}"
        )),
    }
}

fn shape(v: &Value) -> Result<(usize, usize), String> {
    let dims = v
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| format!("not a 2-D shape: {v}"))?;
    let dim = |d: &Value| {
        d.as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| format!("bad dimension in shape {v}"))
    };
    Ok((dim(&dims[0])?, dim(&dims[1])?))
}

fn layout(s: &str) -> Result<Layout, String> {
    Ok(match s {
        "contiguous" => Layout::Contiguous,
        "transposed" => Layout::Transposed,
        "strided" => Layout::Strided,
        "negative" => Layout::Negative,
        "broadcast_rows" => Layout::BroadcastRows,
        "broadcast_cols" => Layout::BroadcastCols,
        other => return Err(format!("unknown layout {other:?}")),
    })
}

fn parse_case(v: &Value) -> Result<Case, String> {
    let name = string(v, "name")?;
    let op: Operation = string(v, "op")?.parse().map_err(|e| format!("{e}"))?;
    let mode: Mode = string(v, "mode")?.parse().map_err(|e| format!("{e}"))?;
    let border = string(v, "border")?;
    let kind: Border<f64> = border.parse().map_err(|e| format!("{e}"))?;
    let fill = opt_string(v, "fill")?;
    if matches!(kind, Border::Constant(_)) && fill.is_none() {
        return Err("constant border without a fill".into());
    }
    let lay = field(v, "layout")?;
    let ok = match string(v, "expect")?.as_str() {
        "ok" => true,
        "error" => false,
        other => return Err(format!("unknown expect {other:?}")),
    };
    let out_shape = match v.get("out_shape") {
        None | Some(Value::Null) => None,
        Some(s) => Some(shape(s)?),
    };
    let case = Case {
        name,
        op,
        mode,
        border,
        fill,
        dtype: string(v, "dtype")?,
        image: string(v, "image")?,
        kernel: string(v, "kernel")?,
        image_shape: shape(field(v, "image_shape")?)?,
        kernel_shape: shape(field(v, "kernel_shape")?)?,
        image_layout: layout(&string(lay, "image")?)?,
        kernel_layout: layout(&string(lay, "kernel")?)?,
        output_layout: layout(&string(lay, "output")?)?,
        ok,
        out_shape,
        expected: opt_string(v, "expected")?,
        tol: opt_string(v, "tol")?,
    };
    if case.ok && (case.out_shape.is_none() || case.expected.is_none()) {
        return Err("ok case without out_shape or expected".into());
    }
    Ok(case)
}

/// The parsed index: every case, or the reason one could not be parsed.
fn load_index() -> Vec<Result<Case, String>> {
    let path = data_dir().join("index.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let index: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    assert_eq!(index["format"], 1, "unknown index.json format");
    let cases = index["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("{}: \"cases\" is not a list", path.display()));
    cases
        .iter()
        .enumerate()
        .map(|(i, v)| {
            parse_case(v).map_err(|e| {
                let name = v.get("name").and_then(Value::as_str).unwrap_or("?");
                format!("index.json case #{i} ({name}): {e}")
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Loaded data and layouts
// ---------------------------------------------------------------------------

struct Data<T> {
    image: Array2<T>,
    kernel: Array2<T>,
    expected: Option<Array2<T>>,
    tol: Option<Array2<T>>,
    border: Border<T>,
}

fn load_array<T: TestElement>(
    rel: &str,
    shape: Option<(usize, usize)>,
) -> Result<Array2<T>, String> {
    let a: Array2<T> =
        read_npy(data_dir().join(rel)).map_err(|e| format!("cannot load {rel}: {e}"))?;
    if let Some(shape) = shape {
        if a.dim() != shape {
            return Err(format!("{rel} is {:?}, index.json says {shape:?}", a.dim()));
        }
    }
    Ok(a)
}

fn load_data<T: TestElement>(case: &Case) -> Result<Data<T>, String>
where
    <T as FromStr>::Err: Debug,
{
    let image = load_array(&case.image, Some(case.image_shape))?;
    let kernel = load_array(&case.kernel, Some(case.kernel_shape))?;
    let expected = match &case.expected {
        Some(p) => Some(load_array(p, case.out_shape)?),
        None => None,
    };
    let tol = match &case.tol {
        Some(p) => Some(load_array(p, case.out_shape)?),
        None => None,
    };
    if case.ok && T::FLOAT && tol.is_none() {
        return Err("float ok case without a tolerance".into());
    }
    let border = match case
        .border
        .parse::<Border<T>>()
        .map_err(|e| format!("{e}"))?
    {
        Border::Constant(_) => {
            let fill = case.fill.as_deref().unwrap_or_default();
            let v = fill
                .parse::<T>()
                .map_err(|e| format!("fill {fill:?} does not parse as {}: {e:?}", case.dtype))?;
            Border::Constant(v)
        }
        other => other,
    };
    Ok(Data {
        image,
        kernel,
        expected,
        tol,
        border,
    })
}

/// An input array stored so that a view of it presents `layout`.
struct Input<T> {
    buf: Array2<T>,
    layout: Layout,
    dim: (usize, usize),
}

impl<T: TestElement> Input<T> {
    fn new(a: &Array2<T>, layout: Layout) -> Result<Self, String> {
        let (h, w) = a.dim();
        let buf = match layout {
            Layout::Contiguous => a.as_standard_layout().into_owned(),
            // The transpose stored in C order; `view` passes `.t()`.
            Layout::Transposed => a.t().as_standard_layout().into_owned(),
            // Every 2nd row and 3rd column of a larger buffer.
            Layout::Strided => {
                let mut buf = Array2::from_elem((2 * h, 3 * w), T::poison());
                buf.slice_mut(s![..;2, ..;3]).assign(a);
                buf
            }
            // Stored reversed; `view` inverts both axes.
            Layout::Negative => a.slice(s![..;-1, ..;-1]).as_standard_layout().into_owned(),
            Layout::BroadcastRows => {
                if h == 0 {
                    return Err("broadcast_rows layout with an empty image".into());
                }
                a.row(0).to_owned().insert_axis(Axis(0))
            }
            Layout::BroadcastCols => {
                if w == 0 {
                    return Err("broadcast_cols layout with an empty image".into());
                }
                a.column(0).to_owned().insert_axis(Axis(1))
            }
        };
        let input = Input {
            buf,
            layout,
            dim: (h, w),
        };
        // The presented view must be the logical array, with the strides the
        // layout names.
        let v = input.view();
        same_bits(v, a.view()).map_err(|e| {
            format!("{layout:?} view differs from the data (data inconsistent with layout?): {e}")
        })?;
        let st = v.strides();
        let strides_ok = match layout {
            Layout::Contiguous => true,
            Layout::Transposed => h < 2 || w < 2 || (st[0] == 1 && st[1] == h as isize),
            Layout::Strided => h < 2 || w < 2 || (st[0] == 6 * w as isize && st[1] == 3),
            Layout::Negative => h < 2 || w < 2 || (st[0] < 0 && st[1] < 0),
            Layout::BroadcastRows => h < 2 || st[0] == 0,
            Layout::BroadcastCols => w < 2 || st[1] == 0,
        };
        if !strides_ok {
            return Err(format!("{layout:?} view has strides {st:?}"));
        }
        Ok(input)
    }

    fn view(&self) -> ArrayView2<'_, T> {
        match self.layout {
            Layout::Contiguous => self.buf.view(),
            Layout::Transposed => self.buf.t(),
            Layout::Strided => self.buf.slice(s![..;2, ..;3]),
            Layout::Negative => self.buf.slice(s![..;-1, ..;-1]),
            Layout::BroadcastRows | Layout::BroadcastCols => self
                .buf
                .broadcast(self.dim)
                .expect("a row or column broadcasts to its own shape"),
        }
    }
}

/// An output buffer for `apply_into`, filled with the sentinel.
struct Output<T> {
    buf: Array2<T>,
    layout: Layout,
}

impl<T: TestElement> Output<T> {
    fn new((h, w): (usize, usize), layout: Layout) -> Result<Self, String> {
        let buf = match layout {
            Layout::Contiguous | Layout::Negative => Array2::from_elem((h, w), T::sentinel()),
            Layout::Transposed => Array2::from_elem((h, w).f(), T::sentinel()),
            Layout::Strided => Array2::from_elem((2 * h, 3 * w), T::sentinel()),
            Layout::BroadcastRows | Layout::BroadcastCols => {
                return Err(format!("{layout:?} is not an output layout"))
            }
        };
        Ok(Output { buf, layout })
    }

    fn view_mut(&mut self) -> ArrayViewMut2<'_, T> {
        match self.layout {
            Layout::Strided => self.buf.slice_mut(s![..;2, ..;3]),
            Layout::Negative => self.buf.slice_mut(s![..;-1, ..;-1]),
            _ => self.buf.view_mut(),
        }
    }

    fn view(&self) -> ArrayView2<'_, T> {
        match self.layout {
            Layout::Strided => self.buf.slice(s![..;2, ..;3]),
            Layout::Negative => self.buf.slice(s![..;-1, ..;-1]),
            _ => self.buf.view(),
        }
    }

    /// For `strided`: the elements between the view's must be untouched.
    fn check_untouched(&self) -> Result<(), String> {
        if self.layout != Layout::Strided {
            return Ok(());
        }
        let sentinel = T::sentinel().bits();
        let touched: Vec<_> = self
            .buf
            .indexed_iter()
            .filter(|&((i, j), v)| !(i % 2 == 0 && j % 3 == 0) && v.bits() != sentinel)
            .map(|(ij, v)| (ij, *v))
            .collect();
        if touched.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "apply_into wrote {} elements between the strided output's (buffer index, value), first: {:?}",
                touched.len(),
                &touched[..touched.len().min(4)]
            ))
        }
    }
}

// ---------------------------------------------------------------------------
// Comparisons
// ---------------------------------------------------------------------------

const SHOW: usize = 4;

/// Compares a result with the expected output as the README says.
fn compare<T: TestElement>(
    got: ArrayView2<'_, T>,
    expected: &Array2<T>,
    tol: Option<&Array2<T>>,
) -> Result<(), String> {
    if got.dim() != expected.dim() {
        return Err(format!(
            "shape {:?}, expected {:?}",
            got.dim(),
            expected.dim()
        ));
    }
    let mut bad = Vec::new();
    let mut count = 0usize;
    for ((ij, &g), &e) in got.indexed_iter().zip(expected.iter()) {
        let ok = if T::FLOAT {
            let (g, e) = (g.to_f64(), e.to_f64());
            let t = tol.map_or(0.0, |t| t[ij].to_f64());
            if e.is_nan() {
                g.is_nan()
            } else if e.is_infinite() {
                g == e
            } else {
                g.is_finite() && (g - e).abs() <= t
            }
        } else {
            g.bits() == e.bits()
        };
        if !ok {
            count += 1;
            if bad.len() < SHOW {
                match tol {
                    Some(t) => bad.push(format!(
                        "{ij:?}: got {g:?}, expected {e:?} (tol {:?})",
                        t[ij]
                    )),
                    None => bad.push(format!("{ij:?}: got {g:?}, expected {e:?}")),
                }
            }
        }
    }
    if count == 0 {
        Ok(())
    } else {
        Err(format!(
            "{count} of {} elements wrong; {}",
            got.len(),
            bad.join("; ")
        ))
    }
}

/// Bit-for-bit equality (any NaN matches any NaN).
fn same_bits<T: TestElement>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>) -> Result<(), String> {
    if a.dim() != b.dim() {
        return Err(format!("shape {:?} vs {:?}", a.dim(), b.dim()));
    }
    let mut bad = Vec::new();
    let mut count = 0usize;
    for ((ij, &x), &y) in a.indexed_iter().zip(b.iter()) {
        let ok = (x.is_nan() && y.is_nan()) || x.bits() == y.bits();
        if !ok {
            count += 1;
            if bad.len() < SHOW {
                bad.push(format!("{ij:?}: {x:?} vs {y:?}"));
            }
        }
    }
    if count == 0 {
        Ok(())
    } else {
        Err(format!(
            "{count} of {} elements differ in bits; {}",
            a.len(),
            bad.join("; ")
        ))
    }
}

// ---------------------------------------------------------------------------
// Running a case
// ---------------------------------------------------------------------------

fn build<T: Element>(
    case: &Case,
    kernel: ArrayView2<'_, T>,
    border: Border<T>,
    backend: Backend,
) -> Result<Filter2d<T>, Error> {
    let filter = match case.op {
        Operation::Convolution => Filter2d::convolution(kernel)?,
        Operation::Correlation => Filter2d::correlation(kernel)?,
    };
    Ok(filter.mode(case.mode).border(border).backend(backend))
}

fn free_function<T: Element>(
    case: &Case,
    image: ArrayView2<'_, T>,
    kernel: ArrayView2<'_, T>,
) -> Result<Array2<T>, Error> {
    match case.op {
        Operation::Convolution => convolve2d(image, kernel),
        Operation::Correlation => correlate2d(image, kernel),
    }
}

/// Whether `convolve2d` / `correlate2d` compute this case: full mode with
/// `Constant(0)` (for error cases any full-mode call, since the error is
/// about the shapes).
fn free_function_applies<T: TestElement>(case: &Case, border: Border<T>) -> bool {
    case.mode == Mode::Full && (!case.ok || border == Border::Constant(T::zero()))
}

/// The shape a call would produce if it accepted the inputs: what an error
/// case's `apply_into` gets, so that only the inputs can be wrong.
fn plausible_shape(case: &Case) -> (usize, usize) {
    let (h, w) = case.image_shape;
    let (kh, kw) = case.kernel_shape;
    match case.mode {
        Mode::Full => ((h + kh).saturating_sub(1), (w + kw).saturating_sub(1)),
        Mode::Same => (h, w),
        Mode::Valid => (h.abs_diff(kh) + 1, w.abs_diff(kw) + 1),
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_owned()
    }
}

/// Runs `f`, turning a panic into an error message.
fn guarded<R>(what: &str, f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => Err(format!("{what} panicked: {}", panic_message(p.as_ref()))),
    }
}

/// An ok case on one backend: the `apply` result, after all checks.
fn run_ok<T: TestElement>(
    case: &Case,
    data: &Data<T>,
    image: &Input<T>,
    kernel: &Input<T>,
    backend: Backend,
    failures: &mut Vec<String>,
) -> Option<Array2<T>> {
    let expected = data
        .expected
        .as_ref()
        .expect("ok cases have an expected output");
    let tol = data.tol.as_ref();
    let mut fail =
        |what: &str, e: String| failures.push(format!("{} [{backend}] {what}: {e}", case.name));

    let filter = match guarded("build", || {
        build(case, kernel.view(), data.border, backend).map_err(|e| e.to_string())
    }) {
        Ok(f) => f,
        Err(e) => {
            fail("build", e);
            return None;
        }
    };

    let applied = guarded("apply", || {
        filter.apply(image.view()).map_err(|e| format!("Err({e})"))
    });
    let applied = match applied {
        Ok(out) => {
            if let Err(e) = compare(out.view(), expected, tol) {
                fail("apply", e);
            }
            Some(out)
        }
        Err(e) => {
            fail("apply", e);
            None
        }
    };

    let into = guarded("apply_into", || {
        let mut out = Output::new(expected.dim(), case.output_layout)?;
        filter
            .apply_into(image.view(), out.view_mut())
            .map_err(|e| format!("Err({e})"))?;
        Ok(out)
    });
    match into {
        Ok(out) => {
            let what = format!("apply_into ({:?} output)", case.output_layout);
            if let Err(e) = out.check_untouched() {
                fail(&what, e);
            }
            if let Err(e) = compare(out.view(), expected, tol) {
                fail(&what, e);
            }
            if let Some(a) = &applied {
                if let Err(e) = same_bits(out.view(), a.view()) {
                    fail(&format!("{what} vs apply on the same backend"), e);
                }
            }
        }
        Err(e) => fail("apply_into", e),
    }
    applied
}

/// An error case on one backend: building, or else every application, errs.
fn run_error<T: TestElement>(
    case: &Case,
    data: &Data<T>,
    image: &Input<T>,
    kernel: &Input<T>,
    backend: Backend,
    failures: &mut Vec<String>,
) {
    let mut fail =
        |what: &str, e: String| failures.push(format!("{} [{backend}] {what}: {e}", case.name));
    let filter = match guarded("build", || {
        Ok(build(case, kernel.view(), data.border, backend))
    }) {
        Ok(Ok(f)) => f,
        Ok(Err(_)) => return, // rejected when built: fine
        Err(e) => {
            fail("build", e);
            return;
        }
    };
    match guarded("apply", || Ok(filter.apply(image.view()))) {
        Ok(Ok(out)) => fail(
            "apply",
            format!("expected Err, got Ok with shape {:?}", out.dim()),
        ),
        Ok(Err(_)) => {}
        Err(e) => fail("apply", e),
    }
    let into = guarded("apply_into", || {
        let mut out = Output::new(plausible_shape(case), case.output_layout)?;
        Ok(filter.apply_into(image.view(), out.view_mut()))
    });
    match into {
        Ok(Ok(())) => fail("apply_into", "expected Err, got Ok".into()),
        Ok(Err(_)) => {}
        Err(e) => fail("apply_into", e),
    }
}

/// Totals over all cases.
#[derive(Default)]
struct Tally {
    cases: usize,
    runs: usize,
    failures: Vec<String>,
}

fn run_case<T: TestElement>(case: &Case, backends: &[Backend], tally: &mut Tally)
where
    <T as FromStr>::Err: Debug,
{
    let failures = &mut tally.failures;
    let prepared = guarded("loading", || {
        let data = load_data::<T>(case)?;
        let image =
            Input::new(&data.image, case.image_layout).map_err(|e| format!("image: {e}"))?;
        let kernel =
            Input::new(&data.kernel, case.kernel_layout).map_err(|e| format!("kernel: {e}"))?;
        Ok((data, image, kernel))
    });
    let (data, image, kernel) = match prepared {
        Ok(p) => p,
        Err(e) => {
            failures.push(format!("{}: {e}", case.name));
            return;
        }
    };
    tally.cases += 1;

    // Each backend; the Scalar backend comes first.
    let mut outputs: Vec<(String, Option<Array2<T>>)> = Vec::new();
    for &backend in backends {
        tally.runs += 1;
        if case.ok {
            let out = run_ok(case, &data, &image, &kernel, backend, failures);
            outputs.push((backend.to_string(), out));
        } else {
            run_error(case, &data, &image, &kernel, backend, failures);
        }
    }

    // The free function (automatic backend).
    if free_function_applies(case, data.border) {
        let name = match case.op {
            Operation::Convolution => "convolve2d",
            Operation::Correlation => "correlate2d",
        };
        let r = guarded(name, || {
            Ok(free_function(case, image.view(), kernel.view()))
        });
        match (case.ok, r) {
            (_, Err(e)) => failures.push(format!("{} {name}: {e}", case.name)),
            (true, Ok(Ok(out))) => {
                let expected = data
                    .expected
                    .as_ref()
                    .expect("ok cases have an expected output");
                if let Err(e) = compare(out.view(), expected, data.tol.as_ref()) {
                    failures.push(format!("{} {name}: {e}", case.name));
                }
                outputs.push((format!("{name}, automatic backend"), Some(out)));
            }
            (true, Ok(Err(e))) => failures.push(format!("{} {name}: Err({e})", case.name)),
            (false, Ok(Ok(out))) => failures.push(format!(
                "{} {name}: expected Err, got Ok with shape {:?}",
                case.name,
                out.dim()
            )),
            (false, Ok(Err(_))) => {}
        }
    }

    // The core guarantee: every backend gives the Scalar backend's bits.
    // (`backends` starts with Scalar, so the first output is Scalar's.)
    if let Some((_, Some(reference))) = outputs.first().filter(|_| case.ok) {
        for (label, out) in &outputs[1..] {
            if let Some(out) = out {
                if let Err(e) = same_bits(out.view(), reference.view()) {
                    failures.push(format!(
                        "{} [{label}] not bit-identical to scalar: {e}",
                        case.name
                    ));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

/// Every case in index.json is on disk and loads, and nothing on disk is
/// missing from the index: an empty or partial copy cannot pass silently.
#[test]
fn every_indexed_case_is_present_and_loads() {
    let index = load_index();
    assert!(!index.is_empty(), "index.json lists no cases");
    let mut problems: Vec<String> = Vec::new();
    let mut loaded = 0usize;
    let mut names = std::collections::BTreeSet::new();
    for case in &index {
        let case = match case {
            Ok(c) => c,
            Err(e) => {
                problems.push(e.clone());
                continue;
            }
        };
        if !names.insert(case.name.clone()) {
            problems.push(format!("{}: duplicate name", case.name));
        }
        let r = match case.dtype.as_str() {
            "f32" => load_data::<f32>(case).map(drop),
            "f64" => load_data::<f64>(case).map(drop),
            "i32" => load_data::<i32>(case).map(drop),
            "i64" => load_data::<i64>(case).map(drop),
            other => Err(format!("unknown dtype {other:?}")),
        };
        match r {
            Ok(()) => loaded += 1,
            Err(e) => problems.push(format!("{}: {e}", case.name)),
        }
    }
    let dir = data_dir().join("cases");
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for extra in on_disk.difference(&names) {
        problems.push(format!("cases/{extra} is not in index.json"));
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(loaded, index.len(), "cases loaded vs cases in index.json");
    println!("{loaded} cases loaded, as index.json lists");
}

/// Every case, every element type, every backend this CPU can run.
#[test]
fn every_case_on_every_backend() {
    let index = load_index();
    assert!(!index.is_empty(), "index.json lists no cases");
    let backends = Backend::available();
    assert_eq!(
        backends.first(),
        Some(&Backend::Scalar),
        "Scalar must come first"
    );

    let mut tally = Tally::default();
    for case in &index {
        let case = match case {
            Ok(c) => c,
            Err(e) => {
                tally.failures.push(e.clone());
                continue;
            }
        };
        match case.dtype.as_str() {
            "f32" => run_case::<f32>(case, &backends, &mut tally),
            "f64" => run_case::<f64>(case, &backends, &mut tally),
            "i32" => run_case::<i32>(case, &backends, &mut tally),
            "i64" => run_case::<i64>(case, &backends, &mut tally),
            other => tally
                .failures
                .push(format!("{}: unknown dtype {other:?}", case.name)),
        }
    }

    let names: Vec<String> = backends.iter().map(ToString::to_string).collect();
    println!(
        "checked {} cases x {} backends ({}) = {} runs; {} failures",
        tally.cases,
        backends.len(),
        names.join(", "),
        tally.runs,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "{} failures:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert_eq!(tally.cases, index.len(), "cases run vs cases in index.json");
}

/// The comparisons themselves: a harness that accepts anything would pass
/// every case silently.
#[test]
fn comparisons_reject_what_they_should() {
    use ndarray::array;
    let e = array![[1.0f64, f64::NAN, f64::INFINITY, -2.0]];
    let t = array![[0.5f64, 0.0, 0.0, 0.0]];
    assert!(compare(
        array![[1.5, f64::NAN, f64::INFINITY, -2.0]].view(),
        &e,
        Some(&t)
    )
    .is_ok());
    // Beyond the tolerance; NaN where a number is expected; a NaN or the
    // other infinity where an infinity is expected; a non-finite result.
    assert!(compare(
        array![[1.6, f64::NAN, f64::INFINITY, -2.0]].view(),
        &e,
        Some(&t)
    )
    .is_err());
    assert!(compare(array![[1.0, 0.0, f64::INFINITY, -2.0]].view(), &e, Some(&t)).is_err());
    assert!(compare(
        array![[1.0, f64::NAN, f64::NEG_INFINITY, -2.0]].view(),
        &e,
        Some(&t)
    )
    .is_err());
    assert!(compare(array![[1.0, f64::NAN, f64::NAN, -2.0]].view(), &e, Some(&t)).is_err());
    assert!(compare(
        array![[1.0, f64::NAN, f64::INFINITY, f64::NAN]].view(),
        &e,
        Some(&t)
    )
    .is_err());
    assert!(compare(array![[1.0, f64::NAN]].view(), &e, Some(&t)).is_err());
    // Integers: exactly.
    assert!(compare(array![[i64::MIN, 3]].view(), &array![[i64::MIN, 3]], None).is_ok());
    assert!(compare(array![[i64::MIN, 3]].view(), &array![[i64::MIN, 4]], None).is_err());
    // Bit identity: the sign of zero and the last bit count; NaNs match.
    let a = array![[0.0f32, f32::NAN, 1.0]];
    assert!(same_bits(a.view(), array![[0.0f32, -f32::NAN, 1.0]].view()).is_ok());
    assert!(same_bits(a.view(), array![[-0.0f32, f32::NAN, 1.0]].view()).is_err());
    assert!(same_bits(
        a.view(),
        array![[0.0f32, f32::NAN, 1.0 + f32::EPSILON]].view()
    )
    .is_err());
    assert!(same_bits(a.view(), array![[0.0f32, 0.0, 1.0]].view()).is_err());
    // Untouched elements of a strided output.
    let mut out = Output::<i32>::new((2, 2), Layout::Strided).unwrap();
    out.view_mut().fill(7);
    assert!(out.check_untouched().is_ok());
    out.buf[[1, 1]] = 7;
    assert!(out.check_untouched().is_err());
}
