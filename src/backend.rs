//! `Backend`: which implementation runs, detected once per process.

use core::fmt;
use core::str::FromStr;
use std::sync::OnceLock;

use crate::error::Error;

/// The name of the environment variable that forces a backend:
/// `SIMDCONV_BACKEND`.
///
/// Its value is a backend name as [`Backend`]'s `Display` prints it
/// (`scalar`, `sse2`, `sse41`, `avx2`, `avx512`, `neon`, `simd128`; ASCII
/// case and surrounding whitespace are ignored; empty counts as unset).
/// Filters without [`Filter2d::backend`](crate::Filter2d::backend) read it
/// once, on the first call that dispatches automatically, and use it for
/// the rest of the process; [`Backend::from_env`] reads it on every call.
/// An unknown name, or one this CPU cannot run, is an error, never ignored.
///
/// ```
/// assert_eq!(simdconv::BACKEND_ENV, "SIMDCONV_BACKEND");
/// ```
///
/// In a shell: `SIMDCONV_BACKEND=scalar cargo test`.
pub const BACKEND_ENV: &str = "SIMDCONV_BACKEND";

/// An implementation of the row kernels.
///
/// Every variant exists on every architecture; [`Backend::available`] lists
/// those the running CPU (and this build) can run. All of them give the
/// scalar reference's results bit for bit.
///
/// ```
/// use simdconv::Backend;
/// let best = Backend::detect();
/// assert!(Backend::available().contains(&best));
/// assert_eq!(Backend::available()[0], Backend::Scalar);
/// assert_eq!("avx2".parse::<Backend>().unwrap(), Backend::Avx2);
/// assert_eq!(Backend::Sse41.to_string(), "sse41");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Backend {
    /// Plain loops: the definition of correct. Runs everywhere.
    Scalar,
    /// x86 / x86-64, 128-bit SSE2 (the x86-64 baseline).
    Sse2,
    /// x86 / x86-64, SSE4.1 (adds a native 32-bit multiply).
    Sse41,
    /// x86 / x86-64, 256-bit AVX2.
    Avx2,
    /// x86 / x86-64, 512-bit AVX-512 F + DQ + BW + VL.
    Avx512,
    /// AArch64 Advanced SIMD.
    Neon,
    /// WebAssembly 128-bit SIMD (`simd128`). WebAssembly has no run-time
    /// feature detection: this backend is available exactly when the
    /// module was compiled with `-C target-feature=+simd128`.
    Wasm128,
}

impl Backend {
    /// Every backend this crate knows, `Scalar` first, whatever this CPU
    /// can run (x86 backends in order of capability, then `Neon`, then
    /// `Wasm128`).
    ///
    /// ```
    /// use simdconv::Backend;
    /// let names: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
    /// assert_eq!(names, ["scalar", "sse2", "sse41", "avx2", "avx512", "neon", "simd128"]);
    /// ```
    /// A slice, so that adding a backend is not a breaking change.
    pub const ALL: &'static [Backend] = &[
        Backend::Scalar,
        Backend::Sse2,
        Backend::Sse41,
        Backend::Avx2,
        Backend::Avx512,
        Backend::Neon,
        Backend::Wasm128,
    ];

    /// The lower-case name used by `Display`, `FromStr` and `SIMDCONV_BACKEND`.
    ///
    /// ```
    /// use simdconv::Backend;
    /// assert_eq!(Backend::Avx512.name(), "avx512");
    /// assert_eq!(Backend::Avx512.to_string(), "avx512");
    /// assert_eq!("AVX512".parse::<Backend>()?, Backend::Avx512);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Backend::Scalar => "scalar",
            Backend::Sse2 => "sse2",
            Backend::Sse41 => "sse41",
            Backend::Avx2 => "avx2",
            Backend::Avx512 => "avx512",
            Backend::Neon => "neon",
            Backend::Wasm128 => "simd128",
        }
    }

    /// Whether this CPU and this build can run the backend.
    ///
    /// ```
    /// use simdconv::Backend;
    /// assert!(Backend::Scalar.is_available()); // always
    /// if cfg!(target_arch = "x86_64") {
    ///     assert!(Backend::Sse2.is_available()); // the x86-64 baseline
    ///     assert!(!Backend::Neon.is_available());
    /// }
    /// ```
    pub fn is_available(self) -> bool {
        available_mask() & (1 << self as u8) != 0
    }

    /// Every backend this CPU can run, `Scalar` first, the best last.
    ///
    /// ```
    /// use simdconv::Backend;
    /// let all = Backend::available();
    /// assert_eq!(all.first(), Some(&Backend::Scalar));
    /// assert_eq!(all.last(), Some(&Backend::detect()));
    /// assert!(all.iter().all(|b| b.is_available()));
    /// ```
    pub fn available() -> Vec<Backend> {
        Backend::ALL
            .iter()
            .copied()
            .filter(|b| b.is_available())
            .collect()
    }

    /// The fastest backend this CPU can run (detected once, then cached).
    ///
    /// This ignores `SIMDCONV_BACKEND`; the backend a filter actually uses
    /// is [`Filter2d::resolved_backend`](crate::Filter2d::resolved_backend).
    ///
    /// ```
    /// use simdconv::Backend;
    /// println!("this CPU's best backend: {}", Backend::detect());
    /// ```
    pub fn detect() -> Backend {
        *Backend::available()
            .last()
            .expect("the scalar backend is always available")
    }

    /// The backend named by `SIMDCONV_BACKEND`, if the variable is set.
    ///
    /// The variable is read on every call. An unknown name, or a backend
    /// this CPU cannot run, is an error naming the value and listing the
    /// available backends; it is never silently ignored. An empty value
    /// counts as unset.
    ///
    /// ```
    /// use simdconv::{Backend, Error, BACKEND_ENV};
    ///
    /// std::env::set_var(BACKEND_ENV, "scalar");
    /// assert_eq!(Backend::from_env()?, Some(Backend::Scalar));
    ///
    /// std::env::set_var(BACKEND_ENV, "avx3");
    /// let err = Backend::from_env().unwrap_err();
    /// assert!(matches!(err, Error::UnknownBackend { from_env: true, .. }));
    /// assert!(err.to_string().starts_with("SIMDCONV_BACKEND=\"avx3\" is not a backend name"));
    ///
    /// std::env::remove_var(BACKEND_ENV);
    /// assert_eq!(Backend::from_env()?, None);
    /// # Ok::<(), simdconv::Error>(())
    /// ```
    pub fn from_env() -> Result<Option<Backend>, Error> {
        match std::env::var_os(BACKEND_ENV) {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(None),
            Some(v) => {
                let name = v.to_string_lossy();
                let backend = parse_name(&name).ok_or_else(|| Error::UnknownBackend {
                    name: name.clone().into_owned(),
                    from_env: true,
                    available: Backend::available(),
                })?;
                if backend.is_available() {
                    Ok(Some(backend))
                } else {
                    Err(Error::BackendUnavailable {
                        backend,
                        from_env: true,
                        available: Backend::available(),
                    })
                }
            }
        }
    }

    /// `Ok(self)` if this CPU can run it, else the error naming it.
    pub(crate) fn check(self) -> Result<Backend, Error> {
        if self.is_available() {
            Ok(self)
        } else {
            Err(Error::BackendUnavailable {
                backend: self,
                from_env: false,
                available: Backend::available(),
            })
        }
    }
}

/// The backend a filter without `.backend(b)` runs on: `SIMDCONV_BACKEND`
/// if set, else `detect()`. Resolved on first use and cached for the
/// process, so no call pays for reading the environment.
pub(crate) fn automatic() -> Result<Backend, Error> {
    static CHOICE: OnceLock<Result<Backend, Error>> = OnceLock::new();
    CHOICE
        .get_or_init(|| Backend::from_env().map(|b| b.unwrap_or_else(Backend::detect)))
        .clone()
}

fn parse_name(s: &str) -> Option<Backend> {
    let s = s.trim();
    Backend::ALL
        .iter()
        .copied()
        .find(|b| b.name().eq_ignore_ascii_case(s))
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = Error;

    /// Parses the names `Display` prints (ASCII case and surrounding
    /// whitespace are ignored). It does not check that the CPU can run it.
    fn from_str(s: &str) -> Result<Self, Error> {
        parse_name(s).ok_or_else(|| Error::UnknownBackend {
            name: s.to_owned(),
            from_env: false,
            available: Backend::available(),
        })
    }
}

/// Bit `b as u8` is set for every backend this CPU and build can run.
fn available_mask() -> u8 {
    static MASK: OnceLock<u8> = OnceLock::new();
    *MASK.get_or_init(detect_mask)
}

fn detect_mask() -> u8 {
    // Not mutated on targets without SIMD backends.
    #[allow(unused_mut)]
    let mut mask = 1 << Backend::Scalar as u8;
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        if std::arch::is_x86_feature_detected!("sse2") {
            mask |= 1 << Backend::Sse2 as u8;
        }
        if std::arch::is_x86_feature_detected!("sse4.1") {
            mask |= 1 << Backend::Sse41 as u8;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            mask |= 1 << Backend::Avx2 as u8;
        }
        #[cfg(simdconv_avx512)]
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512dq")
            && std::arch::is_x86_feature_detected!("avx512bw")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            mask |= 1 << Backend::Avx512 as u8;
        }
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("neon") {
            mask |= 1 << Backend::Neon as u8;
        }
    }
    // Fixed when the module is compiled: a WebAssembly engine that lacks
    // SIMD rejects the whole module instead.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        mask |= 1 << Backend::Wasm128 as u8;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &b in Backend::ALL {
            assert_eq!(b.to_string().parse::<Backend>().unwrap(), b);
            assert_eq!(b.name().to_uppercase().parse::<Backend>().unwrap(), b);
        }
    }

    #[test]
    fn unknown_name_lists_the_available_backends() {
        let err = "avx3".parse::<Backend>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"avx3\""), "{msg}");
        assert!(msg.contains("available on this CPU: scalar"), "{msg}");
    }

    #[test]
    fn scalar_is_first_and_detect_is_last() {
        let all = Backend::available();
        assert_eq!(all[0], Backend::Scalar);
        assert_eq!(*all.last().unwrap(), Backend::detect());
        assert!(Backend::Scalar.check().is_ok());
    }

    #[test]
    fn a_backend_of_another_architecture_is_unavailable() {
        #[cfg(target_arch = "x86_64")]
        assert!(Backend::Neon.check().is_err());
        #[cfg(not(target_arch = "wasm32"))]
        assert!(Backend::Wasm128.check().is_err());
        #[cfg(any(target_arch = "aarch64", target_arch = "wasm32"))]
        assert!(Backend::Avx2.check().is_err());
    }

    #[test]
    fn simd128_is_available_exactly_when_compiled_in() {
        let compiled = cfg!(all(target_arch = "wasm32", target_feature = "simd128"));
        assert_eq!(Backend::Wasm128.is_available(), compiled);
        if compiled {
            assert_eq!(Backend::detect(), Backend::Wasm128);
        }
    }
}
