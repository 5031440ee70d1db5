//! The npy example's narrow-pixel path (`examples/npy.rs`, included here as
//! a module and called through `cli` with the arguments a command line
//! would give it): the checked-in OpenCV / SciPy cases of
//! `tests/data/pixels` with their flags and with the presets, colour
//! images, the precedence of `--rounding` / `--overflow` over `--preset`,
//! float kernels, and the errors.

#[path = "../examples/npy.rs"]
#[allow(dead_code)]
mod npy;

mod common;

use std::path::{Path, PathBuf};

use common::Rng;
use ndarray::{Array2, Array3, ArrayD, Axis};
use ndarray_npy::{read_npy, write_npy, ReadableElement, WritableElement};
use npy::Failure;
use simdconv::{Backend, Border, ImageFilter, Mode, Preset};

fn case_file(case: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pixels/cases")
        .join(case)
        .join(file);
    path.to_string_lossy().into_owned()
}

/// A file in Cargo's directory for integration tests' files (which the
/// WebAssembly runner preopens), one name per test and architecture.
fn tmp(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "simdconv-npy-pixels-{}-{name}",
        std::env::consts::ARCH
    ));
    path.to_string_lossy().into_owned()
}

/// Runs the example with `files` then the flags in `flags`.
fn cli(files: &[&str], flags: &str) -> Result<(), Failure> {
    let args: Vec<String> = files
        .iter()
        .map(|f| f.to_string())
        .chain(flags.split_whitespace().map(String::from))
        .collect();
    npy::cli(&args)
}

fn load<T: ReadableElement>(path: &str) -> ArrayD<T> {
    read_npy(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn save<T: WritableElement, D: ndarray::Dimension>(path: &str, a: &ndarray::Array<T, D>) {
    write_npy(path, a).unwrap_or_else(|e| panic!("{path}: {e}"));
}

#[test]
fn opencv_preset_matches_cv2_filter2d_on_every_backend() {
    // cv2-u8-k3-mirror in tests/data/pixels/index.json: correlation, same,
    // mirror (BORDER_REFLECT_101), divisor 256, half-even, saturate,
    // uint8 -> uint8.
    let (image, kernel) = (
        case_file("cv2-u8-k3-mirror", "image.npy"),
        case_file("cv2-u8-k3-mirror", "kernel.npy"),
    );
    let want: ArrayD<u8> = load(&case_file("cv2-u8-k3-mirror", "expected.npy"));
    let out = tmp("cv2-u8-k3-mirror.npy");
    let flags = "--correlate --mode same --border mirror --divisor 256 --preset opencv";
    for backend in Backend::available() {
        cli(
            &[&image, &kernel, &out],
            &format!("{flags} --backend {backend} --threads 1"),
        )
        .unwrap_or_else(|e| panic!("{backend}: {e:?}"));
        assert_eq!(load::<u8>(&out), want, "{backend}");
    }
}

/// The flags of a checked-in case, without the rounding and overflow rules.
fn case_flags(case: &serde_json::Value) -> String {
    let text = |key: &str| case[key].as_str().unwrap().to_string();
    let border = match text("border").as_str() {
        "constant" => format!("constant={}", case["fill"].as_i64().unwrap()),
        other => other.to_string(),
    };
    let correlate = if text("operation") == "correlation" {
        " --correlate"
    } else {
        ""
    };
    format!(
        "--mode {} --border {border} --divisor {} --delta {} --output-dtype {}{correlate}",
        text("mode"),
        case["divisor"].as_u64().unwrap(),
        case["delta"].as_f64().unwrap(),
        text("output_dtype"),
    )
}

/// Whether the output file equals the case's expected output, in its dtype.
fn output_matches(case: &str, out: &str, dtype: &str) -> bool {
    let expected = case_file(case, "expected.npy");
    match dtype {
        "uint8" => load::<u8>(out) == load::<u8>(&expected),
        "uint16" => load::<u16>(out) == load::<u16>(&expected),
        "int16" => load::<i16>(out) == load::<i16>(&expected),
        "int32" => load::<i32>(out) == load::<i32>(&expected),
        "float32" => load::<f32>(out) == load::<f32>(&expected),
        other => panic!("{case}: output dtype {other}"),
    }
}

#[test]
fn every_checked_in_case_through_the_command_line() {
    let index = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pixels/index.json");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(index).unwrap()).unwrap();
    assert!(cases.len() >= 70, "{} cases", cases.len());
    let out = tmp("case.npy");
    let mut failures = Vec::new();
    let mut presets = std::collections::BTreeMap::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let source = case["source"].as_str().unwrap();
        let dtype = case["output_dtype"].as_str().unwrap();
        let (image, kernel) = (case_file(name, "image.npy"), case_file(name, "kernel.npy"));
        let flags = case_flags(case);
        // The case's own rules, then its peer's preset alone, which must
        // stand for the same rules on these cases (ndimage's in-range
        // results are the same saturated or wrapped).
        let explicit = format!(
            "{flags} --rounding {} --overflow {}",
            case["rounding"].as_str().unwrap(),
            case["overflow"].as_str().unwrap()
        );
        let preset = match source.split('.').take(2).collect::<Vec<_>>()[..] {
            ["cv2", _] => "opencv",
            ["scipy", "signal"] => "scipy-signal",
            ["scipy", "ndimage"] => "scipy-ndimage",
            _ => panic!("{name}: source {source}"),
        };
        *presets.entry(preset).or_insert(0) += 1;
        for flags in [explicit, format!("{flags} --preset {preset}")] {
            std::fs::remove_file(&out).ok();
            match cli(&[&image, &kernel, &out], &flags) {
                Err(e) => failures.push(format!("{name} {flags}: {e:?}")),
                Ok(()) if !output_matches(name, &out, dtype) => {
                    failures.push(format!("{name} {flags}: the output differs"))
                }
                Ok(()) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(presets.len(), 3, "{presets:?}");
}

#[test]
fn rgb_images_are_filtered_per_channel_channels_last() {
    // An RGB image (H, W, 3) and a Sobel derivative into int16, as
    // cv2.filter2D(image, cv2.CV_16S, dx, borderType=cv2.BORDER_REPLICATE).
    let mut rng = Rng::new(5);
    let rgb = Array3::from_shape_fn((21, 34, 3), |_| (rng.next() >> 56) as u8);
    let dx = ndarray::array![[-1i32, 0, 1], [-2, 0, 2], [-1, 0, 1]];
    let (image, kernel, out) = (tmp("rgb.npy"), tmp("sobel.npy"), tmp("rgb-out.npy"));
    save(&image, &rgb);
    save(&kernel, &dx);
    let flags = "--correlate --mode same --border replicate --output-dtype int16 --preset opencv";
    cli(&[&image, &kernel, &out], flags).unwrap();
    let got: Array3<i16> = read_npy(&out).unwrap();
    assert_eq!(got.dim(), (21, 34, 3));
    // Each channel is that channel filtered alone, through the command line
    // (2-D) and through the library.
    let filter = ImageFilter::<u8>::correlation(&dx)
        .unwrap()
        .output::<i16>()
        .mode(Mode::Same)
        .border(Border::Replicate)
        .preset(Preset::OpenCv);
    let (plane, plane_out) = (tmp("plane.npy"), tmp("plane-out.npy"));
    for c in 0..3 {
        save(&plane, &rgb.index_axis(Axis(2), c).to_owned());
        cli(&[&plane, &kernel, &plane_out], flags).unwrap();
        let alone: Array2<i16> = read_npy(&plane_out).unwrap();
        assert_eq!(got.index_axis(Axis(2), c), alone, "channel {c}");
        let library = filter.apply(rgb.index_axis(Axis(2), c)).unwrap();
        assert_eq!(alone, library, "channel {c}");
    }
    // Some derivatives are negative, some large: the int16 output is used.
    assert!(got.iter().any(|&v| v < -255) && got.iter().any(|&v| v > 255));
}

#[test]
fn explicit_rules_override_the_preset_wherever_they_stand() {
    // Sums of two pixels divided by 2: odd sums are ties, where half-even
    // and toward-zero differ; 200 + 201 = 401 wraps modulo 256 only when
    // the sum is not divided.
    let image = ndarray::array![[1u8, 2, 5, 200, 201, 8], [3, 3, 4, 7, 250, 255]];
    let kernel = ndarray::array![[1i32, 1]];
    let (image_file, kernel_file) = (tmp("ties.npy"), tmp("pair.npy"));
    save(&image_file, &image);
    save(&kernel_file, &kernel);
    let run = |flags: &str| -> Array2<u8> {
        let out = tmp("ties-out.npy");
        cli(
            &[&image_file, &kernel_file, &out],
            &format!("--correlate --mode valid --divisor 2 {flags}"),
        )
        .unwrap_or_else(|e| panic!("{flags}: {e:?}"));
        read_npy(&out).unwrap()
    };
    let truncated = run("--preset scipy-signal");
    let half_even = run("--rounding half-even");
    assert_ne!(truncated, half_even, "the image has ties");
    assert_eq!(
        truncated,
        ndarray::array![[1u8, 3, 102, 200, 104], [3, 3, 5, 128, 252]]
    );
    // --rounding before or after --preset: the explicit rule wins.
    assert_eq!(run("--preset scipy-signal --rounding half-even"), half_even);
    assert_eq!(run("--rounding half-even --preset scipy-signal"), half_even);
    // Overflow too: 250 + 255 with divisor 1 saturates under opencv,
    // wraps when --overflow wrap is given besides it.
    let out = tmp("sum.npy");
    let sum = |flags: &str| -> Array2<u8> {
        cli(
            &[&image_file, &kernel_file, &out],
            &format!("--correlate --mode valid {flags}"),
        )
        .unwrap();
        read_npy(&out).unwrap()
    };
    assert_eq!(sum("--preset opencv")[[1, 4]], 255);
    assert_eq!(sum("--overflow wrap --preset opencv")[[1, 4]], 249);
    assert_eq!(sum("--preset opencv --overflow wrap")[[1, 4]], 249);
    assert_eq!(sum("--preset scipy-signal")[[1, 4]], 249);
}

#[test]
fn float32_kernels_and_other_pixel_types() {
    // k / 256 in float32 is exact: the same bits as the int32 taps with
    // --divisor 256, on uint16 and int16 images too.
    let kernel = ndarray::array![[1i32, 2, 1], [2, 4, 2], [1, 2, 1]].mapv(|t| t * 16);
    let (ki, kf) = (tmp("k-int.npy"), tmp("k-float.npy"));
    save(&ki, &kernel);
    save(&kf, &kernel.mapv(|t| t as f32 / 256.0));
    let mut rng = Rng::new(11);
    let u16s = Array2::from_shape_fn((9, 13), |_| (rng.next() >> 48) as u16);
    let i16s = Array2::from_shape_fn((9, 13), |_| (rng.next() >> 48) as i16);
    let (a, b) = (tmp("u16.npy"), tmp("i16.npy"));
    save(&a, &u16s);
    save(&b, &i16s);
    let (oi, of) = (tmp("out-int.npy"), tmp("out-float.npy"));
    let flags = "--mode same --border symmetric";
    cli(&[&a, &ki, &oi], &format!("{flags} --divisor 256")).unwrap();
    cli(&[&a, &kf, &of], flags).unwrap();
    assert_eq!(load::<u16>(&oi), load::<u16>(&of));
    cli(
        &[&b, &ki, &oi],
        &format!("{flags} --divisor 256 --output-dtype float32"),
    )
    .unwrap();
    cli(&[&b, &kf, &of], &format!("{flags} --output-dtype float32")).unwrap();
    assert_eq!(load::<f32>(&oi), load::<f32>(&of));
    // The float output is the exact quotient; the int32 output is rounded.
    cli(
        &[&b, &ki, &oi],
        &format!("{flags} --divisor 256 --output-dtype int32"),
    )
    .unwrap();
    let rounded = load::<i32>(&oi);
    let exact = load::<f32>(&of);
    assert!(rounded
        .iter()
        .zip(&exact)
        .all(|(&r, &e)| (f64::from(r) - f64::from(e)).abs() <= 0.5));
}

/// Runs the example, expecting an error; checks that nothing was written.
fn fails(files: [&str; 3], flags: &str) -> Failure {
    std::fs::remove_file(files[2]).ok();
    let err = match cli(&files, flags) {
        Ok(()) => panic!("{flags}: no error"),
        Err(e) => e,
    };
    assert!(
        !Path::new(files[2]).exists(),
        "{flags}: an output was written"
    );
    err
}

fn usage(err: Failure) -> String {
    match err {
        Failure::Usage(m) => m,
        Failure::Run(m) => panic!("a run error, not a usage error: {m}"),
    }
}

fn run_error(err: Failure) -> String {
    match err {
        Failure::Run(m) => m,
        Failure::Usage(m) => panic!("a usage error, not a run error: {m}"),
    }
}

#[test]
fn errors_are_messages_not_panics() {
    let image = case_file("cv2-u8-k3-mirror", "image.npy");
    let kernel = case_file("cv2-u8-k3-mirror", "kernel.npy");
    let out = tmp("error.npy");
    let files = [image.as_str(), kernel.as_str(), out.as_str()];

    // Bad flag values: the usage (exit status 2).
    let m = usage(fails(files, "--divisor 0"));
    assert!(
        m.contains("--divisor") && m.contains("positive integer"),
        "{m}"
    );
    for (flags, words) in [
        ("--divisor -3", "--divisor"),
        ("--divisor 2.5", "--divisor"),
        ("--divisor", "needs a value"),
        ("--delta x", "--delta"),
        ("--delta inf", "finite"),
        ("--rounding up", "rounding"),
        ("--overflow clamp", "overflow"),
        ("--preset matlab", "preset"),
        ("--output-dtype float64", "--output-dtype"),
        ("--threads many", "--threads"),
    ] {
        let m = usage(fails(files, flags));
        assert!(m.contains(words), "{flags}: {m}");
    }

    // Combinations the example cannot run (exit status 1).
    let m = run_error(fails(files, "--preset opencv --output-dtype int32"));
    assert!(m.contains("opencv") && m.contains("uint8 -> int32"), "{m}");
    let m = run_error(fails(files, "--divisor 3 --delta 0.5"));
    assert!(m.contains("delta"), "{m}");
    let m = run_error(fails(files, "--method fft"));
    assert!(m.contains("direct"), "{m}");
    let m = run_error(fails(files, "--border constant=256"));
    assert!(m.contains("uint8"), "{m}");

    // A kernel of an unsupported dtype, an image of the wrong rank.
    let k8 = tmp("kernel-u8.npy");
    save(&k8, &ndarray::array![[1u8, 2, 1]]);
    let m = run_error(fails([&image, &k8, &out], ""));
    assert!(m.contains("int32"), "{m}");
    let flat = tmp("flat.npy");
    save(&flat, &ndarray::Array1::<u8>::zeros(5));
    let m = run_error(fails([&flat, &kernel, &out], ""));
    assert!(m.contains("2-D") && m.contains("3-D"), "{m}");

    // The narrow-pixel flags on a float image.
    let float = tmp("float.npy");
    save(&float, &Array2::<f64>::ones((4, 4)));
    let float_kernel = tmp("float-kernel.npy");
    save(&float_kernel, &Array2::<f64>::ones((2, 2)));
    let m = run_error(fails([&float, &float_kernel, &out], "--divisor 256"));
    assert!(m.contains("--divisor") && m.contains("float64"), "{m}");
    let m = run_error(fails([&float, &float_kernel, &out], "--preset opencv"));
    assert!(m.contains("--preset"), "{m}");
    // ... which still runs as before without them.
    cli(&[&float, &float_kernel, &out], "--mode same").unwrap();
    let full: Array2<f64> = read_npy(&out).unwrap();
    assert_eq!(full[[3, 3]], 4.0);
}

/// `--gaussian S --like opencv` on uint8 / uint16 images: the checked-in
/// `cv2.GaussianBlur` cases of `tests/data/gaussian_opencv` whose flags the
/// command line can say (one `--ksize` for both axes, or 0).
#[test]
fn gaussian_like_opencv_matches_cv2_gaussian_blur() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gaussian_opencv");
    let index: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("index.json")).unwrap()).unwrap();
    let mut ran = 0;
    for case in index["cases"].as_array().unwrap() {
        let ksize: Vec<u64> = case["ksize"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        if ksize[0] != ksize[1] {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let dir = root.join("cases").join(name);
        let (image, want) = (dir.join("image.npy"), dir.join("expected.npy"));
        let out = tmp(&format!("gaussian-{name}.npy"));
        let mut flags = format!(
            "--gaussian {} --like opencv --ksize {} --border {}",
            case["sigma_x"],
            ksize[0],
            case["border"].as_str().unwrap()
        );
        if case["sigma_y"].as_f64().unwrap() > 0.0 {
            flags += &format!(" --sigma-y {}", case["sigma_y"]);
        }
        cli(&[image.to_str().unwrap(), &out], &flags).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let same = match case["dtype"].as_str().unwrap() {
            "uint8" => load::<u8>(&out) == load::<u8>(want.to_str().unwrap()),
            _ => load::<u16>(&out) == load::<u16>(want.to_str().unwrap()),
        };
        assert!(same, "{name}: {flags}");
        ran += 1;
    }
    assert!(ran >= 30, "{ran} cases");
    // SciPy's Gaussian is a float filter: a clear error for pixel images.
    let dir = root
        .join("cases")
        .join(index["cases"][0]["name"].as_str().unwrap());
    let err = cli(
        &[
            dir.join("image.npy").to_str().unwrap(),
            &tmp("gaussian-scipy.npy"),
        ],
        "--gaussian 2 --like scipy",
    )
    .unwrap_err();
    assert!(format!("{err:?}").contains("--like opencv"), "{err:?}");
}

/// `--separable COL ROW` on pixel images: the 2-D kernel file of the outer
/// product, bit for bit (int32 taps), and a clear error for 2-D files.
#[test]
fn separable_kernels_on_pixel_images() {
    let mut rng = Rng::new(7);
    let image = Array3::from_shape_fn((23, 31, 3), |_| (rng.next() >> 56) as u8);
    let (col, row) = (
        ndarray::array![1i32, 4, 6, 4, 1],
        ndarray::array![-1i32, 0, 1],
    );
    let outer = Array2::from_shape_fn((5, 3), |(i, j)| col[i] * row[j]);
    let (img, c, r, k) = (
        tmp("sep-image.npy"),
        tmp("sep-col.npy"),
        tmp("sep-row.npy"),
        tmp("sep-kernel.npy"),
    );
    save(&img, &image);
    save(&c, &col);
    save(&r, &row);
    save(&k, &outer);
    let (a, b) = (tmp("sep-out-a.npy"), tmp("sep-out-b.npy"));
    let flags = "--correlate --mode same --border mirror --divisor 16 --output-dtype int16";
    cli(&[&img, &a], &format!("--separable {c} {r} {flags}")).unwrap();
    cli(&[&img, &k, &b], flags).unwrap();
    assert_eq!(load::<i16>(&a), load::<i16>(&b));
    let err = cli(
        &[&img, &tmp("sep-bad.npy")],
        &format!("--separable {k} {r}"),
    )
    .unwrap_err();
    assert!(format!("{err:?}").contains("1-D"), "{err:?}");
}
