//! What simdconv's benchmarks and peer comparisons share: the deterministic
//! input data (so that `benches/kernels.rs`, `examples/ratios.rs` and
//! `tools/peers/peers.py` measure the same arrays), the narrow-pixel
//! workloads' kernels and images (`pixels`, which
//! `tools/peers/pixel_peers.py` mirrors) and the reader of the peer timings
//! `tools/peers/peers.py` and `tools/peers/pixel_peers.py` write.
//!
//! Not published; see `docs/MEASURING.md` in the repository.

pub mod lcg;
pub mod measured_peers;
pub mod pixels;
