//! The filter pipeline: padded-row ring -> row kernel -> output rows.
//!
//! Each padded row the kernel needs is built once, in a ring of
//! `band + kh - 1` rows: the image row (read through any strides) in the
//! middle, border columns from a precomputed [`ColumnMap`], border rows by
//! index mapping. The row kernel then sees only contiguous slices. Scratch
//! memory is O((band + kh) x output width), never a padded copy of the image.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut2, Axis};

use crate::border::Border;
use crate::element::Element;
use crate::kernels::{RowKernel, Taps, ROW_SLACK};
use crate::lowrank::LowRank;

/// Output rows computed per kernel call: the ring holds `BAND_ROWS + kh - 1`
/// padded rows.
const BAND_ROWS: usize = 24;

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
}

/// Where each column of a padded row comes from.
///
/// A padded row has `width + kw - 1` columns; column `c` reads image column
/// `c - lead`, mapped through the border. Columns `mid_dst..mid_dst+mid_len`
/// are a straight copy of image columns `mid_src..`; the others are listed
/// in `left` (columns `0..mid_dst`) and `right` (the rest), `None` meaning
/// the constant fill.
pub(crate) struct ColumnMap {
    left: Vec<Option<usize>>,
    mid_dst: usize,
    mid_src: usize,
    mid_len: usize,
    right: Vec<Option<usize>>,
}

impl ColumnMap {
    pub(crate) fn new<T>(
        border: &Border<T>,
        image_cols: usize,
        padded_cols: usize,
        lead: isize,
    ) -> Self {
        // Column c is inside the image for c in lead..lead + image_cols.
        let clamp = |c: isize| c.clamp(0, padded_cols as isize) as usize;
        let a = clamp(lead);
        let b = clamp(lead.saturating_add(image_cols as isize));
        let map = |c: usize| border.source_index(c as isize - lead, image_cols);
        ColumnMap {
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

    /// Fills `dst` (one padded row) from image row `src`.
    fn fill<T: Element>(&self, dst: &mut [T], src: ArrayView1<'_, T>, fill: T) {
        let pick = |k: &Option<usize>| k.map_or(fill, |k| src[k]);
        for (d, k) in dst[..self.mid_dst].iter_mut().zip(&self.left) {
            *d = pick(k);
        }
        let mid = &mut dst[self.mid_dst..self.mid_dst + self.mid_len];
        let src_mid = src.slice(ndarray::s![self.mid_src..self.mid_src + self.mid_len]);
        match src_mid.as_slice() {
            Some(s) => mid.copy_from_slice(s),
            None => {
                for (d, s) in mid.iter_mut().zip(src_mid.iter()) {
                    *d = *s;
                }
            }
        }
        let right_start = self.mid_dst + self.mid_len;
        for (d, k) in dst[right_start..].iter_mut().zip(&self.right) {
            *d = pick(k);
        }
    }
}

/// How the rows of a band are computed from the padded rows.
pub(crate) enum Method<'a, T> {
    /// The row kernel over the whole `kh x kw` kernel.
    Direct { taps: &'a Taps<T> },
    /// An exact low-rank integer kernel: row passes, then column passes.
    LowRank(&'a LowRank<T>),
}

/// A stage of the pipeline: takes padded rows one by one, keeps what it
/// needs in a ring, and computes bands of output rows.
trait Stage<T> {
    /// Where to build padded row `r` (`padded` elements).
    fn padded_row(&mut self, r: usize) -> &mut [T];
    /// Padded row `r` is complete.
    fn row_done(&mut self, r: usize);
    /// Computes the output rows whose first padded row is `start`, one per
    /// element of `out`.
    fn compute(&self, start: usize, out: &mut [&mut [T]]);
}

/// The direct method: a ring of padded rows, fed to the row kernel.
struct DirectStage<'a, T> {
    ring: Vec<T>,
    stride: usize,
    slots: usize,
    padded: usize,
    kh: usize,
    taps: &'a Taps<T>,
    kernel: RowKernel<T>,
}

impl<T: Element> Stage<T> for DirectStage<'_, T> {
    fn padded_row(&mut self, r: usize) -> &mut [T] {
        let at = (r % self.slots) * self.stride;
        &mut self.ring[at..at + self.padded]
    }

    fn row_done(&mut self, _r: usize) {}

    fn compute(&self, start: usize, out: &mut [&mut [T]]) {
        let rows: Vec<&[T]> = (start..start + out.len() + self.kh - 1)
            .map(|r| {
                let at = (r % self.slots) * self.stride;
                &self.ring[at..at + self.stride]
            })
            .collect();
        (self.kernel)(&rows, self.taps, out);
    }
}

/// The low-rank method: each padded row is filtered horizontally by every
/// component's row vector into that component's ring; an output row is
/// then one column pass over all components' rings at once (a
/// `(rank * kh) x 1` kernel).
struct LowRankStage<'a, T> {
    padded_row: Vec<T>,
    /// `rank` rings of `slots` rows of `width` (+ slack) elements.
    rings: Vec<T>,
    stride: usize,
    slots: usize,
    width: usize,
    kw: usize,
    kh: usize,
    factors: &'a LowRank<T>,
    kernel: RowKernel<T>,
}

impl<T: Element> Stage<T> for LowRankStage<'_, T> {
    fn padded_row(&mut self, _r: usize) -> &mut [T] {
        let padded = self.width + self.kw - 1;
        &mut self.padded_row[..padded]
    }

    fn row_done(&mut self, r: usize) {
        let input: [&[T]; 1] = [&self.padded_row];
        let ring_len = self.slots * self.stride;
        for (c, ring) in self.rings.chunks_mut(ring_len).enumerate() {
            let at = (r % self.slots) * self.stride;
            let mut out: [&mut [T]; 1] = [&mut ring[at..at + self.width]];
            (self.kernel)(&input, self.factors.row_taps(c), &mut out);
        }
    }

    fn compute(&self, start: usize, out: &mut [&mut [T]]) {
        let ring_len = self.slots * self.stride;
        let mut rows: Vec<&[T]> = Vec::with_capacity(self.factors.rank() * self.kh);
        for (y, out_row) in out.iter_mut().enumerate() {
            rows.clear();
            for ring in self.rings.chunks(ring_len) {
                rows.extend((start + y..start + y + self.kh).map(|r| {
                    let at = (r % self.slots) * self.stride;
                    &ring[at..at + self.stride]
                }));
            }
            let column_taps = self.factors.column_taps();
            (self.kernel)(&rows, column_taps, core::slice::from_mut(out_row));
        }
    }
}

/// Computes output rows `first_row..first_row + out.nrows()` of the call
/// described by `plan` into `out` (any strides).
pub(crate) fn run<T: Element>(
    plan: &Plan<T>,
    method: &Method<'_, T>,
    columns: &ColumnMap,
    image: ArrayView2<'_, T>,
    out: ArrayViewMut2<'_, T>,
    first_row: usize,
) {
    let (kh, kw, width) = (plan.kh, plan.kw, plan.width);
    let rows_out = out.nrows();
    if rows_out == 0 || width == 0 {
        return;
    }
    let band = BAND_ROWS.min(rows_out);
    let slots = band + kh - 1;
    let padded = width + kw - 1;
    match *method {
        Method::Direct { taps } => {
            let stride = padded + ROW_SLACK;
            let stage = DirectStage {
                ring: vec![T::zero(); slots * stride],
                stride,
                slots,
                padded,
                kh,
                taps,
                kernel: plan.kernel,
            };
            drive(plan, stage, columns, image, out, first_row, band);
        }
        Method::LowRank(factors) => {
            let stride = width + ROW_SLACK;
            let stage = LowRankStage {
                padded_row: vec![T::zero(); padded + ROW_SLACK],
                rings: vec![T::zero(); factors.rank() * slots * stride],
                stride,
                slots,
                width,
                kw,
                kh,
                factors,
                kernel: plan.kernel,
            };
            drive(plan, stage, columns, image, out, first_row, band);
        }
    }
}

/// Feeds each padded row to `stage` once and has it compute the output in
/// bands of `band` rows, written straight into `out` when its rows are
/// contiguous, else through a scratch band.
fn drive<T: Element>(
    plan: &Plan<T>,
    mut stage: impl Stage<T>,
    columns: &ColumnMap,
    image: ArrayView2<'_, T>,
    mut out: ArrayViewMut2<'_, T>,
    first_row: usize,
    band: usize,
) {
    let (kh, width) = (plan.kh, plan.width);
    let rows_out = out.nrows();
    let fill = plan.border.fill().copied().unwrap_or_else(T::zero);
    let direct_rows = out.len_of(Axis(1)) == 1 || out.stride_of(Axis(1)) == 1;
    let mut scratch: Vec<T> = Vec::new();

    // Padded row r (counted from the first row of the full output) reads
    // image row r + offset.0 - (kh - 1).
    let row_lead = plan.offset.0 as isize - (kh as isize - 1);
    let image_rows = image.nrows();
    let mut next_row = first_row; // first padded row not yet in the ring

    let mut y = 0;
    while y < rows_out {
        let n = band.min(rows_out - y);
        let start = first_row + y;
        let end = start + n + kh - 1;
        for r in next_row.max(start)..end {
            let dst = stage.padded_row(r);
            match plan.border.source_index(r as isize + row_lead, image_rows) {
                Some(k) => columns.fill(dst, image.row(k), fill),
                None => dst.fill(fill),
            }
            stage.row_done(r);
        }
        next_row = end;
        let mut block = out.slice_mut(ndarray::s![y..y + n, ..]);
        if direct_rows {
            let mut outs: Vec<&mut [T]> = block
                .rows_mut()
                .into_iter()
                .map(|row| row.into_slice().expect("unit-stride row"))
                .collect();
            stage.compute(start, &mut outs);
        } else {
            scratch.resize(band * width, T::zero());
            let mut outs: Vec<&mut [T]> = scratch.chunks_mut(width).take(n).collect();
            stage.compute(start, &mut outs);
            for (mut dst, src) in block.rows_mut().into_iter().zip(scratch.chunks(width)) {
                dst.assign(&ArrayView1::from(src));
            }
        }
        y += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded_row(border: Border<i32>, src: &[i32], padded: usize, lead: isize) -> Vec<i32> {
        let map = ColumnMap::new(&border, src.len(), padded, lead);
        let mut dst = vec![0; padded];
        map.fill(
            &mut dst,
            ArrayView1::from(src),
            border.fill().copied().unwrap_or(0),
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
