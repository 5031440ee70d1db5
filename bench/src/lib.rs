//! What simdconv's benchmarks and peer comparisons share: the deterministic
//! input data (so that `benches/kernels.rs`, `examples/ratios.rs` and
//! `tools/peers/peers.py` measure the same arrays) and the reader of the
//! peer timings `tools/peers/peers.py` writes.
//!
//! Not published; see `docs/MEASURING.md` in the repository.

pub mod lcg;
pub mod measured_peers;
