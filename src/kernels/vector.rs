//! `Vector`: the few operations the blocked kernel needs from a SIMD
//! register, one implementation per (instruction set, element type).
//!
//! Every method is `#[inline(always)]` and `unsafe`: it is only ever inlined
//! into a `#[target_feature]` wrapper (see `x86/`, `aarch64/`, `wasm32/`)
//! whose caller has checked that the CPU supports that instruction set.
//!
//! The `impl_*` macros wrap `core::arch` intrinsics in newtypes for the x86
//! and AArch64 backends; the WebAssembly kernels implement the traits on
//! `wide`'s types directly, so the macros are not built there.

use crate::arith::Arith;

/// A SIMD register of `LANES` elements of type `Elem`.
///
/// # Safety
///
/// Every method requires that the running CPU supports the instruction set
/// the implementation is written for; pointer arguments must be valid for
/// `LANES` elements (`store_first`: `n` elements).
pub(crate) trait Vector: Copy {
    /// The element type of each lane.
    type Elem: Arith;
    /// The number of lanes (at most 64).
    const LANES: usize;
    /// `mul` is exact only when its receiver is a splat of a value in
    /// `i32` (`x86::split64::Split`), so kernels that multiply by other
    /// constants must not use this vector for wider ones.
    const NARROW_MUL: bool = false;

    /// All lanes set to `x`.
    unsafe fn splat(x: Self::Elem) -> Self;
    /// Loads `LANES` elements from `p` (no alignment needed).
    unsafe fn load(p: *const Self::Elem) -> Self;
    /// Stores all lanes to `p` (no alignment needed).
    unsafe fn store(self, p: *mut Self::Elem);
    /// Lane-wise sum, with the element type's arithmetic.
    unsafe fn add(self, rhs: Self) -> Self;
    /// Lane-wise product, with the element type's arithmetic (never fused).
    unsafe fn mul(self, rhs: Self) -> Self;

    /// `splat(*tap) * self`: the product `mul` computes, with the tap read
    /// from memory. ISAs that can multiply by a broadcast memory operand
    /// override it: on AMD Zen 4 a separate 512-bit broadcast costs a
    /// vector-pipe slot that the multiply-adds need, the folded form none.
    ///
    /// `tap` must be valid for one read.
    #[inline(always)]
    unsafe fn mul_splat(self, tap: *const Self::Elem) -> Self {
        // SAFETY: the trait's contract; the caller's for `tap`.
        unsafe { Self::splat(*tap).mul(self) }
    }

    /// Asks for the cache line holding `p` to be brought close to the core.
    /// A hint: it never faults and changes nothing but timing, so `p` may
    /// point anywhere (compute it with `wrapping_add`).
    #[inline(always)]
    unsafe fn prefetch(p: *const Self::Elem) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch never faults and reads nothing architecturally;
        // SSE, which has it, is part of the x86-64 baseline.
        unsafe {
            use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(p.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = p;
    }

    /// Stores the first `n < LANES` lanes to `p`.
    #[inline(always)]
    unsafe fn store_first(self, p: *mut Self::Elem, n: usize) {
        debug_assert!(n < Self::LANES && Self::LANES <= 64);
        let mut buf = [<Self::Elem as Arith>::ZERO; 64];
        // SAFETY: buf holds 64 >= LANES elements; p is valid for n < LANES.
        unsafe {
            self.store(buf.as_mut_ptr());
            core::ptr::copy_nonoverlapping(buf.as_ptr(), p, n);
        }
    }
}

/// A fused multiply-add, for the opt-in fused float kernels.
///
/// # Safety
///
/// As for [`Vector`], and the CPU supports the FMA instructions used.
// WebAssembly `simd128` has no FMA (see `blocked::Fused`).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) trait FusedVector: Vector {
    /// `self + a * b` with a single rounding.
    unsafe fn fused_mul_add(self, a: Self, b: Self) -> Self;

    /// `self + splat(*tap) * x` with a single rounding (see
    /// [`Vector::mul_splat`] for why an ISA overrides it).
    #[inline(always)]
    unsafe fn fused_mul_add_splat(self, x: Self, tap: *const Self::Elem) -> Self {
        // SAFETY: the trait's contract; the caller's for `tap`.
        unsafe { self.fused_mul_add(Self::splat(*tap), x) }
    }
}

/// Implements `FusedVector` with an intrinsic taking `(a, b, acc)` and
/// returning `a * b + acc` rounded once.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! impl_fused_vector {
    ($name:ident, $fma:path) => {
        impl $crate::kernels::vector::FusedVector for $name {
            #[inline(always)]
            unsafe fn fused_mul_add(self, a: Self, b: Self) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $fma(a.0, b.0, self.0) })
            }
        }
    };
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use impl_fused_vector;

/// The integer operations of the tap-program kernel.
///
/// # Safety
///
/// As for [`Vector`].
pub(crate) trait IntVector: Vector {
    /// Lane-wise wrapping difference.
    unsafe fn sub(self, rhs: Self) -> Self;
    /// Every lane shifted left by `count < bits` (wrapping).
    unsafe fn shl(self, count: u32) -> Self;
}

/// Implements `IntVector` for a type made by `impl_vector!`.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! impl_int_vector {
    ($name:ident, sub = $sub:path, shl = |$a:ident, $n:ident| $shl:expr $(,)?) => {
        impl $crate::kernels::vector::IntVector for $name {
            #[inline(always)]
            unsafe fn sub(self, rhs: Self) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $sub(self.0, rhs.0) })
            }
            #[inline(always)]
            unsafe fn shl(self, count: u32) -> Self {
                let ($a, $n) = (self.0, count);
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $shl })
            }
        }
    };
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use impl_int_vector;

/// Implements `Vector` for a newtype over a register from intrinsics.
///
/// `load` / `store` are given as the intrinsic plus the pointer type it
/// takes; the other operations as the intrinsic (or an `#[inline(always)]`
/// emulation) to call.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! impl_vector {
    (
        $name:ident($reg:ty): $elem:ty, lanes = $lanes:expr,
        splat = $splat:path,
        load = $load:path as $lptr:ty,
        store = $store:path as $sptr:ty,
        add = $add:path,
        mul = $mul:path $(,)?
    ) => {
        #[derive(Clone, Copy)]
        #[repr(transparent)]
        pub(crate) struct $name($reg);

        impl $crate::kernels::vector::Vector for $name {
            type Elem = $elem;
            const LANES: usize = $lanes;

            #[inline(always)]
            unsafe fn splat(x: $elem) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $splat(x as _) })
            }
            #[inline(always)]
            unsafe fn load(p: *const $elem) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction
                // set and p is valid for LANES elements.
                $name(unsafe { $load(p as $lptr) })
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $elem) {
                // SAFETY: as for `load`, writable.
                unsafe { $store(p as $sptr, self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, rhs: Self) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $add(self.0, rhs.0) })
            }
            #[inline(always)]
            unsafe fn mul(self, rhs: Self) -> Self {
                // SAFETY: the trait's contract: the CPU has this instruction set.
                $name(unsafe { $mul(self.0, rhs.0) })
            }
        }
    };
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use impl_vector;
