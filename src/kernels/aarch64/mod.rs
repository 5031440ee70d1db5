//! AArch64 backends.

pub(crate) mod neon;
