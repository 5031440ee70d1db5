//! The filter pipeline: padded-row ring -> row kernel -> output rows.
//!
//! Each padded row the kernel needs is built once, in a ring of
//! `band + kh - 1` rows: the image row (read through any strides) in the
//! middle, border columns from a precomputed [`ColumnMap`], border rows by
//! index mapping. The row kernel then sees only contiguous slices. Scratch
//! memory is O((band + kh) x output width), never a padded copy of the image.
//!
//! The image's element type `I` may be narrower than the accumulator `T`
//! the row kernels compute in (a `u8` image through `i32` kernels): each
//! padded row is widened as it is built ([`Load`]), and the computed rows
//! are converted into the output's type `O` as they are stored ([`Store`]).
//! For `Filter2d<T>` both are the identity, and the image's contiguous rows
//! are read in place.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2, Axis};

use crate::arith::Arith;
use crate::backend::Backend;
use crate::border::Border;
use crate::error::Error;
use crate::factor::Factors;
use crate::kernels::autovec;
use crate::kernels::{RowKernel, Taps, ROW_SLACK};
use crate::scratch::Scratch;
use crate::threads::Threads;
use crate::transfer::{Load, Same, Store, Widen};
use crate::tuning;

pub(crate) mod split;

/// Everything about one call that does not depend on which rows are computed.
pub(crate) struct Plan<T> {
    pub kh: usize,
    pub kw: usize,
    pub border: Border<T>,
    /// Full-output position of the output's first element.
    pub offset: (usize, usize),
    /// Output width.
    pub width: usize,
    pub kernel: RowKernel<T>,
    /// The most output rows per band of the direct method
    /// ([`tuning::direct_band_rows`]).
    pub band_rows: usize,
    /// Elements per pixel along a row (see [`Call::cell`]).
    pub cell: usize,
    /// The backend `kernel` belongs to: the image's rows are widened into
    /// the accumulator with its instructions.
    pub backend: Backend,
}

/// One call, as the filter chose it: what [`execute`] needs beside the
/// image and the output.
pub(crate) struct Call<'a, T> {
    /// The kernel's shape, `(kh, kw)`.
    pub kernel_shape: (usize, usize),
    pub border: Border<T>,
    /// Full-output position of the output's first element (the offset of a
    /// [`Window::OfFull`]).
    pub offset: (usize, usize),
    /// The row kernel both passes run.
    pub kernel: RowKernel<T>,
    /// The backend `kernel` belongs to, for its band heights.
    pub backend: Backend,
    pub evaluation: Evaluation<'a, T>,
    /// Elements per pixel along a row: 1, or the channels of an
    /// interleaved image (the border then maps whole pixels, see
    /// [`ColumnMap::new`]).
    pub cell: usize,
}

/// Computes `out` (any strides; its shape is the call's output shape) from
/// `image`: builds the plan and the column map once, then runs bands of
/// output rows on the threads `threads` allows. The only error is memory:
/// a task's scratch is probed first, so a size the system refuses is an
/// [`Error::AllocationFailed`], not an abort.
pub(crate) fn execute<T: Arith>(
    call: &Call<'_, T>,
    threads: &Threads,
    image: ArrayView2<'_, T>,
    out: ArrayViewMut2<'_, T>,
) -> Result<(), Error> {
    execute_converted(call, threads, image, out, &Same)
}

/// [`execute`] for an image of elements `I` that widen into `T`, and an
/// output of `O` that `store` converts the computed rows into.
pub(crate) fn execute_converted<I, T, O, S>(
    call: &Call<'_, T>,
    threads: &Threads,
    image: ArrayView2<'_, I>,
    out: ArrayViewMut2<'_, O>,
    store: &S,
) -> Result<(), Error>
where
    I: Load<T>,
    T: Arith,
    O: Copy + Send,
    S: Store<T, O>,
{
    let (plan, columns, macs) = prepare(call, image.ncols(), out.dim());
    crate::alloc::probe::<T>(
        scratch_elements(&plan, &call.evaluation, out.nrows()),
        "the padded-row ring",
    )?;
    threads.for_each_band(macs, out, |first_row, rows| {
        run(
            &plan,
            &call.evaluation,
            &columns,
            image,
            rows,
            first_row,
            store,
        )
    });
    Ok(())
}

/// What every call's stages share, for an image of `image_cols` columns
/// and an output of `out` `(rows, width)`: the plan, the column map, and
/// the direct method's multiply-adds (the work the thread policy weighs).
fn prepare<T: Arith>(
    call: &Call<'_, T>,
    image_cols: usize,
    out: (usize, usize),
) -> (Plan<T>, ColumnMap, usize) {
    let (kh, kw) = call.kernel_shape;
    let (rows, width) = out;
    let plan = Plan {
        kh,
        kw,
        border: call.border,
        offset: call.offset,
        width,
        kernel: call.kernel,
        band_rows: tuning::direct_band_rows(call.backend),
        cell: call.cell,
        backend: call.backend,
    };
    // Padded column c reads image column c + offset.1 - (kw - 1).
    let lead = kw as isize - 1 - call.offset.1 as isize;
    let columns = ColumnMap::new(&call.border, image_cols, width + kw - 1, lead, call.cell);
    let macs = rows
        .saturating_mul(width)
        .saturating_mul(kh.saturating_mul(kw));
    (plan, columns, macs)
}

/// The band height [`run`] uses for `rows_out` output rows.
fn band_rows<T: Arith>(plan: &Plan<T>, evaluation: &Evaluation<'_, T>, rows_out: usize) -> usize {
    let ring_row = (plan.width + plan.kw - 1).saturating_add(ROW_SLACK);
    match evaluation {
        Evaluation::Direct { .. } => {
            tuning::direct_band(plan.kh, ring_row, core::mem::size_of::<T>(), plan.band_rows)
        }
        Evaluation::Factored(_) => tuning::BAND_ROWS,
    }
    .min(rows_out)
}

/// The elements of scratch one task of [`run`] allocates: the ring, and
/// for the factored method the components' column-pass rows.
fn scratch_elements<T: Arith>(
    plan: &Plan<T>,
    evaluation: &Evaluation<'_, T>,
    rows_out: usize,
) -> usize {
    let band = band_rows(plan, evaluation, rows_out);
    let segment = (plan.width + plan.kw - 1).saturating_add(ROW_SLACK);
    let ring = (band + plan.kh - 1).saturating_mul(segment);
    match evaluation {
        Evaluation::Direct { .. } => ring,
        Evaluation::Factored(factors) => {
            ring.saturating_add(band.saturating_mul(factors.rank()).saturating_mul(segment))
        }
    }
}

/// Where each column of a padded row comes from.
///
/// A padded row has `width + kw - 1` columns; column `c` reads image column
/// `c - lead`, mapped through the border. Columns `mid_dst..mid_dst+mid_len`
/// are a straight copy of image columns `mid_src..`; the others are listed
/// in `left` (columns `0..mid_dst`) and `right` (the rest), `None` meaning
/// the constant fill.
pub(crate) struct ColumnMap {
    lead: isize,
    left: Vec<Option<usize>>,
    mid_dst: usize,
    mid_src: usize,
    mid_len: usize,
    right: Vec<Option<usize>>,
}

impl ColumnMap {
    ///
    /// With `cell > 1` a row is pixels of `cell` interleaved channels
    /// (`image_cols` and `lead` are multiples of `cell`): the border maps
    /// whole pixels, so each channel is extended as it would be alone.
    pub(crate) fn new<T>(
        border: &Border<T>,
        image_cols: usize,
        padded_cols: usize,
        lead: isize,
        cell: usize,
    ) -> Self {
        debug_assert!(cell > 0 && image_cols % cell == 0 && lead % cell as isize == 0);
        // Column c is inside the image for c in lead..lead + image_cols.
        let clamp = |c: isize| c.clamp(0, padded_cols as isize) as usize;
        let a = clamp(lead);
        let b = clamp(lead.saturating_add(image_cols as isize));
        let cell_i = cell as isize;
        let map = |c: usize| {
            let e = c as isize - lead;
            let (pixel, channel) = (e.div_euclid(cell_i), e.rem_euclid(cell_i) as usize);
            border
                .source_index(pixel, image_cols / cell)
                .map(|p| p * cell + channel)
        };
        ColumnMap {
            lead,
            left: (0..a).map(map).collect(),
            mid_dst: a,
            // With no overlap (b == a) the copy is empty: read from 0.
            mid_src: if b > a {
                (a as isize - lead) as usize
            } else {
                0
            },
            mid_len: b - a,
            right: (b..padded_cols).map(map).collect(),
        }
    }

    /// Padded column `c` reads image column `c - lead`.
    pub(crate) fn lead(&self) -> isize {
        self.lead
    }

    /// Fills `dst` (one padded row) from image row `src`, except the
    /// columns in `skip` (a range inside the straight copy, or empty).
    pub(crate) fn fill<I: Load<T>, T: Arith>(
        &self,
        dst: &mut [T],
        src: ArrayView1<'_, I>,
        fill: T,
        skip: core::ops::Range<usize>,
        widen: fn(&Widen<I, T>, &[I], &mut [T]),
    ) {
        let pick = |k: &Option<usize>| k.map_or(fill, |k| src[k].load());
        for (d, k) in dst[..self.mid_dst].iter_mut().zip(&self.left) {
            *d = pick(k);
        }
        let (a, b) = (self.mid_dst, self.mid_dst + self.mid_len);
        let skip = skip.start.clamp(a, b)..skip.end.clamp(a, b);
        let skip = if skip.is_empty() { b..b } else { skip };
        // A contiguous row is copied as a slice: slicing the view for each
        // part cost more than the copies themselves (a 1000 x 1000 9 x 9
        // call copies two short edges per row).
        let contiguous = src.as_slice();
        for part in [a..skip.start, skip.end..b] {
            let at = self.mid_src + (part.start - a);
            let len = part.len();
            let mid = &mut dst[part];
            match contiguous {
                Some(s) => widen(&Widen::new(), &s[at..at + len], mid),
                None => {
                    let src_mid = src.slice(ndarray::s![at..at + len]);
                    for (d, s) in mid.iter_mut().zip(src_mid.iter()) {
                        *d = s.load();
                    }
                }
            }
        }
        let right_start = self.mid_dst + self.mid_len;
        for (d, k) in dst[right_start..].iter_mut().zip(&self.right) {
            *d = pick(k);
        }
    }
}

/// Output columns computed straight from the image's rows, without the
/// copy into the ring.
///
/// Output column `x` reads image columns `x - lead .. x - lead + kw`, so the
/// columns `lo..hi` whose reads (the row kernel's whole-vector over-reads
/// included) all fall inside the image can take image rows as they are
/// when the image's rows are contiguous: only the narrow edges go through
/// padded rows. `lo` and `hi - lo` are multiples of [`INTERIOR_ALIGN`], so
/// the split costs at most one extra partial vector per row. Rows outside
/// the image map to image rows through the border, or to a row of the
/// constant fill.
struct Interior<'i, T: 'static> {
    lo: usize,
    hi: usize,
    /// The kernel width the split was made for.
    kw: usize,
    /// The image column output column `lo` reads first.
    src_col: usize,
    image: ArrayView2<'i, T>,
    /// `hi - lo + kw - 1 + ROW_SLACK` copies of the constant fill.
    fill_row: Scratch<T>,
}

/// The interior's start and width are multiples of this many elements
/// (a multiple of every backend's lane count).
const INTERIOR_ALIGN: usize = 32;

/// The interior must be at least this wide to be worth its kernel calls.
const MIN_INTERIOR: usize = 4 * INTERIOR_ALIGN;

impl<'i, T: Arith> Interior<'i, T> {
    /// The interior of a call, if the image rows are contiguous and it is
    /// wide enough. `lead` is as for [`ColumnMap`]: padded (and output)
    /// column `c` reads image column `c - lead`.
    fn new(
        image: ArrayView2<'i, T>,
        width: usize,
        kw: usize,
        lead: isize,
        fill: T,
    ) -> Option<Self> {
        let cols = image.ncols();
        if cols < 2 || image.stride_of(Axis(1)) != 1 {
            return None;
        }
        let lo = usize::try_from(lead.max(0))
            .ok()?
            .next_multiple_of(INTERIOR_ALIGN);
        let src_col = usize::try_from(lo as isize - lead).ok()?;
        // The kernel reads `w + kw - 1 + ROW_SLACK` elements from src_col.
        let room = cols.checked_sub(src_col + kw - 1 + ROW_SLACK)?;
        let w = room.min(width.checked_sub(lo)?);
        let w = w - w % INTERIOR_ALIGN;
        if w < MIN_INTERIOR {
            return None;
        }
        Some(Interior {
            lo,
            hi: lo + w,
            kw,
            src_col,
            image,
            fill_row: Scratch::filled(w + kw - 1 + ROW_SLACK, fill),
        })
    }

    /// The interior's input for a padded row that reads image row `k`
    /// (`None`: the constant fill).
    fn row(&self, k: Option<usize>) -> &[T] {
        match k {
            Some(k) => {
                let row = self.image.row(k);
                let row = row.to_slice().expect("contiguous image row");
                &row[self.src_col..]
            }
            None => &self.fill_row,
        }
    }
}

/// Where the padded rows come from: the image, its border, and (when the
/// rows are contiguous) the interior read in place.
pub(crate) struct Source<'c, 'i, I: 'static, T: 'static> {
    columns: &'c ColumnMap,
    image: ArrayView2<'i, I>,
    fill: T,
    /// Only when `I` is `T` ([`Load::same_view`]).
    interior: Option<Interior<'i, T>>,
    /// [`Load::load_slice`] compiled for the call's backend.
    widen: fn(&Widen<I, T>, &[I], &mut [T]),
}

impl<'c, 'i, I: Load<T>, T: Arith> Source<'c, 'i, I, T> {
    /// Builds padded row `dst` from image row `k` (`None`: all fill),
    /// skipping the columns only the interior reads (left stale: they reach
    /// only outputs the edge calls do not store).
    fn fill_padded(&self, dst: &mut [T], k: Option<usize>) {
        match k {
            None => dst.fill(self.fill),
            Some(k) => {
                let skip = self
                    .interior
                    .as_ref()
                    .map_or(0..0, |i| (i.lo + i.kw - 1).min(i.hi)..i.hi);
                self.columns
                    .fill(dst, self.image.row(k), self.fill, skip, self.widen)
            }
        }
    }
}

/// Splits every output row of `out` at the interior's edges and runs
/// `kernel` on each part: the edges from `ring_rows` (padded rows, offset
/// to the part's first column), the interior from `interior_rows`.
fn run_split<T: Arith>(
    kernel: RowKernel<T>,
    taps: &Taps<T>,
    ring_rows: &[&[T]],
    interior_rows: &[&[T]],
    interior: &Interior<'_, T>,
    out: &mut [&mut [T]],
) {
    let width = out[0].len();
    let (lo, hi) = (interior.lo, interior.hi);
    let n = out.len();
    let (mut left, mut mid, mut right) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for o in out.iter_mut() {
        let (l, rest) = o.split_at_mut(lo);
        let (m, r) = rest.split_at_mut(hi - lo);
        left.push(l);
        mid.push(m);
        right.push(r);
    }
    if lo > 0 {
        kernel(ring_rows, taps, &mut left);
    }
    kernel(interior_rows, taps, &mut mid);
    if hi < width {
        let shifted: Vec<&[T]> = ring_rows.iter().map(|r| &r[hi..]).collect();
        kernel(&shifted, taps, &mut right);
    }
}

/// How the rows of a band are computed from the padded rows.
pub(crate) enum Evaluation<'a, T> {
    /// The row kernel over the whole `kh x kw` kernel.
    Direct { taps: &'a Taps<T> },
    /// A kernel as a sum of outer products (an exact integer factorisation,
    /// or a float kernel's separable factors): a column pass per
    /// component, then one row pass (see [`FactoredStage`]).
    Factored(&'a Factors<T>),
}

/// A stage of the pipeline: takes padded rows one by one, keeps what it
/// needs in a ring, and computes bands of output rows.
trait Stage<T> {
    /// Takes in padded row `r`, which reads image row `k` (`None`: the
    /// constant fill).
    fn push_row(&mut self, r: usize, k: Option<usize>);
    /// Computes the output rows whose first padded row is `start`, one per
    /// element of `out`.
    fn compute(&mut self, start: usize, out: &mut [&mut [T]]);
}

/// The direct method: a ring of padded rows, fed to the row kernel.
struct DirectStage<'a, 'c, 'i, I: 'static, T: 'static> {
    source: Source<'c, 'i, I, T>,
    ring: Ring<T>,
    kh: usize,
    taps: &'a Taps<T>,
    kernel: RowKernel<T>,
}

impl<I: Load<T>, T: Arith> Stage<T> for DirectStage<'_, '_, '_, I, T> {
    fn push_row(&mut self, r: usize, k: Option<usize>) {
        self.ring.push_row(&self.source, r, k);
    }

    fn compute(&mut self, start: usize, out: &mut [&mut [T]]) {
        self.ring
            .run(&self.source, self.kernel, self.taps, start, self.kh, out);
    }
}

/// A ring of padded rows (each `padded` elements plus slack), with the
/// image row each slot reads.
struct Ring<T: 'static> {
    data: Scratch<T>,
    slot_rows: Vec<Option<usize>>,
    stride: usize,
    slots: usize,
    padded: usize,
}

impl<T: Arith> Ring<T> {
    fn new(slots: usize, padded: usize) -> Self {
        let stride = padded + ROW_SLACK;
        Ring {
            data: Scratch::reused(slots * stride, T::ZERO),
            slot_rows: vec![None; slots],
            stride,
            slots,
            padded,
        }
    }

    /// Builds padded row `r` (reading image row `k`) in its slot.
    fn push_row<I: Load<T>>(&mut self, source: &Source<'_, '_, I, T>, r: usize, k: Option<usize>) {
        let slot = r % self.slots;
        let at = slot * self.stride;
        source.fill_padded(&mut self.data[at..at + self.padded], k);
        self.slot_rows[slot] = k;
    }

    /// Runs `kernel` with `taps` (`kh` rows) over padded rows
    /// `start..start + out.len() + kh - 1` into `out`, the interior (if
    /// any) straight from the image rows.
    fn run<I: Load<T>>(
        &self,
        source: &Source<'_, '_, I, T>,
        kernel: RowKernel<T>,
        taps: &Taps<T>,
        start: usize,
        kh: usize,
        out: &mut [&mut [T]],
    ) {
        let slots = start..start + out.len() + kh - 1;
        let rows: Vec<&[T]> = slots
            .clone()
            .map(|r| {
                let at = (r % self.slots) * self.stride;
                &self.data[at..at + self.stride]
            })
            .collect();
        match &source.interior {
            None => kernel(&rows, taps, out),
            Some(interior) => {
                let inner: Vec<&[T]> = slots
                    .map(|r| interior.row(self.slot_rows[r % self.slots]))
                    .collect();
                run_split(kernel, taps, &rows, &inner, interior, out);
            }
        }
    }
}

/// The low-rank method, column pass first: for every component `c`, the
/// `kh x 1` kernel `u_c` over the band's padded rows gives `T_c`, rows as
/// wide as the padded rows; the components' rows are laid side by side in
/// one row per band row (component `c` at `c * segment`), and a single row
/// pass (`v_c` at `c * segment`, zeros skipped by the tap program) gives
/// the output. Both passes are whole-band row-kernel calls, so they get
/// the kernels' full register tiles.
struct FactoredStage<'a, 'c, 'i, I: 'static, T: 'static> {
    source: Source<'c, 'i, I, T>,
    ring: Ring<T>,
    /// Band rows of `rank * segment` elements: the components' `T_c` rows.
    columns: Scratch<T>,
    segment: usize,
    row_pass: Taps<T>,
    kh: usize,
    factors: &'a Factors<T>,
    kernel: RowKernel<T>,
}

impl<I: Load<T>, T: Arith> Stage<T> for FactoredStage<'_, '_, '_, I, T> {
    fn push_row(&mut self, r: usize, k: Option<usize>) {
        self.ring.push_row(&self.source, r, k);
    }

    fn compute(&mut self, start: usize, out: &mut [&mut [T]]) {
        let n = out.len();
        let (rank, segment, padded) = (self.factors.rank(), self.segment, self.ring.padded);
        let line = rank * segment;
        let columns = &mut self.columns[..n * line];
        for c in 0..rank {
            let mut t_rows: Vec<&mut [T]> = columns
                .chunks_mut(line)
                .map(|row| &mut row[c * segment..c * segment + padded])
                .collect();
            let taps = self.factors.column_taps(c);
            self.ring
                .run(&self.source, self.kernel, taps, start, self.kh, &mut t_rows);
        }
        let rows: Vec<&[T]> = columns.chunks(line).collect();
        (self.kernel)(&rows, &self.row_pass, out);
    }
}

/// Computes output rows `first_row..first_row + out.nrows()` of the call
/// described by `plan` into `out` (any strides), through `store`.
pub(crate) fn run<I, T, O, S>(
    plan: &Plan<T>,
    evaluation: &Evaluation<'_, T>,
    columns: &ColumnMap,
    image: ArrayView2<'_, I>,
    out: ArrayViewMut2<'_, O>,
    first_row: usize,
    store: &S,
) where
    I: Load<T>,
    T: Arith,
    O: Copy,
    S: Store<T, O>,
{
    let (kh, kw, width) = (plan.kh, plan.kw, plan.width);
    let rows_out = out.nrows();
    if rows_out == 0 || width == 0 {
        return;
    }
    let padded = width + kw - 1;
    let band = band_rows(plan, evaluation, rows_out);
    let slots = band + kh - 1;
    let fill = plan.border.fill().copied().unwrap_or(T::ZERO);
    let lead = columns.lead();
    let widen = autovec::select::<Widen<I, T>>(plan.backend);
    let source = |interior| Source {
        columns,
        image,
        fill,
        interior,
        widen,
    };
    let same = I::same_view(image);
    let interior = |width, kw| same.and_then(|image| Interior::new(image, width, kw, lead, fill));
    match *evaluation {
        Evaluation::Direct { taps } => {
            let stage = DirectStage {
                source: source(interior(width, kw)),
                ring: Ring::new(slots, padded),
                kh,
                taps,
                kernel: plan.kernel,
            };
            drive(plan, stage, image.nrows(), out, first_row, band, store);
        }
        Evaluation::Factored(factors) => {
            // The column pass computes every padded column (its kernel is
            // one column wide); the row pass reads them side by side.
            let segment = padded + ROW_SLACK;
            let stage = FactoredStage {
                source: source(interior(padded, 1)),
                ring: Ring::new(slots, padded),
                columns: Scratch::reused(band * factors.rank() * segment, T::ZERO),
                segment,
                row_pass: factors.row_pass_taps(segment, plan.cell),
                kh,
                factors,
                kernel: plan.kernel,
            };
            drive(plan, stage, image.nrows(), out, first_row, band, store);
        }
    }
}

/// Feeds each padded row to `stage` once and has it compute the output in
/// bands of `band` rows, written straight into `out` when its rows are
/// contiguous and of the accumulator's type, else through a scratch band
/// that `store` converts from.
fn drive<T: Arith, O: Copy, S: Store<T, O>>(
    plan: &Plan<T>,
    mut stage: impl Stage<T>,
    image_rows: usize,
    out: ArrayViewMut2<'_, O>,
    first_row: usize,
    band: usize,
    store: &S,
) {
    let (kh, width) = (plan.kh, plan.width);
    let rows_out = out.nrows();
    // In place: the identity conversion into unit-stride rows. Else
    // through a scratch band: copied (`Err`) or converted (`Ok`).
    let unit = |cols: usize, stride: isize| cols == 1 || stride == 1;
    let (mut in_place, mut through) = match store.same_view(out) {
        Ok(same) if unit(same.ncols(), same.stride_of(Axis(1))) => (Some(same), None),
        Ok(same) => (None, Some(Err(same))),
        Err(other) => (None, Some(Ok(other))),
    };
    let mut scratch: Scratch<T> = Scratch::empty();

    // Padded row r (counted from the first row of the full output) reads
    // image row r + offset.0 - (kh - 1).
    let row_lead = plan.offset.0 as isize - (kh as isize - 1);
    let mut next_row = first_row; // first padded row not yet in the ring

    let mut y = 0;
    while y < rows_out {
        let n = band.min(rows_out - y);
        let start = first_row + y;
        let end = start + n + kh - 1;
        for r in next_row.max(start)..end {
            let k = plan.border.source_index(r as isize + row_lead, image_rows);
            stage.push_row(r, k);
        }
        next_row = end;
        if let Some(out) = in_place.as_mut() {
            let mut block = out.slice_mut(ndarray::s![y..y + n, ..]);
            let mut outs: Vec<&mut [T]> = block
                .rows_mut()
                .into_iter()
                .map(|row| row.into_slice().expect("unit-stride row"))
                .collect();
            stage.compute(start, &mut outs);
        } else {
            scratch.resize(band * width, T::ZERO);
            let mut outs: Vec<&mut [T]> = scratch.chunks_mut(width).take(n).collect();
            stage.compute(start, &mut outs);
            let rows = scratch.chunks(width);
            match through.as_mut().expect("an output") {
                Ok(out) => {
                    let mut block = out.slice_mut(ndarray::s![y..y + n, ..]);
                    for (mut dst, src) in block.rows_mut().into_iter().zip(rows) {
                        if let Some(dst) = dst.as_slice_mut() {
                            store.store_slice(src, dst);
                        } else {
                            store.store_row(src, dst);
                        }
                    }
                }
                Err(same) => {
                    let mut block = same.slice_mut(ndarray::s![y..y + n, ..]);
                    for (mut dst, src) in block.rows_mut().into_iter().zip(rows) {
                        dst.assign(&ArrayView1::from(src));
                    }
                }
            }
        }
        y += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::Element;
    use crate::tuning::BAND_ROWS;

    /// Tall bands, as on AMD.
    const TALL: usize = 96;

    /// Full convolution of `image` by the effective kernel `taps` through
    /// the pipeline, with bands of at most `band_rows` rows.
    fn full<T: Element>(
        image: &ndarray::Array2<T>,
        taps: &ndarray::Array2<T>,
        backend: Backend,
        band_rows: usize,
    ) -> ndarray::Array2<T> {
        let (kh, kw) = taps.dim();
        let (h, w) = image.dim();
        let shape = (h + kh - 1, w + kw - 1);
        let border = Border::Constant(T::zero());
        let plan = Plan {
            kh,
            kw,
            border,
            offset: (0, 0),
            width: shape.1,
            kernel: T::row_kernel(backend).expect("an available backend"),
            band_rows,
            cell: 1,
            backend,
        };
        let columns = ColumnMap::new(&border, w, shape.1 + kw - 1, kw as isize - 1, 1);
        let taps = Taps::new(taps.iter().copied().collect(), kh, kw);
        let mut out = ndarray::Array2::from_elem(shape, T::zero());
        run(
            &plan,
            &Evaluation::Direct { taps: &taps },
            &columns,
            image.view(),
            out.view_mut(),
            0,
            &Same,
        );
        out
    }

    #[test]
    fn band_heights_never_change_the_bits() {
        // Wrapping integers and floats with rounding in every sum, on
        // kernels served by rolling strips (3 x 3, 9 x 9) and by tiles
        // (13 x 11), every band from one row to taller than the image.
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        // Under Miri (scalar and SSE2 only, ~10^4 times slower) a smaller
        // image and fewer bands still cover one-row, short and taller-than-
        // the-image bands on both kernel shapes (SSE2 rolls 3 x 3 and tiles
        // 5 x 4).
        let (shape, kernels, bands): (_, &[(usize, usize)], &[usize]) = if cfg!(miri) {
            ((9, 12), &[(3, 3), (5, 4)], &[1, 7, TALL])
        } else {
            (
                (61, 83),
                &[(3, 3), (9, 9), (13, 11)],
                &[1, 2, 7, BAND_ROWS, 61, TALL],
            )
        };
        for &(kh, kw) in kernels {
            let image_i = ndarray::Array2::from_shape_fn(shape, |_| next() as i64);
            let taps_i = ndarray::Array2::from_shape_fn((kh, kw), |_| next() as i64);
            let image_f = image_i.mapv(|v| (v % 1000) as f32 * 0.37);
            let taps_f = taps_i.mapv(|v| (v % 100) as f32 * 0.011);
            let want_i = full(&image_i, &taps_i, Backend::Scalar, TALL);
            let want_f = full(&image_f, &taps_f, Backend::Scalar, TALL);
            for backend in Backend::available() {
                for &band in bands {
                    let got_i = full(&image_i, &taps_i, backend, band);
                    assert_eq!(got_i, want_i, "{backend} {kh}x{kw} band {band}");
                    let got_f = full(&image_f, &taps_f, backend, band);
                    let same = got_f
                        .iter()
                        .zip(&want_f)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "{backend} {kh}x{kw} band {band}");
                }
            }
        }
    }

    fn padded_row(border: Border<i32>, src: &[i32], padded: usize, lead: isize) -> Vec<i32> {
        let map = ColumnMap::new(&border, src.len(), padded, lead, 1);
        let mut dst = vec![0; padded];
        map.fill(
            &mut dst,
            ArrayView1::from(src),
            border.fill().copied().unwrap_or(0),
            0..0,
            autovec::select(Backend::Scalar),
        );
        dst
    }

    #[test]
    fn column_map_matches_the_border_table() {
        let src = [1, 2, 3, 4];
        assert_eq!(
            padded_row(Border::Constant(9), &src, 8, 2),
            [9, 9, 1, 2, 3, 4, 9, 9]
        );
        assert_eq!(
            padded_row(Border::Wrap, &src, 8, 2),
            [3, 4, 1, 2, 3, 4, 1, 2]
        );
        assert_eq!(
            padded_row(Border::Symmetric, &src, 8, 2),
            [2, 1, 1, 2, 3, 4, 4, 3]
        );
        assert_eq!(
            padded_row(Border::Mirror, &src, 8, 2),
            [3, 2, 1, 2, 3, 4, 3, 2]
        );
        assert_eq!(
            padded_row(Border::Replicate, &src, 8, 2),
            [1, 1, 1, 2, 3, 4, 4, 4]
        );
    }

    #[test]
    fn column_map_windows_that_miss_the_image() {
        let src = [1, 2, 3];
        // Entirely left of the image, entirely right, and a window inside it.
        assert_eq!(padded_row(Border::Wrap, &src, 4, 5), [2, 3, 1, 2]);
        assert_eq!(padded_row(Border::Replicate, &src, 3, -7), [3, 3, 3]);
        assert_eq!(padded_row(Border::Constant(0), &src, 2, -1), [2, 3]);
    }
}
