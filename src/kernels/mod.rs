//! Row kernels: the inner filter loop over contiguous padded rows.
//!
//! A reader finds each part by its file:
//!
//! - `contract.rs`: what every row kernel computes (the exact formula and
//!   tap order), the rows' slack, the block check;
//! - `select.rs`: which kernel runs, one table per element type;
//! - `scalar.rs`: the reference, plain loops, the definition of correct;
//! - `taps.rs`: a kernel packed once (dense, column-major, the integer tap
//!   program and column recurrence);
//! - `vector.rs`: the `Vector` trait the blocked algorithm is written over;
//! - `blocked.rs`: the register-blocked algorithm (rolling strips, tiles,
//!   tap programs), written once; `running.rs`: integer columns by running
//!   sums; `strategy.rs`: which integer algorithm runs for a kernel;
//! - `widening.rs`: the row pass of `i16` values into exact `i32` sums by
//!   pairs of taps (`pmaddwd`), for narrow pixels' two-width separable
//!   filters (`pipeline/split.rs`);
//! - `entry.rs`: the safe `#[target_feature]` entry every SIMD kernel is
//!   defined with; `autovec.rs`: plain row loops (the conversions around
//!   the kernels) compiled once per instruction set;
//! - `x86/`, `aarch64/`, `wasm32/`: one thin file per instruction set, the
//!   `Vector` implementations and a line per element type (`wasm32/` only
//!   in a build with `simd128`, which WebAssembly fixes at compile time).
//!
//! This module sits above [`crate::arith`] (the arithmetic) and never
//! imports [`crate::element`], which is built on top of it.

pub(crate) mod autovec;
pub(crate) mod contract;
pub(crate) mod scalar;
pub(crate) mod select;
pub(crate) mod taps;

#[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
pub(crate) mod x86;

#[cfg(target_arch = "aarch64")]
pub(crate) mod aarch64;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(crate) mod wasm32;

/// Items only the SIMD backends use (the blocked algorithm and what it is
/// written over), on every target that has such a backend.
macro_rules! simd_only {
    ($($item:item)*) => {$(
        #[cfg(any(
            target_arch = "x86",
            target_arch = "x86_64",
            target_arch = "aarch64",
            all(target_arch = "wasm32", target_feature = "simd128")
        ))]
        $item
    )*};
}

simd_only! {
    pub(crate) mod blocked;
    mod entry;
    pub(crate) mod running;
    pub(crate) mod strategy;
    pub(crate) mod vector;
    pub(crate) use entry::row_kernel;
    #[cfg(test)]
    pub(crate) mod testing;
}

pub(crate) use contract::{check_block, RowKernel, ROW_SLACK};
pub(crate) use taps::Taps;

pub(crate) mod widening;
