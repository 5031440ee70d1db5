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
//! `v128.load` / `v128.store`. Only the widening pass's `i32x4.dot_i16x8_s`
//! comes from `core::arch::wasm32`.
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

/// Pairs of `i16` in `i32` lanes, for the widening pass: `simd128`'s
/// `i32x4.dot_i16x8_s` is `pmaddwd`. (`core::arch::wasm32` directly: the
/// module is built only with `simd128` enabled, so these calls are safe.)
#[derive(Clone, Copy)]
pub(crate) struct Pairs4(core::arch::wasm32::v128);

impl crate::kernels::widening::PairVector for Pairs4 {
    const LANES: usize = 4;

    #[inline(always)]
    unsafe fn zero() -> Self {
        Pairs4(core::arch::wasm32::i32x4_splat(0))
    }
    #[inline(always)]
    unsafe fn splat(pair: i32) -> Self {
        Pairs4(core::arch::wasm32::i32x4_splat(pair))
    }
    #[inline(always)]
    unsafe fn load(p: *const i16) -> Self {
        // SAFETY: the trait's contract: p is valid for 8 values (read
        // unaligned).
        Pairs4(unsafe { core::arch::wasm32::v128_load(p.cast()) })
    }
    #[inline(always)]
    unsafe fn madd(self, x: Self, k: Self) -> Self {
        use core::arch::wasm32::{i32x4_add, i32x4_dot_i16x8};
        Pairs4(i32x4_add(self.0, i32x4_dot_i16x8(x.0, k.0)))
    }
    #[inline(always)]
    unsafe fn store_interleaved(even: Self, odd: Self, p: *mut i32) {
        use core::arch::wasm32::{i32x4_shuffle, v128_store};
        // SAFETY: the trait's contract: p is valid for 8 values (written
        // unaligned).
        unsafe {
            v128_store(p.cast(), i32x4_shuffle::<0, 4, 1, 5>(even.0, odd.0));
            v128_store(p.add(4).cast(), i32x4_shuffle::<2, 6, 3, 7>(even.0, odd.0));
        }
    }
    #[inline(always)]
    unsafe fn unpack(a: Self, b: Self) -> (Self, Self) {
        use core::arch::wasm32::i16x8_shuffle;
        (
            Pairs4(i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a.0, b.0)),
            Pairs4(i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a.0, b.0)),
        )
    }
    #[inline(always)]
    unsafe fn store_halves(low: Self, high: Self, p: *mut i32) {
        use core::arch::wasm32::v128_store;
        // SAFETY: the trait's contract: p is valid for 8 values (written
        // unaligned).
        unsafe {
            v128_store(p.cast(), low.0);
            v128_store(p.add(4).cast(), high.0);
        }
    }
}

crate::kernels::widening::widening_kernel!(widening => Pairs4, blocks = 2, feature = "simd128", backend = Backend::Wasm128);
