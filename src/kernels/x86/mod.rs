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

/// What the fused AVX2 kernels need: AVX2 and FMA (every AVX2 CPU from
/// Intel and AMD has both, but they are separate CPUID bits).
pub(crate) struct Avx2Fma;

impl Avx2Fma {
    /// Whether this CPU has AVX2 (as detected for `Backend::Avx2`) and FMA.
    pub(crate) fn is_available(&self) -> bool {
        crate::backend::Backend::Avx2.is_available() && std::arch::is_x86_feature_detected!("fma")
    }
}
