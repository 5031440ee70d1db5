//! Narrow pixels: `u8`, `u16` and `i16` images, filtered without a float
//! round trip, into the output type the user chooses.
//!
//! A reader finds each part by its file:
//!
//! - this file: the pixel types ([`Pixel`], the inputs) and the output
//!   types ([`Output`]), with their ranges and conversions;
//! - `conversion.rs`: what turns an exact sum into an output value
//!   (divisor, delta, [`Round`], [`Overflow`], the [`Preset`]s named after
//!   OpenCV and SciPy), written once as the scalar definition;
//! - `accumulator.rs`: which exact accumulator a kernel gets (`i32` when
//!   every sum fits, else `i64`; `f32` / `f64` for float kernels) and the
//!   [`Tap`] types a kernel may have;
//! - `filter.rs`: [`ImageFilter`], the builder users hold;
//! - `channels.rs`: colour images, channels last `(H, W, C)` or planar
//!   `(C, H, W)`;
//! - `separable.rs`: filters from 1-D kernels (a column and a row
//!   kernel, or one kernel along one axis);
//! - `derivatives.rs`: OpenCV's `Sobel` and `Scharr`
//!   ([`ImageFilter::sobel_opencv`], [`ImageFilter::scharr_opencv`]);
//! - `gaussian.rs`: OpenCV's bit-exact `GaussianBlur` for `u8` and `u16`
//!   ([`ImageFilter::gaussian_opencv`]).
//!
//! The arithmetic in between is the crate's: the image is widened into the
//! accumulator as each padded row is built, the accumulator's row kernels
//! (every backend, bit-identical to the scalar reference) compute the
//! sums, and the conversion stores them ([`crate::transfer`]).

mod accumulator;
mod channels;
mod conversion;
mod derivatives;
mod filter;
mod gaussian;
mod separable;

pub use accumulator::Tap;
pub use conversion::{Overflow, Preset, Round};
pub use filter::ImageFilter;

/// An image element type [`ImageFilter`] takes: `u8`, `u16`, `i16` (each
/// is also an [`Output`] type).
///
/// Sealed: the accumulator choice depends on the exact range.
pub trait Pixel:
    Output
    + crate::transfer::Load<i16>
    + crate::transfer::Load<i32>
    + crate::transfer::Load<i64>
    + crate::transfer::Load<f32>
    + crate::transfer::Load<f64>
    + sealed::Sealed
{
    /// The smallest value, as `i64`.
    const MIN: i64;
    /// The largest value, as `i64`.
    const MAX: i64;
}

/// An output element type: `u8`, `u16`, `i16`, `i32` or `f32`.
///
/// Sealed: the conversion rules are defined per type.
pub trait Output:
    Copy + Default + PartialEq + core::fmt::Debug + Send + Sync + 'static + sealed::Sealed
{
    /// The NumPy dtype name (`"uint8"`, ...), for messages.
    const NAME: &'static str;
    /// The type's range as `i64`, `None` for `f32`.
    const RANGE: Option<(i64, i64)>;
    /// The integer `q` as this type: clamped into the range (`saturate`)
    /// or modulo `2^bits` (`wrap`); for `f32` the nearest value.
    fn from_integer(q: i64, saturate: bool) -> Self;
    /// `v` (already rounded to an integer for integer types) as this type:
    /// clamped (`saturate`, NaN to 0) or modulo `2^bits` after a saturating
    /// conversion to `i64` (`wrap`); for `f32` the nearest value.
    fn from_float(v: f64, saturate: bool) -> Self;
}

pub(crate) mod sealed {
    use ndarray::ArrayViewMut2;

    /// Sealing, and the typed views an identity conversion writes through
    /// (an output of the accumulator's own type is written in place).
    pub trait Sealed: Sized {
        /// The view as `i16`s when `Self` is `i16`, else itself back.
        fn as_i16(
            v: ArrayViewMut2<'_, Self>,
        ) -> Result<ArrayViewMut2<'_, i16>, ArrayViewMut2<'_, Self>> {
            Err(v)
        }
        /// The view as `i32`s when `Self` is `i32`, else itself back.
        fn as_i32(
            v: ArrayViewMut2<'_, Self>,
        ) -> Result<ArrayViewMut2<'_, i32>, ArrayViewMut2<'_, Self>> {
            Err(v)
        }
        /// The view as `f32`s when `Self` is `f32`, else itself back.
        fn as_f32(
            v: ArrayViewMut2<'_, Self>,
        ) -> Result<ArrayViewMut2<'_, f32>, ArrayViewMut2<'_, Self>> {
            Err(v)
        }
    }
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for i16 {
        fn as_i16(
            v: ArrayViewMut2<'_, i16>,
        ) -> Result<ArrayViewMut2<'_, i16>, ArrayViewMut2<'_, i16>> {
            Ok(v)
        }
    }
    impl Sealed for i32 {
        fn as_i32(
            v: ArrayViewMut2<'_, i32>,
        ) -> Result<ArrayViewMut2<'_, i32>, ArrayViewMut2<'_, i32>> {
            Ok(v)
        }
    }
    impl Sealed for f32 {
        fn as_f32(
            v: ArrayViewMut2<'_, f32>,
        ) -> Result<ArrayViewMut2<'_, f32>, ArrayViewMut2<'_, f32>> {
            Ok(v)
        }
    }
    impl Sealed for f64 {}
    impl Sealed for i64 {}
}

macro_rules! pixel {
    ($($t:ty),*) => {$(
        impl Pixel for $t {
            const MIN: i64 = <$t>::MIN as i64;
            const MAX: i64 = <$t>::MAX as i64;
        }
    )*};
}

pixel!(u8, u16, i16);

macro_rules! integer_output {
    ($($t:ty: $name:literal),*) => {$(
        impl Output for $t {
            const NAME: &'static str = $name;
            const RANGE: Option<(i64, i64)> = Some((<$t>::MIN as i64, <$t>::MAX as i64));
            #[inline(always)]
            fn from_integer(q: i64, saturate: bool) -> Self {
                if saturate {
                    q.clamp(<$t>::MIN as i64, <$t>::MAX as i64) as $t
                } else {
                    q as $t
                }
            }
            #[inline(always)]
            fn from_float(v: f64, saturate: bool) -> Self {
                if saturate {
                    // Rust's float-to-integer `as` saturates, NaN to 0.
                    v as $t
                } else {
                    (v as i64) as $t
                }
            }
        }
    )*};
}

integer_output!(u8: "uint8", u16: "uint16", i16: "int16", i32: "int32");

impl Output for f32 {
    const NAME: &'static str = "float32";
    const RANGE: Option<(i64, i64)> = None;
    #[inline(always)]
    fn from_integer(q: i64, _saturate: bool) -> Self {
        q as f32
    }
    #[inline(always)]
    fn from_float(v: f64, _saturate: bool) -> Self {
        v as f32
    }
}
