//! Which CPU this is (vendor and family, from CPUID), for the choices that
//! depend on the core rather than on its instruction sets: they all live in
//! [`crate::tuning`], and every one of them gives the same bits; only the
//! speed differs. (Which instruction sets the CPU has is
//! [`crate::backend`]'s question.)

/// The CPU family of an AMD processor (base plus extended family, as AMD
/// numbers them: 0x19 Zen 3 and 4, 0x1A Zen 5), `None` on other vendors
/// and other architectures. Read once.
pub(crate) fn amd_family() -> Option<u32> {
    static FAMILY: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
    *FAMILY.get_or_init(read_amd_family)
}

#[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
fn read_amd_family() -> Option<u32> {
    None
}

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
fn read_amd_family() -> Option<u32> {
    #[cfg(target_arch = "x86")]
    use core::arch::x86::__cpuid;
    #[cfg(target_arch = "x86_64")]
    use core::arch::x86_64::__cpuid;
    // Miri cannot run CPUID (inline assembly); it never runs the SIMD
    // kernels whose choices depend on this.
    if cfg!(miri) {
        return None;
    }
    // SAFETY: CPUID exists on every x86-64 CPU and on every x86 CPU with
    // SSE2 (the callers run for a detected SIMD backend); leaves 0 and 1
    // are always implemented. It reads no memory.
    #[allow(unused_unsafe)]
    let (vendor, signature) = unsafe { (__cpuid(0), __cpuid(1)) };
    let amd = vendor.ebx == u32::from_le_bytes(*b"Auth")
        && vendor.edx == u32::from_le_bytes(*b"enti")
        && vendor.ecx == u32::from_le_bytes(*b"cAMD");
    if !amd {
        return None;
    }
    let base = (signature.eax >> 8) & 0xf;
    let extended = (signature.eax >> 20) & 0xff;
    Some(if base == 0xf { base + extended } else { base })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Backend;

    #[test]
    fn amd_families_are_read_as_amd_numbers_them() {
        // Whatever this CPU is, the answer is stable and an AMD family is
        // one of the values AMD uses for AVX-512 parts (Zen 4 and later).
        assert_eq!(amd_family(), read_amd_family());
        if let Some(family) = amd_family() {
            assert!(family >= 0xf, "{family:#x}");
            if cfg!(simdconv_avx512) && Backend::Avx512.is_available() {
                assert!(family >= 0x19, "{family:#x}");
            }
        }
    }
}
