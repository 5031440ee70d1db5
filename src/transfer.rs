//! How values enter and leave the accumulator type: [`Load`] widens the
//! image's elements into the padded rows the row kernels read, and
//! [`Store`] converts the rows they compute into the output's type.
//!
//! For `Filter2d<T>` both are the identity (`T` in, `T` out, the image's
//! contiguous rows read in place). For narrow pixels
//! ([`ImageFilter`](crate::ImageFilter)) a `u8` image is widened once per
//! padded row into the exact accumulator (`i32`, `i64`, `f32`, `f64`), and
//! the accumulator rows go through the pixel conversion (divisor, delta,
//! rounding, overflow) into the output type. The row kernels in between
//! never know: one blocked algorithm, one set of SIMD kernels.

use ndarray::{ArrayView2, ArrayViewMut1, ArrayViewMut2};

use core::marker::PhantomData;

use crate::arith::Arith;
use crate::kernels::autovec::RowMap;

/// An image element that widens exactly into the accumulator type `T`
/// (or, into `i16`, modulo 2^16: the narrow pixels' modular accumulator,
/// see `pixel::accumulator`).
pub trait Load<T>: Copy + Send + Sync + 'static {
    /// The value as `T` (exact).
    fn load(self) -> T;
    /// `dst[i] = src[i].load()` for every `i` (the slices have one length).
    #[inline(always)]
    fn load_slice(src: &[Self], dst: &mut [T]) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = s.load();
        }
    }
    /// The image itself when `Self` is `T` (its rows can then be read in
    /// place), else `None`.
    #[inline]
    fn same_view(image: ArrayView2<'_, Self>) -> Option<ArrayView2<'_, T>> {
        let _ = image;
        None
    }
}

/// The widening of one row, as a loop
/// [`autovec`](crate::kernels::autovec) compiles per backend
/// (`vpmovzxbw` and friends where the baseline has only SSE2's unpacks).
pub(crate) struct Widen<I, T>(PhantomData<fn(I) -> T>);

impl<I, T> Widen<I, T> {
    pub(crate) fn new() -> Self {
        Widen(PhantomData)
    }
}

impl<I: Load<T>, T: Copy> RowMap for Widen<I, T> {
    type Src = I;
    type Dst = T;
    #[inline(always)]
    fn map(&self, src: &[I], dst: &mut [T]) {
        I::load_slice(src, dst)
    }
}

impl<T: Arith> Load<T> for T {
    #[inline(always)]
    fn load(self) -> T {
        self
    }
    #[inline]
    fn load_slice(src: &[T], dst: &mut [T]) {
        dst.copy_from_slice(src);
    }
    #[inline]
    fn same_view(image: ArrayView2<'_, T>) -> Option<ArrayView2<'_, T>> {
        Some(image)
    }
}

/// Widening loads from the pixel types into every accumulator.
macro_rules! widen {
    ($($from:ty => $($to:ty),+;)*) => {$($(
        impl Load<$to> for $from {
            #[inline(always)]
            fn load(self) -> $to {
                self as $to
            }
        }
    )+)*};
}

widen! {
    u8 => i16, i32, i64, f32, f64;
    u16 => i16, i32, i64, f32, f64;
    i16 => i32, i64, f32, f64;
}

/// Converts accumulator rows (`T`) into output rows (`O`).
pub trait Store<T, O>: Sync {
    /// Writes `src` converted into `dst` (same length, any stride).
    fn store_row(&self, src: &[T], dst: ArrayViewMut1<'_, O>);
    /// Writes `src` converted into the contiguous `dst` (same length).
    #[inline]
    fn store_slice(&self, src: &[T], dst: &mut [O]) {
        self.store_row(src, ArrayViewMut1::from(dst));
    }
    /// `out` itself when the conversion is the identity (the row kernels
    /// can then write into it directly), else `out` back.
    fn same_view<'a>(
        &self,
        out: ArrayViewMut2<'a, O>,
    ) -> Result<ArrayViewMut2<'a, T>, ArrayViewMut2<'a, O>>;
}

/// The identity conversion of `Filter2d<T>`.
pub(crate) struct Same;

impl<T: Copy + Send + Sync> Store<T, T> for Same {
    #[inline]
    fn store_row(&self, src: &[T], mut dst: ArrayViewMut1<'_, T>) {
        dst.assign(&ndarray::ArrayView1::from(src));
    }
    fn same_view<'a>(
        &self,
        out: ArrayViewMut2<'a, T>,
    ) -> Result<ArrayViewMut2<'a, T>, ArrayViewMut2<'a, T>> {
        Ok(out)
    }
}
