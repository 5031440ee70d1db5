//! Narrow pixels (`ImageFilter`): equality with cv2.filter2D, scipy.signal
//! and scipy.ndimage through the checked-in cases of `tests/data/pixels`
//! (tools/vectors/pixels.py), every backend and thread count against the
//! scalar backend for every (input, kernel, output, rounding, overflow)
//! combination, an independent exact model of the conversion, colour
//! images against their channels filtered alone, and the errors.

mod common;

use std::path::PathBuf;

use common::{border_named, borders, Rng, OVERFLOWS, ROUNDS};

use ndarray::{s, Array2, Array3, ArrayD, Axis};
use ndarray_npy::read_npy;
use simdconv::{
    Backend, Border, Error, ImageFilter, Mode, Operation, Output, Overflow, Pixel, Preset, Round,
    Threads,
};

fn data(case: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/pixels/cases")
        .join(case)
        .join(file)
}

fn text<'a>(case: &'a serde_json::Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {case}"))
}

/// Runs one checked-in case with input `P` and output `O`.
fn run_case<P, O>(case: &serde_json::Value) -> Result<(), String>
where
    P: Pixel + ndarray_npy::ReadableElement + TryFrom<i64>,
    O: Output + ndarray_npy::ReadableElement,
{
    let name = text(case, "name");
    let kernel: Array2<i32> = read_npy(data(name, "kernel.npy")).map_err(|e| e.to_string())?;
    let op: Operation = text(case, "operation").parse().unwrap();
    let mode: Mode = text(case, "mode").parse().unwrap();
    let fill = pixel_from_i64::<P>(case["fill"].as_i64().unwrap());
    let border = border_named(text(case, "border"), fill);
    let filter = ImageFilter::<P>::new(&kernel, op)
        .unwrap()
        .output::<O>()
        .mode(mode)
        .border(border)
        .divisor(case["divisor"].as_u64().unwrap() as u32)
        .delta(case["delta"].as_f64().unwrap())
        .round(text(case, "rounding").parse().unwrap())
        .overflow(text(case, "overflow").parse().unwrap());
    let channels = case["channels"].as_u64().unwrap();
    for backend in Backend::available() {
        let filter = filter.clone().backend(backend);
        let (got, want): (ArrayD<O>, ArrayD<O>) = if channels == 0 {
            let image: Array2<P> = read_npy(data(name, "image.npy")).unwrap();
            let want: Array2<O> = read_npy(data(name, "expected.npy")).unwrap();
            (
                filter.apply(&image).map_err(|e| e.to_string())?.into_dyn(),
                want.into_dyn(),
            )
        } else {
            let image: Array3<P> = read_npy(data(name, "image.npy")).unwrap();
            let want: Array3<O> = read_npy(data(name, "expected.npy")).unwrap();
            let got = filter
                .apply_channels_last(&image)
                .map_err(|e| e.to_string())?;
            (got.into_dyn(), want.into_dyn())
        };
        if got.shape() != want.shape() {
            return Err(format!(
                "{name} {backend}: shape {:?} != {:?}",
                got.shape(),
                want.shape()
            ));
        }
        let bad = got.iter().zip(&want).filter(|(a, b)| a != b).count();
        if bad > 0 {
            return Err(format!(
                "{name} {backend}: {bad} of {} outputs differ",
                got.len()
            ));
        }
    }
    Ok(())
}

fn pixel_from_i64<P: Pixel + TryFrom<i64>>(v: i64) -> P {
    P::try_from(v).unwrap_or_else(|_| panic!("{v} is not a {}", P::NAME))
}

#[test]
fn checked_in_cases_match_opencv_and_scipy_bit_for_bit() {
    let index = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pixels/index.json");
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(index).unwrap()).unwrap();
    assert!(cases.len() >= 70, "{} cases", cases.len());
    let mut failures = Vec::new();
    let mut sources = std::collections::BTreeMap::new();
    for case in &cases {
        let result = match (text(case, "input_dtype"), text(case, "output_dtype")) {
            ("uint8", "uint8") => run_case::<u8, u8>(case),
            ("uint8", "int16") => run_case::<u8, i16>(case),
            ("uint8", "float32") => run_case::<u8, f32>(case),
            ("uint16", "uint16") => run_case::<u16, u16>(case),
            ("uint16", "float32") => run_case::<u16, f32>(case),
            ("int16", "int16") => run_case::<i16, i16>(case),
            ("int16", "float32") => run_case::<i16, f32>(case),
            (i, o) => Err(format!("{}: no test for {i} -> {o}", text(case, "name"))),
        };
        *sources.entry(text(case, "source").to_string()).or_insert(0) += 1;
        if let Err(e) = result {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Each peer is represented.
    for peer in ["cv2.filter2D", "scipy.signal", "scipy.ndimage"] {
        assert!(
            sources.keys().any(|s| s.starts_with(peer)),
            "{peer}: {sources:?}"
        );
    }
}

/// The exact model: `out = overflow(round((S + delta d) / d))`, with `S`
/// the exact sums of `Filter2d<i64>` on the scalar backend (whose modes and
/// borders the SciPy vectors check), and the conversion written from the
/// definition in i128.
fn model<O: Output>(
    image: &Array2<i64>,
    kernel: &Array2<i64>,
    (mode, border): (Mode, Border<i64>),
    (divisor, delta, round, overflow): (i64, i64, Round, Overflow),
) -> Array2<f64> {
    let sums = simdconv::Filter2d::correlation(kernel)
        .unwrap()
        .mode(mode)
        .border(border)
        .backend(Backend::Scalar)
        .apply(image)
        .unwrap();
    sums.mapv(|s| {
        let s = s as i128;
        let yv = s + (delta * divisor) as i128;
        let d = divisor as i128;
        if O::RANGE.is_none() {
            return (yv as f64 / d as f64) as f32 as f64;
        }
        let q = yv.div_euclid(d);
        let r = yv.rem_euclid(d);
        let q = q + match round {
            Round::TowardZero => (yv < 0 && r != 0) as i128,
            Round::HalfUp => (2 * r >= d) as i128,
            Round::HalfEven => (2 * r > d || (2 * r == d && q % 2 != 0)) as i128,
        };
        let (lo, hi) = O::RANGE.unwrap();
        let v = match overflow {
            Overflow::Saturate => q.clamp(lo as i128, hi as i128),
            Overflow::Wrap => {
                let bits = (hi - lo + 1) as i128; // 2^bits
                (q - lo as i128).rem_euclid(bits) + lo as i128
            }
        };
        v as f64
    })
}

fn to_f64<O: Output + Into<f64>>(a: &Array2<O>) -> Array2<f64> {
    a.mapv(Into::into)
}

/// Every backend and two thread counts against the exact model, for an
/// (input, output) pair, over kernels with ties, saturating sums, every
/// rounding and overflow rule and several modes and borders.
fn against_model<P, O>(seed: u64)
where
    P: Pixel + TryFrom<i64>,
    O: Output + Into<f64>,
{
    let mut rng = Rng::new(seed);
    let mut accumulators = std::collections::BTreeMap::new();
    let borders = borders(1i64);
    for trial in 0..12 {
        let (h, w) = (5 + rng.next() as usize % 40, 5 + rng.next() as usize % 70);
        let (kh, kw) = (1 + rng.next() as usize % 7, 1 + rng.next() as usize % 9);
        let image = Array2::from_shape_fn((h, w), |_| rng.edgy(P::MIN, P::MAX));
        // Taps of a power-of-two scale so ties at .5 occur; every other
        // trial small taps, which u8 images sum in 16-bit lanes.
        let kernel = if trial % 2 == 0 {
            Array2::from_shape_fn((kh, kw), |_| rng.edgy(-2, 5))
        } else {
            Array2::from_shape_fn((kh, kw), |_| (rng.edgy(-40, 90)) * 16)
        };
        let divisor = [1i64, 2, 3, 16, 256, 1000][rng.next() as usize % 6];
        let delta = rng.edgy(-20, 20);
        let round = ROUNDS[trial % 3];
        let overflow = OVERFLOWS[(trial / 3) % 2];
        let mode = [Mode::Same, Mode::Full, Mode::Valid][trial % 3];
        let mode = if mode == Mode::Valid && (kh > h || kw > w) {
            Mode::Same
        } else {
            mode
        };
        let border = borders[trial % 5];
        let want = model::<O>(
            &image,
            &kernel,
            (mode, border),
            (divisor, delta, round, overflow),
        );
        let image_p = image.mapv(pixel_from_i64::<P>);
        let kernel_i32 = kernel.mapv(|v| v as i32);
        let pixel_border = match border {
            Border::Constant(v) => Border::Constant(pixel_from_i64::<P>(v)),
            Border::Wrap => Border::Wrap,
            Border::Symmetric => Border::Symmetric,
            Border::Mirror => Border::Mirror,
            _ => Border::Replicate,
        };
        let filter = ImageFilter::<P>::correlation(&kernel_i32)
            .unwrap()
            .output::<O>()
            .mode(mode)
            .border(pixel_border)
            .divisor(divisor as u32)
            .delta(delta as f64)
            .round(round)
            .overflow(overflow);
        *accumulators.entry(filter.accumulator()).or_insert(0) += 1;
        for backend in Backend::available() {
            for threads in [Threads::Single, Threads::Auto] {
                let got = filter
                    .clone()
                    .backend(backend)
                    .threads(threads)
                    .apply(&image_p)
                    .unwrap();
                assert_eq!(
                    to_f64(&got),
                    want,
                    "{} -> {} trial {trial} {backend} {kh}x{kw} /{divisor} {delta:+} {round} {overflow} {mode} {border:?}",
                    P::NAME,
                    O::NAME
                );
            }
        }
    }
    // Both integer accumulators of u8 images are covered.
    if P::NAME == "uint8" {
        assert!(
            accumulators.contains_key("i16") && accumulators.contains_key("i32"),
            "{accumulators:?}"
        );
    }
}

#[test]
fn every_backend_matches_the_exact_model_u8() {
    // Seeds here are odd and distinct: common::Rng sets the low bit.
    against_model::<u8, u8>(1);
    against_model::<u8, i16>(3);
    against_model::<u8, u16>(5);
    against_model::<u8, i32>(7);
    against_model::<u8, f32>(9);
}

#[test]
fn every_backend_matches_the_exact_model_u16_i16() {
    against_model::<u16, u16>(11);
    against_model::<u16, u8>(13);
    against_model::<u16, i32>(15);
    against_model::<i16, i16>(17);
    against_model::<i16, u8>(19);
    against_model::<i16, f32>(21);
}

/// Divisor 1 and no delta into an output of the accumulator's type: the
/// row kernels write into the output directly when its rows are
/// contiguous, through the conversion otherwise; both equal the model.
fn identity_case<P, O>(seed: u64, taps: (i64, i64), overflow: Overflow, accumulator: &str)
where
    P: Pixel + TryFrom<i64>,
    O: Output + Into<f64>,
{
    let mut rng = Rng::new(seed);
    let image = Array2::from_shape_fn((29, 83), |_| rng.edgy(P::MIN, P::MAX));
    let kernel = Array2::from_shape_fn((3, 5), |_| rng.edgy(taps.0, taps.1));
    let want = model::<O>(
        &image,
        &kernel,
        (Mode::Same, Border::Mirror),
        (1, 0, Round::HalfEven, overflow),
    );
    let filter = ImageFilter::<P>::correlation(&kernel.mapv(|v| v as i32))
        .unwrap()
        .output::<O>()
        .mode(Mode::Same)
        .border(Border::Mirror)
        .overflow(overflow);
    assert_eq!(filter.accumulator(), accumulator, "{kernel}");
    let image = image.mapv(pixel_from_i64::<P>);
    for backend in Backend::available() {
        let f = filter.clone().backend(backend);
        let mut contiguous = Array2::<O>::default((29, 83));
        f.apply_into(&image, &mut contiguous).unwrap();
        let mut wide = Array2::<O>::default((29, 166));
        f.apply_into(&image, wide.slice_mut(s![.., ..;2])).unwrap();
        for got in [contiguous, wide.slice(s![.., ..;2]).to_owned()] {
            assert_eq!(
                to_f64(&got),
                want,
                "{} -> {} {backend} {overflow}",
                P::NAME,
                O::NAME
            );
        }
    }
}

#[test]
fn identity_conversions_write_in_place_and_equal_the_model() {
    // Sobel-like taps: every sum an i16, the 16-bit lanes are the output.
    identity_case::<u8, i16>(23, (-2, 2), Overflow::Saturate, "i16");
    // Sums beyond i16 in 16-bit lanes: wrapping keeps the residue ...
    identity_case::<u8, i16>(25, (-20, 20), Overflow::Wrap, "i16");
    // ... saturating must recover the sum first.
    identity_case::<u8, i16>(27, (17, 17), Overflow::Saturate, "i16");
    identity_case::<u8, i32>(29, (-900, 900), Overflow::Saturate, "i32");
    identity_case::<i16, i32>(31, (-900, 900), Overflow::Wrap, "i32");
    // Float taps into f32: the f32 sums of Filter2d themselves.
    let mut rng = Rng::new(33);
    let image = Array2::from_shape_fn((31, 77), |_| rng.edgy(0, 255) as u8);
    let kernel = Array2::from_shape_fn((4, 6), |_| (rng.next() % 1000) as f32 / 997.0 - 0.3);
    let want = simdconv::Filter2d::correlation(&kernel)
        .unwrap()
        .mode(Mode::Same)
        .border(Border::Mirror)
        .backend(Backend::Scalar)
        .apply(&image.mapv(f32::from))
        .unwrap();
    let filter = ImageFilter::<u8>::correlation(&kernel)
        .unwrap()
        .output::<f32>()
        .mode(Mode::Same)
        .border(Border::Mirror);
    for backend in Backend::available() {
        let got = filter.clone().backend(backend).apply(&image).unwrap();
        assert_eq!(got.mapv(f32::to_bits), want.mapv(f32::to_bits), "{backend}");
    }
}

/// Column and row kernels: the 2-D filter of their outer product, bit for
/// bit, for integer taps (every accumulator, wrapping included) on every
/// backend; float taps as the float separable filter on the widened image;
/// 1-D kernels along either axis as 1 x n / n x 1 kernels.
#[test]
fn separable_filters_equal_the_outer_product_on_every_backend() {
    let mut rng = Rng::new(35);
    let image = Array2::from_shape_fn((37, 53), |_| rng.edgy(0, 255) as u8);
    let wide = Array2::from_shape_fn((29, 41), |_| rng.edgy(-32768, 32767) as i16);
    // (column, row, divisor): i16 lanes (sum |t| <= 257), i32, wrapping i32 sums of i16 pixels.
    let cases: [(&[i32], &[i32], u32); 3] = [
        (&[1, 4, 6, 4, 1], &[1, 4, 6, 4, 1], 256),
        (&[3, -7, 12, 5], &[-9, 30, 2], 7),
        (&[1000, -3000], &[20000, 700, -9], 1 << 20),
    ];
    for (column, row, divisor) in cases {
        let outer = Array2::from_shape_fn((column.len(), row.len()), |(i, j)| {
            i64::from(column[i]) * i64::from(row[j])
        });
        for overflow in OVERFLOWS {
            let sep = ImageFilter::<u8>::separable_correlation(column, row)
                .unwrap()
                .divisor(divisor)
                .round(Round::HalfUp)
                .overflow(overflow)
                .mode(Mode::Same)
                .border(Border::Mirror);
            let direct = ImageFilter::<u8>::correlation(&outer)
                .unwrap()
                .divisor(divisor)
                .round(Round::HalfUp)
                .overflow(overflow)
                .mode(Mode::Same)
                .border(Border::Mirror);
            assert_eq!(sep.accumulator(), direct.accumulator());
            let want = direct
                .clone()
                .backend(Backend::Scalar)
                .apply(&image)
                .unwrap();
            let sep16 = ImageFilter::<i16>::separable_convolution(column, row)
                .unwrap()
                .output::<i32>()
                .divisor(divisor)
                .overflow(overflow)
                .mode(Mode::Full);
            let direct16 = ImageFilter::<i16>::convolution(&outer)
                .unwrap()
                .output::<i32>()
                .divisor(divisor)
                .overflow(overflow)
                .mode(Mode::Full);
            let want16 = direct16
                .clone()
                .backend(Backend::Scalar)
                .apply(&wide)
                .unwrap();
            for backend in Backend::available() {
                for threads in [Threads::Single, Threads::Auto] {
                    let f = sep.clone().backend(backend).threads(threads.clone());
                    assert_eq!(
                        f.apply(&image).unwrap(),
                        want,
                        "{column:?} {row:?} {backend}"
                    );
                    let f = sep16.clone().backend(backend).threads(threads);
                    assert_eq!(
                        f.apply(&wide).unwrap(),
                        want16,
                        "i16 {column:?} {row:?} {backend}"
                    );
                }
            }
        }
    }
    // Float taps: the f32 separable filter on the widened image.
    let (column, row) = ([0.25f32, 0.5, 0.25], [0.1f32, -0.7, 0.35, 0.2]);
    let want = simdconv::Filter2d::separable_correlation(&column, &row)
        .unwrap()
        .mode(Mode::Same)
        .border(Border::Symmetric)
        .backend(Backend::Scalar)
        .apply(&image.mapv(f32::from))
        .unwrap();
    let f = ImageFilter::<u8>::separable_correlation(&column, &row)
        .unwrap()
        .output::<f32>()
        .mode(Mode::Same)
        .border(Border::Symmetric);
    for backend in Backend::available() {
        let got = f.clone().backend(backend).apply(&image).unwrap();
        assert_eq!(got.mapv(f32::to_bits), want.mapv(f32::to_bits), "{backend}");
    }
    // One axis.
    let taps = [1i32, -2, 5, 3];
    for (axis, shape) in [(Axis(0), (4, 1)), (Axis(1), (1, 4))] {
        let k = Array2::from_shape_vec(shape, taps.to_vec()).unwrap();
        let want = ImageFilter::<u8>::convolution(&k)
            .unwrap()
            .divisor(3)
            .apply(&image)
            .unwrap();
        let got = ImageFilter::<u8>::convolution1d(&taps, axis)
            .unwrap()
            .divisor(3)
            .apply(&image)
            .unwrap();
        assert_eq!(got, want, "{axis:?}");
    }
    assert!(matches!(
        ImageFilter::<u8>::correlation1d(&taps, Axis(2)),
        Err(Error::BadAxis { .. })
    ));
    // Sums beyond i64: a clear error.
    let huge = [i64::MAX / 2, 3];
    assert!(matches!(
        ImageFilter::<u16>::separable_correlation(&huge, &huge),
        Err(Error::BadParameter { .. })
    ));
}

#[test]
fn float_kernels_match_the_scalar_backend_on_every_backend() {
    let mut rng = Rng::new(99);
    let image = Array2::from_shape_fn((37, 71), |_| rng.edgy(0, 255) as u8);
    let kernel = Array2::from_shape_fn((5, 7), |_| (rng.next() % 1000) as f32 / 997.0 - 0.3);
    for round in ROUNDS {
        let f = ImageFilter::<u8>::correlation(&kernel)
            .unwrap()
            .mode(Mode::Same)
            .border(Border::Mirror)
            .round(round);
        let want = f.clone().backend(Backend::Scalar).apply(&image).unwrap();
        // The definition: the f32 sums of Filter2d, then the conversion.
        let sums = simdconv::Filter2d::correlation(&kernel)
            .unwrap()
            .mode(Mode::Same)
            .border(Border::Mirror)
            .backend(Backend::Scalar)
            .apply(&image.mapv(f32::from))
            .unwrap();
        let model = sums.mapv(|s| {
            let v = s as f64;
            let r = match round {
                Round::HalfEven => v.round_ties_even(),
                Round::HalfUp => (v + 0.5).floor(),
                _ => v.trunc(),
            };
            r.clamp(0.0, 255.0) as u8
        });
        assert_eq!(want, model, "{round}");
        for backend in Backend::available() {
            assert_eq!(
                f.clone().backend(backend).apply(&image).unwrap(),
                want,
                "{backend}"
            );
        }
    }
}

#[test]
fn colour_channels_equal_each_channel_filtered_alone() {
    let mut rng = Rng::new(37);
    let kernel = Array2::from_shape_fn((3, 5), |_| rng.edgy(-3, 9) as i32);
    for c in [1usize, 2, 3, 4, 5] {
        let image = Array3::from_shape_fn((19, 23, c), |_| rng.edgy(0, 255) as u8);
        for (mode, border) in [
            (Mode::Same, Border::Mirror),
            (Mode::Full, Border::Constant(7u8)),
            (Mode::Valid, Border::Wrap),
        ] {
            let f = ImageFilter::<u8>::correlation(&kernel)
                .unwrap()
                .mode(mode)
                .border(border)
                .divisor(4);
            // Float taps (f32 sums) and an i16-accumulated kernel too.
            let float = ImageFilter::<u8>::convolution(&kernel.mapv(|t| t as f32 * 0.37))
                .unwrap()
                .mode(mode)
                .border(border)
                .output::<f32>();
            let small = ImageFilter::<u8>::correlation(&kernel.mapv(|t| t.signum()))
                .unwrap()
                .mode(mode)
                .border(border);
            assert_eq!(small.accumulator(), "i16");
            for backend in Backend::available() {
                let f = f.clone().backend(backend);
                let out = f.apply_channels_last(&image).unwrap();
                let planar_in = image.view().permuted_axes([2, 0, 1]);
                let planar = f.apply_planar(planar_in).unwrap();
                let float = float.clone().backend(backend);
                let out_f = float.apply_channels_last(&image).unwrap();
                let small = small.clone().backend(backend);
                let out_s = small.apply_channels_last(&image).unwrap();
                for k in 0..c {
                    let alone = f.apply(image.index_axis(Axis(2), k)).unwrap();
                    let label = format!("C = {c} channel {k} {mode} {backend}");
                    assert_eq!(out.index_axis(Axis(2), k), alone, "{label}");
                    assert_eq!(planar.index_axis(Axis(0), k), alone, "planar {label}");
                    let alone_f = float.apply(image.index_axis(Axis(2), k)).unwrap();
                    let got_f = out_f.index_axis(Axis(2), k);
                    let same = got_f
                        .iter()
                        .zip(&alone_f)
                        .all(|(a, b)| a.to_bits() == b.to_bits());
                    assert!(same, "float {label}");
                    let alone_s = small.apply(image.index_axis(Axis(2), k)).unwrap();
                    assert_eq!(out_s.index_axis(Axis(2), k), alone_s, "i16 {label}");
                }
            }
        }
    }
    // Any strides: a flipped, sub-sampled view.
    let image = Array3::from_shape_fn((30, 40, 3), |(y, x, c)| (y * 7 + x * 3 + c * 50) as u8);
    let view = image.slice(s![..;-2, 1..;3, ..]);
    let f = ImageFilter::<u8>::convolution(&kernel)
        .unwrap()
        .mode(Mode::Same);
    let out = f.apply_channels_last(view).unwrap();
    for k in 0..3 {
        assert_eq!(
            out.index_axis(Axis(2), k),
            f.apply(view.index_axis(Axis(2), k)).unwrap()
        );
    }
}

#[test]
fn presets_set_the_rules_and_restrict_the_output() {
    let k = ndarray::array![[1i32, 2, 1]];
    let f = ImageFilter::<u8>::correlation(&k)
        .unwrap()
        .preset(Preset::ScipySignal);
    assert_eq!(
        (f.rounding_rule(), f.overflow_rule()),
        (Round::TowardZero, Overflow::Wrap)
    );
    // scipy.signal's u8 arithmetic: 4 * 100 = 400 wraps to 144.
    let image = ndarray::array![[100u8]];
    assert_eq!(f.apply(&image).unwrap(), ndarray::array![[100u8, 200, 100]]);
    let f = f.clone().preset(Preset::OpenCv);
    assert_eq!(
        (f.rounding_rule(), f.overflow_rule()),
        (Round::HalfEven, Overflow::Saturate)
    );
    // OpenCV's ddepth rules: u8 -> i16 and f32 are allowed, u8 -> i32 is not.
    assert!(f.clone().output::<i16>().apply(&image).is_ok());
    assert!(f.clone().output::<f32>().apply(&image).is_ok());
    let err = f.clone().output::<i32>().apply(&image).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnsupportedOutput {
                input: "uint8",
                output: "int32",
                ..
            }
        ),
        "{err}"
    );
    let u16_filter = ImageFilter::<u16>::correlation(&k)
        .unwrap()
        .preset(Preset::OpenCv);
    assert!(u16_filter
        .output::<u8>()
        .apply(&ndarray::array![[1u16]])
        .is_err());
    // Without a preset, any output type.
    assert!(ImageFilter::<u16>::correlation(&k)
        .unwrap()
        .output::<u8>()
        .apply(&ndarray::array![[1u16]])
        .is_ok());
}

#[test]
fn bad_input_is_an_error_with_a_clear_message() {
    let k = ndarray::array![[1i32, 2, 1]];
    let image = ndarray::array![[1u8, 2], [3, 4]];
    let err = ImageFilter::<u8>::correlation(&k)
        .unwrap()
        .divisor(0)
        .apply(&image)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadParameter {
                what: "divisor",
                ..
            }
        ),
        "{err}"
    );
    let err = ImageFilter::<u8>::correlation(&k)
        .unwrap()
        .divisor(3)
        .delta(0.5)
        .apply(&image)
        .unwrap_err();
    assert!(err.to_string().contains("delta"), "{err}");
    // A delta of 1/4 with divisor 4 is exact: allowed.
    assert!(ImageFilter::<u8>::correlation(&k)
        .unwrap()
        .divisor(4)
        .delta(0.25)
        .apply(&image)
        .is_ok());
    let empty = Array3::<u8>::zeros((4, 4, 0));
    let err = ImageFilter::<u8>::correlation(&k)
        .unwrap()
        .apply_channels_last(&empty)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::BadParameter {
                what: "channels",
                ..
            }
        ),
        "{err}"
    );
    let err = ImageFilter::<u8>::correlation(&Array2::<i32>::zeros((0, 3))).unwrap_err();
    assert!(matches!(err, Error::EmptyKernel { .. }));
    let mut wrong = Array3::<u8>::zeros((2, 2, 3));
    let rgb = Array3::<u8>::zeros((2, 2, 2));
    let err = ImageFilter::<u8>::correlation(&k)
        .unwrap()
        .mode(Mode::Same)
        .apply_channels_last_into(&rgb, &mut wrong)
        .unwrap_err();
    assert!(matches!(err, Error::OutputShape3 { .. }), "{err}");
}
