//! The arithmetic that defines correct: zero, the product and the sum of
//! each element type (wrapping for integers, one rounding each for
//! floats), the fused multiply-add of the opt-in, and the exact-integer
//! and float views the factorisations need.
//!
//! This is the ground floor: it imports nothing from the crate, and the
//! scalar reference, the SIMD kernels, the factorisations and the public
//! [`Element`](crate::Element) are all written over it. The trait is public
//! but sits in a private module, so no type outside the crate can
//! implement it (which seals `Element`).

use core::fmt::Debug;
use core::ops::{Add, Mul};

/// The per-type arithmetic of an element type.
pub trait Arith: Copy + Debug + Default + PartialEq + Send + Sync + 'static {
    /// The additive identity (`+0.0` for floats).
    const ZERO: Self;
    /// The product `self * rhs` (wrapping for integers).
    fn mul_elem(self, rhs: Self) -> Self;
    /// The sum `self + rhs` (wrapping for integers).
    fn add_elem(self, rhs: Self) -> Self;
    /// `acc + self * rhs` as a product then a sum, each rounded (wrapping
    /// for integers): one step of the reference's accumulation.
    #[inline(always)]
    fn mul_then_add(self, rhs: Self, acc: Self) -> Self {
        acc.add_elem(self.mul_elem(rhs))
    }
    /// `acc + self * rhs` rounded once (floats); for integers the same as
    /// [`mul_then_add`](Self::mul_then_add), where fusing changes nothing.
    fn fused_mul_add(self, rhs: Self, acc: Self) -> Self;
    /// The value as an exact integer; `None` for floats.
    fn to_exact_int(self) -> Option<i128>;
    /// `v` modulo 2^bits, as this type (integers; floats round).
    fn from_int_wrapping(v: i128) -> Self;
    /// The machine epsilon (2^-23 for f32, 2^-52 for f64); `None` for
    /// integers.
    fn float_epsilon() -> Option<f64>;
    /// The value as f64 (exact for f32; for f64 the identity).
    fn float_value(self) -> f64;
    /// `v` rounded to this type (floats; integers truncate).
    fn from_float_value(v: f64) -> Self;
}

macro_rules! arith {
    ($t:ty, zero = $zero:expr, mul = $mul:ident, add = $add:ident, fused = $fused:expr,
     exact = $exact:expr, epsilon = $eps:expr) => {
        impl Arith for $t {
            const ZERO: Self = $zero;
            #[inline(always)]
            fn mul_elem(self, rhs: Self) -> Self {
                self.$mul(rhs)
            }
            #[inline(always)]
            fn add_elem(self, rhs: Self) -> Self {
                self.$add(rhs)
            }
            #[inline(always)]
            fn fused_mul_add(self, rhs: Self, acc: Self) -> Self {
                let fused: fn(Self, Self, Self) -> Self = $fused;
                fused(self, rhs, acc)
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

arith!(
    f32,
    zero = 0.0,
    mul = mul,
    add = add,
    fused = f32::mul_add,
    exact = |_| None,
    epsilon = Some(f32::EPSILON as f64)
);
arith!(
    f64,
    zero = 0.0,
    mul = mul,
    add = add,
    fused = f64::mul_add,
    exact = |_| None,
    epsilon = Some(f64::EPSILON)
);
arith!(
    i16,
    zero = 0,
    mul = wrapping_mul,
    add = wrapping_add,
    fused = <i16 as Arith>::mul_then_add,
    exact = |v| Some(v.into()),
    epsilon = None
);
arith!(
    i32,
    zero = 0,
    mul = wrapping_mul,
    add = wrapping_add,
    fused = <i32 as Arith>::mul_then_add,
    exact = |v| Some(v.into()),
    epsilon = None
);
arith!(
    i64,
    zero = 0,
    mul = wrapping_mul,
    add = wrapping_add,
    fused = <i64 as Arith>::mul_then_add,
    exact = |v| Some(v.into()),
    epsilon = None
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_wrap_like_c() {
        assert_eq!(i32::MAX.add_elem(1), i32::MIN);
        assert_eq!(i64::MAX.mul_elem(2), -2);
        assert_eq!(i32::MIN.mul_elem(-1), i32::MIN);
        assert_eq!(
            3i64.mul_then_add(i64::MAX, 5),
            5i64.wrapping_add(3i64.wrapping_mul(i64::MAX))
        );
        assert_eq!(
            3i32.fused_mul_add(i32::MAX, 5),
            3i32.mul_then_add(i32::MAX, 5)
        );
    }

    #[test]
    fn floats_round_product_before_sum() {
        // a * a = 1 + 2^-29 + 2^-60: rounding the product drops 2^-60,
        // which a fused multiply-add keeps.
        // (Powers of two written exactly: Miri perturbs `powi` too.)
        let a = 1.0f64 + 1.0 / (1u64 << 30) as f64;
        let reference = a.mul_then_add(a, -1.0);
        assert_eq!(reference, (a * a) - 1.0);
        assert_eq!(reference, 1.0 / (1u64 << 29) as f64);
        // (Miri gives mul_add a random error of its own on every call, so
        // two calls need not agree there.)
        if !cfg!(miri) {
            assert_eq!(Arith::fused_mul_add(a, a, -1.0), a.mul_add(a, -1.0));
        }
        assert_ne!(reference, Arith::fused_mul_add(a, a, -1.0));
    }

    #[test]
    fn zero_is_positive_zero() {
        assert!(<f32 as Arith>::ZERO.is_sign_positive());
        assert!(<f64 as Arith>::ZERO.is_sign_positive());
        assert_eq!(<i64 as Arith>::ZERO, 0);
    }
}
