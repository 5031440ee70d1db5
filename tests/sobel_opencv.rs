//! `ImageFilter::sobel_opencv` / `scharr_opencv` against `cv2.Sobel` and
//! `cv2.Scharr` (uint8 -> int16), bit for bit: the checked-in cases of
//! `tests/data/sobel_opencv` (tools/vectors/sobel_opencv.py: first and
//! second orders, mixed orders, ksize 1 to 7, Scharr, every border Sobel
//! has, a tiny image whose sums saturate, RGB and RGBA) on every backend and
//! thread policy; the 1-D kernels against OpenCV's; and the errors.

mod common;

use std::path::PathBuf;

use common::border_named;
use ndarray::{Array2, Array3};
use ndarray_npy::read_npy;
use simdconv::{Backend, Error, ImageFilter, Threads};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sobel_opencv")
}

#[test]
fn every_case_matches_cv2_sobel_and_scharr_on_every_backend() {
    let text = std::fs::read_to_string(root().join("index.json")).expect("index.json");
    let index: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let cases = index["cases"].as_array().unwrap();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let dir = root().join("cases").join(name);
        let (dx, dy) = (
            case["dx"].as_u64().unwrap() as usize,
            case["dy"].as_u64().unwrap() as usize,
        );
        let filter = match case["ksize"].as_i64().unwrap() {
            -1 => ImageFilter::<u8>::scharr_opencv(dx, dy),
            k => ImageFilter::<u8>::sobel_opencv(dx, dy, k as usize),
        }
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .output::<i16>();
        let border = border_named(case["border"].as_str().unwrap(), 0);
        let filter = filter.border(border);
        let taps = |key: &str| -> Vec<i64> {
            case[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect()
        };
        let (kx, ky) = (taps("kernel_x"), taps("kernel_y"));
        assert_eq!(filter.kernel_shape(), (ky.len(), kx.len()), "{name}");
        for backend in Backend::available() {
            for threads in [Threads::Single, Threads::Auto] {
                let f = filter.clone().backend(backend).threads(threads.clone());
                let same = if case["channels"].as_u64().unwrap() > 0 {
                    let image: Array3<u8> = read_npy(dir.join("image.npy")).unwrap();
                    let want: Array3<i16> = read_npy(dir.join("expected.npy")).unwrap();
                    f.apply_channels_last(&image).unwrap() == want
                } else {
                    let image: Array2<u8> = read_npy(dir.join("image.npy")).unwrap();
                    let want: Array2<i16> = read_npy(dir.join("expected.npy")).unwrap();
                    f.apply(&image).unwrap() == want
                };
                assert!(same, "{name}: {backend} {threads:?} differs from OpenCV");
            }
        }
    }
}

#[test]
fn bad_orders_and_sizes_are_errors() {
    let bad = |r: Result<ImageFilter<u8>, Error>| matches!(r, Err(Error::BadParameter { .. }));
    assert!(bad(ImageFilter::<u8>::sobel_opencv(0, 0, 3)));
    assert!(bad(ImageFilter::<u8>::sobel_opencv(3, 0, 3)));
    assert!(bad(ImageFilter::<u8>::sobel_opencv(3, 0, 1)));
    assert!(bad(ImageFilter::<u8>::sobel_opencv(1, 0, 4)));
    assert!(bad(ImageFilter::<u8>::sobel_opencv(1, 0, 33)));
    assert!(bad(ImageFilter::<u8>::scharr_opencv(1, 1)));
    assert!(bad(ImageFilter::<u8>::scharr_opencv(0, 0)));
    // ksize 1: a 3-tap derivative without smoothing.
    let f = ImageFilter::<u8>::sobel_opencv(2, 0, 1).unwrap();
    assert_eq!(f.kernel_shape(), (1, 3));
    // Large kernels whose exact sums exceed i64 on u16 images: an error,
    // never a wrap.
    assert!(ImageFilter::<u16>::sobel_opencv(1, 1, 31).is_err());
}
