//! Every choice that changes only speed, never bits, in one place: each
//! with the `SIMDCONV_*` variable that overrides it (read once per
//! process, to measure both sides on one machine) and one line on why.
//! The measurements behind the defaults are in `docs/TUNING.md`.
//!
//! | choice | default | override |
//! | --- | --- | --- |
//! | [`direct_band_rows`]: output rows per direct kernel call | 96 on AMD, scalar and NEON; 24 on other x86 | `SIMDCONV_BAND_ROWS=N` |
//! | [`avx512_hoists_taps`]: AVX-512 taps splatted into registers or folded into the multiplies | folded on AMD family 0x19 (Zen 4), hoisted elsewhere | `SIMDCONV_AVX512_TAPS=hoisted\|folded` |
//! | [`avx512_splits_i64`]: AVX-512 `i64` products by narrow taps as two 32-bit multiplies | split everywhere but AMD | `SIMDCONV_AVX512_I64=split\|native` |
//! | [`strip_prefetch_distance`]: how far ahead the rolling strips prefetch | 64 row steps, at most 4 strips | `SIMDCONV_PREFETCH_ROWS=N` |
//! | [`direct_ns`], [`fft_ns`]: `Method::Auto`'s cost model | rates measured on a Zen 4 guest | - |
//!
//! Every choice gives the reference's bits whatever its value: the tests
//! run each backend at every band height and both AVX-512 forms.

use std::sync::OnceLock;

use crate::backend::Backend;
use crate::cpu;

/// Output rows computed per kernel call by the low-rank method, and the
/// fewest for the direct method (the ring holds `band + kh - 1` padded rows).
pub(crate) const BAND_ROWS: usize = 24;

/// The most output rows per direct kernel call where tall bands pay: a
/// rolling strip ramps up and down over `kh - 1` rows at each end of a
/// band, so a taller band spends less of its time there (`docs/TUNING.md`,
/// "Band height").
const TALL_BAND_ROWS: usize = 96;

/// The direct method's ring stays within this many bytes where the minimum
/// band allows it: for very wide images the band shrinks back towards
/// [`BAND_ROWS`] rather than let the ring outgrow the L2 cache by far.
const DIRECT_RING_BYTES: usize = 2 << 20;

/// A positive integer from the environment variable `name`, if set.
fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
}

/// The most output rows per direct kernel call for `backend` on this CPU:
/// tall bands (96) on AMD and on the scalar and NEON backends, the minimum
/// [`BAND_ROWS`] on other x86 CPUs, where a rolling strip's row streams
/// (about `2 x band + kh`) past about 60 fell off a cliff on an Intel Xeon
/// (`docs/TUNING.md`, "Band height"). `SIMDCONV_BAND_ROWS=N` sets the
/// ceiling instead.
pub(crate) fn direct_band_rows(backend: Backend) -> usize {
    static FROM_ENV: OnceLock<Option<usize>> = OnceLock::new();
    let from_env = *FROM_ENV.get_or_init(|| env_usize("SIMDCONV_BAND_ROWS"));
    from_env.unwrap_or_else(|| {
        if tall_bands_pay(backend) {
            TALL_BAND_ROWS
        } else {
            BAND_ROWS
        }
    })
}

/// Whether `backend` runs faster with tall bands on this CPU.
fn tall_bands_pay(backend: Backend) -> bool {
    match backend {
        Backend::Sse2 | Backend::Sse41 | Backend::Avx2 | Backend::Avx512 => {
            cpu::amd_family().is_some()
        }
        _ => true,
    }
}

/// Output rows per band of the direct method for a `kh`-row kernel and
/// ring rows of `row_elems` elements (the padded row and its slack) of
/// `elem_bytes` each, at most `most` (from [`direct_band_rows`]): as tall
/// as the ring's byte budget allows.
pub(crate) fn direct_band(kh: usize, row_elems: usize, elem_bytes: usize, most: usize) -> usize {
    let row_bytes = row_elems.saturating_mul(elem_bytes).max(1);
    let fit = (DIRECT_RING_BYTES / row_bytes).saturating_sub(kh - 1);
    fit.clamp(BAND_ROWS.min(most), most)
}

/// Whether the AVX-512 kernels splat taps into registers (hoisted) rather
/// than multiply by a broadcast memory operand (folded): everywhere but AMD
/// family 0x19 (Zen 4), where a separate broadcast takes a vector-pipe slot
/// and the folded operand is free; on Zen 5 and on an Intel Xeon hoisting
/// ran 5-100% faster (`docs/TUNING.md`, "AVX-512 taps").
/// `SIMDCONV_AVX512_TAPS=hoisted|folded` overrides.
// Read only by the AVX-512 rows of `kernels::select`.
#[cfg_attr(not(simdconv_avx512), allow(dead_code))]
pub(crate) fn avx512_hoists_taps() -> bool {
    static HOISTS: OnceLock<bool> = OnceLock::new();
    *HOISTS.get_or_init(|| match std::env::var("SIMDCONV_AVX512_TAPS").as_deref() {
        Ok("hoisted") => true,
        Ok("folded") => false,
        _ => cpu::amd_family() != Some(0x19),
    })
}

/// Whether AVX-512 `i64` kernels whose taps fit in `i32` multiply with two
/// 32-bit multiplies (`vpmuldq` + `vpmuludq`) instead of `vpmullq`:
/// everywhere but AMD, whose Zen 4 and 5 run `vpmullq` as one fast uop,
/// where Intel's is three uops on one port (`docs/TUNING.md`, "AVX-512
/// i64 multiply"). `SIMDCONV_AVX512_I64=split|native` overrides.
// Read only by the AVX-512 rows of `kernels::select`.
#[cfg_attr(not(simdconv_avx512), allow(dead_code))]
pub(crate) fn avx512_splits_i64() -> bool {
    static SPLITS: OnceLock<bool> = OnceLock::new();
    *SPLITS.get_or_init(|| match std::env::var("SIMDCONV_AVX512_I64").as_deref() {
        Ok("split") => true,
        Ok("native") => false,
        _ => cpu::amd_family().is_none(),
    })
}

/// How many strips ahead a rolling strip of `rows` input rows prefetches
/// its inputs: at least 64 row steps ahead of their use, at most four
/// strips, so that rows read in place from memory arrive in time (short
/// bands look further; `docs/TUNING.md`, "Prefetch distance").
/// `SIMDCONV_PREFETCH_ROWS=N` sets the row steps instead of 64.
#[inline]
// Read only by the blocked kernels (targets without a SIMD backend run the
// scalar reference).
#[cfg_attr(
    not(any(
        target_arch = "x86",
        target_arch = "x86_64",
        target_arch = "aarch64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )),
    allow(dead_code)
)]
pub(crate) fn strip_prefetch_distance(rows: usize) -> usize {
    static STEPS: OnceLock<usize> = OnceLock::new();
    let steps = *STEPS.get_or_init(|| env_usize("SIMDCONV_PREFETCH_ROWS").unwrap_or(64));
    steps.div_ceil(rows.max(1)).min(4)
}

/// The direct method's single-thread multiply-adds per nanosecond on
/// large kernels, and its cost per output in multiply-adds (the ring, the
/// edges): measured on 1000 x 1000 calls, 3 x 3 to 31 x 31, on a Zen 4
/// guest (`docs/FFT.md`, "Cost model"; `elem_bytes` 4 for `f32`, 8 for
/// `f64`). Backends not measured there (NEON, Wasm) are taken as SSE's
/// width.
fn direct_rate(backend: Backend, elem_bytes: usize) -> (f64, f64) {
    let wide = elem_bytes <= 4;
    let rate = match backend {
        Backend::Avx512 => {
            if wide {
                50.0
            } else {
                26.0
            }
        }
        Backend::Avx2 => {
            if wide {
                40.0
            } else {
                20.0
            }
        }
        Backend::Scalar => 1.3,
        // SSE2, SSE4.1, NEON, Wasm: 128-bit vectors.
        _ => {
            if wide {
                19.0
            } else {
                9.8
            }
        }
    };
    (rate, 7.0)
}

/// The modelled single-thread time, in nanoseconds, of the direct method
/// on `backend` for `outputs` outputs of `taps` multiply-adds each.
pub(crate) fn direct_ns(backend: Backend, elem_bytes: usize, outputs: f64, taps: f64) -> f64 {
    let (rate, per_output) = direct_rate(backend, elem_bytes);
    outputs * (taps + per_output) / rate
}

/// `Method::Auto` takes the FFT tiles only when their modelled time times
/// this is below the others': near the crossover the two are within the
/// model's error (on 4096 x 4096 `f32` at 15 x 15 the FFT measured 10%
/// slower than the model said against direct), and direct keeps the
/// reference's bits.
pub(crate) const FFT_MARGIN: f64 = 1.1;

/// The modelled single-thread time, in nanoseconds, of FFT tiles of
/// `units` (`fft::size::tile_cost`): 5.9 units per nanosecond for `f32`,
/// 3.35 for `f64` (rustfft's AVX code on the same guest; the transforms
/// do not depend on the backend).
pub(crate) fn fft_ns(elem_bytes: usize, units: f64) -> f64 {
    units / if elem_bytes <= 4 { 5.9 } else { 3.35 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows' slack, as the pipeline adds it.
    const SLACK: usize = crate::kernels::ROW_SLACK;

    #[test]
    fn direct_bands_are_tall_unless_the_ring_would_be_huge() {
        let tall = TALL_BAND_ROWS;
        // 1000 x 1000 f32, 9 x 9: the tallest band.
        assert_eq!(direct_band(9, 1008 + SLACK, 4, tall), TALL_BAND_ROWS);
        // 4096 f64: the ring budget (2 MiB / 32.9 KB = 63 rows, 8 of them
        // the kernel's extra rows).
        let b = direct_band(9, 4104 + SLACK, 8, tall);
        assert!(b > BAND_ROWS && b < TALL_BAND_ROWS, "{b}");
        assert!((b + 8) * (4104 + SLACK) * 8 <= DIRECT_RING_BYTES);
        // Very wide, or a very tall kernel: never below the minimum.
        assert_eq!(direct_band(9, (1 << 20) + SLACK, 8, tall), BAND_ROWS);
        assert_eq!(direct_band(1000, 4000 + SLACK, 4, tall), BAND_ROWS);
        assert_eq!(direct_band(1000, 100 + SLACK, 4, tall), TALL_BAND_ROWS);
        assert_eq!(direct_band(1, usize::MAX, 8, tall), BAND_ROWS);
        // A lower ceiling wins, also below the usual minimum.
        assert_eq!(direct_band(9, 1008 + SLACK, 4, BAND_ROWS), BAND_ROWS);
        assert_eq!(direct_band(9, 1008 + SLACK, 4, 5), 5);
        assert_eq!(direct_band(9, (1 << 20) + SLACK, 8, 1), 1);
    }

    #[test]
    fn band_ceilings_are_one_of_the_two_heights() {
        let from_env = std::env::var_os("SIMDCONV_BAND_ROWS").is_some();
        for backend in Backend::available() {
            let rows = direct_band_rows(backend);
            if !from_env {
                assert!(
                    rows == BAND_ROWS || rows == TALL_BAND_ROWS,
                    "{backend}: {rows}"
                );
            }
            assert!(rows > 0);
        }
        if !from_env {
            assert_eq!(direct_band_rows(Backend::Scalar), TALL_BAND_ROWS);
        }
    }

    #[test]
    fn prefetch_distance_is_one_to_four_strips() {
        if std::env::var_os("SIMDCONV_PREFETCH_ROWS").is_some() {
            return;
        }
        assert_eq!(strip_prefetch_distance(104), 1); // 96-row bands, 9 x 9
        assert_eq!(strip_prefetch_distance(32), 2); // 24-row bands, 9 x 9
        assert_eq!(strip_prefetch_distance(1), 4);
        assert_eq!(strip_prefetch_distance(0), 4);
    }
}
