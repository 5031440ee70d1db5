//! Kernels as sums of outer products: the exact low-rank form of integer
//! kernels, and the rank-one (separable) factors of float kernels for
//! [`Method::Separable`](crate::Method::Separable). Both run as column
//! passes and then one row pass (see `pipeline::FactoredStage`).
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
//! column passes and one row pass it gives the direct result bit for bit,
//! wrap-around included, with `r * (kh + kw)` multiply-adds per output
//! instead of `kh * kw`. (The seed's `arange(81)` 9x9 kernel has rank 2:
//! 36 instead of 81.) Floats do not get this path: a different order of
//! operations rounds differently.

use crate::arith::Arith;
use crate::kernels::taps::TapClass;
use crate::kernels::Taps;

/// A factorisation `K = sum_c u_c v_c^T` of an integer kernel, exact in
/// the element type's wrapping arithmetic.
///
/// The pipeline evaluates it column pass first: `T_c = u_c (kh x 1)`
/// applied to the padded rows, one output row per band row for each
/// component, then one row pass over the components' rows laid side by
/// side, `out = sum_c v_c (1 x kw) * T_c` (see [`Factors::row_pass_taps`]).
/// Both passes are ordinary row-kernel calls over whole bands.
#[derive(Clone, Debug)]
pub(crate) struct Factors<T> {
    rank: usize,
    kw: usize,
    /// The row vectors `v_c`, one after another (`rank * kw`).
    row_vectors: Vec<T>,
    /// The column vectors `u_c`, each a `kh x 1` kernel.
    column_taps: Vec<Taps<T>>,
}

impl<T: Arith> Factors<T> {
    /// Factors the effective kernel `taps` (`kh x kw`, row-major) if it is
    /// an integer kernel whose rank `r` makes the two passes cheaper
    /// (`r * (kh + kw) < kh * kw`), at most [`MAX_EXACT_RANK`], and integer
    /// factors can be found.
    ///
    /// The search is bounded so that building a filter stays cheap for
    /// any kernel: the kernel's rank modulo 2 (a lower bound on the terms
    /// any factorisation modulo 2^bits needs, found by bit-parallel
    /// elimination in `O(kh kw min(kh, kw) / 64)`) rules out most kernels
    /// without a low-rank form at once, and the exact elimination stops
    /// after [`MAX_EXACT_RANK`] terms.
    pub(crate) fn exact_integer(taps: &[T], kh: usize, kw: usize) -> Option<Self> {
        let max_rank = ((kh * kw).saturating_sub(1) / (kh + kw)).min(MAX_EXACT_RANK);
        if max_rank == 0 {
            return None;
        }
        if rank_mod_2_exceeds(taps, kh, kw, max_rank)? {
            return None;
        }
        // Work modulo 2^64 (a multiple of the element's modulus): reduce to
        // the element's width after every step.
        let reduce = |x: u64| {
            T::from_int_wrapping(i128::from(x as i64))
                .to_exact_int()
                .map(|v| v as u64)
        };
        // (Fallible: the kernel may be as large as memory allows.)
        let mut m: Vec<u64> = crate::alloc::with_capacity(taps.len(), "the factor search").ok()?;
        for t in taps {
            m.push(t.to_exact_int()? as u64);
        }
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
        let bits = 8 * core::mem::size_of::<T>() as u32;
        cheapen(&mut us, &mut vs, bits, |x| reduce(x).unwrap_or(x));
        let cast = |x: &u64| T::from_int_wrapping(i128::from(*x as i64));
        let rank = us.len();
        let row_taps: Vec<T> = vs.iter().flatten().map(cast).collect();
        let column_taps: Vec<T> = us.iter().flatten().map(cast).collect();
        // The elimination is exact by construction; check the
        // reconstruction in the element type too, so nothing rests on that
        // argument alone.
        let rebuilt_ok = (0..kh).all(|i| {
            (0..kw).all(|j| {
                let mut acc = T::ZERO;
                for c in 0..rank {
                    acc = column_taps[c * kh + i].mul_then_add(row_taps[c * kw + j], acc);
                }
                acc == taps[i * kw + j]
            })
        });
        rebuilt_ok.then(|| Factors {
            rank,
            kw,
            row_vectors: row_taps,
            column_taps: column_taps
                .chunks(kh)
                .map(|u| Taps::new(u.to_vec(), kh, 1))
                .collect(),
        })
    }

    /// A float kernel that is one outer product `u v^T` up to its own
    /// rounding, for the opt-in separable path: the pivot `p, q` is the
    /// largest tap, `v` is its row and `u` its column divided by it (so
    /// `u[p] = 1`), both in the element type. Accepted when every tap
    /// equals `u[i] * v[j]` within [`SEPARABLE_TOLERANCE`] epsilons of the
    /// largest tap (computed in f64, exactly for f32 factors); `None`
    /// otherwise, and for integers (their exact path is [`Factors::exact_integer`]).
    pub(crate) fn separable_float(taps: &[T], kh: usize, kw: usize) -> Option<Self> {
        let eps = T::float_epsilon()?;
        if kh * kw <= kh + kw {
            return None; // 1 x n, n x 1 and 2 x 2 kernels cannot gain
        }
        let k: Vec<f64> = taps.iter().map(|&t| t.float_value()).collect();
        if k.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let (pivot, &largest) = k
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
        if largest == 0.0 {
            return None;
        }
        let (p, q) = (pivot / kw, pivot % kw);
        let u: Vec<T> = (0..kh)
            .map(|i| T::from_float_value(k[i * kw + q] / largest))
            .collect();
        let v: Vec<T> = taps[p * kw..(p + 1) * kw].to_vec();
        let residual = (0..kh * kw)
            .map(|t| (k[t] - u[t / kw].float_value() * v[t % kw].float_value()).abs())
            .fold(0.0, f64::max);
        (residual <= SEPARABLE_TOLERANCE * eps * largest.abs()).then(|| Factors {
            rank: 1,
            kw,
            row_vectors: v,
            column_taps: vec![Taps::new(u, kh, 1)],
        })
    }

    /// The one outer product `u v^T` of a column kernel `u` and a row
    /// kernel `v` given as such (a filter built from 1-D kernels): no
    /// search, no tolerance, the factors are the definition.
    pub(crate) fn rank_one(u: Vec<T>, v: Vec<T>) -> Self {
        let (kh, kw) = (u.len(), v.len());
        Factors {
            rank: 1,
            kw,
            row_vectors: v,
            column_taps: vec![Taps::new(u, kh, 1)],
        }
    }

    /// The number of outer products.
    pub(crate) fn rank(&self) -> usize {
        self.rank
    }

    /// The row vector of component `c` (`kw` taps).
    pub(crate) fn row_vector(&self, c: usize) -> &[T] {
        &self.row_vectors[c * self.kw..(c + 1) * self.kw]
    }

    /// The column vector of component `c`, as a `kh x 1` kernel.
    pub(crate) fn column_taps(&self, c: usize) -> &Taps<T> {
        &self.column_taps[c]
    }

    /// The row pass over the components' column-pass rows laid side by
    /// side, component `c` starting `c * segment` elements into the row: a
    /// `1 x ((rank - 1) * segment + kw)` kernel whose only nonzero taps are
    /// `v_c[j]` at `c * segment + j * step` (`step` > 1: the channels of an
    /// interleaved image). The integer row kernels run its tap program,
    /// which skips the zeros.
    pub(crate) fn row_pass_taps(&self, segment: usize, step: usize) -> Taps<T> {
        let kw = self.kw;
        let mut dense = vec![T::ZERO; (self.rank - 1) * segment + (kw - 1) * step + 1];
        for (c, v) in self.row_vectors.chunks(kw).enumerate() {
            for (j, &t) in v.iter().enumerate() {
                dense[c * segment + j * step] = t;
            }
        }
        let len = dense.len();
        Taps::new(dense, 1, len)
    }
}

/// The most outer products an exact integer factorisation may have. Real
/// kernels of low rank have a few (Sobel and box sums 1, the seed's
/// `arange` 2); each term costs a column pass, and a cap keeps the
/// search's cost (one `O(kh kw)` elimination step per term) small next to
/// building the taps, for any kernel.
pub(crate) const MAX_EXACT_RANK: usize = 32;

/// Whether the rank over GF(2) of `K / 2^s` exceeds `limit`, with `2^s`
/// the largest power of two dividing every tap; `None` for a float kernel.
///
/// Any factorisation `K = U V^T` modulo 2^bits is one modulo 2 as well, so
/// for odd kernels (`s = 0`) that rank bounds the number of terms from
/// below. For `K = 2^s K'` it does too while `s` times that rank stays
/// below the width (the `2^s K'` minors are then nonzero), which covers
/// every kernel of small integers; a rare kernel beyond that may have a
/// factorisation this misses, which costs speed, never bits. Kernels in
/// general position are ruled out here without the exact search.
fn rank_mod_2_exceeds<T: Arith>(taps: &[T], kh: usize, kw: usize, limit: usize) -> Option<bool> {
    let mut shift = u32::MAX;
    for t in taps {
        let v = t.to_exact_int()? as u64;
        if v != 0 {
            shift = shift.min(v.trailing_zeros());
        }
    }
    if shift == u32::MAX {
        return Some(false); // all zero: rank 0
    }
    // Rows of the smaller side as bit sets over the larger side.
    let (rows, cols, at) = if kh <= kw {
        (
            kh,
            kw,
            (|i, j, kw| i * kw + j) as fn(usize, usize, usize) -> usize,
        )
    } else {
        (
            kw,
            kh,
            (|i, j, kw| j * kw + i) as fn(usize, usize, usize) -> usize,
        )
    };
    let words = cols.div_ceil(64);
    let mut bits: Vec<u64> = crate::alloc::with_capacity(rows * words, "the factor search").ok()?;
    bits.resize(rows * words, 0);
    for i in 0..rows {
        for j in 0..cols {
            let odd = (taps[at(i, j, kw)].to_exact_int()? as u64 >> shift) & 1 == 1;
            bits[i * words + j / 64] |= u64::from(odd) << (j % 64);
        }
    }
    let mut rank = 0;
    for col in 0..cols {
        let (w, b) = (col / 64, 1u64 << (col % 64));
        let Some(pivot) = (rank..rows).find(|&r| bits[r * words + w] & b != 0) else {
            continue;
        };
        for k in 0..words {
            bits.swap(pivot * words + k, rank * words + k);
        }
        for r in rank + 1..rows {
            if bits[r * words + w] & b != 0 {
                for k in w..words {
                    let x = bits[rank * words + k];
                    bits[r * words + k] ^= x;
                }
            }
        }
        rank += 1;
        if rank > limit {
            return Some(true);
        }
    }
    Some(false)
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

/// How far (in epsilons of the largest tap) a float kernel may be from an
/// outer product to be taken as separable: a kernel built as `u v^T` in
/// floating point is within one rounding of one.
pub(crate) const SEPARABLE_TOLERANCE: f64 = 4.0;

/// What a tap costs a vector kernel's tap program, roughly in vector-pipe
/// slots: nothing for a zero, an add for +-1, a shift and an add for
/// +-2^s, a multiply (two slots: 64-bit multiplies run at half the rate of
/// adds, or slower) and an add for the rest.
fn tap_cost(x: u64, bits: u32) -> u32 {
    match TapClass::of(i128::from(x as i64), bits) {
        TapClass::Zero => 0,
        TapClass::Plus | TapClass::Minus => 1,
        TapClass::Shift(_) | TapClass::ShiftMinus(_) => 2,
        TapClass::Multiply => 4,
    }
}

/// One step of [`cheapen`]: the new `u_c` and `v_d` (`c == d`: a scaling).
struct Move {
    gain: u32,
    c: usize,
    d: usize,
    u: Vec<u64>,
    v: Vec<u64>,
}

/// Above this rank the search for cheaper factors is skipped (its cost
/// grows with the square of the rank; such kernels are rare).
const MAX_SEARCH_RANK: usize = 6;

/// Rewrites the factors `us`, `vs` (entries already reduced to the element
/// type, as sign-extended u64) into cheaper ones with the same product.
///
/// `sum_c u_c v_c^T` is unchanged by `v_d += t v_c, u_c -= t u_d` (any
/// integer `t`, `c != d`) and by `u_c *= s, v_c *= s^-1` (odd `s`,
/// invertible modulo 2^bits): a greedy search applies the move that lowers
/// the total [`tap_cost`] most, while one does. Candidate `t` and `s` are
/// the ones that turn an entry into 0, +-1 or a small power of two. The
/// seed's kernel goes from 23 general multiplies to 10 (`u = 1`, `v = 4 -
/// j` and `u = 76 - 9i`, `v = 1`). The caller re-checks the product.
fn cheapen(us: &mut [Vec<u64>], vs: &mut [Vec<u64>], bits: u32, reduce: impl Fn(u64) -> u64) {
    let rank = us.len();
    if !(2..=MAX_SEARCH_RANK).contains(&rank) {
        return;
    }
    let cost = |v: &[u64]| v.iter().map(|&x| tap_cost(x, bits)).sum::<u32>();
    const TARGETS: [i128; 9] = [0, 1, -1, 2, -2, 4, -4, 8, -8];
    // t with a + t * b == target, exactly in the integers.
    let solve = |a: u64, b: u64, target: i128| -> Option<u64> {
        let (a, b) = (i128::from(a as i64), i128::from(b as i64));
        (b != 0 && (target - a) % b == 0).then(|| ((target - a) / b) as i64 as u64)
    };
    let axpy = |y: &[u64], t: u64, x: &[u64]| -> Vec<u64> {
        y.iter()
            .zip(x)
            .map(|(&y, &x)| reduce(y.wrapping_add(t.wrapping_mul(x))))
            .collect()
    };
    let scale =
        |v: &[u64], s: u64| -> Vec<u64> { v.iter().map(|&x| reduce(x.wrapping_mul(s))).collect() };
    for _ in 0..32 {
        let mut best: Option<Move> = None;
        let mut consider = |gain: u32, c: usize, d: usize, u: Vec<u64>, v: Vec<u64>| {
            if gain > 0 && best.as_ref().map_or(true, |b| gain > b.gain) {
                best = Some(Move { gain, c, d, u, v });
            }
        };
        for c in 0..rank {
            for d in 0..rank {
                if c == d {
                    continue;
                }
                let mut ts: Vec<u64> = Vec::new();
                for target in TARGETS {
                    // Entries of v_d + t v_c, and of u_c - t u_d.
                    ts.extend((0..vs[d].len()).filter_map(|j| solve(vs[d][j], vs[c][j], target)));
                    ts.extend(
                        (0..us[c].len())
                            .filter_map(|i| solve(us[c][i], us[d][i], target))
                            .map(u64::wrapping_neg),
                    );
                }
                ts.sort_unstable();
                ts.dedup();
                let before = cost(&us[c]) + cost(&vs[d]);
                for t in ts.into_iter().filter(|&t| t != 0) {
                    let v = axpy(&vs[d], t, &vs[c]);
                    let u = axpy(&us[c], t.wrapping_neg(), &us[d]);
                    let after = cost(&u) + cost(&v);
                    consider(before.saturating_sub(after), c, d, u, v);
                }
            }
            // Scalings by odd entries (and -1), either way round.
            let before = cost(&us[c]) + cost(&vs[c]);
            let mut ss: Vec<u64> = us[c]
                .iter()
                .chain(&vs[c])
                .copied()
                .filter(|x| x & 1 == 1)
                .collect();
            ss.sort_unstable();
            ss.dedup();
            for s in ss {
                let inv = reduce(inverse_mod_2_64(s));
                for (a, b) in [(s, inv), (inv, s)] {
                    let u = scale(&us[c], a);
                    let v = scale(&vs[c], b);
                    let after = cost(&u) + cost(&v);
                    consider(before.saturating_sub(after), c, c, u, v);
                }
            }
        }
        let Some(Move { c, d, u, v, .. }) = best else {
            return;
        };
        us[c] = u;
        vs[d] = v;
    }
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

    fn rebuild(f: &Factors<i64>, kh: usize, kw: usize) -> Vec<i64> {
        let mut out = vec![0i64; kh * kw];
        for c in 0..f.rank() {
            for i in 0..kh {
                for j in 0..kw {
                    let u = f.column_taps(c).dense()[i];
                    let v = f.row_vectors[c * kw + j];
                    out[i * kw + j] = out[i * kw + j].wrapping_add(u.wrapping_mul(v));
                }
            }
        }
        out
    }

    #[test]
    fn the_seed_kernel_has_rank_two() {
        let taps: Vec<i64> = (0..81).rev().collect(); // flipped arange(81)
        let f = Factors::exact_integer(&taps, 9, 9).expect("rank 2");
        assert_eq!(f.rank(), 2);
        assert_eq!(rebuild(&f, 9, 9), taps);
    }

    /// General multiplies (taps that are not 0, +-1 or +-2^s) of all factors.
    fn multiplies(f: &Factors<i64>) -> usize {
        let general = |x: &i64| tap_cost(*x as u64, 64) == 4;
        let columns: usize = (0..f.rank())
            .map(|c| {
                f.column_taps(c)
                    .dense()
                    .iter()
                    .filter(|x| general(x))
                    .count()
            })
            .sum();
        columns + f.row_vectors.iter().filter(|x| general(x)).count()
    }

    #[test]
    #[cfg_attr(miri, ignore = "safe integer arithmetic only, minutes under Miri")]
    fn the_seed_kernel_gets_cheap_factors() {
        // Elimination alone gives 23 general multiplies per output; the
        // search finds u = 1, v = 4 - j and u = 76 - 9i, v = 1 (or as good).
        let taps: Vec<i64> = (0..81).rev().collect();
        let f = Factors::exact_integer(&taps, 9, 9).expect("rank 2");
        assert!(multiplies(&f) <= 10, "{} multiplies: {f:?}", multiplies(&f));
        assert_eq!(rebuild(&f, 9, 9), taps);
        // The same kernel in i32 arithmetic.
        let taps32: Vec<i32> = (0..81).rev().collect();
        let f32 = Factors::exact_integer(&taps32, 9, 9).expect("rank 2");
        assert_eq!(f32.rank(), 2);
    }

    #[test]
    fn rank_mod_2_bounds_the_search() {
        // The checkerboard i + j mod 2 has rank 2 over GF(2); its
        // transpose too.
        let taps: Vec<i64> = (0..35).map(|t| (t / 7 + t % 7) as i64).collect();
        assert_eq!(rank_mod_2_exceeds(&taps, 5, 7, 2), Some(false));
        assert_eq!(rank_mod_2_exceeds(&taps, 5, 7, 1), Some(true));
        assert_eq!(rank_mod_2_exceeds(&taps, 7, 5, 1), Some(true));
        // Odd-heavy pseudo-random taps over 70 columns (two words a row):
        // full rank, and floats have none.
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let random: Vec<i32> = (0..9 * 70)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                s as i32
            })
            .collect();
        assert_eq!(rank_mod_2_exceeds(&random, 9, 70, 8), Some(true));
        assert_eq!(rank_mod_2_exceeds(&random, 70, 9, 8), Some(true));
        assert!(Factors::exact_integer(&random, 9, 70).is_none());
        assert_eq!(rank_mod_2_exceeds(&[1.0f32; 9], 3, 3, 1), None);
        // An even kernel is bounded through its odd part, and is still
        // factored exactly when it has low rank.
        let even: Vec<i64> = (0..100)
            .map(|t| 2 * ((t / 10) * 3 + 1) * ((t % 10) + 5))
            .collect();
        assert_eq!(rank_mod_2_exceeds(&even, 10, 10, 1), Some(false));
        let doubled: Vec<i64> = random.iter().map(|&v| 4 * i64::from(v)).collect();
        assert_eq!(rank_mod_2_exceeds(&doubled, 9, 70, 8), Some(true));
        assert_eq!(rank_mod_2_exceeds(&[0i32; 6], 2, 3, 0), Some(false));
        let f = Factors::exact_integer(&even, 10, 10).expect("rank 1");
        assert_eq!((f.rank(), rebuild(&f, 10, 10)), (1, even));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "safe integer arithmetic only, a 136 x 136 kernel: minutes under Miri"
    )]
    fn kernels_of_rank_above_the_cap_run_direct() {
        // A sum of MAX_EXACT_RANK + 1 outer products of independent odd
        // vectors on a kernel large enough that the rank would pay.
        let n = 4 * (MAX_EXACT_RANK + 2);
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 7) as i64 - 3
        };
        let mut taps = vec![0i64; n * n];
        for term in 0..=MAX_EXACT_RANK {
            let u: Vec<i64> = (0..n).map(|i| if i == term { 1 } else { next() }).collect();
            let v: Vec<i64> = (0..n).map(|j| if j == term { 1 } else { next() }).collect();
            for i in 0..n {
                for j in 0..n {
                    taps[i * n + j] += u[i] * v[j];
                }
            }
        }
        assert!(Factors::exact_integer(&taps, n, n).is_none());
    }

    #[test]
    fn separable_kernels_have_rank_one() {
        // Sobel: [1 2 1]^T [-1 0 1].
        let taps = [-1i64, 0, 1, -2, 0, 2, -1, 0, 1];
        let f = Factors::exact_integer(&taps, 3, 3).expect("rank 1");
        assert_eq!(f.rank(), 1);
        assert_eq!(rebuild(&f, 3, 3), taps);
    }

    #[test]
    fn full_rank_and_float_kernels_are_not_factored() {
        let identity: Vec<i64> = (0..25).map(|k| i64::from(k % 6 == 0)).collect();
        assert!(Factors::exact_integer(&identity, 5, 5).is_none());
        assert!(Factors::<f32>::exact_integer(&[1.0; 9], 3, 3).is_none());
        // 1 x n and 2 x 2 kernels cannot gain.
        assert!(Factors::exact_integer(&[1i32, 2, 3], 1, 3).is_none());
        assert!(Factors::exact_integer(&[1i32, 2, 2, 4], 2, 2).is_none());
        assert!(Factors::exact_integer(&[0i32; 9], 3, 3).is_none());
    }

    #[test]
    fn rank_one_without_a_dividing_pivot() {
        // [2 3]^T [2 3]: no entry divides its row or column over the
        // integers, but 9 is odd, so invertible modulo 2^64.
        let taps = [4i64, 6, 0, 6, 9, 0, 0, 0, 0];
        let f = Factors::exact_integer(&taps, 3, 3).expect("rank 1");
        assert_eq!(f.rank(), 1);
        assert_eq!(rebuild(&f, 3, 3), taps);
        assert_eq!(inverse_mod_2_64(9).wrapping_mul(9), 1);
    }

    #[test]
    fn extreme_values_factor_exactly_or_not_at_all() {
        let taps = [i64::MIN, i64::MIN, 0, i64::MIN, i64::MIN, 0, 1, 1, 0];
        if let Some(f) = Factors::exact_integer(&taps, 3, 3) {
            assert_eq!(rebuild(&f, 3, 3), taps);
        }
        let taps = [i64::MAX, -1, 7, i64::MAX, -1, 7, 2 * (i64::MAX / 2), -2, 14];
        if let Some(f) = Factors::exact_integer(&taps, 3, 3) {
            assert_eq!(rebuild(&f, 3, 3), taps);
        }
    }
}
