//! x86 and x86-64 backends: thin `#[target_feature]` wrappers over the
//! blocked kernel, one file per instruction set.

#[cfg(target_arch = "x86")]
pub(crate) use core::arch::x86 as arch;
#[cfg(target_arch = "x86_64")]
pub(crate) use core::arch::x86_64 as arch;

/// Vector registers a kernel may plan for: 16 xmm / ymm on x86-64, 8 in
/// 32-bit mode.
#[cfg(target_arch = "x86_64")]
pub(crate) const REGS: usize = 16;
#[cfg(target_arch = "x86")]
pub(crate) const REGS: usize = 8;

/// AVX-512's vector registers: 32 zmm on x86-64, 8 in 32-bit mode.
#[cfg(all(target_arch = "x86_64", simdconv_avx512))]
pub(crate) const REGS_AVX512: usize = 32;
#[cfg(all(target_arch = "x86", simdconv_avx512))]
pub(crate) const REGS_AVX512: usize = 8;

/// Registers an emulated 64-bit (or SSE2 32-bit) multiply needs besides
/// its operands, left out of a kernel's plan.
pub(crate) const EMULATED_MUL_TEMPS: usize = 4;

pub(crate) mod avx2;
#[cfg(simdconv_avx512)]
pub(crate) mod avx512;
#[cfg(simdconv_avx512)]
pub(crate) mod split64;
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

/// What the AVX-512 widening kernel with `vpdpwssd` needs: the AVX-512
/// backend and AVX512-VNNI (Ice Lake, Sapphire Rapids, Zen 4 and later).
#[cfg(simdconv_avx512)]
pub(crate) struct Avx512Vnni;

#[cfg(simdconv_avx512)]
impl Avx512Vnni {
    /// Whether this CPU runs the AVX-512 backend and has AVX512-VNNI.
    pub(crate) fn is_available(&self) -> bool {
        crate::backend::Backend::Avx512.is_available()
            && std::arch::is_x86_feature_detected!("avx512vnni")
    }
}
