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
    /// The product `self * rhs` (wrapping for integers).
    ///
    /// ```
    /// use simdconv::Element;
    /// assert_eq!(Element::mul(i64::MAX, 2), -2);
    /// assert_eq!(Element::mul(1.5f32, 3.0), 4.5);
    /// ```
    fn mul(self, rhs: Self) -> Self;
    /// The sum `self + rhs` (wrapping for integers).
    ///
    /// ```
    /// use simdconv::Element;
    /// assert_eq!(Element::add(i32::MAX, 1), i32::MIN);
    /// assert_eq!(Element::add(0.1f64, 0.2), 0.1 + 0.2);
    /// ```
    fn add(self, rhs: Self) -> Self;
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
        acc.add(self.mul(rhs))
    }
}

pub(crate) mod sealed {
    use super::*;

    /// Private supertrait: the per-type table of row kernels.
    pub trait Sealed: Sized {
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
    }
}

macro_rules! float_element {
    ($t:ty) => {
        impl Element for $t {
            #[inline(always)]
            fn zero() -> Self {
                0.0
            }
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                self * rhs
            }
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                self + rhs
            }
        }
    };
}

macro_rules! int_element {
    ($t:ty) => {
        impl Element for $t {
            #[inline(always)]
            fn zero() -> Self {
                0
            }
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                self.wrapping_mul(rhs)
            }
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                self.wrapping_add(rhs)
            }
        }
    };
}

float_element!(f32);
float_element!(f64);
int_element!(i32);
int_element!(i64);

impl sealed::Sealed for f32 {
    fn row_kernel(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_f32(backend)
    }
    fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_fused_f32(backend)
    }
    fn fused_mul_add(self, rhs: Self, acc: Self) -> Self {
        self.mul_add(rhs, acc)
    }
    fn to_exact_int(self) -> Option<i128> {
        None
    }
    fn from_int_wrapping(v: i128) -> Self {
        v as Self
    }
}
impl sealed::Sealed for f64 {
    fn row_kernel(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_f64(backend)
    }
    fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_fused_f64(backend)
    }
    fn fused_mul_add(self, rhs: Self, acc: Self) -> Self {
        self.mul_add(rhs, acc)
    }
    fn to_exact_int(self) -> Option<i128> {
        None
    }
    fn from_int_wrapping(v: i128) -> Self {
        v as Self
    }
}
impl sealed::Sealed for i32 {
    fn row_kernel(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_i32(backend)
    }
    fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_i32(backend)
    }
    fn fused_mul_add(self, rhs: Self, acc: Self) -> Self {
        self.mul_add_ref(rhs, acc)
    }
    fn to_exact_int(self) -> Option<i128> {
        Some(i128::from(self))
    }
    fn from_int_wrapping(v: i128) -> Self {
        v as Self
    }
}
impl sealed::Sealed for i64 {
    fn row_kernel(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_i64(backend)
    }
    fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>> {
        kernels::select_i64(backend)
    }
    fn fused_mul_add(self, rhs: Self, acc: Self) -> Self {
        self.mul_add_ref(rhs, acc)
    }
    fn to_exact_int(self) -> Option<i128> {
        Some(i128::from(self))
    }
    fn from_int_wrapping(v: i128) -> Self {
        v as Self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_wrap_like_c() {
        assert_eq!(i32::MAX.add(1), i32::MIN);
        assert_eq!(i64::MAX.mul(2), -2);
        assert_eq!(i32::MIN.mul(-1), i32::MIN);
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
