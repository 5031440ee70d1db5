//! Tests the image example's path (`examples/common/filters.rs`, the module
//! `examples/image.rs` runs) on tiny images: kernels, channel conversion,
//! filtering through simdconv, PNG output; and the `--pixels` path: `u8`
//! and `u16` samples viewed in place and filtered by `ImageFilter`.

#[path = "../examples/common/filters.rs"]
mod filters;

mod common;

use std::path::Path;

use common::Rng;
use filters::{AnyPng, Named, Png, Rgb, RgbImage};
use ndarray::{s, Array2, Array3, ArrayView3};
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

/// A file in Cargo's directory for integration tests' files (see above).
fn tmp_png(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "simdconv-image-test-{name}-{}.png",
        std::env::consts::ARCH
    ))
}

/// `image` written as an 8-bit RGB PNG and read back as samples.
fn rgb_samples(image: &RgbImage, name: &str) -> Png<u8> {
    let path = tmp_png(name);
    filters::save_png(image, &path).unwrap();
    let png = filters::open_png_samples(&path).unwrap();
    std::fs::remove_file(&path).ok();
    match png {
        AnyPng::Eight(png) => png,
        AnyPng::Sixteen(_) => panic!("an 8-bit PNG read as 16-bit"),
    }
}

#[test]
fn pixels_are_viewed_in_place_and_agree_with_the_f32_path() {
    let sample = filters::sample_image(40);
    let png = rgb_samples(&sample, "pixels-sample");
    assert_eq!(
        (png.width, png.height, png.color),
        (40, 40, png::ColorType::Rgb)
    );
    let view = png.view().unwrap();
    assert_eq!(view.dim(), (40, 40, 3));
    // The view is the decoded buffer itself.
    assert_eq!(view.as_ptr(), png.samples.as_ptr());
    assert_eq!(view[[5, 7, 1]], sample.get_pixel(7, 5)[1]);
    for named in ALL {
        let f32_path = run(named, &sample);
        let out = named
            .build_pixels::<u8>()
            .unwrap()
            .apply(view, false)
            .unwrap();
        let worst = out
            .indexed_iter()
            .map(|((y, x, c), &v)| {
                let w = f32_path.get_pixel(x as u32, y as u32)[c];
                (i16::from(v) - i16::from(w)).abs()
            })
            .max()
            .unwrap();
        assert!(worst <= 1, "{named}: differs from the f32 path by {worst}");
    }
}

#[test]
fn pixels_of_a_constant_image_stay_constant_in_u8_and_u16() {
    let grey8 = Array3::from_shape_fn((6, 9, 3), |(_, _, c)| [10u8, 128, 255][c]);
    let grey16 = Array3::from_shape_fn((6, 9, 3), |(_, _, c)| [10u16, 40000, 65535][c]);
    for named in ALL {
        let (f8, f16) = (
            named.build_pixels::<u8>().unwrap(),
            named.build_pixels::<u16>().unwrap(),
        );
        let (out8, out16) = (
            f8.apply(grey8.view(), false).unwrap(),
            f16.apply(grey16.view(), false).unwrap(),
        );
        if named == Named::Sobel {
            assert!(out8.iter().all(|&v| v == 0), "{named}");
            assert!(out16.iter().all(|&v| v == 0), "{named}");
        } else {
            assert_eq!(out8, grey8, "{named}");
            assert_eq!(out16, grey16, "{named}");
        }
    }
    // Sobel on a unit step (0 to the maximum): the magnitude is the maximum.
    let step = Array3::from_shape_fn((5, 8, 1), |(_, x, _)| if x < 4 { 0u16 } else { 65535 });
    let out = Named::Sobel
        .build_pixels::<u16>()
        .unwrap()
        .apply(step.view(), false)
        .unwrap();
    for row in out.index_axis(ndarray::Axis(2), 0).rows() {
        assert_eq!(row.to_vec(), [0, 0, 0, 65535, 65535, 0, 0, 0]);
    }
}

/// The exact 3x3 box mean of one channel with a symmetric border, rounded
/// half to even (9 is odd: no ties).
fn box3_model(image: ArrayView3<'_, u16>) -> Array3<u16> {
    let (h, w, c) = image.dim();
    let at = |i: isize, n: usize| i.clamp(0, n as isize - 1) as usize; // symmetric, one pixel out
    Array3::from_shape_fn((h, w, c), |(y, x, k)| {
        let mut sum = 0u64;
        for dy in -1..=1 {
            for dx in -1..=1 {
                let (yy, xx) = (at(y as isize + dy, h), at(x as isize + dx, w));
                sum += u64::from(image[[yy, xx, k]]);
            }
        }
        ((sum + 4) / 9) as u16
    })
}

#[test]
fn sixteen_bit_pngs_round_trip_in_native_order_and_filter_exactly() {
    let mut rng = Rng::new(3);
    let image = Array3::from_shape_fn((11, 17, 3), |_| (rng.next() >> 48) as u16);
    let path = tmp_png("sixteen");
    filters::save_png_samples(image.view(), png::ColorType::Rgb, &path).unwrap();
    let png = match filters::open_png_samples(&path).unwrap() {
        AnyPng::Sixteen(png) => png,
        AnyPng::Eight(_) => panic!("a 16-bit PNG read as 8-bit"),
    };
    std::fs::remove_file(&path).ok();
    let view = png.view().unwrap();
    assert_eq!(view, image, "16-bit samples in native order");
    assert_eq!(view.as_ptr(), png.samples.as_ptr());
    let out = Named::Box(3)
        .build_pixels::<u16>()
        .unwrap()
        .apply(view, false)
        .unwrap();
    assert_eq!(out, box3_model(view));
}

#[test]
fn alpha_is_kept_and_the_colour_channels_filtered_as_without_it() {
    let sample = filters::sample_image(24);
    let rgb = rgb_samples(&sample, "pixels-alpha");
    let rgb = rgb.view().unwrap();
    let rgba = Array3::from_shape_fn((24, 24, 4), |(y, x, c)| {
        if c < 3 {
            rgb[[y, x, c]]
        } else {
            (x * 10 + y) as u8
        }
    });
    for named in ALL {
        let filter = named.build_pixels::<u8>().unwrap();
        let out = filter.apply(rgba.view(), true).unwrap();
        assert_eq!(
            out.slice(s![.., .., 3]),
            rgba.slice(s![.., .., 3]),
            "{named}"
        );
        assert_eq!(
            out.slice(s![.., .., ..3]),
            filter.apply(rgb, false).unwrap(),
            "{named}"
        );
    }
    // Written and read back as RGBA.
    let path = tmp_png("rgba");
    filters::save_png_samples(rgba.view(), png::ColorType::Rgba, &path).unwrap();
    let back = filters::open_png_samples(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let AnyPng::Eight(back) = back else {
        panic!("8-bit")
    };
    assert!(back.alpha());
    assert_eq!(back.view().unwrap(), rgba);
}

#[test]
fn pixels_give_the_same_bits_on_every_backend() {
    let png = rgb_samples(&filters::sample_image(33), "pixels-backends");
    let view = png.view().unwrap();
    for named in ALL {
        let filter = named.build_pixels::<u8>().unwrap();
        let expected = match &filter {
            filters::PixelFilter::Direct(f) => {
                filters::PixelFilter::Direct(f.clone().backend(Backend::Scalar))
            }
            filters::PixelFilter::Sobel(x, y) => filters::PixelFilter::Sobel(
                x.clone().backend(Backend::Scalar),
                y.clone().backend(Backend::Scalar),
            ),
        }
        .apply(view, false)
        .unwrap();
        for backend in Backend::available() {
            let forced = match &filter {
                filters::PixelFilter::Direct(f) => {
                    filters::PixelFilter::Direct(f.clone().backend(backend))
                }
                filters::PixelFilter::Sobel(x, y) => filters::PixelFilter::Sobel(
                    x.clone().backend(backend),
                    y.clone().backend(backend),
                ),
            };
            assert_eq!(
                forced.apply(view, false).unwrap(),
                expected,
                "{named} on {backend}"
            );
            assert_eq!(forced.resolved_backend().unwrap(), backend);
        }
        let accumulator = filter.accumulator();
        let calls = filter.calls();
        match named {
            Named::Gaussian(_) => assert_eq!((accumulator, calls), ("f32", 1)),
            Named::Sobel => assert_eq!((accumulator, calls), ("i16", 2)),
            _ => assert_eq!((accumulator, calls), ("i16", 1)),
        }
    }
}
