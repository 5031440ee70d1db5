//! The register-blocked row kernels, written once over [`Vector`].
//!
//! Two shapes of register block, both with every accumulator in a register
//! across all `kh x kw` taps and every output stored once:
//!
//! - the *tile*, `R` output rows by `C` vectors of columns, swept along the
//!   rows ([`tile_rows`]): any kernel height;
//! - the *rolling strip*, `kh` output rows by `C` vectors, walked down the
//!   whole block ([`rolling_rows`]): each input vector feeds all `kh` rows
//!   it meets, where a tile re-loads it for every tile and ramps up and
//!   down at each tile's edges. It takes `kh x C` registers, so it serves
//!   short kernels (see [`rolling_cols`]); [`dense_rows!`] picks the shape.
//!
//! Per output the accumulation order is the scalar reference's: `acc = 0`,
//! then `acc = acc + k[t] * x` for the taps in row-major order.

use super::taps::{TapProgram, Taps};
use super::vector::{FusedVector, IntVector, Vector};

/// One accumulation step of the dense kernel: `acc + *tap * x`.
pub(crate) trait Step<V: Vector> {
    /// Whether the blocks splat each tap into a register once for the `C`
    /// vectors of a block row it multiplies ([`Step::step_splat`]) instead
    /// of having every multiply read it from memory ([`Step::step`]). See
    /// [`Hoisted`].
    const HOIST: bool = false;
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
// WebAssembly `simd128` has no FMA: its fused tables run the scalar
// reference.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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

/// `S` with each tap splatted into a register once per block row
/// ([`Step::HOIST`]): one broadcast load for `C` multiplies, where `S`
/// alone multiplies by a broadcast memory operand each time. The products
/// and sums are `S`'s, so the bits are too. Which form is faster depends on
/// the core ([`crate::tuning::avx512_hoists_taps`]).
// Only the AVX-512 backend hoists its taps (see `row_kernel!`).
#[cfg_attr(
    not(all(any(target_arch = "x86", target_arch = "x86_64"), simdconv_avx512)),
    allow(dead_code)
)]
pub(crate) struct Hoisted<S>(core::marker::PhantomData<S>);

impl<V: Vector, S: Step<V>> Step<V> for Hoisted<S> {
    const HOIST: bool = true;
    #[inline(always)]
    unsafe fn step(acc: V, tap: *const V::Elem, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { S::step(acc, tap, x) }
    }
    #[inline(always)]
    unsafe fn step_splat(acc: V, t: V, x: V) -> V {
        // SAFETY: the caller's contract.
        unsafe { S::step_splat(acc, t, x) }
    }
}

/// One block row's step for every vector of the row: `acc[c] + *tap *
/// xs[c]`, the tap splatted once if `S` hoists it.
///
/// # Safety
///
/// As for [`Step::step`].
#[inline(always)]
unsafe fn step_row<V: Vector, S: Step<V>, const C: usize>(
    acc: &mut [V; C],
    tap: *const V::Elem,
    xs: &[V; C],
) {
    // SAFETY: the caller's contract: the instruction set, and `tap` valid
    // for one read.
    unsafe {
        if S::HOIST && C > 1 {
            let t = V::splat(*tap);
            for (a, &v) in acc.iter_mut().zip(xs) {
                *a = S::step_splat(*a, t, v);
            }
        } else {
            for (a, &v) in acc.iter_mut().zip(xs) {
                *a = S::step(*a, tap, v);
            }
        }
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
pub(crate) unsafe fn tile_rows<V: Vector, S: Step<V>, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &Taps<V::Elem>,
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    let (kh, kw, step) = (taps.rows(), taps.cols(), taps.step());
    let taps = taps.by_column();
    let n = out.len();
    let mut y = 0;
    while y + R <= n {
        // SAFETY: forwarded contract; rows y..y + R + kh - 1 exist.
        unsafe {
            tile_row::<V, S, R, C>(
                &rows[y..y + R + kh - 1],
                taps,
                (kh, kw, step),
                width,
                &mut out[y..y + R],
            )
        };
        y += R;
    }
    while y < n {
        // SAFETY: as above, one row at a time.
        unsafe {
            tile_row::<V, S, 1, C>(&rows[y..y + kh], taps, (kh, kw, step), width, &mut out[y..y + 1])
        };
        y += 1;
    }
}

/// One band of `R` output rows, across the whole width.
#[inline(always)]
unsafe fn tile_row<V: Vector, S: Step<V>, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &[V::Elem],
    shape: (usize, usize, usize),
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    let lanes = V::LANES;
    let mut x = 0;
    while x + C * lanes <= width {
        // SAFETY: outputs x..x + C * lanes lie inside the rows.
        unsafe { tile::<V, S, R, C>(rows, taps, shape, x, out, C * lanes) };
        x += C * lanes;
    }
    // What is left of a row is narrower than a tile; two vectors at a time
    // share each input load and tap between two columns, where one-vector
    // tiles ran at about a third of the wide tile's speed (AVX-512 31 x 31,
    // a quarter of the time on 8% of the outputs of a 1000-wide row).
    if C > 2 && x + 2 * lanes <= width {
        // SAFETY: as above, two vectors.
        unsafe { tile::<V, S, R, 2>(rows, taps, shape, x, out, 2 * lanes) };
        x += 2 * lanes;
    }
    while x + lanes <= width {
        // SAFETY: as above, one vector.
        unsafe { tile::<V, S, R, 1>(rows, taps, shape, x, out, lanes) };
        x += lanes;
    }
    if x < width {
        // SAFETY: loads reach x + lanes - 1 + kw - 1 < width + kw - 1 +
        // ROW_SLACK; only the width - x valid outputs are stored.
        unsafe { tile::<V, S, R, 1>(rows, taps, shape, x, out, width - x) };
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
    (kh, kw, step): (usize, usize, usize),
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
) {
    // SAFETY (for the whole body): the caller guarantees the instruction
    // set, and that for every row r < R + kh - 1 and tap column j < kw the
    // loads at rows[r][x + j * step + c * lanes ..][..lanes] lie inside the
    // row (rows hold width + (kw - 1) * step + ROW_SLACK elements, x + C * lanes <= width
    // or C == 1), and that the outputs out[y][x..x + store] exist. Every tap
    // index j * kh + (r - y) (the taps are column-major) is below kh * kw
    // because only rows with 0 <= r - y < kh are touched.
    unsafe {
        if kh == 1 {
            return tile_one_row::<V, S, R, C>(rows, taps, (kw, step), x, out, store);
        }
        let zero = V::splat(<V::Elem as crate::arith::Arith>::ZERO);
        let mut acc = [[zero; C]; R];
        for (r, row) in rows.iter().enumerate().take(R + kh - 1) {
            let src = row.as_ptr().add(x);
            prefetch_ahead::<V, C>(src, 2);
            // Output rows fed by this input row: lo..=hi.
            let lo = (r + 1).saturating_sub(kh);
            let hi = r.min(R - 1);
            // A tall kernel feeds every row of the tile from most input
            // rows: those take the branch-free loop.
            if lo == 0 && hi == R - 1 {
                input_row::<V, S, R, C, true>(&mut acc, src, taps, (kh, kw, step), r, (lo, hi));
            } else {
                input_row::<V, S, R, C, false>(&mut acc, src, taps, (kh, kw, step), r, (lo, hi));
            }
        }
        store_tile(&acc, out, x, store);
    }
}

/// One input row (at the block's column, `src`) into the accumulator rows
/// `lo..=hi` it feeds (all of them when `ALL`), accumulator row `a` taking
/// kernel row `base - a`: in a tile, `base` is the input row's index `r`
/// (output row `y` meets kernel row `r - y`); in a rolling strip it is
/// `KH - 1` (accumulator row `k` meets kernel row `KH - 1 - k`).
///
/// # Safety
///
/// As for [`tile`] and [`strip`]: the loads stay inside the row, and
/// `base - a < kh` for every accumulator row `a` in `lo..=hi`.
#[inline(always)]
unsafe fn input_row<V: Vector, S: Step<V>, const N: usize, const C: usize, const ALL: bool>(
    acc: &mut [[V; C]; N],
    src: *const V::Elem,
    taps: &[V::Elem],
    (kh, kw, step): (usize, usize, usize),
    base: usize,
    (lo, hi): (usize, usize),
) {
    let lanes = V::LANES;
    // SAFETY: the caller's contract: `taps` is column-major with `kh` rows,
    // so every tap index j * kh + (base - a) is below kh * kw, and the loads
    // at src + j * step + c * lanes lie in the row.
    unsafe {
        let mut xs = [V::splat(<V::Elem as crate::arith::Arith>::ZERO); C];
        for j in 0..kw {
            let column_src = src.add(j * step);
            for (c, v) in xs.iter_mut().enumerate() {
                *v = V::load(column_src.add(c * lanes));
            }
            let column = taps.as_ptr().add(j * kh);
            for (a, acc_row) in acc.iter_mut().enumerate() {
                if !ALL && (a < lo || a > hi) {
                    continue;
                }
                step_row::<V, S, C>(acc_row, column.add(base - a), &xs);
            }
        }
    }
}

/// Vectors per row of a rolling strip for a `kh`-row kernel on an ISA with
/// `regs` vector registers: `kh * C` accumulators, `C` input vectors and
/// one product must fit, and more than 4 columns gains nothing. 0 (the
/// register tile instead) when fewer than 3 columns fit: narrower strips
/// measured no faster than the tile (`docs/TUNING.md`, "Rolling strips"),
/// so in practice the strips serve heights up to 9 with 32 registers
/// (AVX-512, NEON) and up to 3 with 16.
pub(crate) const fn rolling_cols(regs: usize, kh: usize) -> usize {
    if regs < 2 {
        return 0;
    }
    let c = (regs - 2) / (kh + 1);
    if c < 3 {
        0
    } else if c > 4 {
        4
    } else {
        c
    }
}

/// The tallest kernel the rolling strips serve (the arms of
/// [`dense_rows!`] list every height from 2 to this one).
pub(crate) const ROLLING_MAX_ROWS: usize = 9;

/// Whether [`dense_rows!`] runs a `kh x kw` kernel as rolling strips on an
/// ISA with `regs` vector registers. Not for one-column kernels: a strip
/// moves its `kh x C` accumulators up one row after every input row, which
/// costs as much as a one-column row's own work (`docs/TUNING.md`,
/// "Rolling strips").
pub(crate) const fn rolls(regs: usize, kh: usize, kw: usize) -> bool {
    kh >= 2 && kh <= ROLLING_MAX_ROWS && kw >= 2 && rolling_cols(regs, kh) > 0
}

/// Runs the dense kernel of a `V` backend with `$regs` vector registers:
/// the rolling strips for the kernel heights they fit ([`rolls`]), else
/// the `R x C` register tile. One arm per height, each with its own strip width
/// ([`rolling_cols`]), so every accumulator index is a constant and stays
/// in a register.
macro_rules! dense_rows {
    ($vec:ty, $step:ty, regs = $regs:expr, tile = $r:literal x $c:literal,
     $rows:ident, $taps:ident, $width:ident, $out:ident) => {
        $crate::kernels::blocked::dense_rows!(@arms $vec, $step, $regs, $r, $c, $rows, $taps, $width, $out;
            2 3 4 5 6 7 8 9)
    };
    (@arms $vec:ty, $step:ty, $regs:expr, $r:literal, $c:literal,
     $rows:ident, $taps:ident, $width:ident, $out:ident; $($kh:literal)*) => {
        match $taps.rows() {
            $(
                $kh if $crate::kernels::blocked::rolls($regs, $kh, $taps.cols()) => {
                    $crate::kernels::blocked::rolling_rows::<
                        $vec,
                        $step,
                        $kh,
                        { $crate::kernels::blocked::rolling_cols($regs, $kh) },
                    >($rows, $taps, $width, $out)
                }
            )*
            _ => $crate::kernels::blocked::tile_rows::<$vec, $step, $r, $c>($rows, $taps, $width, $out),
        }
    };
}
pub(crate) use dense_rows;

/// The dense kernel for a `KH`-row kernel, as vertical strips `C` vectors
/// wide that walk down the whole block.
///
/// While input row `r` is read, accumulator row `k` holds output row
/// `r - (KH - 1) + k`, which meets kernel row `KH - 1 - k`; after the row,
/// accumulator row 0 is complete and stored, the others move up one, and a
/// zeroed row enters at the bottom. Each input vector is loaded once for
/// all `KH` output rows it feeds (loads per multiply-add `1 / KH`, against
/// `(C + R) / (R * C)` for the register tile), and only the first and last
/// `KH - 1` rows of a block feed fewer outputs (a tile of `R` rows has that
/// ramp in every tile). Per output the taps still come in row-major order,
/// from zero: kernel rows arrive in ascending order with the input rows.
///
/// # Safety
///
/// As for [`tile_rows`], and the kernel has `KH` rows.
#[inline(always)]
pub(crate) unsafe fn rolling_rows<V: Vector, S: Step<V>, const KH: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &Taps<V::Elem>,
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    debug_assert_eq!(taps.rows(), KH);
    let kw = (taps.cols(), taps.step());
    let taps = taps.by_column();
    let lanes = V::LANES;
    let ahead = crate::tuning::strip_prefetch_distance(out.len() + KH - 1);
    let mut x = 0;
    while x + C * lanes <= width {
        // SAFETY: forwarded contract; outputs x..x + C * lanes exist.
        unsafe { strip::<V, S, KH, C>(rows, taps, kw, x, out, C * lanes, ahead) };
        x += C * lanes;
    }
    // The rest two vectors at a time where it can, as in `tile_row`.
    if C > 2 && x + 2 * lanes <= width {
        // SAFETY: as above, two vectors.
        unsafe { strip::<V, S, KH, 2>(rows, taps, kw, x, out, 2 * lanes, ahead) };
        x += 2 * lanes;
    }
    while x + lanes <= width {
        // SAFETY: as above, one vector.
        unsafe { strip::<V, S, KH, 1>(rows, taps, kw, x, out, lanes, ahead) };
        x += lanes;
    }
    if x < width {
        // SAFETY: as in `tile_row`: the loads stay inside the rows' slack,
        // and only the width - x valid outputs are stored.
        unsafe { strip::<V, S, KH, 1>(rows, taps, kw, x, out, width - x, ahead) };
    }
}

/// One strip of [`rolling_rows`]: `C` vectors at column `x` of every
/// output row (the first `store` columns stored), prefetching its inputs
/// `ahead` strips to the right.
#[inline(always)]
unsafe fn strip<V: Vector, S: Step<V>, const KH: usize, const C: usize>(
    rows: &[&[V::Elem]],
    taps: &[V::Elem],
    (kw, step): (usize, usize),
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
    ahead: usize,
) {
    let n = out.len();
    // SAFETY (for the whole body): the caller's contract: the CPU supports
    // `V`; rows holds n + KH - 1 rows, each with the loads at
    // x + j * step + c * lanes for j < kw (as in `tile`); out[y][x..x + store]
    // exists for y < n; taps holds KH * kw elements.
    unsafe {
        let zero = V::splat(<V::Elem as crate::arith::Arith>::ZERO);
        let mut acc = [[zero; C]; KH];
        for (r, row) in rows.iter().enumerate().take(n + KH - 1) {
            let src = row.as_ptr().add(x);
            prefetch_ahead::<V, C>(src, ahead);
            // Accumulator rows holding an output row of the block:
            // 0 <= r - (KH - 1) + k < n.
            let first = (KH - 1).saturating_sub(r);
            let last = (n + KH - 2 - r).min(KH - 1);
            if first == 0 && last == KH - 1 {
                input_row::<V, S, KH, C, true>(&mut acc, src, taps, (KH, kw, step), KH - 1, (first, last));
            } else {
                input_row::<V, S, KH, C, false>(&mut acc, src, taps, (KH, kw, step), KH - 1, (first, last));
            }
            if r + 1 >= KH {
                let p = out[r + 1 - KH].as_mut_ptr().add(x);
                prefetch_ahead::<V, C>(p, 1);
                store_row(&acc[0], p, store);
            }
            for k in 0..KH - 1 {
                acc[k] = acc[k + 1];
            }
            acc[KH - 1] = [zero; C];
        }
    }
}

/// Prefetches the `C` vectors that the tile or strip `ahead` places to the
/// right of `p` will load from (or store to) this row. Rows read in place
/// from a large image come from L3 or memory, and a strip touches every row
/// of its block at once: more concurrent streams than the hardware
/// prefetcher follows. Output rows are prefetched too, so that a store
/// finds its line in L1 instead of waiting for it (`docs/TUNING.md`,
/// "Prefetch distance").
#[inline(always)]
unsafe fn prefetch_ahead<V: Vector, const C: usize>(p: *const V::Elem, ahead: usize) {
    for c in 0..C {
        // SAFETY: a prefetch hint, any address (computed with wrapping_add).
        unsafe { V::prefetch(p.wrapping_add((ahead * C + c) * V::LANES)) };
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
    (kw, step): (usize, usize),
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
) {
    let lanes = V::LANES;
    // SAFETY: as for `tile`: rows[y] for y < R exist and hold the loads at
    // x + j * step + c * lanes for j < kw; taps holds kw elements.
    unsafe {
        let zero = V::splat(<V::Elem as crate::arith::Arith>::ZERO);
        let mut acc = [[zero; C]; R];
        for row in rows.iter().take(R) {
            prefetch_ahead::<V, C>(row.as_ptr().wrapping_add(x), 2);
        }
        for (j, &tap) in taps.iter().enumerate().take(kw) {
            let t = V::splat(tap);
            for (acc_row, row) in acc.iter_mut().zip(rows) {
                let src = row.as_ptr().add(x + j * step);
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
    // SAFETY: the caller's contract: each row has `store` outputs at `x`.
    unsafe {
        for (y, acc_row) in acc.iter().enumerate() {
            store_row(acc_row, out[y].as_mut_ptr().add(x), store);
        }
    }
}

/// Stores the first `store` columns of one row of `C` vectors at `p`: all
/// of them, or (with `C == 1`) one whole or partial vector.
///
/// # Safety
///
/// The CPU supports `V`'s instruction set and `p` is valid for `store`
/// writes.
#[inline(always)]
unsafe fn store_row<V: Vector, const C: usize>(acc: &[V; C], p: *mut V::Elem, store: usize) {
    let lanes = V::LANES;
    // SAFETY: the caller's contract; a partial store writes only the first
    // `store` lanes.
    unsafe {
        if store == C * lanes {
            for (c, a) in acc.iter().enumerate() {
                a.store(p.add(c * lanes));
            }
        } else {
            acc[0].store_first(p, store);
        }
    }
}

/// The integer version of [`tile_rows`]: runs the kernel's tap program (zero
/// taps skipped, +-1 as add / subtract, +-2^s as shifts, the rest
/// multiplied). Integer sums wrap identically in any order, so the result
/// is the dense kernel's, bit for bit.
///
/// # Safety
///
/// As for [`tile_rows`]; `program` belongs to a `kh`-row kernel of the block.
#[inline(always)]
pub(crate) unsafe fn program_rows<V: IntVector, const R: usize, const C: usize>(
    rows: &[&[V::Elem]],
    program: &TapProgram<V::Elem>,
    (kh, step): (usize, usize),
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    // A one-row kernel (as the low-rank row pass) reads every tap from the
    // output row's own input row: its tiles keep the R row pointers in
    // registers instead of reloading one per tap.
    // SAFETY: forwarded contract.
    unsafe {
        if kh == 1 {
            program_rows_of::<V, R, C, true>(rows, program, (kh, step), width, out)
        } else {
            program_rows_of::<V, R, C, false>(rows, program, (kh, step), width, out)
        }
    }
}

/// [`program_rows`] for a kernel of one row (`ONE_ROW`, `kh = 1`) or any.
///
/// # Safety
///
/// As for [`program_rows`]; with `ONE_ROW`, `kh = 1`.
#[inline(always)]
unsafe fn program_rows_of<V: IntVector, const R: usize, const C: usize, const ONE_ROW: bool>(
    rows: &[&[V::Elem]],
    program: &TapProgram<V::Elem>,
    (kh, step): (usize, usize),
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
            unsafe {
                program_tile::<V, R, C, ONE_ROW>(band, program, step, x, &mut out[y..y + R], C * lanes)
            };
            x += C * lanes;
        }
        while x < width {
            let store = lanes.min(width - x);
            // SAFETY: forwarded contract; see `tile_row` for the tail.
            unsafe {
                program_tile::<V, R, 1, ONE_ROW>(band, program, step, x, &mut out[y..y + R], store)
            };
            x += lanes;
        }
        y += R;
    }
    while y < n {
        let band = &rows[y..y + kh];
        let mut x = 0;
        while x + C * lanes <= width {
            // SAFETY: as above, one row.
            unsafe {
                program_tile::<V, 1, C, ONE_ROW>(band, program, step, x, &mut out[y..y + 1], C * lanes)
            };
            x += C * lanes;
        }
        while x < width {
            let store = lanes.min(width - x);
            // SAFETY: as above.
            unsafe {
                program_tile::<V, 1, 1, ONE_ROW>(band, program, step, x, &mut out[y..y + 1], store)
            };
            x += lanes;
        }
        y += 1;
    }
}

/// `R x C` vectors of integer outputs at column `x`, by tap program
/// (`ONE_ROW`: of a one-row kernel, every tap's `i` zero).
#[inline(always)]
unsafe fn program_tile<V: IntVector, const R: usize, const C: usize, const ONE_ROW: bool>(
    rows: &[&[V::Elem]],
    program: &TapProgram<V::Elem>,
    step: usize,
    x: usize,
    out: &mut [&mut [V::Elem]],
    store: usize,
) {
    let lanes = V::LANES;
    // SAFETY (for the whole body): as for `tile`. Every tap position (i, j)
    // of the program has i < kh and j < kw, so rows[y + i] exists for
    // y < R and the loads at x + j * step + c * lanes stay inside the row; with
    // ONE_ROW, i = 0.
    unsafe {
        let mut acc = [[V::splat(<V::Elem as crate::arith::Arith>::ZERO); C]; R];
        let own: [*const V::Elem; R] =
            core::array::from_fn(|y| rows.get_unchecked(y).as_ptr().add(x));
        let at = |y: usize, i: usize, j: usize, c: usize| {
            if ONE_ROW {
                own[y].add(j * step + c * lanes)
            } else {
                rows.get_unchecked(y + i).as_ptr().add(x + j * step + c * lanes)
            }
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

#[cfg(test)]
mod tests {
    use super::{rolling_cols, rolls, ROLLING_MAX_ROWS};

    #[test]
    fn rolling_strips_only_where_three_columns_fit() {
        // 32 registers (AVX-512, NEON): 9 rows x 3 columns + 3 inputs + 1.
        assert_eq!(rolling_cols(32, 2), 4);
        assert_eq!(rolling_cols(32, 5), 4);
        assert_eq!(rolling_cols(32, 7), 3);
        assert_eq!(rolling_cols(32, 9), 3);
        assert_eq!(rolling_cols(32, 10), 0);
        // 16 registers (SSE, AVX2): only 3-row kernels; 8 (32-bit x86): none.
        assert_eq!(rolling_cols(16, 3), 3);
        assert_eq!(rolling_cols(16, 4), 0);
        assert_eq!(rolling_cols(8, 2), 0);
        assert_eq!(rolling_cols(12, 2), 3);
        assert_eq!(rolling_cols(0, 1), 0);
        assert!(rolls(32, 9, 9) && rolls(16, 3, 3) && rolls(32, 2, 2));
        assert!(!rolls(32, 1, 9) && !rolls(32, ROLLING_MAX_ROWS + 1, 9) && !rolls(16, 5, 5));
        assert!(!rolls(32, 9, 1));
        for kh in 1..40 {
            let c = rolling_cols(32, kh);
            assert!(
                c == 0 || kh * c + c < 32,
                "accumulators + inputs + a product"
            );
        }
    }
}
