//! Transform sizes and the tiling of an output window: which `Nh x Nw`
//! blocks the FFT method cuts a call into. The tiling depends on the
//! shapes alone (never on the thread count), so the results do too.

/// The smallest side of a transform the tiling considers: below this,
/// a transform's fixed costs dominate.
const MIN_SIDE: usize = 32;

/// The largest side of a tile's transform when the kernel allows it
/// (`docs/FFT.md`, "Tile size"): a 512 x 512 `f32` block and its
/// spectrum stay within the 2 MiB L2 cache of the machines measured.
const MAX_SIDE: usize = 512;

/// Whether `n`'s only prime factors are 2, 3 and 5 (rustfft's fastest
/// radices), `n > 0`.
pub(crate) fn is_fast(n: usize) -> bool {
    if n == 0 {
        return false;
    }
    let mut n = n;
    for p in [2, 3, 5] {
        while n % p == 0 {
            n /= p;
        }
    }
    n == 1
}

/// The smallest even fast size at least `n` (even: realfft's even lengths
/// run a half-length complex transform), or `None` on overflow.
pub(crate) fn fast_at_least(n: usize) -> Option<usize> {
    let mut m = n.max(2);
    loop {
        if m % 2 == 0 && is_fast(m) {
            return Some(m);
        }
        m = m.checked_add(1)?;
    }
}

/// How a call's output window is cut into tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tiling {
    /// The transform size of every tile, `(Nh, Nw)`.
    pub size: (usize, usize),
    /// The outputs of a whole tile, `(Nh - kh + 1, Nw - kw + 1)`; the
    /// last row and column of tiles may be smaller.
    pub tile: (usize, usize),
    /// Tiles down and across.
    pub count: (usize, usize),
}

impl Tiling {
    /// The number of tiles.
    pub(crate) fn tiles(&self) -> usize {
        self.count.0.saturating_mul(self.count.1)
    }

    /// The modelled cost of the whole call, in units of one real
    /// multiply-add of the direct method (see [`tile_cost`]).
    pub(crate) fn cost(&self, kernel: (usize, usize)) -> f64 {
        self.tiles() as f64 * tile_cost(self.size, kernel)
    }
}

/// The modelled cost of one tile of transform size `(nh, nw)`, in units
/// whose time `crate::tuning::fft_ns` gives: the butterflies (`N log2 N`),
/// the block copy, the product and the transposes (`4 N`), about 100 per
/// transform call (`Nh` row transforms each way, the column batch) and
/// 2000 per tile (buffers, the border map). Fitted on 1000 x 1000 `f32`
/// calls with 16 to 512 sides (`docs/FFT.md`, "Cost model").
pub(crate) fn tile_cost((nh, nw): (usize, usize), _kernel: (usize, usize)) -> f64 {
    let n = (nh * nw) as f64;
    // Sizes with factors 3 and 5 run slower per point than powers of two.
    let radix = |m: usize| if m.is_power_of_two() { 1.0f64 } else { 1.15 };
    let calls = (2 * nh + nw / 2 + 1) as f64;
    n * (n.log2() * radix(nh).max(radix(nw)) + 4.0) + 100.0 * calls + 2000.0
}

/// A lower bound of [`Tiling::cost`] over every tiling of an `out`-shaped
/// window for a `kernel`-shaped kernel (0 for an empty window): a tile of
/// `N = Nh x Nw` points costs at least `N (log2 N + 4)` ([`tile_cost`]) and
/// yields at most `N` outputs, and `N >= max(kh kw, 4)` (sides even, at
/// least the kernel's), so the call costs at least `outputs (log2
/// max(kh kw, 4) + 4)`. `Method::Auto` skips the tiling search when even
/// this loses.
pub(crate) fn cost_floor(out: (usize, usize), kernel: (usize, usize)) -> f64 {
    let outputs = out.0 as f64 * out.1 as f64;
    let n = (kernel.0 as f64 * kernel.1 as f64).max(4.0);
    outputs * (n.log2() + 4.0)
}

/// Fast even sizes from `lo` to `hi` (both included), ascending.
fn fast_sizes(lo: usize, hi: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut n = lo;
    while let Some(m) = fast_at_least(n) {
        if m > hi {
            break;
        }
        sizes.push(m);
        n = m + 1;
    }
    sizes
}

/// The candidate transform sides for an axis with `out` outputs and a
/// kernel of `k` taps: from the smallest that computes at least one
/// output up to the one that covers the axis in one tile, capped at
/// [`MAX_SIDE`] unless the kernel itself needs more (then up to twice the
/// kernel, so that a tile still yields about as many outputs as it has
/// taps).
fn sides(out: usize, k: usize) -> Option<Vec<usize>> {
    let whole = fast_at_least(out.checked_add(k)? - 1)?;
    let lo = k.max(MIN_SIDE).min(whole);
    let cap = MAX_SIDE.max(fast_at_least(k.checked_mul(2)?)?);
    Some(fast_sizes(lo, whole.min(cap).max(lo)))
}

/// The tiling of an `out`-shaped window for a `kernel`-shaped kernel with
/// the least modelled cost, or `None` if the sizes overflow.
pub(crate) fn tiling(out: (usize, usize), kernel: (usize, usize)) -> Option<Tiling> {
    let rows = sides(out.0, kernel.0)?;
    let cols = sides(out.1, kernel.1)?;
    let mut best: Option<(f64, Tiling)> = None;
    for &nh in &rows {
        for &nw in &cols {
            let tile = (nh + 1 - kernel.0, nw + 1 - kernel.1);
            let t = Tiling {
                size: (nh, nw),
                tile,
                count: (out.0.div_ceil(tile.0), out.1.div_ceil(tile.1)),
            };
            let cost = t.cost(kernel);
            if best.map_or(true, |(c, _)| cost < c) {
                best = Some((cost, t));
            }
        }
    }
    best.map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_sizes_are_even_products_of_two_three_five() {
        assert_eq!(fast_at_least(1), Some(2));
        assert_eq!(fast_at_least(31), Some(32));
        assert_eq!(fast_at_least(97), Some(100));
        assert_eq!(fast_at_least(257), Some(270));
        assert!(is_fast(486) && !is_fast(14));
        assert_eq!(fast_at_least(usize::MAX), None);
    }

    #[test]
    fn tilings_cover_the_window_and_fit_the_kernel() {
        // Miri interprets every step: the small shapes cover the same code.
        let outs: &[(usize, usize)] = if cfg!(miri) {
            &[(1, 1), (7, 300), (90, 40)]
        } else {
            &[(1, 1), (7, 300), (1030, 1030), (4126, 4126), (5000, 3)]
        };
        let kernels: &[(usize, usize)] = if cfg!(miri) {
            &[(1, 1), (3, 5), (40, 2)]
        } else {
            &[(1, 1), (3, 5), (31, 31), (63, 63), (127, 127), (700, 2)]
        };
        for &out in outs {
            for &kernel in kernels {
                let t = tiling(out, kernel).unwrap();
                assert!(t.tile.0 >= 1 && t.tile.1 >= 1, "{out:?} {kernel:?} {t:?}");
                assert_eq!(t.size.0 + 1 - kernel.0, t.tile.0);
                assert!(t.count.0 * t.tile.0 >= out.0 && t.count.1 * t.tile.1 >= out.1);
                assert!(is_fast(t.size.0) && t.size.1 % 2 == 0 && is_fast(t.size.1));
            }
        }
        assert!(tiling((usize::MAX, 1), (2, 2)).is_none());
    }

    #[test]
    fn the_cost_floor_is_below_every_tiling() {
        let outs: &[(usize, usize)] = if cfg!(miri) {
            &[(1, 1), (7, 30)]
        } else {
            &[
                (1, 1),
                (2, 9),
                (7, 300),
                (1000, 1000),
                (1030, 1030),
                (4096, 4096),
                (5000, 3),
            ]
        };
        for &out in outs {
            for &kernel in &[
                (1, 1),
                (1, 2),
                (3, 3),
                (2, 7),
                (31, 31),
                (63, 63),
                (127, 127),
                (700, 2),
            ] {
                let t = tiling(out, kernel).unwrap();
                let floor = cost_floor(out, kernel);
                assert!(
                    floor > 0.0 && floor <= t.cost(kernel),
                    "{out:?} {kernel:?}: {floor} > {}",
                    t.cost(kernel)
                );
            }
        }
        assert_eq!(cost_floor((0, 5), (3, 3)), 0.0);
    }
}
