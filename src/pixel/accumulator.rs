//! Which accumulator a kernel gets, chosen once when the filter is built:
//! integer kernels accumulate exactly, in `i32` when every sum the image
//! type allows fits, else in `i64`; float kernels accumulate in their own
//! type (`f32`, or `f64` when the kernel is `f64`) in the reference's tap
//! order, so every backend and thread count gives the same bits.
//!
//! One more integer accumulator serves the common image kernels: when
//! every sum the pixel type allows lies in a range `[lo, lo + 2^16)` (a
//! `u8` image under taps whose absolute values sum to at most 257: blurs
//! summing to 256, Sobel, Scharr, box filters), the sums are computed in
//! wrapping 16-bit lanes, twice as many per vector as `i32`. Wrapping
//! arithmetic is exact modulo 2^16 (the map from the integers to the
//! integers modulo 2^16 respects sums and products, whatever the order),
//! and a residue names exactly one integer of the range, so the sum is
//! recovered exactly: `S = lo + ((a - lo) mod 2^16)`. It is never a
//! silent wrap: the result is the exact sum, as with `i32`.

use ndarray::{ArrayView1, ArrayView2};

use super::Pixel;
use crate::element::Element;
use crate::error::Error;
use crate::filter::Filter2d;
use crate::geometry::Operation;

/// A kernel tap type [`ImageFilter`](super::ImageFilter) takes: integer
/// taps `i16` / `i32` / `i64` (exact sums), float taps `f32` / `f64` (sums in that
/// type).
pub trait Tap: Copy + Send + Sync + 'static + super::sealed::Sealed + private::Taps {}

impl Tap for i16 {}
impl Tap for i32 {}
impl Tap for i64 {}
impl Tap for f32 {}
impl Tap for f64 {}

/// The filter of one accumulator type, with the kernel already in it.
#[derive(Clone, Debug)]
pub enum Engine {
    /// Wrapping 16-bit sums of a range of fewer than 2^16 integers (see
    /// the module documentation).
    I16(Filter2d<i16>, Sums),
    I32(Filter2d<i32>, Sums),
    I64(Filter2d<i64>),
    F32(Filter2d<f32>),
    F64(Filter2d<f64>),
}

impl Engine {
    /// The accumulator's type name.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Engine::I16(..) => "i16",
            Engine::I32(..) => "i32",
            Engine::I64(_) => "i64",
            Engine::F32(_) => "f32",
            Engine::F64(_) => "f64",
        }
    }
}

/// The range `[lo, hi]` of every sum the pixel type allows.
#[derive(Clone, Copy, Debug)]
pub struct Sums {
    pub(crate) lo: i64,
    pub(crate) hi: i64,
}

/// The exact range of `sum_t k_t * x_t` over pixels `x_t` in
/// `[min, max]` (saturating at `i128`'s ends, far beyond any accumulator).
pub(crate) fn sum_range(taps: impl Iterator<Item = i128>, min: i64, max: i64) -> (i128, i128) {
    let (mut lo, mut hi) = (0i128, 0i128);
    for t in taps {
        let (a, b) = (
            t.saturating_mul(i128::from(min)),
            t.saturating_mul(i128::from(max)),
        );
        lo = lo.saturating_add(a.min(b));
        hi = hi.saturating_add(a.max(b));
    }
    (lo, hi)
}

/// An integer kernel as given: dense 2-D taps, or a column and a row
/// kernel (their outer product, evaluated as two passes).
/// (Two lifetimes: ndarray 0.15/0.16 views are invariant, so a column and
/// a row borrowed separately cannot share one.)
pub(crate) enum IntKernel<'a, 'b, K> {
    Dense(ArrayView2<'a, K>),
    Separable(ArrayView1<'a, K>, ArrayView1<'b, K>),
}

impl<K: Copy + Into<i64>> IntKernel<'_, '_, K> {
    /// The kernel's taps, exactly (the outer product's, one by one).
    fn taps(&self) -> Box<dyn Iterator<Item = i128> + '_> {
        match self {
            IntKernel::Dense(k) => Box::new(k.iter().map(|&t| i128::from(t.into()))),
            IntKernel::Separable(c, r) => Box::new(c.iter().flat_map(move |&u| {
                r.iter()
                    .map(move |&v| i128::from(u.into()) * i128::from(v.into()))
            })),
        }
    }

    /// `(kh, kw)`.
    fn shape(&self) -> (usize, usize) {
        match self {
            IntKernel::Dense(k) => k.dim(),
            IntKernel::Separable(c, r) => (c.len(), r.len()),
        }
    }

    /// The filter of accumulator `A`, every tap taken modulo `A`'s width
    /// (`cast` wraps): the sums are then exact modulo `2^bits` in any
    /// order, both passes included, and the accumulator was chosen so that
    /// the residue names the sum.
    fn filter<A: Element>(
        &self,
        cast: impl Fn(i64) -> A,
        op: Operation,
    ) -> Result<Filter2d<A>, Error> {
        match self {
            IntKernel::Dense(k) => Filter2d::new(&k.mapv(|t| cast(t.into())), op),
            IntKernel::Separable(c, r) => Filter2d::separable_new(
                &c.mapv(|t| cast(t.into())),
                &r.mapv(|t| cast(t.into())),
                op,
            ),
        }
    }
}

pub(crate) mod private {
    use super::*;

    /// How a tap type builds its engine (sealed).
    pub trait Taps: Sized {
        /// The engine for `kernel` on images of `P`.
        fn engine<P: Pixel>(kernel: ArrayView2<'_, Self>, op: Operation) -> Result<Engine, Error>;
        /// The engine for the outer product of `column` and `row`,
        /// evaluated as two passes.
        fn separable_engine<P: Pixel>(
            column: ArrayView1<'_, Self>,
            row: ArrayView1<'_, Self>,
            op: Operation,
        ) -> Result<Engine, Error>;
    }

    pub(crate) fn integer<P: Pixel, K: Copy + Into<i64>>(
        kernel: IntKernel<'_, '_, K>,
        op: Operation,
    ) -> Result<Engine, Error> {
        // The shape first: a separable kernel's outer product is walked.
        let (kh, kw) = kernel.shape();
        crate::filter::check_kernel_shape::<i64>(kh, kw)?;
        let (lo, hi) = sum_range(kernel.taps(), P::MIN, P::MAX);
        let fits = |min: i128, max: i128| lo >= min && hi <= max;
        // Both i16 and i32 engines have ranges within i32.
        let sums = || Sums {
            lo: lo as i64,
            hi: hi as i64,
        };
        if hi - lo < 1 << 16 {
            // Taps modulo 2^16 (the residues are what the lanes multiply).
            Ok(Engine::I16(kernel.filter(|t| t as i16, op)?, sums()))
        } else if fits(i32::MIN.into(), i32::MAX.into()) {
            Ok(Engine::I32(kernel.filter(|t| t as i32, op)?, sums()))
        } else if fits(i64::MIN.into(), i64::MAX.into()) {
            Ok(Engine::I64(kernel.filter(|t| t, op)?))
        } else {
            Err(Error::BadParameter {
                what: "kernel",
                value: format!("sums in [{lo}, {hi}] for {} pixels", P::NAME),
                rule: "the exact sums must fit in i64",
            })
        }
    }

    /// Integer taps: exact sums in the accumulator their range allows.
    macro_rules! integer_taps {
        ($($t:ty),*) => {$(
            impl Taps for $t {
                fn engine<P: Pixel>(kernel: ArrayView2<'_, $t>, op: Operation) -> Result<Engine, Error> {
                    integer::<P, $t>(IntKernel::Dense(kernel), op)
                }
                fn separable_engine<P: Pixel>(
                    column: ArrayView1<'_, $t>,
                    row: ArrayView1<'_, $t>,
                    op: Operation,
                ) -> Result<Engine, Error> {
                    integer::<P, $t>(IntKernel::Separable(column, row), op)
                }
            }
        )*};
    }

    integer_taps!(i16, i32, i64);

    /// Float taps: sums in the taps' type, in the reference's order.
    macro_rules! float_taps {
        ($($t:ty => $engine:ident),*) => {$(
            impl Taps for $t {
                fn engine<P: Pixel>(kernel: ArrayView2<'_, $t>, op: Operation) -> Result<Engine, Error> {
                    Ok(Engine::$engine(Filter2d::new(kernel, op)?))
                }
                fn separable_engine<P: Pixel>(
                    column: ArrayView1<'_, $t>,
                    row: ArrayView1<'_, $t>,
                    op: Operation,
                ) -> Result<Engine, Error> {
                    Ok(Engine::$engine(Filter2d::separable_new(column, row, op)?))
                }
            }
        )*};
    }

    float_taps!(f32 => F32, f64 => F64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_accumulator_is_the_narrowest_exact_one() {
        let blur = array![[1i32, 2, 1], [2, 4, 2], [1, 2, 1]];
        let engine = <i32 as private::Taps>::engine::<u8>(blur.view(), Operation::Correlation);
        assert_eq!(engine.unwrap().name(), "i16");
        let engine = <i32 as private::Taps>::engine::<u16>(blur.view(), Operation::Correlation);
        assert_eq!(engine.unwrap().name(), "i32");
        // 255 * 258 >= 2^16: the 16-bit lanes no longer name the sum.
        let wide = array![[258i32]];
        let engine = <i32 as private::Taps>::engine::<u8>(wide.view(), Operation::Correlation);
        assert_eq!(engine.unwrap().name(), "i32");
        // 65535 * 40000 > 2^31: i64.
        let big = array![[40000i32]];
        let engine = <i32 as private::Taps>::engine::<u16>(big.view(), Operation::Correlation);
        assert_eq!(engine.unwrap().name(), "i64");
        // Signed pixels: the range is taken over both signs.
        assert_eq!(sum_range([3i128, -2].into_iter(), -5, 7), (-29, 31));
    }
}
