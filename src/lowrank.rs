//! Exact low-rank evaluation of integer kernels.
//!
//! If an integer kernel is a sum of `r` outer products of integer vectors,
//! `K[i][j] = sum_c u_c[i] * v_c[j]`, then
//!
//! ```text
//! sum_{i,j} K[i][j] x[y+i][x+j] = sum_c sum_i u_c[i] * (sum_j v_c[j] x[y+i][x+j])
//! ```
//!
//! holds in any commutative ring, so in the integers modulo 2^32 or 2^64,
//! where the factors are found (an odd pivot is invertible there, so
//! every integer kernel can be reduced): evaluated as `r`
//! row passes and one column pass it gives the direct result bit for bit,
//! wrap-around included, with `r * (kh + kw)` multiply-adds per output
//! instead of `kh * kw`. (The seed's `arange(81)` 9x9 kernel has rank 2:
//! 36 instead of 81.) Floats do not get this path: a different order of
//! operations rounds differently.

use crate::element::Element;
use crate::kernels::Taps;

/// A factorisation `K = sum_c u_c v_c^T` of an integer kernel, exact in
/// the element type's wrapping arithmetic.
#[derive(Clone, Debug)]
pub(crate) struct LowRank<T> {
    rank: usize,
    /// The row vectors `v_c`, each a `1 x kw` kernel.
    row_taps: Vec<Taps<T>>,
    /// The column vectors `u_c`, one after another: the `(rank * kh) x 1`
    /// kernel of the combined column pass.
    column_taps: Taps<T>,
}

impl<T: Element> LowRank<T> {
    /// Factors the effective kernel `taps` (`kh x kw`, row-major) if it is
    /// an integer kernel whose rank `r` makes the two passes cheaper
    /// (`r * (kh + kw) < kh * kw`) and integer factors can be found.
    pub(crate) fn factor(taps: &[T], kh: usize, kw: usize) -> Option<Self> {
        let max_rank = (kh * kw).saturating_sub(1) / (kh + kw);
        if max_rank == 0 {
            return None;
        }
        // Work modulo 2^64 (a multiple of the element's modulus): reduce to
        // the element's width after every step.
        let reduce = |x: u64| {
            T::from_int_wrapping(i128::from(x as i64))
                .to_exact_int()
                .map(|v| v as u64)
        };
        let mut m: Vec<u64> = taps
            .iter()
            .map(|t| t.to_exact_int().map(|v| v as u64))
            .collect::<Option<_>>()?;
        let mut us: Vec<Vec<u64>> = Vec::new();
        let mut vs: Vec<Vec<u64>> = Vec::new();
        while m.iter().any(|&x| x != 0) {
            if us.len() == max_rank {
                return None;
            }
            let (u, v) = peel(&m, kh, kw);
            for i in 0..kh {
                for j in 0..kw {
                    let x = m[i * kw + j].wrapping_sub(u[i].wrapping_mul(v[j]));
                    m[i * kw + j] = reduce(x)?;
                }
            }
            us.push(u);
            vs.push(v);
        }
        if us.is_empty() {
            return None; // an all-zero kernel: nothing to gain
        }
        let cast = |x: &u64| T::from_int_wrapping(i128::from(*x as i64));
        let rank = us.len();
        let row_taps: Vec<T> = vs.iter().flatten().map(cast).collect();
        let column_taps: Vec<T> = us.iter().flatten().map(cast).collect();
        // The elimination is exact by construction; check the
        // reconstruction in the element type too, so nothing rests on that
        // argument alone.
        let rebuilt_ok = (0..kh).all(|i| {
            (0..kw).all(|j| {
                let mut acc = T::zero();
                for c in 0..rank {
                    acc = column_taps[c * kh + i].mul_add_ref(row_taps[c * kw + j], acc);
                }
                acc == taps[i * kw + j]
            })
        });
        rebuilt_ok.then(|| LowRank {
            rank,
            row_taps: row_taps
                .chunks(kw)
                .map(|v| Taps::new(v.to_vec(), 1, kw))
                .collect(),
            column_taps: Taps::new(column_taps, rank * kh, 1),
        })
    }

    /// The number of outer products.
    pub(crate) fn rank(&self) -> usize {
        self.rank
    }

    /// The row vector of component `c`, as a `1 x kw` kernel.
    pub(crate) fn row_taps(&self, c: usize) -> &Taps<T> {
        &self.row_taps[c]
    }

    /// Every component's column vector, one after another, as a
    /// `(rank * kh) x 1` kernel.
    pub(crate) fn column_taps(&self) -> &Taps<T> {
        &self.column_taps
    }
}

/// One exact rank-one step modulo 2^64, for a nonzero `m`.
///
/// The pivot `a = m[p][q]` is an entry with the fewest trailing zero bits,
/// `a = 2^s * o` with `o` odd, so every entry is a multiple of `2^s` and
/// `o` is invertible modulo 2^64: `u = m[.][q] / a` and `v = m[p][.]` are
/// exact, `u[p] = 1`, and subtracting `u v^T` zeroes row `p` and column `q`
/// (the rank drops by one). Among those pivots the one of smallest
/// magnitude is taken, so kernels of small integers get small factors
/// (a pivot of +-1 divides exactly, as in the integers).
fn peel(m: &[u64], kh: usize, kw: usize) -> (Vec<u64>, Vec<u64>) {
    let (mut p, mut q) = (0, 0);
    let mut best = (u32::MAX, u64::MAX);
    for i in 0..kh {
        for j in 0..kw {
            let a = m[i * kw + j];
            let key = (a.trailing_zeros(), (a as i64).unsigned_abs());
            if a != 0 && key < best {
                best = key;
                (p, q) = (i, j);
            }
        }
    }
    let shift = best.0;
    let odd_inverse = inverse_mod_2_64(m[p * kw + q] >> shift);
    let u = (0..kh)
        .map(|i| (m[i * kw + q] >> shift).wrapping_mul(odd_inverse))
        .collect();
    let v = m[p * kw..(p + 1) * kw].to_vec();
    (u, v)
}

/// The inverse of an odd number modulo 2^64 (Newton's iteration: each step
/// doubles the number of correct low bits, from 3).
fn inverse_mod_2_64(odd: u64) -> u64 {
    debug_assert!(odd % 2 == 1);
    let mut inv = odd;
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inv)));
    }
    inv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rebuild(f: &LowRank<i64>, kh: usize, kw: usize) -> Vec<i64> {
        let mut out = vec![0i64; kh * kw];
        for c in 0..f.rank() {
            for i in 0..kh {
                for j in 0..kw {
                    let u = f.column_taps().dense()[c * kh + i];
                    let v = f.row_taps(c).dense()[j];
                    out[i * kw + j] = out[i * kw + j].wrapping_add(u.wrapping_mul(v));
                }
            }
        }
        out
    }

    #[test]
    fn the_seed_kernel_has_rank_two() {
        let taps: Vec<i64> = (0..81).rev().collect(); // flipped arange(81)
        let f = LowRank::factor(&taps, 9, 9).expect("rank 2");
        assert_eq!(f.rank(), 2);
        assert_eq!(rebuild(&f, 9, 9), taps);
    }

    #[test]
    fn separable_kernels_have_rank_one() {
        // Sobel: [1 2 1]^T [-1 0 1].
        let taps = [-1i64, 0, 1, -2, 0, 2, -1, 0, 1];
        let f = LowRank::factor(&taps, 3, 3).expect("rank 1");
        assert_eq!(f.rank(), 1);
        assert_eq!(rebuild(&f, 3, 3), taps);
    }

    #[test]
    fn full_rank_and_float_kernels_are_not_factored() {
        let identity: Vec<i64> = (0..25).map(|k| i64::from(k % 6 == 0)).collect();
        assert!(LowRank::factor(&identity, 5, 5).is_none());
        assert!(LowRank::<f32>::factor(&[1.0; 9], 3, 3).is_none());
        // 1 x n and 2 x 2 kernels cannot gain.
        assert!(LowRank::factor(&[1i32, 2, 3], 1, 3).is_none());
        assert!(LowRank::factor(&[1i32, 2, 2, 4], 2, 2).is_none());
        assert!(LowRank::factor(&[0i32; 9], 3, 3).is_none());
    }

    #[test]
    fn rank_one_without_a_dividing_pivot() {
        // [2 3]^T [2 3]: no entry divides its row or column over the
        // integers, but 9 is odd, so invertible modulo 2^64.
        let taps = [4i64, 6, 0, 6, 9, 0, 0, 0, 0];
        let f = LowRank::factor(&taps, 3, 3).expect("rank 1");
        assert_eq!(f.rank(), 1);
        assert_eq!(rebuild(&f, 3, 3), taps);
        assert_eq!(inverse_mod_2_64(9).wrapping_mul(9), 1);
    }

    #[test]
    fn extreme_values_factor_exactly_or_not_at_all() {
        let taps = [i64::MIN, i64::MIN, 0, i64::MIN, i64::MIN, 0, 1, 1, 0];
        if let Some(f) = LowRank::factor(&taps, 3, 3) {
            assert_eq!(rebuild(&f, 3, 3), taps);
        }
        let taps = [i64::MAX, -1, 7, i64::MAX, -1, 7, 2 * (i64::MAX / 2), -2, 14];
        if let Some(f) = LowRank::factor(&taps, 3, 3) {
            assert_eq!(rebuild(&f, 3, 3), taps);
        }
    }
}
