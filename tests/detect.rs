//! Backend detection as the CI sees it, and `SIMDCONV_BACKEND` errors.
//!
//! - `SIMDCONV_EXPECT_BACKEND=<name>`: `detect_matches_expectation` asserts
//!   that `Backend::detect()` is that backend (and the last, best, entry of
//!   `Backend::available()`). `.ci/run` sets it when it runs the tests on a
//!   known CPU model (under QEMU) or target; unset, the test only checks
//!   that `detect()` is one of `available()`.
//! - `print_available_backends` prints one line
//!   `SIMDCONV_AVAILABLE=scalar,sse2,...` (run with `--nocapture`), which
//!   `.ci/run` reads to decide which backends to force.
//! - `bogus_backend_env_is_an_error` runs this test binary again as a child
//!   process with `SIMDCONV_BACKEND=bogus` set on the child only (never in
//!   this process: the automatic choice is cached per process, and other
//!   tests run in parallel). `SIMDCONV_TEST_RUNNER`, if set, is the command
//!   prefix that runs a binary of this target (e.g. `qemu-aarch64-static -L
//!   /usr/aarch64-linux-gnu`), so the child runs on the same (emulated) CPU.

use std::process::Command;

use ndarray::Array2;
use simdconv::{convolve2d, Backend, Filter2d};

/// Set on the child process only: the child test then does its checks.
const CHILD_ENV: &str = "SIMDCONV_DETECT_CHILD";
/// The line the child prints for each error message it checked.
const CHILD_MARK: &str = "SIMDCONV_CHILD_ERROR=";

fn names(backends: &[Backend]) -> Vec<String> {
    backends.iter().map(|b| b.to_string()).collect()
}

#[test]
fn detect_matches_expectation() {
    let detected = Backend::detect();
    let available = Backend::available();
    assert!(
        available.contains(&detected),
        "detect() = {detected} is not in available() = {:?}",
        names(&available)
    );
    assert_eq!(
        available[0],
        Backend::Scalar,
        "available() must start with scalar"
    );
    if let Some(expected) = std::env::var_os("SIMDCONV_EXPECT_BACKEND").filter(|v| !v.is_empty()) {
        let expected = expected.to_string_lossy();
        assert_eq!(
            detected.to_string(),
            expected,
            "SIMDCONV_EXPECT_BACKEND={expected} but detect() = {detected} (available: {:?})",
            names(&available)
        );
        assert_eq!(
            available.last().map(|b| b.to_string()).as_deref(),
            Some(&*expected),
            "available() = {:?} does not end with {expected}",
            names(&available)
        );
    }
}

#[test]
fn print_available_backends() {
    let available = names(&Backend::available());
    println!("SIMDCONV_AVAILABLE={}", available.join(","));
    println!("SIMDCONV_DETECTED={}", Backend::detect());
}

/// The child's half of `bogus_backend_env_is_an_error`: does nothing unless
/// the parent started this process with `SIMDCONV_DETECT_CHILD` set.
#[test]
fn bogus_backend_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let value = std::env::var("SIMDCONV_BACKEND").expect("the parent sets SIMDCONV_BACKEND");
    // The list ends the message: "...available on this CPU: scalar, sse2)".
    let available = format!(": {})", names(&Backend::available()).join(", "));

    let from_env = Backend::from_env().expect_err("from_env() must reject the value");
    let filter =
        Filter2d::convolution(&Array2::<f32>::ones((3, 3))).expect("a 3 x 3 kernel is valid");
    let applied = filter
        .apply(&Array2::<f32>::ones((4, 5)))
        .expect_err("apply() without .backend() must reject the value");
    let seed = convolve2d(&Array2::<i64>::ones((4, 5)), &Array2::<i64>::ones((2, 2)))
        .expect_err("convolve2d() must reject the value");
    // An explicitly chosen backend does not consult the variable.
    let forced = filter
        .clone()
        .backend(Backend::Scalar)
        .apply(&Array2::<f32>::ones((4, 5)))
        .expect("a filter with .backend(Scalar) ignores SIMDCONV_BACKEND");
    assert_eq!(forced.dim(), (6, 7));

    for (what, err) in [
        ("from_env", from_env),
        ("apply", applied),
        ("convolve2d", seed),
    ] {
        let msg = err.to_string();
        assert!(
            msg.contains(&value),
            "{what}: the message does not name {value:?}: {msg}"
        );
        assert!(
            msg.contains(&available),
            "{what}: the message does not list the available backends ({available}): {msg}"
        );
        println!("{CHILD_MARK}{what}: {msg}");
    }
}

#[test]
#[cfg_attr(
    target_os = "wasi",
    ignore = "WASI cannot start a process: .ci/run runs bogus_backend_child itself"
)]
fn bogus_backend_env_is_an_error() {
    let exe = std::env::current_exe().expect("the test binary's path");
    let runner = std::env::var("SIMDCONV_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    let mut cmd = match words.next() {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.args(words).arg(&exe);
            cmd
        }
        None => Command::new(&exe),
    };
    cmd.args([
        "bogus_backend_child",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, "1")
    .env("SIMDCONV_BACKEND", "bogus");
    let output = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?} (set SIMDCONV_TEST_RUNNER for a cross target): {e}")
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the child {cmd:?} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test:\n{stdout}\n{stderr}"
    );

    // The parent checks the messages again against its own view of the CPU:
    // the child must have run on the same (possibly emulated) CPU.
    let available = format!(": {})", names(&Backend::available()).join(", "));
    let messages: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(CHILD_MARK).map(|(_, msg)| msg))
        .collect();
    assert_eq!(
        messages.len(),
        3,
        "expected three error messages:\n{stdout}"
    );
    for msg in messages {
        assert!(
            msg.contains("bogus"),
            "the message does not name \"bogus\": {msg}"
        );
        assert!(
            msg.contains(&available),
            "the message does not list this CPU's backends ({available}); if the child ran \
             on another CPU, set SIMDCONV_TEST_RUNNER: {msg}"
        );
    }
}
