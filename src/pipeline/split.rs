//! The two-width separable evaluation of narrow pixels: a column pass in
//! wrapping 16-bit lanes, then a row pass that widens into exact 32-bit
//! sums ([`kernels::widening`](crate::kernels::widening)).
//!
//! A `u8` image under OpenCV's 13 x 13 Gaussian (column and row taps each
//! summing to 256) has sums up to `255 * 2^16`: they need the `i32`
//! accumulator, whose factored evaluation runs both passes in 32-bit
//! lanes. But the column pass alone, `c = sum_i u_i p_i`, spans only
//! `255 * 256 < 2^16` values, and the row taps fit in 16 bits. So:
//!
//! 1. The column pass runs in wrapping `i16` lanes (the crate's `i16` row
//!    kernel over `i16`-widened padded rows, taps taken modulo 2^16): it
//!    gives `a = c mod 2^16`, twice as many lanes per vector as `i32`.
//! 2. With `[c_lo, c_hi]` the range of `c` over every pixel value
//!    (`c_hi - c_lo < 2^16`) and `B = c_lo + 2^15`, the wrapping
//!    difference `d = a - B` (as `i16`) is exactly `c - B`: that integer
//!    lies in `[-2^15, 2^15)`, and `d` is congruent to it modulo 2^16.
//! 3. The row pass computes `R = sum_j v_j d_j` in `i32` lanes from the
//!    `i16` values and taps, two taps per `pmaddwd`. `R = S - K` exactly
//!    for the 2-D sum `S` and `K = B sum_j v_j`: the products are exact,
//!    and the sums are right modulo 2^32 (the factorisation holds modulo
//!    2^32, as the `i32` accumulator's does) while `S - K` lies in `i32`
//!    (checked when the split is made), so the lanes hold `S - K` itself.
//! 4. The conversion adds `K` back as part of its exact offset
//!    (`FromExact::offset`): the output is that of `S`, bit for bit.
//!
//! Every backend computes the same integers, at every band height and
//! thread count; the scalar backend keeps the plain `i32` passes, the
//! reference these are tested against.

use ndarray::{ArrayView2, ArrayViewMut2};

use super::{drive, Call, ColumnMap, Interior, Plan, Ring, Source, Stage};
use crate::backend::Backend;
use crate::error::Error;
use crate::kernels::autovec::{self, RowMap, RowMapFn};
use crate::kernels::widening::{self, PairTaps, WideningKernel};
use crate::kernels::{select, RowKernel, Taps, ROW_SLACK};
use crate::scratch::Scratch;
use crate::threads::Threads;
use crate::transfer::{Load, Store, Widen};
use crate::tuning;

/// A rank-one integer kernel `u v^T`, prepared for the two-width passes.
pub(crate) struct Split {
    /// `u` modulo 2^16, as a `kh x 1` kernel.
    column: Taps<i16>,
    column_kernel: RowKernel<i16>,
    /// `v`, reading every `cell`-th element.
    row: PairTaps,
    row_kernel: WideningKernel,
    /// `B` modulo 2^16.
    bias: i16,
    /// `K = B sum_j v_j`: the passes compute `S - K`.
    offset: i64,
}

impl Split {
    /// The split of `u v^T` (`u` the column taps, `v` the row taps read
    /// every `step`-th element) for pixels in `[min, max]` whose 2-D sums
    /// lie in `[lo, hi]` (within `i32`), if it is exact (see the module
    /// documentation) and `backend` is a SIMD one with both kernels.
    pub(crate) fn new(
        u: &[i32],
        v: &[i32],
        step: usize,
        (min, max): (i64, i64),
        (lo, hi): (i64, i64),
        backend: Backend,
    ) -> Option<Split> {
        let (mut c_lo, mut c_hi) = (0i128, 0i128);
        for &t in u {
            let (a, b) = (
                i128::from(t) * i128::from(min),
                i128::from(t) * i128::from(max),
            );
            c_lo += a.min(b);
            c_hi += a.max(b);
        }
        // The scalar backend keeps the plain `i32` passes: the reference
        // the split is tested against.
        if backend == Backend::Scalar || c_hi - c_lo >= 1 << 16 || u.is_empty() || v.is_empty() {
            return None;
        }
        let row: Vec<i16> = v
            .iter()
            .map(|&t| i16::try_from(t).ok())
            .collect::<Option<_>>()?;
        let bias = c_lo + (1 << 15);
        let offset = bias * v.iter().map(|&t| i128::from(t)).sum::<i128>();
        let fits = |s: i64| i32::try_from(i128::from(s) - offset).is_ok();
        if !(fits(lo) && fits(hi)) {
            return None;
        }
        Some(Split {
            column: Taps::new(u.iter().map(|&t| t as i16).collect(), u.len(), 1),
            column_kernel: select::i16(backend)?,
            row: PairTaps::new(row, step),
            row_kernel: widening::select(backend)?,
            bias: bias as i16,
            offset: offset as i64,
        })
    }

    /// `K`: the passes compute the 2-D sum minus this.
    pub(crate) fn offset(&self) -> i64 {
        self.offset
    }
}

/// Computes `out` from `image` as [`execute_converted`](super::execute_converted)
/// would for `call` (a rank-one factored call of an `i32` filter), with
/// the two-width passes of `split` instead: `store` receives `S - K`.
pub(crate) fn execute<I, O, S>(
    call: &Call<'_, i32>,
    split: &Split,
    threads: &Threads,
    image: ArrayView2<'_, I>,
    out: ArrayViewMut2<'_, O>,
    store: &S,
) -> Result<(), Error>
where
    I: Load<i16>,
    O: Copy + Send,
    S: Store<i32, O>,
{
    let (plan, columns, macs) = super::prepare(call, image.ncols(), out.dim());
    // The ring and the band's column-pass rows, both of i16 (the band
    // height is the factored method's, `run` below).
    let band = tuning::BAND_ROWS.min(out.nrows());
    let segment = (plan.width + plan.kw - 1).saturating_add(ROW_SLACK);
    crate::alloc::probe::<i16>(
        (2 * band + plan.kh - 1).saturating_mul(segment),
        "the padded-row ring",
    )?;
    threads.for_each_band(macs, out, |first_row, out| {
        run(&plan, split, &columns, image, out, first_row, store)
    });
    Ok(())
}

/// Output rows `first_row..` of the call into `out`.
fn run<I, O, S>(
    plan: &Plan<i32>,
    split: &Split,
    columns: &ColumnMap,
    image: ArrayView2<'_, I>,
    out: ArrayViewMut2<'_, O>,
    first_row: usize,
    store: &S,
) where
    I: Load<i16>,
    O: Copy,
    S: Store<i32, O>,
{
    let (kh, kw, width) = (plan.kh, plan.kw, plan.width);
    let rows_out = out.nrows();
    if rows_out == 0 || width == 0 {
        return;
    }
    let padded = width + kw - 1;
    let band = tuning::BAND_ROWS.min(rows_out);
    // The constant border in the column pass's lanes (modulo 2^16).
    let fill = plan.border.fill().copied().unwrap_or(0) as i16;
    let same = I::same_view(image);
    let interior = same.and_then(|image| Interior::new(image, padded, 1, columns.lead(), fill));
    let segment = padded + ROW_SLACK;
    let stage = SplitStage {
        source: Source {
            columns,
            image,
            fill,
            interior,
            widen: autovec::select::<Widen<I, i16>>(plan.backend),
        },
        ring: Ring::new(band + kh - 1, padded),
        columns: Scratch::reused(band * segment, 0),
        segment,
        kh,
        split,
        unbias: autovec::select::<Unbias>(plan.backend),
    };
    drive(plan, stage, image.nrows(), out, first_row, band, store);
}

/// The two passes over a ring of `i16`-widened padded rows.
struct SplitStage<'s, 'c, 'i, I: 'static> {
    source: Source<'c, 'i, I, i16>,
    ring: Ring<i16>,
    /// Band rows of `segment` elements: the column pass's `d` rows.
    columns: Scratch<i16>,
    segment: usize,
    kh: usize,
    split: &'s Split,
    /// [`Unbias`] compiled for the call's backend.
    unbias: RowMapFn<Unbias>,
}

/// `d = a - B` in place (wrapping), over one column-pass row: a
/// [`RowMap`] whose source is empty, so that it compiles with the
/// backend's vectors (about a tenth of the column pass's time as a
/// baseline SSE2 loop on Zen 4).
struct Unbias(i16);

impl RowMap for Unbias {
    type Src = ();
    type Dst = i16;
    #[inline(always)]
    fn map(&self, _: &[()], dst: &mut [i16]) {
        for v in dst {
            *v = v.wrapping_sub(self.0);
        }
    }
}

impl<I: Load<i16>> Stage<i32> for SplitStage<'_, '_, '_, I> {
    fn push_row(&mut self, r: usize, k: Option<usize>) {
        self.ring.push_row(&self.source, r, k);
    }

    fn compute(&mut self, start: usize, out: &mut [&mut [i32]]) {
        let (n, segment, padded) = (out.len(), self.segment, self.ring.padded);
        let split = self.split;
        let columns = &mut self.columns[..n * segment];
        let mut t_rows: Vec<&mut [i16]> = columns
            .chunks_mut(segment)
            .map(|row| &mut row[..padded])
            .collect();
        self.ring.run(
            &self.source,
            split.column_kernel,
            &split.column,
            start,
            self.kh,
            &mut t_rows,
        );
        for row in t_rows {
            (self.unbias)(&Unbias(split.bias), &[], row);
        }
        let rows: Vec<&[i16]> = columns.chunks(segment).collect();
        (split.row_kernel)(&rows, &split.row, out);
    }
}
