//! The register-blocked row kernel, written once over [`Vector`].
//!
//! A tile is `R` output rows by `C` vectors of output columns. Its `R x C`
//! accumulators stay in registers across all `kh x kw` taps; each tap is
//! splatted once per tile and multiplied into every accumulator, and each
//! output is stored once. Per output the accumulation order is the scalar
//! reference's: `acc = 0`, then `acc = acc + k[t] * x` for the taps in
//! row-major order.

use super::taps::{TapProgram, Taps};
use super::vector::{FusedVector, IntVector, Vector};

/// One accumulation step of the dense kernel: `acc + *tap * x`.
pub(crate) trait Step<V: Vector> {
    /// The next accumulator.
    ///
    /// # Safety
    ///
    /// The CPU supports `V`'s instruction set (and FMA for `Fused`);
    /// `tap` is valid for one read.
    unsafe fn step(acc: V, tap: *const V::Elem, x: V) -> V;
    /// The same step with the tap already splatted into `t`.
    ///
    /// # Safety
    ///
    /// As for `step`.
    unsafe fn step_splat(acc: V, t: V, x: V) -> V;
}

/// The default: the product rounded, then the sum rounded.
pub(crate) struct Separate;

impl<V: Vector> Step<V> for Separate {
    #[inline(always)]
    unsafe fn step(acc: V, tap: *const V::Elem, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { acc.add(x.mul_splat(tap)) }
    }
    #[inline(always)]
    unsafe fn step_splat(acc: V, t: V, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { acc.add(t.mul(x)) }
    }
}

/// The opt-in fused multiply-add: one rounding per step.
pub(crate) struct Fused;

impl<V: FusedVector> Step<V> for Fused {
    #[inline(always)]
    unsafe fn step(acc: V, tap: *const V::Elem, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { acc.fused_mul_add_splat(x, tap) }
    }
    #[inline(always)]
    unsafe fn step_splat(acc: V, t: V, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { acc.fused_mul_add(t, x) }
    }
}

/// Integer kernels whose taps are all 1 (box sums, such as a low-rank
/// column pass over an all-ones factor): `acc + x`, the tap unread.
pub(crate) struct Sum;

impl<V: Vector> Step<V> for Sum {
    #[inline(always)]
    unsafe fn step(acc: V, _tap: *const V::Elem, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { acc.add(x) }
    }
    #[inline(always)]
    unsafe fn step_splat(acc: V, _t: V, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { acc.add(x) }
    }
}

/// Computes the block `out` from `rows` (the contract of
/// [`RowKernel`](super::RowKernel)), `R` rows and `C` vectors at a time.
///
/// # Safety
///
/// The CPU supports `V`'s instruction set, and the block satisfies the row
/// kernel contract, as checked by `check_block` (which returned
/// `width`): every row holds `width + kw - 1 + ROW_SLACK` elements, with
/// `ROW_SLACK >= V::LANES`, and there are `out.len() + kh - 1` rows.
#[inline(always)]
pub(crate) unsafe fn rows<V: Vector, S: Step<V>, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &Taps<V::Elem>,
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    let (kh, kw) = (taps.rows(), taps.cols());
    let taps = taps.dense();
    let n = out.len();
    let mut y = 0;
    while y + R <= n {
        // SAFETY: forwarded contract; rows y..y + R + kh - 1 exist.
        unsafe {
            tile_row::<V, S, R, C>(
                &rows[y..y + R + kh - 1],
                taps,
                kh,
                kw,
                width,
                &mut out[y..y + R],
            )
        };
        y += R;
    }
    while y < n {
        // SAFETY: as above, one row at a time.
        unsafe {
            tile_row::<V, S, 1, C>(&rows[y..y + kh], taps, kh, kw, width, &mut out[y..y + 1])
        };
        y += 1;
    }
}

/// One band of `R` output rows, across the whole width.
#[inline(always)]
unsafe fn tile_row<V: Vector, S: Step<V>, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &[V::Elem],
    kh: usize,
    kw: usize,
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    let lanes = V::LANES;
    let mut x = 0;
    while x + C * lanes <= width {
        // SAFETY: outputs x..x + C * lanes lie inside the rows.
        unsafe { tile::<V, S, R, C>(rows, taps, kh, kw, x, out, C * lanes) };
        x += C * lanes;
    }
    while x + lanes <= width {
        // SAFETY: as above, one vector.
        unsafe { tile::<V, S, R, 1>(rows, taps, kh, kw, x, out, lanes) };
        x += lanes;
    }
    if x < width {
        // SAFETY: loads reach x + lanes - 1 + kw - 1 < width + kw - 1 +
        // ROW_SLACK; only the width - x valid outputs are stored.
        unsafe { tile::<V, S, R, 1>(rows, taps, kh, kw, x, out, width - x) };
    }
}

/// `R x C` vectors of outputs starting at column `x` (the first `store`
/// columns of each row are stored), loading each input vector once for all
/// the output rows it feeds: input row `r` meets
/// kernel row `r - y` of output row `y`. Per output the taps still come
/// in row-major order (`r` ascending is `i = r - y` ascending), starting
/// from zero as in the reference. Loads per multiply-add drop from 1 to about
/// `(C + R) / (R * C)`.
#[inline(always)]
unsafe fn tile<V: Vector, S: Step<V>, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &[V::Elem],
    kh: usize,
    kw: usize,
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
) {
    let lanes = V::LANES;
    // SAFETY (for the whole body): the caller guarantees the instruction
    // set, and that for every row r < R + kh - 1 and tap column j < kw the
    // loads at rows[r][x + j + c * lanes ..][..lanes] lie inside the row
    // (rows hold width + kw - 1 + ROW_SLACK elements, x + C * lanes <= width
    // or C == 1), and that the outputs out[y][x..x + store] exist. Every tap
    // index (r - y) * kw + j is below kh * kw because only rows with
    // 0 <= r - y < kh are touched.
    unsafe {
        if kh == 1 {
            return tile_one_row::<V, S, R, C>(rows, taps, kw, x, out, store);
        }
        let zero = V::splat(<V::Elem as crate::element::Element>::zero());
        let mut acc = [[zero; C]; R];
        for (r, row) in rows.iter().enumerate().take(R + kh - 1) {
            let src = row.as_ptr().add(x);
            prefetch_ahead::<V, C>(src);
            // Output rows fed by this input row: lo..=hi.
            let lo = (r + 1).saturating_sub(kh);
            let hi = r.min(R - 1);
            let mut xs = [zero; C];
            for j in 0..kw {
                for (c, v) in xs.iter_mut().enumerate() {
                    *v = V::load(src.add(j + c * lanes));
                }
                for (y, acc_row) in acc.iter_mut().enumerate() {
                    if y < lo || y > hi {
                        continue;
                    }
                    let t = taps.as_ptr().add((r - y) * kw + j);
                    for (a, &v) in acc_row.iter_mut().zip(&xs) {
                        *a = S::step(*a, t, v);
                    }
                }
            }
        }
        store_tile(&acc, out, x, store);
    }
}

/// Prefetches the vectors a tile two tiles to the right of `src` will
/// load from this row: rows read in place from a large image come from L3
/// or memory, on more concurrent streams than the hardware prefetcher
/// follows.
#[inline(always)]
unsafe fn prefetch_ahead<V: Vector, const C: usize>(src: *const V::Elem) {
    for c in 0..C {
        // SAFETY: a prefetch hint, any address (computed with wrapping_add).
        unsafe { V::prefetch(src.wrapping_add((2 * C + c) * V::LANES)) };
    }
}

/// The tile of a one-row kernel (`kh == 1`: each output row reads only its
/// own input row, so no input vector is shared between rows). Taps
/// outermost: each is splatted once for the whole tile, where the
/// row-outer tile would multiply by it from memory `R * C` times, and each
/// output still takes its taps in order from zero.
///
/// # Safety
///
/// As for [`tile`] with `kh == 1`.
#[inline(always)]
unsafe fn tile_one_row<V: Vector, S: Step<V>, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &[V::Elem],
    kw: usize,
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
) {
    let lanes = V::LANES;
    // SAFETY: as for `tile`: rows[y] for y < R exist and hold the loads at
    // x + j + c * lanes for j < kw; taps holds kw elements.
    unsafe {
        let zero = V::splat(<V::Elem as crate::element::Element>::zero());
        let mut acc = [[zero; C]; R];
        for row in rows.iter().take(R) {
            prefetch_ahead::<V, C>(row.as_ptr().wrapping_add(x));
        }
        for (j, &tap) in taps.iter().enumerate().take(kw) {
            let t = V::splat(tap);
            for (acc_row, row) in acc.iter_mut().zip(rows) {
                let src = row.as_ptr().add(x + j);
                for (c, a) in acc_row.iter_mut().enumerate() {
                    *a = S::step_splat(*a, t, V::load(src.add(c * lanes)));
                }
            }
        }
        store_tile(&acc, out, x, store);
    }
}

/// Stores the first `store` columns of each row of a tile at column `x`:
/// all `C` vectors, or (with `C == 1`) one whole or partial vector.
///
/// # Safety
///
/// The CPU supports `V`'s instruction set and `out[y][x..x + store]`
/// exists for every `y < R`.
#[inline(always)]
unsafe fn store_tile<V: Vector, const R: usize, const C: usize>(
    acc: &[[V; C]; R],
    out: &mut [&mut [V::Elem]],
    x: usize,
    store: usize,
) {
    let lanes = V::LANES;
    // SAFETY: the caller's contract: each row has `store` outputs at `x`,
    // and a partial store writes only the first `store` lanes.
    unsafe {
        for (y, acc_row) in acc.iter().enumerate() {
            let p = out[y].as_mut_ptr().add(x);
            if store == C * lanes {
                for (c, a) in acc_row.iter().enumerate() {
                    a.store(p.add(c * lanes));
                }
            } else {
                acc_row[0].store_first(p, store);
            }
        }
    }
}

/// The integer version of [`rows`]: runs the kernel's tap program (zero
/// taps skipped, +-1 as add / subtract, +-2^s as shifts, the rest
/// multiplied). Integer sums wrap identically in any order, so the result
/// is the dense kernel's, bit for bit.
///
/// # Safety
///
/// As for [`rows`]; `program` belongs to a `kh`-row kernel of the block.
#[inline(always)]
pub(crate) unsafe fn program_rows<V: IntVector, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    program: &TapProgram<V::Elem>,
    kh: usize,
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    let lanes = V::LANES;
    let n = out.len();
    let mut y = 0;
    while y + R <= n {
        let band = &rows[y..y + R + kh - 1];
        let mut x = 0;
        while x + C * lanes <= width {
            // SAFETY: forwarded contract; full tiles inside the width.
            unsafe { program_tile::<V, R, C>(band, program, x, &mut out[y..y + R], C * lanes) };
            x += C * lanes;
        }
        while x < width {
            let store = lanes.min(width - x);
            // SAFETY: forwarded contract; see `tile_row` for the tail.
            unsafe { program_tile::<V, R, 1>(band, program, x, &mut out[y..y + R], store) };
            x += lanes;
        }
        y += R;
    }
    while y < n {
        let band = &rows[y..y + kh];
        let mut x = 0;
        while x + C * lanes <= width {
            // SAFETY: as above, one row.
            unsafe { program_tile::<V, 1, C>(band, program, x, &mut out[y..y + 1], C * lanes) };
            x += C * lanes;
        }
        while x < width {
            let store = lanes.min(width - x);
            // SAFETY: as above.
            unsafe { program_tile::<V, 1, 1>(band, program, x, &mut out[y..y + 1], store) };
            x += lanes;
        }
        y += 1;
    }
}

/// `R x C` vectors of integer outputs at column `x`, by tap program.
#[inline(always)]
unsafe fn program_tile<V: IntVector, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    program: &TapProgram<V::Elem>,
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
) {
    let lanes = V::LANES;
    // SAFETY (for the whole body): as for `tile`. Every tap position (i, j)
    // of the program has i < kh and j < kw, so rows[y + i] exists for
    // y < R and the loads at x + j + c * lanes stay inside the row.
    unsafe {
        let mut acc = [[V::splat(<V::Elem as crate::element::Element>::zero()); C]; R];
        let at = |y: usize, i: usize, j: usize, c: usize| {
            rows.get_unchecked(y + i).as_ptr().add(x + j + c * lanes)
        };
        for &(i, j) in &program.plus {
            for (y, acc_row) in acc.iter_mut().enumerate() {
                for (c, a) in acc_row.iter_mut().enumerate() {
                    *a = a.add(V::load(at(y, i, j, c)));
                }
            }
        }
        for &(i, j) in &program.minus {
            for (y, acc_row) in acc.iter_mut().enumerate() {
                for (c, a) in acc_row.iter_mut().enumerate() {
                    *a = a.sub(V::load(at(y, i, j, c)));
                }
            }
        }
        for &((i, j), s) in &program.shift {
            for (y, acc_row) in acc.iter_mut().enumerate() {
                for (c, a) in acc_row.iter_mut().enumerate() {
                    *a = a.add(V::load(at(y, i, j, c)).shl(s));
                }
            }
        }
        for &((i, j), s) in &program.shift_minus {
            for (y, acc_row) in acc.iter_mut().enumerate() {
                for (c, a) in acc_row.iter_mut().enumerate() {
                    *a = a.sub(V::load(at(y, i, j, c)).shl(s));
                }
            }
        }
        // Each tap is splatted once for the whole tile (R x C products),
        // so the input load is the operand to fold into the multiply.
        for &((i, j), k) in &program.multiply {
            let t = V::splat(k);
            for (y, acc_row) in acc.iter_mut().enumerate() {
                for (c, a) in acc_row.iter_mut().enumerate() {
                    *a = a.add(t.mul(V::load(at(y, i, j, c))));
                }
            }
        }
        store_tile(&acc, out, x, store);
    }
}
