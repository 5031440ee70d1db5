//! x86 and x86-64 backends: thin `#[target_feature]` wrappers over the
//! blocked kernel, one file per instruction set.

#[cfg(target_arch = "x86")]
pub(crate) use core::arch::x86 as arch;
#[cfg(target_arch = "x86_64")]
pub(crate) use core::arch::x86_64 as arch;

pub(crate) mod avx2;
#[cfg(simdconv_avx512)]
pub(crate) mod avx512;
pub(crate) mod sse2;
pub(crate) mod sse41;
