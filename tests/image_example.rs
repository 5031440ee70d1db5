//! Tests the image example's path (`examples/common/filters.rs`, the module
//! `examples/image.rs` runs) on tiny images: kernels, channel conversion,
//! filtering through simdconv, PNG output.

#[path = "../examples/common/filters.rs"]
mod filters;

use std::path::Path;

use filters::{Named, Rgb, RgbImage};
use ndarray::Array2;
use simdconv::{Backend, Border, Filter2d, Mode};

const ALL: [Named; 5] = [
    Named::Gaussian(0.8),
    Named::Gaussian(2.0),
    Named::Sobel,
    Named::Sharpen,
    Named::Box(3),
];

/// The example's whole path, from pixels to pixels.
fn run(named: Named, image: &RgbImage) -> RgbImage {
    let filters = named.build().unwrap();
    let channels = filters::to_channels(image);
    let out = filters::filter_channels(named, &filters, &channels).unwrap();
    filters::from_channels(&out)
}

fn args(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

#[test]
fn command_line_filters_parse() {
    assert_eq!(
        Named::parse(&args("gaussian 2.0 out.png")),
        Ok((Named::Gaussian(2.0), 2))
    );
    assert_eq!(Named::parse(&args("box 5 out.png")), Ok((Named::Box(5), 2)));
    assert_eq!(Named::parse(&args("sobel out.png")), Ok((Named::Sobel, 1)));
    assert_eq!(Named::parse(&args("sharpen")), Ok((Named::Sharpen, 1)));
    for bad in [
        "",
        "gaussian",
        "gaussian x",
        "gaussian -1",
        "box 0",
        "box 2.5",
        "blur 3",
    ] {
        assert!(Named::parse(&args(bad)).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn kernels_have_the_documented_sums_and_shapes() {
    for sigma in [0.5f32, 1.0, 2.0, 3.3] {
        let g = filters::gaussian_kernel(sigma);
        let r = (3.0 * sigma).ceil() as usize;
        assert_eq!(g.dim(), (2 * r + 1, 2 * r + 1));
        let sum: f64 = g.iter().map(|&v| f64::from(v)).sum();
        assert!((sum - 1.0).abs() < 1e-5, "sigma {sigma}: sum {sum}");
        // Symmetric, peaked in the centre.
        assert_eq!(g, g.t());
        assert_eq!(g.iter().cloned().fold(0.0, f32::max), g[[r, r]]);
    }
    assert_eq!(filters::sharpen_kernel().sum(), 1.0);
    assert_eq!(
        filters::box_kernel(4),
        Array2::from_elem((4, 4), 1.0 / 16.0)
    );
    let (gx, gy) = filters::sobel_kernels();
    assert_eq!((gx.sum(), gy.sum()), (0.0, 0.0));
    assert_eq!(gx.t(), gy);
}

#[test]
fn a_constant_image_stays_constant_and_has_no_edges() {
    let grey = RgbImage::from_fn(7, 5, |_, _| Rgb([10, 128, 255]));
    let black = RgbImage::from_fn(7, 5, |_, _| Rgb([0, 0, 0]));
    for named in [
        Named::Gaussian(0.8),
        Named::Gaussian(2.0),
        Named::Sharpen,
        Named::Box(3),
    ] {
        assert_eq!(run(named, &grey), grey, "{named}");
    }
    // Sobel: zero everywhere (Replicate border: no edge at the sides). In
    // f32 up to rounding: gy's taps in row-major order are -1 -2 -1 0 0 0
    // 1 2 1, and -c - 2c - c + c + 2c + c need not cancel exactly.
    assert_eq!(run(Named::Sobel, &grey), black);
    let filters = Named::Sobel.build().unwrap();
    let channels = filters::to_channels(&grey);
    for c in filters::filter_channels(Named::Sobel, &filters, &channels).unwrap() {
        assert!(c.iter().all(|&v| v.abs() < 1e-6), "{c}");
    }
    // Box filter in f32: the constant, up to rounding of 1/9.
    let filters = Named::Box(3).build().unwrap();
    let [r, _, _] = filters::filter_channels(Named::Box(3), &filters, &channels).unwrap();
    assert!(r.iter().all(|&v| (v - 10.0 / 255.0).abs() < 1e-6));
}

#[test]
fn sobel_finds_a_vertical_edge_with_magnitude_one() {
    // Left half black, right half white: a unit step between columns 3 and 4.
    let step = RgbImage::from_fn(8, 6, |x, _| if x < 4 { Rgb([0; 3]) } else { Rgb([255; 3]) });
    let filters = Named::Sobel.build().unwrap();
    let out =
        filters::filter_channels(Named::Sobel, &filters, &filters::to_channels(&step)).unwrap();
    for c in &out {
        for row in c.rows() {
            let row: Vec<f32> = row.to_vec();
            assert_eq!(row, [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        }
    }
}

#[test]
fn filters_use_same_mode_and_the_documented_borders() {
    for named in ALL {
        let filters = named.build().unwrap();
        assert_eq!(filters.len(), if named == Named::Sobel { 2 } else { 1 });
        for f in &filters {
            assert_eq!(f.settings().mode, Mode::Same);
            assert_eq!(f.settings().border, named.border());
        }
    }
    assert_eq!(Named::Sobel.border(), Border::Replicate);
    assert_eq!(Named::Box(3).border(), Border::Symmetric);
}

#[test]
fn every_backend_gives_the_same_pixels() {
    let sample = filters::sample_image(40);
    for named in ALL {
        let channels = filters::to_channels(&sample);
        let reference: Vec<Filter2d<f32>> = named
            .build()
            .unwrap()
            .into_iter()
            .map(|f| f.backend(Backend::Scalar))
            .collect();
        let expected = filters::filter_channels(named, &reference, &channels).unwrap();
        for backend in Backend::available() {
            let filters: Vec<Filter2d<f32>> = named
                .build()
                .unwrap()
                .into_iter()
                .map(|f| f.backend(backend))
                .collect();
            let out = filters::filter_channels(named, &filters, &channels).unwrap();
            for (a, b) in out.iter().zip(&expected) {
                let same = a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{named} on {backend} differs from scalar");
            }
        }
    }
}

#[test]
fn channels_round_trip_and_the_sample_saves_as_png() {
    let sample = filters::sample_image(32);
    assert_eq!(sample.dimensions(), (32, 32));
    assert_eq!(filters::sample_image(32), sample, "deterministic");
    assert_eq!(
        filters::from_channels(&filters::to_channels(&sample)),
        sample
    );

    // Cargo's directory for integration tests' files, which the WebAssembly
    // runner (.ci/wasmtime-run) preopens: WASI has no `temp_dir()` and no
    // process id, so the name is per architecture instead.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "simdconv-image-test-{}.png",
        std::env::consts::ARCH
    ));
    filters::save_png(&sample, &path).unwrap();
    let back = filters::open_png(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(back, sample);
}
