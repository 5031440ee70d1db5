//! WebAssembly backends. WebAssembly has no run-time feature detection: a
//! module either was compiled with `simd128` (`-C
//! target-feature=+simd128`) and needs an engine that runs it, or has no
//! SIMD at all. This module exists only in the first kind of build.

pub(crate) mod simd128;
