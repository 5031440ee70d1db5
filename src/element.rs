//! `Element`: the element types simdconv computes with, the public face
//! over their arithmetic ([`arith`](crate::arith), the definition of
//! correct) and their row kernels (the per-type tables of
//! `kernels::select`).

use crate::arith::Arith;
use crate::backend::Backend;
use crate::kernels::{select, RowKernel};

/// A type that simdconv can convolve: `f32`, `f64`, `i16`, `i32` and `i64`.
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
pub trait Element: Arith + sealed::Sealed {
    /// The additive identity, the default fill of `Border::Constant`.
    ///
    /// ```
    /// use simdconv::Element;
    /// assert_eq!(<i64 as Element>::zero(), 0);
    /// assert!(<f32 as Element>::zero().is_sign_positive()); // +0.0
    /// ```
    #[inline(always)]
    fn zero() -> Self {
        Self::ZERO
    }
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
    #[inline(always)]
    fn mul_add_ref(self, rhs: Self, acc: Self) -> Self {
        self.mul_then_add(rhs, acc)
    }
}

pub(crate) mod sealed {
    use super::*;

    /// Private supertrait: the type's row kernels, from its table in
    /// `kernels::select`. (Names unlike any a user trait would have:
    /// sealed methods are visible on `T: Element` in generic code.)
    pub trait Sealed: Sized {
        /// The row kernel of `backend` for this type, if this build has one.
        fn row_kernel(backend: Backend) -> Option<RowKernel<Self>>;
        /// The row kernel of `backend` with fused multiply-adds (floats);
        /// the ordinary one for integers, where fusing changes nothing.
        fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>>;
        /// The FFT method of this type: the kernel spectra for floats,
        /// nothing for integers (which stay exact).
        type Fft: crate::fft::Transform<Self>;
    }
}

macro_rules! element {
    ($t:ty, table = $table:path, fused = $fused:path, fft = $fft:ty) => {
        impl Element for $t {}

        impl sealed::Sealed for $t {
            fn row_kernel(backend: Backend) -> Option<RowKernel<Self>> {
                $table(backend)
            }
            fn row_kernel_fused(backend: Backend) -> Option<RowKernel<Self>> {
                $fused(backend)
            }
            type Fft = $fft;
        }
    };
}

element!(f32, table = select::f32, fused = select::fused_f32, fft = crate::fft::Spectra<f32>);
element!(f64, table = select::f64, fused = select::fused_f64, fft = crate::fft::Spectra<f64>);
element!(
    i16,
    table = select::i16,
    fused = select::i16,
    fft = crate::fft::NoFft
);
element!(
    i32,
    table = select::i32,
    fused = select::i32,
    fft = crate::fft::NoFft
);
element!(
    i64,
    table = select::i64,
    fused = select::i64,
    fft = crate::fft::NoFft
);
