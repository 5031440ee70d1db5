//! A long differential run: every dispatched backend against the scalar
//! reference over many random small cases (shapes, kernels 1..=9, modes,
//! borders, operations, strides, element types, overflowing and
//! non-finite values, the fused float mode and the low-rank integer path).
//!
//! Ignored by default; CI runs it in release mode:
//! `SIMDCONV_DIFF_CASES=1000000 cargo test --release --test differential -- --ignored`

use ndarray::{s, Array2, ArrayView2};
use simdconv::{Backend, Element, Filter2d, Rounding, Threads};

mod common;
use common::{borders, Bits, Rng, MODES, OPERATIONS};

trait Sample: Bits {
    fn sample(rng: &mut Rng) -> Self;
    /// A tap of a "narrow" kernel: for `i64`, one in `i32`'s range (edges
    /// included), which AVX-512 multiplies in two 32-bit halves.
    fn sample_narrow(rng: &mut Rng) -> Self {
        Self::sample(rng)
    }
    /// `self + rhs` in the type's arithmetic (integers wrap).
    fn plus(self, rhs: Self) -> Self;
}

impl Sample for f32 {
    fn plus(self, rhs: Self) -> Self {
        self + rhs
    }
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(40) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => -0.0,
            4 => f32::from_bits(1 + rng.below(1000) as u32), // subnormal
            5 => f32::MAX,
            6..=20 => (rng.below(17) as f32 - 8.0) * 0.5,
            _ => (rng.next() >> 40) as f32 / (1u64 << 23) as f32 * 2.0 - 1.0,
        }
    }
}

impl Sample for f64 {
    fn plus(self, rhs: Self) -> Self {
        self + rhs
    }
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(40) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -0.0,
            3 => f64::from_bits(1 + rng.below(1000) as u64),
            4 => f64::MAX / 2.0,
            5..=20 => (rng.below(17) as f64 - 8.0) * 0.25,
            _ => (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * 2e3 - 1e3,
        }
    }
}

impl Sample for i32 {
    fn plus(self, rhs: Self) -> Self {
        self.wrapping_add(rhs)
    }
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(4) {
            0 => rng.next() as i32,
            1 => [i32::MIN, i32::MAX, -1, 0, 1, 2, -4, 64][rng.below(8)],
            _ => rng.below(21) as i32 - 10,
        }
    }
}

impl Sample for i16 {
    fn plus(self, rhs: Self) -> Self {
        self.wrapping_add(rhs)
    }
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(4) {
            0 => rng.next() as i16,
            1 => [i16::MIN, i16::MAX, -1, 0, 1, 255, -4, 64][rng.below(8)],
            _ => rng.below(21) as i16 - 10,
        }
    }
}

impl Sample for i64 {
    fn plus(self, rhs: Self) -> Self {
        self.wrapping_add(rhs)
    }
    fn sample(rng: &mut Rng) -> Self {
        match rng.below(4) {
            0 => rng.next() as i64,
            1 => [i64::MIN, i64::MAX, -1, 0, 1, 8, -2, 1 << 40][rng.below(8)],
            _ => rng.below(21) as i64 - 10,
        }
    }
    fn sample_narrow(rng: &mut Rng) -> Self {
        match rng.below(4) {
            0 => rng.next() as i32 as i64,
            1 => [i32::MIN as i64, i32::MAX as i64, -1, 0, 1, 3, -7, 1 << 30][rng.below(8)],
            _ => rng.below(21) as i64 - 10,
        }
    }
}

fn random_array<T: Sample>(rng: &mut Rng, rows: usize, cols: usize) -> Array2<T> {
    Array2::from_shape_fn((rows, cols), |_| T::sample(rng))
}

/// A kernel that is a sum of one or two outer products (low-rank path for
/// integers; half their columns arithmetic progressions), or a random one,
/// of any taps or of narrow ones.
fn random_kernel<T: Sample>(rng: &mut Rng, rows: usize, cols: usize) -> Array2<T> {
    match rng.below(6) {
        0 | 1 => return Array2::from_shape_fn((rows, cols), |_| T::sample_narrow(rng)),
        2 | 3 => return random_array(rng, rows, cols),
        _ => {}
    }
    let mut k = Array2::from_elem((rows, cols), T::zero());
    for _ in 0..1 + rng.below(2) {
        // Half the column factors are arithmetic progressions, whose
        // integer column passes run by recurrence.
        let u: Vec<T> = if rng.below(2) == 0 {
            let (first, step) = (T::sample_narrow(rng), T::sample_narrow(rng));
            core::iter::successors(Some(first), |&t| Some(t.plus(step)))
                .take(rows)
                .collect()
        } else {
            (0..rows).map(|_| T::sample(rng)).collect()
        };
        let v: Vec<T> = (0..cols).map(|_| T::sample(rng)).collect();
        for ((i, j), x) in k.indexed_iter_mut() {
            *x = u[i].mul_add_ref(v[j], *x);
        }
    }
    k
}

/// Runs `f` on `a` presented with one of several layouts.
fn presented<T: Element, R>(
    a: &Array2<T>,
    layout: usize,
    f: impl FnOnce(ArrayView2<'_, T>) -> R,
) -> R {
    match layout {
        0 => f(a.view()),
        1 => {
            let t = a.t().as_standard_layout().into_owned();
            f(t.t())
        }
        2 => {
            let rev = a.slice(s![..;-1, ..;-1]).to_owned();
            f(rev.slice(s![..;-1, ..;-1]))
        }
        _ => {
            let (r, c) = a.dim();
            let mut big = Array2::from_elem((2 * r, 2 * c), T::zero());
            big.slice_mut(s![..;2, 1..;2]).assign(a);
            f(big.slice(s![..;2, 1..;2]))
        }
    }
}

fn one_case<T: Sample>(rng: &mut Rng, backends: &[Backend]) -> Result<(), String> {
    // One case in eight has wide rows, whose interior the pipeline reads in
    // place (and which reach the kernels' full register tiles).
    let wide = rng.below(8) == 0;
    let (h, w) = if wide {
        (1 + rng.below(8), 40 + rng.below(260))
    } else {
        (1 + rng.below(24), 1 + rng.below(40))
    };
    let (kh, kw) = (1 + rng.below(9), 1 + rng.below(9));
    let image: Array2<T> = random_array(rng, h, w);
    let kernel: Array2<T> = random_kernel(rng, kh, kw);
    let op = OPERATIONS[rng.below(2)];
    let mode = MODES[rng.below(3)];
    let border = borders(T::sample(rng))[rng.below(5)];
    let fused = rng.below(8) == 0;
    let layout = rng.below(4);
    let base = Filter2d::new(kernel.view(), op)
        .map_err(|e| e.to_string())?
        .mode(mode)
        .border(border)
        .rounding(if fused {
            Rounding::Fused
        } else {
            Rounding::Separate
        })
        .threads(Threads::Single);
    let reference = presented(&image, 0, |f| {
        base.clone().backend(Backend::Scalar).apply(f)
    });
    for &backend in backends {
        let got = presented(&image, layout, |f| base.clone().backend(backend).apply(f));
        match (&reference, got) {
            (Err(a), Err(b)) if *a == b => {}
            (Ok(a), Ok(b)) => {
                if let Some(k) = a.iter().zip(&b).position(|(&x, &y)| !T::same_bits(x, y)) {
                    return Err(format!(
                        "{backend} differs from scalar at flat index {k}: {h}x{w} image, {kh}x{kw} kernel, \
                         {op:?} {mode:?} {border:?} fused={fused} layout={layout}\nkernel {kernel:?}"
                    ));
                }
            }
            (a, b) => return Err(format!("{backend}: {a:?} vs {b:?}")),
        }
    }
    Ok(())
}

#[test]
#[ignore = "long: run in release with SIMDCONV_DIFF_CASES (CI runs 1,000,000)"]
fn every_backend_matches_scalar_on_random_cases() {
    let total: usize = std::env::var("SIMDCONV_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let seed: u64 = std::env::var("SIMDCONV_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_C0DE);
    let backends: Vec<Backend> = Backend::available()
        .into_iter()
        .filter(|&b| b != Backend::Scalar)
        .collect();
    let mut rng = Rng::new(seed);
    let start = std::time::Instant::now();
    let mut failures = Vec::new();
    for case in 0..total {
        let result = match case % 5 {
            0 => one_case::<f32>(&mut rng, &backends),
            1 => one_case::<f64>(&mut rng, &backends),
            2 => one_case::<i32>(&mut rng, &backends),
            3 => one_case::<i16>(&mut rng, &backends),
            _ => one_case::<i64>(&mut rng, &backends),
        };
        if let Err(e) = result {
            failures.push(format!("case {case}: {e}"));
            if failures.len() >= 10 {
                break;
            }
        }
    }
    println!(
        "differential: {total} cases x {} backends ({}) against scalar, seed {seed:#x}, {:.1} s",
        backends.len(),
        backends
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>()
            .join(", "),
        start.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_short_differential_run() {
    let backends: Vec<Backend> = Backend::available()
        .into_iter()
        .filter(|&b| b != Backend::Scalar)
        .collect();
    let mut rng = Rng::new(42);
    for case in 0..400 {
        let result = match case % 5 {
            0 => one_case::<f32>(&mut rng, &backends),
            1 => one_case::<f64>(&mut rng, &backends),
            2 => one_case::<i32>(&mut rng, &backends),
            3 => one_case::<i16>(&mut rng, &backends),
            _ => one_case::<i64>(&mut rng, &backends),
        };
        result.unwrap();
    }
}
