//! `Element`: the element types simdconv computes with, and their arithmetic.

use core::fmt::Debug;

use crate::backend::Backend;
use crate::kernels::{self, RowKernel};

/// A type that simdconv can convolve: `f32`, `f64`, `i32` and `i64`.
///
/// The arithmetic is the scalar reference's, and every backend reproduces it
/// bit for bit:
///
/// - integers multiply and add with two's-complement wrap-around, like
///   fixed-width C or NumPy integers (`i32::wrapping_mul`, `wrapping_add`);
/// - floats multiply, round, then add and round (IEEE 754, no fused
///   multiply-add), in the tap order documented on [`Filter2d`](crate::Filter2d).
///
/// The trait is sealed: it cannot be implemented outside this crate.
///
/// ```
/// use simdconv::Element;
/// assert_eq!(i32::MAX.mul_add_ref(2, 1), -1); // 1 + MAX * 2 wraps around
/// assert_eq!(<f64 as Element>::mul_add_ref(1.5, 2.0, 0.25), 3.25);
/// ```
pub trait Element:
    Copy + Debug + Default + PartialEq + Send + Sync + 'static + sealed::Sealed
{
    /// The additive identity, the default fill of `Border::Constant`.
    ///
    /// ```
    /// use simdconv::Element;
    /// assert_eq!(<i64 as Element>::zero(), 0);
    /// assert!(<f32 as Element>::zero().is_sign_positive()); // +0.0
    /// ```
    fn zero() -> Self;
    /// `acc + self * rhs`, computed as a product then a sum (never fused):
    /// one step of the reference's accumulation.
    ///
    /// ```
    /// use simdconv::Element;
    /// // (1 + 2^-30)^2 - 1: the product is rounded first (2^-60 is lost), as
    /// // the reference does; a fused multiply-add would keep it.
    /// let a = 1.0f64 + 2f64.powi(-30);
    /// assert_eq!(a.mul_add_ref(a, -1.0), 2f64.powi(-29));
    /// assert_ne!(a.mul_add(a, -1.0), 2f64.powi(-29));
    /// ```
    #[inline]
    fn mul_add_ref(self, rhs: Self, acc: Self) -> Self {
        acc.add_elem(self.mul_elem(rhs))
    }
}

pub(crate) mod sealed {
    use super::*;

    /// Private supertrait: the per-type table of row kernels.
    pub trait Sealed: Sized {
        /// The product `self * rhs` (wrapping for integers). Internal: the
        /// public surface is `Element::mul_add_ref`.
        fn mul_elem(self, rhs: Self) -> Self;
        /// The sum `self + rhs` (wrapping for integers).
        fn add_elem(self, rhs: Self) -> Self;
        /// The row kernel of `backend` for this type, if this build has one.
        fn row_kernel(backend: Backend) -> Option<RowKernel<Self>>;
        /// The row kernel of `backend` with fused multiply-adds (floats);
        /// the ordinary one for integers, where fusing changes nothing.
        fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>>;
        /// `acc + self * rhs` rounded once (floats), wrapping (integers).
        fn fused_mul_add(self, rhs: Self, acc: Self) -> Self;
        /// The value as an exact integer; `None` for floats.
        fn to_exact_int(self) -> Option<i128>;
        /// `v` modulo 2^bits, as this type (integers only).
        fn from_int_wrapping(v: i128) -> Self;
        /// (Names unlike any a user trait would have: sealed methods are
        /// visible on `T: Element` in generic code.)
        /// The machine epsilon (2^-23 for f32, 2^-52 for f64); `None` for
        /// integers.
        fn float_epsilon() -> Option<f64>;
        /// The value as f64 (exact for f32; for f64 the identity).
        fn float_value(self) -> f64;
        /// `v` rounded to this type (floats; integers truncate).
        fn from_float_value(v: f64) -> Self;
    }
}

macro_rules! element {
    ($t:ty, zero = $zero:expr, mul = $mul:ident, add = $add:ident, fused = $fused:ident,
     select = $select:path, select_fused = $select_fused:path, exact = $exact:expr,
     epsilon = $eps:expr) => {
        impl Element for $t {
            #[inline(always)]
            fn zero() -> Self {
                $zero
            }
        }

        impl sealed::Sealed for $t {
            #[inline(always)]
            fn mul_elem(self, rhs: Self) -> Self {
                self.$mul(rhs)
            }
            #[inline(always)]
            fn add_elem(self, rhs: Self) -> Self {
                self.$add(rhs)
            }
            fn row_kernel(backend: Backend) -> Option<RowKernel<Self>> {
                $select(backend)
            }
            fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>> {
                $select_fused(backend)
            }
            #[inline(always)]
            fn fused_mul_add(self, rhs: Self, acc: Self) -> Self {
                self.$fused(rhs, acc)
            }
            fn to_exact_int(self) -> Option<i128> {
                let exact: fn(Self) -> Option<i128> = $exact;
                exact(self)
            }
            fn from_int_wrapping(v: i128) -> Self {
                v as Self
            }
            fn float_epsilon() -> Option<f64> {
                $eps
            }
            fn float_value(self) -> f64 {
                self as f64
            }
            fn from_float_value(v: f64) -> Self {
                v as Self
            }
        }
    };
}

use core::ops::{Add, Mul};

element!(
    f32,
    zero = 0.0,
    mul = mul,
    add = add,
    fused = mul_add,
    select = kernels::select_f32,
    select_fused = kernels::select_fused_f32,
    exact = |_| None,
    epsilon = Some(f32::EPSILON as f64)
);
element!(
    f64,
    zero = 0.0,
    mul = mul,
    add = add,
    fused = mul_add,
    select = kernels::select_f64,
    select_fused = kernels::select_fused_f64,
    exact = |_| None,
    epsilon = Some(f64::EPSILON)
);
element!(
    i32,
    zero = 0,
    mul = wrapping_mul,
    add = wrapping_add,
    fused = mul_add_ref,
    select = kernels::select_i32,
    select_fused = kernels::select_i32,
    exact = |v| Some(v.into()),
    epsilon = None
);
element!(
    i64,
    zero = 0,
    mul = wrapping_mul,
    add = wrapping_add,
    fused = mul_add_ref,
    select = kernels::select_i64,
    select_fused = kernels::select_i64,
    exact = |v| Some(v.into()),
    epsilon = None
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_wrap_like_c() {
        use sealed::Sealed;
        assert_eq!(i32::MAX.add_elem(1), i32::MIN);
        assert_eq!(i64::MAX.mul_elem(2), -2);
        assert_eq!(i32::MIN.mul_elem(-1), i32::MIN);
        assert_eq!(
            3i64.mul_add_ref(i64::MAX, 5),
            5i64.wrapping_add(3i64.wrapping_mul(i64::MAX))
        );
    }

    #[test]
    fn floats_round_product_before_sum() {
        // a * a = 1 + 2^-29 + 2^-60: rounding the product drops 2^-60,
        // which a fused multiply-add would keep.
        let a = 1.0f64 + 2f64.powi(-30);
        let fused = a.mul_add(a, -1.0);
        let reference = a.mul_add_ref(a, -1.0);
        assert_eq!(reference, (a * a) - 1.0);
        assert_ne!(reference, fused);
    }
}
