//! One transform size: the plans, the kernel's spectrum, and the
//! correlation of one block with it.

use std::sync::Arc;

use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::FftFloat;
use crate::arith::Arith;
use crate::error::Error;
use crate::kernels::Taps;
use crate::scratch::Scratch;

/// The plans and the kernel's spectrum for `Nh x Nw` transforms.
pub(crate) struct Spectrum<F> {
    nh: usize,
    nw: usize,
    /// Bins per row of a real transform, `Nw / 2 + 1`.
    bins: usize,
    rows_forward: Arc<dyn RealToComplex<F>>,
    rows_inverse: Arc<dyn ComplexToReal<F>>,
    columns_forward: Arc<dyn Fft<F>>,
    columns_inverse: Arc<dyn Fft<F>>,
    /// `conj(FFT(k)) / (Nh Nw)`, bin-major (`kernel[m * Nh + h]`), the
    /// layout of the column transforms.
    kernel: Vec<Complex<F>>,
    /// The complex scratch any of the four plans needs.
    scratch: usize,
}

impl<F: FftFloat> Spectrum<F> {
    /// Plans the transforms of `size` and the spectrum of `taps` (the
    /// effective kernel, row-major, zero-padded to `size`).
    pub(crate) fn new(taps: &Taps<F>, size: (usize, usize)) -> Result<Self, Error> {
        let (nh, nw) = size;
        let mut real = RealFftPlanner::<F>::new();
        let mut complex = FftPlanner::<F>::new();
        let rows_forward = real.plan_fft_forward(nw);
        let rows_inverse = real.plan_fft_inverse(nw);
        let columns_forward = complex.plan_fft_forward(nh);
        let columns_inverse = complex.plan_fft_inverse(nh);
        let scratch = [
            rows_forward.get_scratch_len(),
            rows_inverse.get_scratch_len(),
            columns_forward.get_inplace_scratch_len(),
            columns_inverse.get_inplace_scratch_len(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let bins = nw / 2 + 1;
        let mut s = Spectrum {
            nh,
            nw,
            bins,
            rows_forward,
            rows_inverse,
            columns_forward,
            columns_inverse,
            kernel: Vec::new(),
            scratch,
        };
        let (kh, kw) = (taps.rows(), taps.cols());
        let mut block = crate::alloc::with_capacity::<F>(nh * nw, "the kernel's spectrum")?;
        block.resize(nh * nw, <F as Arith>::ZERO);
        for (dst, src) in block.chunks_mut(nw).zip(taps.dense().chunks(kw)) {
            dst[..kw].copy_from_slice(src);
        }
        let mut kernel = crate::alloc::with_capacity(bins * nh, "the kernel's spectrum")?;
        kernel.resize(
            bins * nh,
            Complex::new(<F as Arith>::ZERO, <F as Arith>::ZERO),
        );
        let mut work = Workspace::new(&s);
        s.forward(&mut block, kh, &mut kernel, &mut work);
        let scale = F::from_float_value(1.0 / (nh as f64 * nw as f64));
        for v in &mut kernel {
            *v = Complex::new(v.re * scale, -(v.im * scale));
        }
        s.kernel = kernel;
        Ok(s)
    }

    /// The transform size, `(Nh, Nw)`.
    pub(crate) fn size(&self) -> (usize, usize) {
        (self.nh, self.nw)
    }

    /// The complex elements one tile's workspace holds (for the probe).
    pub(crate) fn workspace_elements(&self) -> usize {
        2 * self.nh * self.bins + self.scratch + self.nh * self.nw / 2
    }

    /// The 2-D transform of `block` (`Nh x Nw`, row-major; rows from
    /// `rows` on are zero and skipped; used as scratch) into `out`,
    /// bin-major (`out[m * Nh + h]`).
    fn forward(
        &self,
        block: &mut [F],
        rows: usize,
        out: &mut [Complex<F>],
        work: &mut Workspace<F>,
    ) {
        let (nh, nw, bins) = (self.nh, self.nw, self.bins);
        let zero = Complex::new(<F as Arith>::ZERO, <F as Arith>::ZERO);
        for (h, (src, dst)) in block
            .chunks_mut(nw)
            .zip(work.rows.chunks_mut(bins))
            .enumerate()
        {
            if h < rows {
                self.rows_forward
                    .process_with_scratch(src, dst, &mut work.scratch)
                    .expect("buffer lengths from the plan");
            } else {
                dst.fill(zero);
            }
        }
        transpose::transpose(&work.rows, out, bins, nh);
        self.columns_forward
            .process_with_scratch(out, &mut work.scratch);
    }

    /// Replaces `block` (`Nh x Nw`, image rows `0..rows`, zeros after)
    /// by its circular correlation with the kernel in rows `0..out_rows`
    /// (the rest is left as scratch).
    pub(crate) fn correlate(&self, block: &mut [F], rows: usize, out_rows: usize) {
        let (nh, nw, bins) = (self.nh, self.nw, self.bins);
        let mut work = Workspace::new(self);
        let mut spectrum = Scratch::reused(
            bins * nh,
            Complex::new(<F as Arith>::ZERO, <F as Arith>::ZERO),
        );
        self.forward(block, rows, &mut spectrum, &mut work);
        for (x, k) in spectrum.iter_mut().zip(&self.kernel) {
            *x = *x * *k;
        }
        self.columns_inverse
            .process_with_scratch(&mut spectrum, &mut work.scratch);
        transpose::transpose(&spectrum, &mut work.rows, nh, bins);
        let zero = <F as Arith>::ZERO;
        for (src, dst) in work
            .rows
            .chunks_mut(bins)
            .zip(block.chunks_mut(nw))
            .take(out_rows)
        {
            // The spectrum of a real row: its first bin (and last, for an
            // even length) is real. Rounding leaves a trace of an
            // imaginary part there, which the inverse must not see.
            src[0].im = zero;
            if nw % 2 == 0 {
                src[bins - 1].im = zero;
            }
            self.rows_inverse
                .process_with_scratch(src, dst, &mut work.scratch)
                .expect("buffer lengths from the plan, real end bins");
        }
    }
}

/// A tile's buffers beside the block: the row spectra and the plans'
/// scratch, from this thread's scratch cache.
struct Workspace<F: 'static> {
    /// `Nh` rows of `bins` spectrum values.
    rows: Scratch<Complex<F>>,
    scratch: Scratch<Complex<F>>,
}

impl<F: FftFloat> Workspace<F> {
    fn new(s: &Spectrum<F>) -> Self {
        let zero = Complex::new(<F as Arith>::ZERO, <F as Arith>::ZERO);
        Workspace {
            rows: Scratch::reused(s.nh * s.bins, zero),
            scratch: Scratch::reused(s.scratch, zero),
        }
    }
}
