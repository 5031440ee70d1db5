//! The FFT method ([`Method::Fft`](crate::Method::Fft)): overlap-save
//! tiles over the output window, each a real 2-D transform of the
//! border-extended input block, a product with the kernel's spectrum and
//! an inverse transform (`docs/FFT.md` has the whole story).
//!
//! A tile of `th x tw` outputs whose first output is at `(y0, x0)` of the
//! window reads the padded rows and columns the direct path reads for
//! them: padded row `b` is image row `source_index(y0 + offset.0 + b -
//! (kh - 1))`, and likewise for columns, so a tile next to the edge sees
//! exactly the border samples the direct path sees. Its `Nh x Nw` block
//! (`Nh = th + kh - 1`, `Nw = tw + kw - 1`, fast sizes) correlated
//! circularly with the effective kernel gives the linear correlation
//! exactly at `0..th x 0..tw` (no index wraps there): `IFFT(FFT(x) .
//! conj(FFT(k)))`.
//!
//! Rows go through `realfft` (real to complex, `Nw / 2 + 1` bins), then
//! the bins' columns through `rustfft` on a transposed buffer, many
//! transforms per call. Both crates pick AVX, SSE4.1 or NEON code paths
//! at run time and fall back to scalar code elsewhere; the choice is
//! theirs, not [`Backend`](crate::Backend)'s, and the results are the
//! same on every machine only up to the bound in [`bound`].
//!
//! A tile whose input block holds a NaN or an infinity, or whose result
//! does (overflow), is computed by the direct path instead, so non-finite
//! values reach exactly the outputs the direct path gives them.

pub(crate) mod bound;
pub(crate) mod size;
mod spectrum;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rustfft::num_complex::Complex;
use rustfft::FftNum;

use crate::arith::Arith;
use crate::error::Error;
use crate::kernels::Taps;
use crate::pipeline::{self, Call, ColumnMap, Evaluation};
use crate::scratch::Scratch;
use crate::threads::Threads;

pub(crate) use size::Tiling;
use spectrum::Spectrum;

/// How an element type runs the FFT method: [`Spectra`] for floats,
/// [`NoFft`] for integers (whose results must stay exact). Public only as
/// the sealed `Element`'s associated type; nothing outside can name it.
#[allow(private_interfaces)]
pub trait Transform<T>: Default + Send + Sync + 'static {
    /// Whether the type has an FFT method at all.
    const AVAILABLE: bool;
    /// Computes `out` for `call` (whose evaluation is the direct one, used
    /// for the tiles that fall back) on the `tiling`'s tiles.
    fn execute(
        &self,
        call: &Call<'_, T>,
        tiling: Tiling,
        threads: &Threads,
        image: ArrayView2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error>;
}

/// Integers have no FFT method: the call runs direct.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoFft;

#[allow(private_interfaces)]
impl<T: Arith> Transform<T> for NoFft {
    const AVAILABLE: bool = false;
    fn execute(
        &self,
        call: &Call<'_, T>,
        _tiling: Tiling,
        threads: &Threads,
        image: ArrayView2<'_, T>,
        out: ArrayViewMut2<'_, T>,
    ) -> Result<(), Error> {
        pipeline::execute(call, threads, image, out)
    }
}

/// The float element types the transforms run on.
pub trait FftFloat: Arith + FftNum {
    /// Neither NaN nor infinite.
    fn finite(self) -> bool;
}

impl FftFloat for f32 {
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl FftFloat for f64 {
    #[inline(always)]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

/// A float filter's kernel spectra, one per transform size, computed the
/// first time a call needs that size and kept (shared by the filter's
/// clones: the kernel never changes).
pub struct Spectra<F> {
    by_size: Mutex<BySize<F>>,
}

/// The spectra computed so far, by transform size `(Nh, Nw)`.
type BySize<F> = HashMap<(usize, usize), Arc<Spectrum<F>>>;

impl<F> Default for Spectra<F> {
    fn default() -> Self {
        Spectra {
            by_size: Mutex::new(HashMap::new()),
        }
    }
}

impl<F: FftFloat> Spectra<F> {
    /// The spectrum of `taps` for transforms of `size`, computed once.
    fn get(&self, taps: &Taps<F>, size: (usize, usize)) -> Result<Arc<Spectrum<F>>, Error> {
        // A panic elsewhere while the lock was held leaves a map that is
        // still consistent (entries are inserted whole).
        let mut map = self.by_size.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = map.get(&size) {
            return Ok(Arc::clone(s));
        }
        let s = Arc::new(Spectrum::new(taps, size)?);
        map.insert(size, Arc::clone(&s));
        Ok(s)
    }
}

/// One `Transform` impl per float type, each a concrete (non-generic)
/// function: the transforms' code (realfft and rustfft instantiated for
/// the type) is then compiled once, in this crate, instead of again in
/// every crate that applies a `Filter2d<f32>` (each test binary doubled in
/// size and build time when it was generic).
macro_rules! transform_for {
    ($f:ty) => {
        #[allow(private_interfaces)]
        impl Transform<$f> for Spectra<$f> {
            const AVAILABLE: bool = true;

            fn execute(
                &self,
                call: &Call<'_, $f>,
                tiling: Tiling,
                threads: &Threads,
                image: ArrayView2<'_, $f>,
                out: ArrayViewMut2<'_, $f>,
            ) -> Result<(), Error> {
                self.execute_tiles(call, tiling, threads, image, out)
            }
        }
    };
}

transform_for!(f32);
transform_for!(f64);

impl<F: FftFloat> Spectra<F> {
    /// The FFT method's call: the tiles of `tiling` over `out`.
    fn execute_tiles(
        &self,
        call: &Call<'_, F>,
        tiling: Tiling,
        threads: &Threads,
        image: ArrayView2<'_, F>,
        out: ArrayViewMut2<'_, F>,
    ) -> Result<(), Error> {
        let Evaluation::Direct { taps } = call.evaluation else {
            return pipeline::execute(call, threads, image, out);
        };
        let spectrum = self.get(taps, tiling.size)?;
        crate::alloc::probe::<Complex<F>>(spectrum.workspace_elements(), "an FFT tile's buffers")?;
        let (th, tw) = tiling.tile;
        let mut tasks = Vec::with_capacity(tiling.tiles());
        for (i, band) in chunks(out, Axis(0), th).into_iter().enumerate() {
            for (j, tile) in chunks(band, Axis(1), tw).into_iter().enumerate() {
                tasks.push(((i * th, j * tw), tile));
            }
        }
        let failure: Mutex<Option<Error>> = Mutex::new(None);
        // In units of the direct method's multiply-adds, for the thread
        // policy's threshold.
        let cost = tiling.cost(call.kernel_shape) as usize;
        threads.for_each_task(cost, tasks, |(at, tile)| {
            if let Err(e) = run_tile(call, taps, &spectrum, image, at, tile) {
                let mut failure = failure.lock().unwrap_or_else(|e| e.into_inner());
                failure.get_or_insert(e);
            }
        });
        match failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// `view` cut along `axis` into pieces of `size` (the last may be
/// shorter), each keeping the view's lifetime.
fn chunks<T>(view: ArrayViewMut2<'_, T>, axis: Axis, size: usize) -> Vec<ArrayViewMut2<'_, T>> {
    let mut pieces = Vec::new();
    let mut rest = view;
    while rest.len_of(axis) > size {
        let (head, tail) = rest.split_at(axis, size);
        pieces.push(head);
        rest = tail;
    }
    pieces.push(rest);
    pieces
}

/// One tile: the outputs `out` (of at most the tiling's tile shape) whose
/// first one is at `at` in the call's output window.
fn run_tile<F: FftFloat>(
    call: &Call<'_, F>,
    taps: &Taps<F>,
    spectrum: &Spectrum<F>,
    image: ArrayView2<'_, F>,
    at: (usize, usize),
    mut out: ArrayViewMut2<'_, F>,
) -> Result<(), Error> {
    let (kh, kw) = call.kernel_shape;
    let (th, tw) = out.dim();
    let (nh, nw) = spectrum.size();
    let (rows, cols) = (th + kh - 1, tw + kw - 1);
    let mut block: Scratch<F> = Scratch::reused(nh * nw, <F as Arith>::ZERO);
    let fill = call.border.fill().copied().unwrap_or(<F as Arith>::ZERO);
    // Padded column c reads image column x0 + offset.1 + c - (kw - 1).
    let first_col = (at.1 + call.offset.1) as isize;
    let lead = kw as isize - 1 - first_col;
    let columns = ColumnMap::new(&call.border, image.ncols(), cols, lead, call.cell);
    // The image is the accumulator's type here: a plain copy.
    let widen = crate::kernels::autovec::select::<crate::transfer::Widen<F, F>>(call.backend);
    let row_lead = (at.0 + call.offset.0) as isize - (kh as isize - 1);
    let mut finite = true;
    for (b, dst) in block.chunks_mut(nw).enumerate() {
        let (used, rest) = dst.split_at_mut(cols);
        rest.fill(<F as Arith>::ZERO);
        if b >= rows {
            used.fill(<F as Arith>::ZERO);
            continue;
        }
        match call
            .border
            .source_index(b as isize + row_lead, image.nrows())
        {
            Some(k) => columns.fill(used, image.row(k), fill, 0..0, widen),
            None => used.fill(fill),
        }
        finite &= all_finite(used);
    }
    if finite {
        spectrum.correlate(&mut block, rows, th);
        finite = block.chunks(nw).take(th).all(|row| all_finite(&row[..tw]));
    }
    if !finite {
        return direct_tile(call, taps, image, at, out);
    }
    for (mut dst, src) in out.rows_mut().into_iter().zip(block.chunks(nw)) {
        match dst.as_slice_mut() {
            Some(d) => d.copy_from_slice(&src[..tw]),
            None => {
                for (d, s) in dst.iter_mut().zip(&src[..tw]) {
                    *d = *s;
                }
            }
        }
    }
    Ok(())
}

/// Whether no value of `v` is NaN or infinite (without stopping early, so
/// that the loop vectorises).
fn all_finite<F: FftFloat>(v: &[F]) -> bool {
    v.iter().fold(true, |ok, x| ok & x.finite())
}

/// A tile computed by the direct path: the same call on the tile's
/// sub-window, on this thread.
fn direct_tile<F: FftFloat>(
    call: &Call<'_, F>,
    taps: &Taps<F>,
    image: ArrayView2<'_, F>,
    at: (usize, usize),
    out: ArrayViewMut2<'_, F>,
) -> Result<(), Error> {
    let sub = Call {
        kernel_shape: call.kernel_shape,
        border: call.border,
        offset: (call.offset.0 + at.0, call.offset.1 + at.1),
        kernel: call.kernel,
        backend: call.backend,
        evaluation: Evaluation::Direct { taps },
        cell: call.cell,
    };
    pipeline::execute(&sub, &Threads::Single, image, out)
}
