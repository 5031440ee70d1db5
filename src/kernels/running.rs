//! Integer column kernels by running sums: the [`ColumnRecurrence`] of a
//! column whose taps are an arithmetic progression (box sums included)
//! costs a few operations per output whatever the kernel's height, where
//! the register tile multiplies every tap.

use super::taps::{Coef, ColumnRecurrence, TapClass};
use super::vector::IntVector;

/// A [`Coef`] ready for a vector kernel: its class and its value splatted.
#[derive(Clone, Copy)]
struct Factor<V> {
    class: TapClass,
    splat: V,
}

impl<V: IntVector> Factor<V> {
    /// # Safety
    ///
    /// The CPU supports `V`'s instruction set.
    #[inline(always)]
    unsafe fn new(c: &Coef<V::Elem>) -> Self {
        Factor {
            class: c.class,
            // SAFETY: the caller's contract.
            splat: unsafe { V::splat(c.value) },
        }
    }

    /// `acc[c] + value * x[c]` for every `c`, by the cheapest operation
    /// the value allows (one dispatch for the `K` vectors).
    ///
    /// # Safety
    ///
    /// As for [`Factor::new`]; with `V::NARROW_MUL`, a multiplied value is
    /// in `i32`.
    #[inline(always)]
    unsafe fn apply<const K: usize>(&self, acc: &mut [V; K], x: &[V; K]) {
        // SAFETY: the caller's contract.
        unsafe {
            match self.class {
                TapClass::Zero => {}
                TapClass::Plus => {
                    for (a, x) in acc.iter_mut().zip(x) {
                        *a = a.add(*x);
                    }
                }
                TapClass::Minus => {
                    for (a, x) in acc.iter_mut().zip(x) {
                        *a = a.sub(*x);
                    }
                }
                TapClass::Shift(s) => {
                    for (a, x) in acc.iter_mut().zip(x) {
                        *a = a.add(x.shl(s));
                    }
                }
                TapClass::ShiftMinus(s) => {
                    for (a, x) in acc.iter_mut().zip(x) {
                        *a = a.sub(x.shl(s));
                    }
                }
                TapClass::Multiply => {
                    for (a, x) in acc.iter_mut().zip(x) {
                        *a = a.add(self.splat.mul(*x));
                    }
                }
            }
        }
    }
}

/// The factors of a recurrence, splatted once per block.
struct Factors<V> {
    leave: Factor<V>,
    enter: Factor<V>,
    sum: Factor<V>,
}

/// A `kh x 1` integer kernel by its recurrence: for each run of `C`
/// vectors of columns (then single vectors for what is left), the first
/// output row directly, then every next row from the one before, the row
/// entering the window, the row leaving it and (unless it is a box sum)
/// the window's running sum.
///
/// # Safety
///
/// As for [`tile_rows`](super::blocked::tile_rows), with the `kh x 1` kernel whose
/// recurrence `rec` is; with `V::NARROW_MUL`, `rec.narrow`.
#[inline(always)]
pub(crate) unsafe fn column_recurrence_rows<V: IntVector, const C: usize>(
    rows: &[&[V::Elem]],
    rec: &ColumnRecurrence<V::Elem>,
    width: usize,
    out: &mut [&mut [V::Elem]],
) {
    let lanes = V::LANES;
    // SAFETY: the caller's contract, forwarded; the runs cover 0..width,
    // full runs inside it, the last vector storing only what is left.
    unsafe {
        let f = Factors {
            leave: Factor::<V>::new(&rec.leave),
            enter: Factor::<V>::new(&rec.enter),
            sum: Factor::<V>::new(&rec.sum),
        };
        let mut x = 0;
        while x + C * lanes <= width {
            column_run::<V, C>(rows, rec, &f, x, C * lanes, out);
            x += C * lanes;
        }
        while x < width {
            column_run::<V, 1>(rows, rec, &f, x, lanes.min(width - x), out);
            x += lanes;
        }
    }
}

/// The recurrence down `K` vectors of columns from `x`, storing the first
/// `store` outputs of each row (`store > (K - 1) * lanes`).
///
/// # Safety
///
/// As for [`column_recurrence_rows`]; rows hold `x + K * lanes` elements
/// (with their slack).
#[inline(always)]
unsafe fn column_run<V: IntVector, const K: usize>(
    rows: &[&[V::Elem]],
    rec: &ColumnRecurrence<V::Elem>,
    f: &Factors<V>,
    x: usize,
    store: usize,
    out: &mut [&mut [V::Elem]],
) {
    let lanes = V::LANES;
    let kh = rec.first.len();
    let window = rec.sum.class != TapClass::Zero;
    let load = |row: &[V::Elem]| -> [V; K] {
        // SAFETY: the caller's contract: the row holds x + K * lanes.
        core::array::from_fn(|c| unsafe { V::load(row.as_ptr().add(x + c * lanes)) })
    };
    // SAFETY (for the whole body): rows r < out.len() + kh - 1 exist; the
    // loads are inside the rows (see `load`); only `store` outputs of each
    // row are written, which its output row holds.
    unsafe {
        let zero = V::splat(<V::Elem as crate::arith::Arith>::ZERO);
        let mut o = [zero; K];
        let mut b = [zero; K];
        for (row, tap) in rows.iter().zip(&rec.first) {
            let v = load(row);
            Factor::<V>::new(tap).apply(&mut o, &v);
            if window {
                for (b, v) in b.iter_mut().zip(&v) {
                    *b = b.add(*v);
                }
            }
        }
        for y in 0..out.len() {
            if y > 0 {
                let xe = load(rows.get_unchecked(y + kh - 1));
                let xl = load(rows.get_unchecked(y - 1));
                if window {
                    if rec.sum_before {
                        f.sum.apply(&mut o, &b);
                    }
                    for c in 0..K {
                        b[c] = b[c].add(xe[c]).sub(xl[c]);
                    }
                    if !rec.sum_before {
                        f.sum.apply(&mut o, &b);
                    }
                }
                f.leave.apply(&mut o, &xl);
                f.enter.apply(&mut o, &xe);
            }
            let p = out.get_unchecked_mut(y).as_mut_ptr().add(x);
            for (c, a) in o.iter().enumerate() {
                let left = store - c * lanes;
                if left >= lanes {
                    a.store(p.add(c * lanes));
                } else {
                    a.store_first(p.add(c * lanes), left);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::arith::Arith;
    use crate::kernels::testing::{assert_same_bits, Rng};
    use crate::kernels::{scalar, select, RowKernel, Taps};

    /// One backend's integer kernel against the scalar reference on `kh x
    /// 1` columns with a recurrence: box sums, constant columns, rising and
    /// falling progressions (the seed's low-rank column among them), steps
    /// that make the taps wrap, every height to 12, widths with partial
    /// vectors, inputs over the whole type so that the sums wrap.
    fn recurrence_case<T: Arith>(kernel: RowKernel<T>, label: &str, rng: &mut Rng) {
        let from = T::from_int_wrapping;
        let bits = 8 * core::mem::size_of::<T>() as u32;
        let progressions: [(i128, i128); 8] = [
            (1, 0),
            (3, 0),
            (0, 9),
            (72, -9),
            (-5, 2),
            (7, 1 << 20),
            (1 << (bits - 2), 1 << (bits - 3)),
            ((1 << (bits - 1)) - 1, 12345),
        ];
        // Miri runs only the scalar kernel, slowly: a few heights and shapes.
        let (heights, shapes) = if cfg!(miri) { (2..=5, 3) } else { (2..=12, 6) };
        let mut covered = 0;
        for kh in heights {
            for &(a, b) in &progressions {
                let dense: Vec<T> = (0..kh as i128).map(|i| from(a + b * i)).collect();
                let taps = Taps::new(dense, kh, 1);
                if taps.column_recurrence().is_none() {
                    assert!(
                        b != 0 && kh < 4,
                        "{label} {a} + {b} i, {kh}x1 not recognised"
                    );
                    continue;
                }
                covered += 1;
                let all = [(1, 1), (2, 7), (5, 17), (13, 45), (3, 70), (30, 33)];
                for &block in &all[..shapes] {
                    assert_same_bits(
                        kernel,
                        scalar::row_kernel::<T>,
                        &taps,
                        block,
                        || rng.int(),
                        &format!("{label} {a} + {b} i"),
                    );
                }
            }
        }
        assert!(
            covered > if cfg!(miri) { 10 } else { 60 },
            "{label}: {covered} recurrences"
        );
    }

    #[test]
    fn column_recurrences_give_the_reference_bits() {
        let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
        for backend in crate::backend::Backend::available() {
            let k32 = select::i32(backend).expect("an available backend");
            let k64 = select::i64(backend).expect("an available backend");
            let k16 = select::i16(backend).expect("an available backend");
            let label = format!("{backend}");
            recurrence_case::<i16>(k16, &label, &mut rng);
            recurrence_case::<i32>(k32, &label, &mut rng);
            recurrence_case::<i64>(k64, &label, &mut rng);
        }
    }
}
