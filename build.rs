//! Build-time facts the code needs:
//!
//! - `simdconv_avx512`: set when the compiler has stable AVX-512 intrinsics
//!   (Rust 1.89 and later) and the target is x86 / x86-64. An older
//!   compiler builds the crate with the AVX-512 backend left out (it is
//!   then never reported as available).
//! - `cargo::rustc-check-cfg` for the crate's own cfgs, so a typo in one is a
//!   warning instead of silently dead code.

use std::env;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC");
    println!("cargo:rerun-if-env-changed=SIMDCONV_NO_AVX512");
    // `cargo:` (one colon) works on every cargo that has check-cfg.
    println!("cargo:rustc-check-cfg=cfg(simdconv_avx512)");

    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let x86 = arch == "x86" || arch == "x86_64";
    let minor = rustc_minor_version();
    let opted_out = env::var_os("SIMDCONV_NO_AVX512").is_some();
    if x86 && minor.is_some_and(|m| m >= 89) && !opted_out {
        println!("cargo:rustc-cfg=simdconv_avx512");
    }
}

/// The minor version of the compiler cargo builds with (`rustc 1.NN.x`).
fn rustc_minor_version() -> Option<u32> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    let mut parts = version.split('.');
    if parts.next()? != "1" {
        return None;
    }
    parts.next()?.parse().ok()
}
