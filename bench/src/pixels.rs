//! The narrow-pixel workloads of `docs/PEERS.md` (W8, W9, W12, W13 and the
//! int16 variant of W8): their kernels and their deterministic images,
//! shared so that simdconv's benchmarks and `tools/peers/pixel_peers.py`
//! (which computes the same values in NumPy) measure the same arrays.
//!
//! - **W8**: u8 1000 x 1000 image, [`w8_kernel`] (9 x 9, sum 256), divided
//!   by 256, correlation, same mode, reflect-101 border (OpenCV's default,
//!   SciPy ndimage's `mirror`), rounded half to even, u8 out.
//! - **W9**: the same on a u8 1000 x 1000 x 3 image, channels last.
//! - **W12**: the same on a u16 1000 x 1000 image, u16 out.
//! - **W8-i16**: the same on an i16 1000 x 1000 image, i16 out.
//! - **W13**: u8 1000 x 1000 image, [`sobel_dx`], correlation, same mode,
//!   reflect-101, i16 out (no division).
//!
//! Every image is [`SHAPE`] from [`Lcg`]`(`[`SEED`]`)`, one
//! `next_u64()` per element in row-major (for RGB: pixel by pixel, channel
//! by channel) order, taking its top bits: the high bits of an LCG are
//! its well-mixed ones.

use ndarray::{Array2, Array3};

use crate::lcg::Lcg;

/// Rows and columns of the W8-W13 images.
pub const SHAPE: (usize, usize) = (1000, 1000);

/// The seed of every W8-W13 image (the other workloads' images use 1 too).
pub const SEED: u64 = 1;

/// W8's 9 x 9 kernel, also W9's, W12's and W8-i16's: integer taps between 1
/// and 5 from a multiplicative hash of the index, the centre raised so that
/// the taps sum to 256 (the output is the correlation sum divided by 256).
///
/// With `n = 9 i + j` for row `i`, column `j`:
/// `h = ((n * 2654435761) mod 2^32) >> 24`, `k[i][j] = 1 + h % 5`; then
/// `k[4][4] += 256 - sum(k)`. So `k[4][4] == 19`, every tap is positive,
/// the sum is 256 and the rank is 9 (the kernel is not separable).
pub fn w8_kernel() -> Array2<i32> {
    let mut k = Array2::from_shape_fn((9, 9), |(i, j)| {
        let n = (9 * i + j) as u64;
        let h = ((n * 2_654_435_761) % (1 << 32)) >> 24;
        1 + (h % 5) as i32
    });
    let sum: i32 = k.sum();
    k[[4, 4]] += 256 - sum;
    k
}

/// W13's Sobel d/dx as a correlation kernel: `[[-1, 0, 1], [-2, 0, 2],
/// [-1, 0, 1]]`, what `cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3)` applies
/// (and `scipy.ndimage.sobel(img, axis=1)`).
pub fn sobel_dx() -> Array2<i32> {
    ndarray::array![[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
}

/// A u8 image, uniform over 0..=255: the top 8 bits of each LCG state.
/// W8 and W13 use `image_u8(SHAPE, SEED)`.
pub fn image_u8(shape: (usize, usize), seed: u64) -> Array2<u8> {
    let mut rng = Lcg(seed);
    Array2::from_shape_simple_fn(shape, || (rng.next_u64() >> 56) as u8)
}

/// A u8 RGB image, `(rows, cols, 3)`, channels last, uniform over 0..=255:
/// the same sequence as [`image_u8`], three values per pixel, so its first
/// channel values are not those of the grey image. W9 uses
/// `image_u8_rgb(SHAPE, SEED)`.
pub fn image_u8_rgb(shape: (usize, usize), seed: u64) -> Array3<u8> {
    let mut rng = Lcg(seed);
    Array3::from_shape_simple_fn((shape.0, shape.1, 3), || (rng.next_u64() >> 56) as u8)
}

/// A u16 image, uniform over 0..=65535: the top 16 bits of each LCG state.
/// W12 uses `image_u16(SHAPE, SEED)`.
pub fn image_u16(shape: (usize, usize), seed: u64) -> Array2<u16> {
    let mut rng = Lcg(seed);
    Array2::from_shape_simple_fn(shape, || (rng.next_u64() >> 48) as u16)
}

/// An i16 image, uniform over -32768..=32767: the top 16 bits of each LCG
/// state read as two's complement (the bits of [`image_u16`]). W8-i16
/// uses `image_i16(SHAPE, SEED)`.
pub fn image_i16(shape: (usize, usize), seed: u64) -> Array2<i16> {
    let mut rng = Lcg(seed);
    Array2::from_shape_simple_fn(shape, || (rng.next_u64() >> 48) as u16 as i16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w8_kernel_sums_to_256_with_positive_taps() {
        let k = w8_kernel();
        assert_eq!(k.dim(), (9, 9));
        assert_eq!(k.sum(), 256);
        assert_eq!(k[[4, 4]], 19);
        assert!(k.iter().all(|&t| t >= 1));
        // The first row, as tools/peers/pixel_peers.py computes it.
        assert_eq!(k.row(0).to_vec(), [1, 4, 1, 4, 1, 4, 2, 4, 2]);
    }

    #[test]
    fn sobel_dx_is_antisymmetric_in_x() {
        let k = sobel_dx();
        assert_eq!(k.sum(), 0);
        assert_eq!(k.column(2).to_vec(), [1, 2, 1]);
    }

    /// The same values as pixel_peers.py's NumPy images: first elements and
    /// sums of the W8-W13 images.
    #[test]
    fn images_match_the_python_peers() {
        let sum = |it: &mut dyn Iterator<Item = i64>| it.sum::<i64>();
        let u8s = image_u8(SHAPE, SEED);
        assert_eq!(
            u8s.iter().take(6).copied().collect::<Vec<_>>(),
            [108, 130, 165, 98, 203, 128]
        );
        assert_eq!(sum(&mut u8s.iter().map(|&v| v as i64)), 127_441_832);
        let rgb = image_u8_rgb(SHAPE, SEED);
        assert_eq!(rgb.dim(), (1000, 1000, 3));
        assert_eq!(
            rgb.iter().take(6).copied().collect::<Vec<_>>(),
            [108, 130, 165, 98, 203, 128]
        );
        assert_eq!(rgb.slice(ndarray::s![999, 999, ..]).to_vec(), [9, 102, 22]);
        assert_eq!(sum(&mut rgb.iter().map(|&v| v as i64)), 382_627_231);
        let u16s = image_u16(SHAPE, SEED);
        assert_eq!(
            u16s.iter().take(4).copied().collect::<Vec<_>>(),
            [27735, 33384, 42490, 25091]
        );
        assert_eq!(sum(&mut u16s.iter().map(|&v| v as i64)), 32_752_724_408);
        let i16s = image_i16(SHAPE, SEED);
        assert_eq!(
            i16s.iter().take(4).copied().collect::<Vec<_>>(),
            [27735, -32152, -23046, 25091]
        );
        assert_eq!(sum(&mut i16s.iter().map(|&v| v as i64)), 5_827_000);
    }
}
