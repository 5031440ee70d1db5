//! Every bad input the crate docs list (src/lib.rs, "Errors") returns a typed `Err` with a message
//! naming what was wrong and the sizes involved; nothing panics.

use ndarray::{Array2, ArrayView2};
use simdconv::{convolve2d, correlate2d, Backend, Border, Error, Filter2d, Mode, Operation};

#[test]
fn empty_kernel_is_rejected_when_the_filter_is_built() {
    for shape in [(0, 3), (3, 0), (0, 0)] {
        let kernel = Array2::<f32>::zeros(shape);
        let err = Filter2d::convolution(&kernel).unwrap_err();
        assert_eq!(
            err,
            Error::EmptyKernel {
                rows: shape.0,
                cols: shape.1
            }
        );
        assert!(
            err.to_string()
                .contains(&format!("{} x {}", shape.0, shape.1)),
            "{err}"
        );
        assert!(Filter2d::correlation(&kernel).is_err());
        assert!(convolve2d(&Array2::<f32>::ones((2, 2)), &kernel).is_err());
        assert!(correlate2d(&Array2::<f32>::ones((2, 2)), &kernel).is_err());
    }
}

#[test]
fn empty_image_is_rejected_by_every_entry_point() {
    let kernel = Array2::<i64>::ones((3, 3));
    for shape in [(0, 5), (5, 0)] {
        let image = Array2::<i64>::zeros(shape);
        let expected = Error::EmptyImage {
            rows: shape.0,
            cols: shape.1,
        };
        for mode in [Mode::Full, Mode::Same, Mode::Valid] {
            let filter = Filter2d::convolution(&kernel).unwrap().mode(mode);
            assert_eq!(filter.apply(&image).unwrap_err(), expected);
            let mut out = Array2::<i64>::zeros((1, 1));
            assert_eq!(filter.apply_into(&image, &mut out).unwrap_err(), expected);
        }
        assert_eq!(convolve2d(&image, &kernel).unwrap_err(), expected);
        assert_eq!(correlate2d(&image, &kernel).unwrap_err(), expected);
        // Empty image and empty kernel: the image is reported.
        assert_eq!(
            convolve2d(&image, &Array2::<i64>::zeros((0, 0))).unwrap_err(),
            expected
        );
    }
}

#[test]
fn valid_mode_where_neither_input_contains_the_other() {
    let image = Array2::<f64>::ones((2, 10));
    let kernel = Array2::<f64>::ones((5, 3));
    for op in [Operation::Convolution, Operation::Correlation] {
        let filter = Filter2d::new(kernel.view(), op).unwrap().mode(Mode::Valid);
        let err = filter.apply(&image).unwrap_err();
        assert_eq!(
            err,
            Error::ValidModeMismatch {
                image: (2, 10),
                kernel: (5, 3)
            }
        );
        let msg = err.to_string();
        assert!(msg.contains("2 x 10") && msg.contains("5 x 3"), "{msg}");
    }
}

#[test]
fn apply_into_rejects_an_output_of_the_wrong_shape() {
    let filter = Filter2d::convolution(&Array2::<i32>::ones((3, 3))).unwrap();
    let image = Array2::<i32>::ones((4, 5));
    for shape in [(6, 6), (7, 6), (0, 0), (6, 7)] {
        let mut out = Array2::<i32>::zeros(shape);
        let result = filter.apply_into(&image, &mut out);
        if shape == (6, 7) {
            assert!(result.is_ok());
            continue;
        }
        let err = result.unwrap_err();
        assert_eq!(
            err,
            Error::OutputShape {
                expected: (6, 7),
                actual: shape
            }
        );
        assert!(err.to_string().contains("6 x 7"), "{err}");
        assert!(
            out.iter().all(|&v| v == 0),
            "a rejected output must stay untouched"
        );
    }
}

#[test]
fn a_forced_backend_this_cpu_cannot_run_is_an_error() {
    let unavailable: Vec<Backend> = Backend::ALL
        .iter()
        .copied()
        .filter(|b| !b.is_available())
        .collect();
    assert!(
        !unavailable.is_empty(),
        "some backend belongs to another architecture"
    );
    let image = Array2::<f32>::ones((4, 4));
    for backend in unavailable {
        let filter = Filter2d::convolution(&Array2::<f32>::ones((2, 2)))
            .unwrap()
            .backend(backend);
        let err = filter.apply(&image).unwrap_err();
        assert!(
            matches!(err, Error::BackendUnavailable { backend: b, from_env: false, .. } if b == backend)
        );
        let msg = err.to_string();
        assert!(
            msg.contains(backend.name()) && msg.contains("available: scalar"),
            "{msg}"
        );
        let mut out = Array2::<f32>::zeros((5, 5));
        assert!(filter.apply_into(&image, &mut out).is_err());
    }
}

#[test]
fn sizes_that_overflow_usize_are_an_error() {
    // A broadcast view has a huge logical shape but one element of storage.
    let one = [1.0f32];
    let big = usize::MAX / 4;
    let image = ArrayView2::from_shape((1, 1), &one).unwrap();
    let image = image.broadcast((big, 2)).unwrap();
    let kernel = ArrayView2::from_shape((1, 1), &one).unwrap();
    let kernel = kernel.broadcast((big, 1)).unwrap();
    let err = Filter2d::convolution(kernel).unwrap_err();
    assert_eq!(err, Error::KernelTooLarge { rows: big, cols: 1 });
    let kernel = Array2::<f32>::ones((3, 1));
    let err = Filter2d::convolution(&kernel)
        .unwrap()
        .apply(image)
        .unwrap_err();
    assert!(matches!(err, Error::ShapeOverflow { .. }), "{err}");
    assert!(err.to_string().contains("isize::MAX bytes"), "{err}");
    // Output elements that do not fit, although each side does.
    let side = 1usize << (usize::BITS / 2);
    let image = ArrayView2::from_shape((1, 1), &one).unwrap();
    let image = image.broadcast((side / 2, side / 2)).unwrap();
    let err = Filter2d::convolution(&Array2::<f32>::ones((1, 1)))
        .unwrap()
        .apply(image)
        .unwrap_err();
    assert!(matches!(err, Error::ShapeOverflow { .. }), "{err}");
}

/// Sizes inside the limit that no machine has: an `Err` naming the bytes,
/// where an infallible allocation aborts the process.
#[test]
#[cfg_attr(
    not(target_pointer_width = "64"),
    ignore = "its shapes need a 64-bit usize: ndarray refuses the broadcasts on 32-bit targets"
)]
fn memory_the_system_refuses_is_an_error_not_an_abort() {
    let one = ArrayView2::from_shape((1, 1), &[1.0f32][..]).unwrap();
    // A 2^30 x 2^29 broadcast image and a 1 x 1 kernel: 2^61 bytes of output.
    let image = one.broadcast((1 << 30, 1 << 29)).unwrap();
    let filter = Filter2d::convolution(&Array2::<f32>::ones((1, 1))).unwrap();
    let err = filter.apply(image).unwrap_err();
    if cfg!(target_pointer_width = "64") {
        assert_eq!(
            err,
            Error::AllocationFailed {
                what: "the output",
                // (as u64: the branch is compiled on 32-bit targets too)
                bytes: (1u64 << 61) as usize
            }
        );
        assert!(
            err.to_string().contains("2305843009213693952 bytes"),
            "{err}"
        );
    } else {
        assert!(matches!(err, Error::ShapeOverflow { .. }), "{err}");
    }
    // A 2^20 x 2^20 broadcast kernel: 4 TiB of taps (and as much again for
    // their column-major copy).
    let kernel = one.broadcast((1 << 20, 1 << 20)).unwrap();
    let err = Filter2d::convolution(kernel).unwrap_err();
    if cfg!(target_pointer_width = "64") {
        assert!(
            matches!(
                err,
                Error::AllocationFailed {
                    what: "the kernel's taps",
                    ..
                }
            ),
            "{err}"
        );
    } else {
        assert!(matches!(err, Error::KernelTooLarge { .. }), "{err}");
    }
}

#[test]
fn unknown_backend_names_are_an_error_listing_the_choices() {
    let err = "avx1024".parse::<Backend>().unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("avx1024") && msg.contains("scalar"), "{msg}");
}

#[test]
fn errors_are_std_errors() {
    fn takes(_: &dyn std::error::Error) {}
    takes(&Error::EmptyImage { rows: 0, cols: 0 });
    let _ = Border::<f32>::Wrap; // keep the import meaningful across cfgs
}
