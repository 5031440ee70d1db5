//! WebAssembly 128-bit SIMD (`simd128`), written with `wide`'s types.
//!
//! `wide` fixes its instruction set when the crate is compiled, which is
//! exactly WebAssembly's model (the x86 and AArch64 kernels pick theirs at
//! run time and so use `core::arch` directly). `wide` has every lane-wise
//! operation the blocked kernels need, each one `simd128` instruction:
//! add, sub, wrapping multiply (`i64x2.mul` included: the engine lowers it
//! for the host CPU) and a left shift by a scalar. What it lacks is a load
//! from or a store to a raw pointer (its API takes arrays), so `load` and
//! `store` read and write a `[T; LANES]` unaligned, which compiles to one
//! `v128.load` / `v128.store`; no `core::arch::wasm32` call is needed.
//!
//! No fused kernels: `simd128` has no fused multiply-add (relaxed SIMD's
//! `relaxed_madd` may or may not fuse, at the engine's choice), so the
//! fused tables run the scalar fused reference, which gives the same bits.

use wide::{f32x4, f64x2, i16x8, i32x4, i64x2};

use crate::backend::Backend;
use crate::kernels::vector::{IntVector, Vector};

/// Implements `Vector` for `wide` types of `lanes` elements.
macro_rules! impl_wide_vector {
    ($($vec:ident: $elem:ty, lanes = $lanes:literal;)*) => {$(
        impl Vector for $vec {
            type Elem = $elem;
            const LANES: usize = $lanes;

            #[inline(always)]
            unsafe fn splat(x: $elem) -> Self {
                <$vec>::splat(x)
            }
            #[inline(always)]
            unsafe fn load(p: *const $elem) -> Self {
                // SAFETY: the trait's contract: p is valid for LANES
                // elements, read unaligned.
                <$vec>::new(unsafe { p.cast::<[$elem; $lanes]>().read_unaligned() })
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $elem) {
                // SAFETY: the trait's contract: p is valid for LANES
                // elements, written unaligned.
                unsafe { p.cast::<[$elem; $lanes]>().write_unaligned(self.to_array()) }
            }
            #[inline(always)]
            unsafe fn add(self, rhs: Self) -> Self {
                self + rhs
            }
            #[inline(always)]
            unsafe fn mul(self, rhs: Self) -> Self {
                self * rhs
            }
        }
    )*};
}

impl_wide_vector! {
    f32x4: f32, lanes = 4;
    f64x2: f64, lanes = 2;
    i16x8: i16, lanes = 8;
    i32x4: i32, lanes = 4;
    i64x2: i64, lanes = 2;
}

/// Implements `IntVector` for `wide` integer types (wrapping, as
/// WebAssembly's integer lanes always are).
macro_rules! impl_wide_int_vector {
    ($($vec:ident),*) => {$(
        impl IntVector for $vec {
            #[inline(always)]
            unsafe fn sub(self, rhs: Self) -> Self {
                self - rhs
            }
            #[inline(always)]
            unsafe fn shl(self, count: u32) -> Self {
                self << count
            }
        }
    )*};
}

impl_wide_int_vector!(i16x8, i32x4, i64x2);

// Register plans for an engine on x86-64 (16 xmm registers), the common
// host; an AArch64 host has 32. The `i64` multiply is emulated there
// without AVX-512, so its kernel leaves temporaries free as SSE4.1's does.
crate::kernels::row_kernel!(row_f32: f32 => f32x4, tile = 3 x 3, regs = 16, feature = "simd128", backend = Backend::Wasm128, kind = float);
crate::kernels::row_kernel!(row_f64: f64 => f64x2, tile = 3 x 3, regs = 16, feature = "simd128", backend = Backend::Wasm128, kind = float);
crate::kernels::row_kernel!(row_i16: i16 => i16x8, tile = 4 x 3, regs = 16, feature = "simd128", backend = Backend::Wasm128, kind = int);
crate::kernels::row_kernel!(row_i32: i32 => i32x4, tile = 4 x 3, regs = 16, feature = "simd128", backend = Backend::Wasm128, kind = int);
crate::kernels::row_kernel!(row_i64: i64 => i64x2, tile = 2 x 2, regs = 16 - 4, feature = "simd128", backend = Backend::Wasm128, kind = int);
