//! Deterministic input data for the benchmarks and the ratios example:
//! shared so both measure the same arrays (`tools/peers/peers.py` computes
//! the same sequence in NumPy for the peers).

/// A 64-bit LCG (Knuth's MMIX constants): deterministic, no `rand` needed.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }
    /// Uniform in [-1, 1), exactly representable in f64.
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (2.0 / (1u64 << 53) as f64) - 1.0
    }
    /// Uniform in [-1, 1), exactly representable in f32.
    pub fn f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (2.0 / (1u32 << 24) as f32) - 1.0
    }
    /// Uniform integer in [-m, m].
    pub fn int(&mut self, m: i64) -> i64 {
        ((self.next_u64() >> 33) % (2 * m as u64 + 1)) as i64 - m
    }
}
