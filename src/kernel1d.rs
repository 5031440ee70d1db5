//! 1-D kernels users know, built the way the libraries they know build
//! them: Gaussians by SciPy's and OpenCV's rules, box (uniform) kernels,
//! and Sobel / Scharr derivative kernels. Pair them with
//! [`Filter2d::separable_correlation`](crate::Filter2d::separable_correlation)
//! (or use the presets [`Filter2d::gaussian_scipy`](crate::Filter2d::gaussian_scipy),
//! [`Filter2d::gaussian_opencv`](crate::Filter2d::gaussian_opencv)).
//!
//! | simdconv | SciPy | OpenCV |
//! | --- | --- | --- |
//! | [`gaussian_scipy`]`(sigma, truncate, radius)` | `ndimage._gaussian_kernel1d`, as `gaussian_filter` uses it | - |
//! | [`gaussian_opencv`]`(ksize, sigma)` | - | `getGaussianKernel(ksize, sigma)` |
//! | [`gaussian_opencv_fixed`]`(ksize, sigma, bits)` | - | the integer taps of `GaussianBlur`'s bit-exact `u8` (8 bits) / `u16` (16 bits) path |
//! | [`uniform`]`(size)` | `uniform_filter`'s weights | `blur`, `boxFilter(normalize=True)` |
//! | [`derivative`]`(order, ksize)` | `sobel` (ksize 3, order 1) | `getDerivKernels` (Sobel), `ksize = -1`: [`scharr`] |

use crate::error::Error;

/// SciPy's Gaussian: `exp(-x^2 / (2 sigma^2))` for `x` in `-r..=r`,
/// divided by its sum, computed in `f64` as `scipy.ndimage` does, with
/// `r = radius` if given, else `floor(truncate * sigma + 0.5)` (SciPy's
/// default `truncate` is 4.0).
///
/// ```
/// let k = simdconv::kernel1d::gaussian_scipy(1.0, 4.0, None)?;
/// assert_eq!(k.len(), 9);
/// assert!((k.iter().sum::<f64>() - 1.0).abs() < 1e-15);
/// assert!((k[4] - 0.3989422804014327).abs() < 1e-5); // about 1 / sqrt(2 pi)
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn gaussian_scipy(sigma: f64, truncate: f64, radius: Option<usize>) -> Result<Vec<f64>, Error> {
    if !(sigma.is_finite() && sigma > 0.0) {
        return Err(Error::BadParameter {
            what: "sigma",
            value: sigma.to_string(),
            rule: "a positive, finite number",
        });
    }
    let radius = match radius {
        Some(r) => r,
        None => {
            let r = truncate * sigma + 0.5;
            if !(0.0..1e9).contains(&r) {
                return Err(Error::BadParameter {
                    what: "truncate",
                    value: truncate.to_string(),
                    rule: "a non-negative number with truncate * sigma below 1e9",
                });
            }
            r as usize
        }
    };
    let sigma2 = sigma * sigma;
    let scale = -0.5 / sigma2;
    let taps = radius
        .checked_mul(2)
        .and_then(|n| n.checked_add(1))
        .ok_or(Error::BadParameter {
            what: "radius",
            value: radius.to_string(),
            rule: "2 radius + 1 taps must be countable",
        })?;
    let mut phi = filled(taps, 0.0f64)?;
    for (i, p) in phi.iter_mut().enumerate() {
        let x = i as f64 - radius as f64;
        *p = (scale * (x * x)).exp();
    }
    let sum: f64 = phi.iter().sum();
    phi.iter_mut().for_each(|p| *p /= sum);
    Ok(phi)
}

/// OpenCV's `getGaussianKernel(ksize, sigma)`: for `sigma > 0`,
/// `exp(-(i - (ksize - 1) / 2)^2 / (2 sigma^2))` times the reciprocal of
/// its sum, in `f64`; for `sigma <= 0` and `ksize` 1, 3, 5 or 7, OpenCV's
/// fixed binomial tables; otherwise `sigma = 0.3 ((ksize - 1) / 2 - 1) +
/// 0.8`. (`ksize` must be odd and positive, as OpenCV requires.) Recent
/// OpenCV versions quantise some `sigma <= 0` kernels beyond the tables;
/// pass `sigma` explicitly for parity with them.
///
/// ```
/// let k = simdconv::kernel1d::gaussian_opencv(5, 0.0)?;
/// assert_eq!(k, [0.0625, 0.25, 0.375, 0.25, 0.0625]);
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn gaussian_opencv(ksize: usize, sigma: f64) -> Result<Vec<f64>, Error> {
    if ksize % 2 == 0 {
        return Err(Error::BadParameter {
            what: "ksize",
            value: ksize.to_string(),
            rule: "odd and positive (OpenCV's rule)",
        });
    }
    if sigma.is_nan() || sigma.is_infinite() {
        return Err(Error::BadParameter {
            what: "sigma",
            value: sigma.to_string(),
            rule: "a finite number (0 or less: from ksize)",
        });
    }
    if sigma <= 0.0 {
        if let Some(t) = opencv_table(ksize).filter(|t| t.len() < 9) {
            return Ok(t.to_vec());
        }
    }
    let sigma = if sigma > 0.0 {
        sigma
    } else {
        ((ksize as f64 - 1.0) * 0.5 - 1.0) * 0.3 + 0.8
    };
    let scale2 = -0.5 / (sigma * sigma);
    let mut k = filled(ksize, 0.0f64)?;
    for (i, t) in k.iter_mut().enumerate() {
        let x = i as f64 - (ksize as f64 - 1.0) * 0.5;
        *t = (scale2 * x * x).exp();
    }
    let inv = 1.0 / k.iter().sum::<f64>();
    k.iter_mut().for_each(|t| *t *= inv);
    Ok(k)
}

/// The integer taps of OpenCV's bit-exact `GaussianBlur` (its `u8` and
/// `u16` path, `smooth.dispatch.cpp`): `ksize` taps summing to exactly
/// `2^bits` (OpenCV uses 8 bits for `u8` images, 16 for `u16`), as
/// [`ImageFilter::gaussian_opencv`](crate::ImageFilter::gaussian_opencv)
/// uses them.
///
/// Built as OpenCV builds them, in `f64`:
/// 1. the kernel: for `sigma <= 0` and `ksize` 1, 3, 5, 7 or 9 OpenCV's
///    fixed tables (the 9-tap one is `[4, 13, 30, 51, 60, 51, 30, 13, 4] /
///    256`); otherwise `sigma`, or `fma(ksize, 0.15, 0.35)` when `sigma <=
///    0`, and `t = exp((x * x) * (-0.125 / sigma^2))` for `x = 1 - ksize,
///    3 - ksize, ...` (twice the offset from the centre), summed from the
///    outside in, doubled, plus 1 for the centre, each tap times `1 / sum`;
/// 2. quantised by error diffusion from the outside in: `v =
///    round_half_even(k * 2^bits + err)`, `err = k * 2^bits + err - v`,
///    the centre tap `2^bits` minus the others.
///
/// OpenCV computes `exp` with its own software floating point; this
/// function uses the platform's `exp`, which agreed on every kernel the
/// checked-in `cv2.GaussianBlur` cases use (a one-ulp difference could
/// move a tap only at an exact tie of the quantisation).
///
/// ```
/// use simdconv::kernel1d::gaussian_opencv_fixed;
/// assert_eq!(gaussian_opencv_fixed(5, 0.0, 8)?, [16, 64, 96, 64, 16]);
/// let k = gaussian_opencv_fixed(13, 2.0, 8)?;
/// assert_eq!(k.iter().sum::<i64>(), 256);
/// assert_eq!(k, [1, 2, 7, 16, 31, 45, 52, 45, 31, 16, 7, 2, 1]);
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn gaussian_opencv_fixed(ksize: usize, sigma: f64, bits: u32) -> Result<Vec<i64>, Error> {
    if ksize % 2 == 0 {
        return Err(Error::BadParameter {
            what: "ksize",
            value: ksize.to_string(),
            rule: "odd and positive (OpenCV's rule)",
        });
    }
    if !(1..=32).contains(&bits) {
        return Err(Error::BadParameter {
            what: "bits",
            value: bits.to_string(),
            rule: "1 to 32 fraction bits",
        });
    }
    if !sigma.is_finite() {
        return Err(Error::BadParameter {
            what: "sigma",
            value: sigma.to_string(),
            rule: "a finite number (0 or less: from ksize)",
        });
    }
    let k = gaussian_opencv_exact(ksize, sigma)?;
    let scale = (1u64 << bits) as f64;
    let mut taps = filled(ksize, 0i64)?;
    let (mut err, mut sum) = (0.0f64, 0i64);
    for i in 0..ksize / 2 {
        let adjusted = k[i] * scale + err;
        let v = adjusted.round_ties_even();
        err = adjusted - v;
        taps[i] = v as i64;
        taps[ksize - 1 - i] = v as i64;
        sum += v as i64;
    }
    taps[ksize / 2] = (scale - (2 * sum) as f64).round_ties_even() as i64;
    Ok(taps)
}

/// `n` copies of `value`, or an error where memory for them cannot be had
/// (a kernel size is the caller's number).
fn filled<T: Clone>(n: usize, value: T) -> Result<Vec<T>, Error> {
    let mut v = crate::alloc::with_capacity(n, "the 1-D kernel's taps")?;
    v.resize(n, value);
    Ok(v)
}

/// OpenCV's fixed Gaussian tables for `sigma <= 0`: sizes 1, 3, 5 and 7
/// (`getGaussianKernel` and the bit-exact path) and 9 (the bit-exact path
/// only).
fn opencv_table(ksize: usize) -> Option<&'static [f64]> {
    const NINE: [f64; 9] = [
        4.0 / 256.0,
        13.0 / 256.0,
        30.0 / 256.0,
        51.0 / 256.0,
        60.0 / 256.0,
        51.0 / 256.0,
        30.0 / 256.0,
        13.0 / 256.0,
        4.0 / 256.0,
    ];
    match ksize {
        1 => Some(&[1.0]),
        3 => Some(&[0.25, 0.5, 0.25]),
        5 => Some(&[0.0625, 0.25, 0.375, 0.25, 0.0625]),
        7 => Some(&[
            0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125,
        ]),
        9 => Some(&NINE),
        _ => None,
    }
}

/// OpenCV's `getGaussianKernelBitExact` (odd `ksize`), in `f64`.
fn gaussian_opencv_exact(ksize: usize, sigma: f64) -> Result<Vec<f64>, Error> {
    if sigma <= 0.0 {
        if let Some(t) = opencv_table(ksize) {
            return Ok(t.to_vec());
        }
    }
    let sigma = if sigma > 0.0 {
        sigma
    } else {
        (ksize as f64).mul_add(0.15, 0.35)
    };
    let scale = -0.125 / (sigma * sigma);
    let half = (ksize - 1) / 2;
    let mut values = filled(half, 0.0f64)?;
    for (i, v) in values.iter_mut().enumerate() {
        // x = 2i + 1 - ksize, exactly (as f64: |x| < 2^53 for any size
        // memory allows).
        let x = 2.0 * i as f64 + 1.0 - ksize as f64;
        *v = ((x * x) * scale).exp();
    }
    let mut sum = 0.0f64;
    for &t in &values {
        sum += t;
    }
    sum = sum * 2.0 + 1.0;
    let inv = 1.0 / sum;
    let mut k = filled(ksize, 0.0f64)?;
    for (i, &t) in values.iter().enumerate() {
        k[i] = t * inv;
        k[ksize - 1 - i] = t * inv;
    }
    k[half] = inv;
    Ok(k)
}

/// OpenCV's kernel size for a Gaussian of `sigma` when `ksize` is 0:
/// `round(sigma * 3 * 2 + 1) | 1` for 8-bit images, `round(sigma * 4 * 2 +
/// 1) | 1` for the others.
///
/// ```
/// assert_eq!(simdconv::kernel1d::opencv_ksize(2.0, false), 17);
/// assert_eq!(simdconv::kernel1d::opencv_ksize(2.0, true), 13);
/// ```
pub fn opencv_ksize(sigma: f64, eight_bit: bool) -> usize {
    let per_side = if eight_bit { 3.0 } else { 4.0 };
    ((sigma * per_side * 2.0 + 1.0).round().max(1.0) as usize) | 1
}

/// A box (mean) kernel: `size` taps of `1 / size`. A size of 0, or one no
/// memory holds, is an error.
///
/// ```
/// assert_eq!(simdconv::kernel1d::uniform(4)?, [0.25; 4]);
/// assert!(simdconv::kernel1d::uniform(0).is_err());
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn uniform(size: usize) -> Result<Vec<f64>, Error> {
    if size == 0 {
        return Err(Error::BadParameter {
            what: "size",
            value: "0".into(),
            rule: "at least one tap",
        });
    }
    filled(size, 1.0 / size as f64)
}

/// The binomial row `1, n, ..., 1` of length `len`.
fn binomial(len: usize) -> Vec<i32> {
    let mut row = vec![1i32];
    for _ in 1..len {
        let mut next = vec![1i32; row.len() + 1];
        for k in 1..row.len() {
            next[k] = row[k - 1] + row[k];
        }
        row = next;
    }
    row
}

/// OpenCV's Sobel kernel of derivative `order` and size `ksize` (odd, 3 to
/// 31; `order < ksize`), as `getDerivKernels` returns it for correlation:
/// the binomial of length `ksize - order` differenced `order` times. Order
/// 0 is the smoothing kernel. Pair two of them (one per axis) in a
/// separable correlation for `cv2.Sobel`.
///
/// ```
/// use simdconv::kernel1d::derivative;
/// assert_eq!(derivative(1, 3)?, [-1, 0, 1]);
/// assert_eq!(derivative(0, 3)?, [1, 2, 1]);
/// assert_eq!(derivative(2, 5)?, [1, 0, -2, 0, 1]);
/// # Ok::<(), simdconv::Error>(())
/// ```
pub fn derivative(order: usize, ksize: usize) -> Result<Vec<i32>, Error> {
    if ksize % 2 == 0 || !(3..=31).contains(&ksize) || order >= ksize {
        return Err(Error::BadParameter {
            what: "ksize",
            value: ksize.to_string(),
            rule: "odd, 3 to 31, and larger than the derivative's order",
        });
    }
    let mut k = binomial(ksize - order);
    for _ in 0..order {
        let mut d = vec![0i32; k.len() + 1];
        for (i, &v) in k.iter().enumerate() {
            d[i] -= v;
            d[i + 1] += v;
        }
        k = d;
    }
    Ok(k)
}

/// The Scharr kernels of a first derivative (OpenCV's `ksize = -1`): the
/// difference `[-1, 0, 1]` and the smoothing `[3, 10, 3]`.
///
/// ```
/// let (d, s) = simdconv::kernel1d::scharr();
/// assert_eq!((d, s), ([-1, 0, 1], [3, 10, 3]));
/// ```
pub fn scharr() -> ([i32; 3], [i32; 3]) {
    ([-1, 0, 1], [3, 10, 3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussians_match_the_libraries() {
        // scipy.ndimage._filters._gaussian_kernel1d(1.5, 0, 6)[:3]
        let k = gaussian_scipy(1.5, 4.0, None).unwrap();
        assert_eq!(k.len(), 13);
        for (a, b) in k.iter().zip([
            8.922106863539231e-05,
            0.001028196578138909,
            0.007597402196596929,
        ]) {
            // Within a few units in the last place: `exp` is not correctly
            // rounded, and differs between C libraries (and under Miri).
            assert!((a - b).abs() <= 1e-14 * b, "{a} {b}");
        }
        assert_eq!(gaussian_scipy(1.0, 4.0, Some(2)).unwrap().len(), 5);
        assert!(gaussian_scipy(0.0, 4.0, None).is_err());
        assert!(gaussian_scipy(1.0, f64::NAN, None).is_err());
        // cv2.getGaussianKernel(13, 2).ravel()[:3]
        let k = gaussian_opencv(13, 2.0).unwrap();
        for (a, b) in k.iter().zip([
            0.0022181958546457652,
            0.008773134791588389,
            0.027023157602879527,
        ]) {
            // Within a few units in the last place: `exp` is not correctly
            // rounded, and differs between C libraries (and under Miri).
            assert!((a - b).abs() <= 1e-14 * b, "{a} {b}");
        }
        assert_eq!(gaussian_opencv(7, 0.0).unwrap()[3], 0.28125);
        assert!(gaussian_opencv(4, 1.0).is_err());
    }

    #[test]
    fn derivatives_match_get_deriv_kernels() {
        // cv2.getDerivKernels(order, 1, ksize)[0]
        assert_eq!(derivative(1, 5).unwrap(), [-1, -2, 0, 2, 1]);
        assert_eq!(derivative(1, 7).unwrap(), [-1, -4, -5, 0, 5, 4, 1]);
        assert_eq!(derivative(2, 7).unwrap(), [1, 2, -1, -4, -1, 2, 1]);
        assert_eq!(derivative(0, 5).unwrap(), [1, 4, 6, 4, 1]);
        assert!(derivative(1, 4).is_err());
        assert!(derivative(3, 3).is_err());
    }
}
