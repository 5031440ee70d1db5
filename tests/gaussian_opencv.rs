//! `ImageFilter::gaussian_opencv` against `cv2.GaussianBlur`, bit for bit:
//! the checked-in cases of `tests/data/gaussian_opencv`
//! (tools/vectors/gaussian_opencv.py: u8 and u16, sizes from the sigma and
//! given, OpenCV's tables and its fma rule for sigma 0, every border
//! GaussianBlur has, tiny, one-row and one-column images, RGB and RGBA), on
//! every backend and thread policy; the quantised 1-D kernels against
//! OpenCV's; and the errors.

mod common;

use std::path::PathBuf;

use common::border_named;
use ndarray::{Array2, Array3};
use ndarray_npy::{read_npy, ReadableElement};
use simdconv::kernel1d::gaussian_opencv_fixed;
use simdconv::{Backend, Error, ImageFilter, Pixel, Threads};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gaussian_opencv")
}

fn index() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("index.json")).expect("index.json");
    serde_json::from_str(&text).expect("valid JSON")
}

fn taps(case: &serde_json::Value, key: &str) -> Vec<i64> {
    case[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect()
}

fn run<P: Pixel + ReadableElement + Default>(case: &serde_json::Value) -> usize {
    let name = case["name"].as_str().unwrap();
    let dir = root().join("cases").join(name);
    let ksize = case["ksize"].as_array().unwrap();
    let ksize = (
        ksize[0].as_u64().unwrap() as usize,
        ksize[1].as_u64().unwrap() as usize,
    );
    let (sx, sy) = (
        case["sigma_x"].as_f64().unwrap(),
        case["sigma_y"].as_f64().unwrap(),
    );
    let border = border_named(case["border"].as_str().unwrap(), P::default());
    let filter = ImageFilter::<P>::gaussian_opencv(ksize, sx, sy)
        .unwrap()
        .border(border);
    let (kx, ky) = (taps(case, "kernel_x"), taps(case, "kernel_y"));
    assert_eq!(filter.kernel_shape(), (ky.len(), kx.len()), "{name}");
    let bits = if P::NAME == "uint8" { 8 } else { 16 };
    let sy_used = if sy > 0.0 { sy } else { sx };
    assert_eq!(
        gaussian_opencv_fixed(kx.len(), sx, bits).unwrap(),
        kx,
        "{name} x"
    );
    assert_eq!(
        gaussian_opencv_fixed(ky.len(), sy_used, bits).unwrap(),
        ky,
        "{name} y"
    );
    let mut runs = 0;
    for backend in Backend::available() {
        for threads in [Threads::Single, Threads::Auto] {
            let f = filter.clone().backend(backend).threads(threads.clone());
            let (same, len) = if dir.join("image.npy").exists() && case_is_colour(&dir) {
                let image: Array3<P> = read_npy(dir.join("image.npy")).unwrap();
                let want: Array3<P> = read_npy(dir.join("expected.npy")).unwrap();
                let got = f.apply_channels_last(&image).unwrap();
                (got == want, want.len())
            } else {
                let image: Array2<P> = read_npy(dir.join("image.npy")).unwrap();
                let want: Array2<P> = read_npy(dir.join("expected.npy")).unwrap();
                let got = f.apply(&image).unwrap();
                (got == want, want.len())
            };
            assert!(
                same,
                "{name}: {backend} {threads:?} differs from cv2.GaussianBlur ({len} pixels)"
            );
            runs += 1;
        }
    }
    runs
}

/// Whether the case's image is (H, W, C): its name lists three sizes.
fn case_is_colour(dir: &std::path::Path) -> bool {
    let name = dir.file_name().unwrap().to_str().unwrap();
    name.split('-').nth(3).unwrap().split('x').count() == 3
}

#[test]
fn every_case_matches_cv2_gaussian_blur_on_every_backend() {
    let index = index();
    let cases = index["cases"].as_array().unwrap();
    assert!(cases.len() >= 70, "{} cases", cases.len());
    let (mut u8s, mut u16s) = (0, 0);
    for case in cases {
        match case["dtype"].as_str().unwrap() {
            "uint8" => u8s += run::<u8>(case),
            "uint16" => u16s += run::<u16>(case),
            other => panic!("dtype {other}"),
        }
    }
    assert!(u8s > 0 && u16s > 0);
}

#[test]
fn kernels_and_errors() {
    // OpenCV's tables for sigma 0, in 8 fraction bits.
    assert_eq!(gaussian_opencv_fixed(3, 0.0, 8).unwrap(), [64, 128, 64]);
    assert_eq!(
        gaussian_opencv_fixed(9, 0.0, 8).unwrap(),
        [4, 13, 30, 51, 60, 51, 30, 13, 4]
    );
    // Every kernel sums to exactly 2^bits and is symmetric.
    for n in (1..40).step_by(2) {
        for sigma in [0.0, 0.3, 1.0, 2.5, 7.0] {
            for bits in [8, 16] {
                let k = gaussian_opencv_fixed(n, sigma, bits).unwrap();
                assert_eq!(k.iter().sum::<i64>(), 1 << bits, "{n} {sigma} {bits}");
                assert!(k.iter().eq(k.iter().rev()));
            }
        }
    }
    let bad = |r: Result<ImageFilter<u8>, Error>| matches!(r, Err(Error::BadParameter { .. }));
    assert!(bad(ImageFilter::<u8>::gaussian_opencv((4, 3), 1.0, 0.0)));
    assert!(bad(ImageFilter::<u8>::gaussian_opencv((0, 3), 0.0, 0.0)));
    assert!(bad(ImageFilter::<u8>::gaussian_opencv(
        (3, 3),
        f64::NAN,
        0.0
    )));
    assert!(matches!(
        ImageFilter::<i16>::gaussian_opencv((3, 3), 1.0, 0.0),
        Err(Error::BadParameter { .. })
    ));
    assert!(gaussian_opencv_fixed(5, 1.0, 0).is_err());
    // Sizes no memory holds: an error, not an abort.
    assert!(gaussian_opencv_fixed(usize::MAX, 1.0, 8).is_err());
    assert!(ImageFilter::<u8>::gaussian_opencv((3, usize::MAX), 1.0, 0.0).is_err());
    assert!(simdconv::kernel1d::gaussian_opencv(usize::MAX, 1.0).is_err());
    assert!(simdconv::kernel1d::uniform(usize::MAX).is_err());
    assert!(simdconv::kernel1d::uniform(0).is_err());
    assert!(simdconv::kernel1d::gaussian_scipy(1.0, 4.0, Some(usize::MAX / 2)).is_err());
    assert!(simdconv::kernel1d::gaussian_scipy(1.0, 4.0, Some(usize::MAX)).is_err());
    // u8: sizes from the sigma by round(6 sigma + 1) | 1, u16 by 8 sigma.
    let f = ImageFilter::<u8>::gaussian_opencv((0, 0), 2.0, 0.0).unwrap();
    assert_eq!(f.kernel_shape(), (13, 13));
    let f = ImageFilter::<u16>::gaussian_opencv((0, 0), 2.0, 0.0).unwrap();
    assert_eq!(f.kernel_shape(), (17, 17));
    assert_eq!(f.accumulator(), "i64");
    let f = ImageFilter::<u8>::gaussian_opencv((7, 3), 1.0, 0.0).unwrap();
    assert_eq!((f.kernel_shape(), f.accumulator()), ((3, 7), "i32"));
}
