//! The FFT method's error bound (stated in `docs/FFT.md` and on
//! [`Method::Fft`](crate::Method::Fft)), as a function the tests use.
//!
//! For one output `p` of a tile with transform size `Nh x Nw`, input
//! block `x` (the `Nh x Nw` border-extended samples the tile reads, zeros
//! past the tile's reach) and effective kernel `k`, with `u` the unit
//! roundoff and `L = log2 Nh + log2 Nw`:
//!
//! ```text
//! |fft[p] - exact[p]| <= (21 L + 4) u ||k||_1 ||x||_2
//! ```
//!
//! Why: a computed length-`n` transform is within `eta log2 n` (relative,
//! normwise) of the exact one, `eta = mu + gamma_4 (sqrt 2 + mu) < 7u`
//! for twiddles accurate to `mu <= u` (Higham, *Accuracy and Stability of
//! Numerical Algorithms*, 2nd ed., Thm. 24.2); the levels of the row and
//! column transforms add up to `L`. The forward transform of `x` then errs
//! by at most `7 L u sqrt(N) ||x||_2` (Parseval, `N = Nh Nw`), the
//! kernel's spectrum componentwise by `7 L u ||k||_1` (each bin is a sum
//! of `|k|`-weighted terms through `L` levels), the product and the scale
//! by `4u` relative; every spectrum value is at most `||k||_1` times
//! `|X|`. The inverse transform divides the 2-norm by `sqrt(N)` and adds
//! its own `7 L u`. Every output's error is at most the 2-norm of all of
//! them, hence the bound. It holds without underflow or overflow (a tile
//! whose result overflows is computed direct).

/// The bound's factor `(21 L + 4) u` for a transform of `size` in a type
/// of unit roundoff `u`: multiply by `||k||_1 ||x_block||_2`.
pub(crate) fn factor(size: (usize, usize), unit_roundoff: f64) -> f64 {
    // Exact for powers of two (and so the same on every platform and
    // under Miri, whose `log2` carries a random error of its own).
    let log2 = |n: usize| {
        if n.is_power_of_two() {
            f64::from(n.trailing_zeros())
        } else {
            (n as f64).log2()
        }
    };
    let levels = log2(size.0) + log2(size.1);
    (21.0 * levels + 4.0) * unit_roundoff
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_grows_with_the_levels() {
        let u = f32::EPSILON as f64 / 2.0;
        assert_eq!(factor((2, 2), u), 46.0 * u);
        assert!(factor((512, 512), u) < 400.0 * u);
    }
}
