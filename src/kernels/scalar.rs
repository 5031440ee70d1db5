//! The scalar reference: plain loops, the definition of correct.

use super::{check_block, Taps};
use crate::arith::Arith;

/// Computes each output as `((0 + taps[0] * x_0) + taps[1] * x_1) + ...`,
/// in row-major tap order, one rounded product and one rounded sum at a
/// time (SciPy's loop, in a fixed order).
pub(crate) fn row_kernel<T: Arith>(rows: &[&[T]], taps: &Taps<T>, out: &mut [&mut [T]]) {
    accumulate(rows, taps, out, T::mul_then_add);
}

/// The opt-in fused reference: `acc = 0`, then
/// `acc = fma(taps[t], x_t, acc)` (one rounding per step), in the same
/// order. For integers this is the same as [`row_kernel`].
pub(crate) fn row_kernel_fused<T: Arith>(rows: &[&[T]], taps: &Taps<T>, out: &mut [&mut [T]]) {
    accumulate(rows, taps, out, T::fused_mul_add);
}

/// The reference loops, with `step(tap, sample, acc)` as the accumulation.
#[inline(always)]
fn accumulate<T: Arith>(
    rows: &[&[T]],
    taps: &Taps<T>,
    out: &mut [&mut [T]],
    step: impl Fn(T, T, T) -> T,
) {
    let width = check_block(rows, taps, out);
    let (kh, kw, column_step) = (taps.rows(), taps.cols(), taps.step());
    let taps = taps.dense();
    for (y, out_row) in out.iter_mut().enumerate() {
        for (x, out_value) in out_row[..width].iter_mut().enumerate() {
            let mut acc = T::ZERO;
            for i in 0..kh {
                for j in 0..kw {
                    acc = step(taps[i * kw + j], rows[y + i][x + j * column_step], acc);
                }
            }
            *out_value = acc;
        }
    }
}
