"""simdconv from Python next to SciPy and OpenCV, in one process.

    python python/bench/bench.py            # the table
    python python/bench/bench.py --rust     # also the Rust call's time and
                                            # the binding's overhead (runs
                                            # cargo run --release -p
                                            # simdconv-python --example rust_timing)
    python python/bench/bench.py --quick    # fewer runs
    python python/bench/bench.py --pixels   # only the pixel-type table

Each figure is the median of `timeit` repeats (one call each; the output
allocated inside the call, as a user calls it). The workloads are the
seed's (full convolution, zero border): int64 100x100 and 1000x1000 with
the 9x9 kernel arange(81), float32 1000x1000 and 4096x4096 with a random
9x9 kernel. OpenCV has no int64 and no full mode: its float32 figure is
cv2.filter2D on the image padded by 8 zeros per side, cropped to the full
output (the same values). Results are checked against SciPy first.

A second table times the pixel types (the crate's ImageFilter): a uint8
1000x1000 image with a random 9x9 uint8 kernel against
scipy.signal.convolve2d (same dtypes, SciPy's wrap-around) and the int32
route the drop-in took before, and simdconv.gaussian_blur against
cv2.GaussianBlur, sigma 2, uint8 1000x1000, one thread each
(cv2.setNumThreads(1) for that row only; threads=1 for simdconv).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import threading
import timeit

import numpy as np

import simdconv

try:
    from scipy import signal
except ImportError:  # pragma: no cover
    signal = None
try:
    import cv2
except ImportError:  # pragma: no cover
    cv2 = None


def median_seconds(call, budget, max_runs=1000):
    """Median of single-call timeit repeats within about `budget` seconds."""
    call()  # warm up (and the first-touch of the output's pages)
    once = min(timeit.repeat(call, number=1, repeat=3))
    runs = int(max(3, min(max_runs, budget / max(once, 1e-9))))
    return float(np.median(timeit.repeat(call, number=1, repeat=runs))), runs


def fmt(seconds):
    if seconds is None:
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def opencv_full(image, kernel):
    kh, kw = kernel.shape
    padded = cv2.copyMakeBorder(image, kh - 1, kh - 1, kw - 1, kw - 1, cv2.BORDER_CONSTANT, value=0)
    out = cv2.filter2D(padded, -1, np.ascontiguousarray(kernel[::-1, ::-1]),
                       anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    return out[: image.shape[0] + kh - 1, : image.shape[1] + kw - 1]


def workloads(rng):
    seed_kernel = np.arange(81, dtype=np.int64).reshape(9, 9)
    f32_kernel = rng.uniform(-1, 1, (9, 9)).astype(np.float32)
    return [
        ("int64 100x100, 9x9 (seed)", rng.integers(-1000, 1000, (100, 100)), seed_kernel, "i64_100_9x9"),
        ("int64 1000x1000, 9x9 (seed)", rng.integers(-1000, 1000, (1000, 1000)), seed_kernel, "i64_1000_9x9"),
        ("float32 1000x1000, 9x9", rng.uniform(-1, 1, (1000, 1000)).astype(np.float32), f32_kernel, "f32_1000_9x9"),
        ("float32 4096x4096, 9x9", rng.uniform(-1, 1, (4096, 4096)).astype(np.float32), f32_kernel, "f32_4096_9x9"),
    ]


def pixel_rows(rng, budget):
    """The pixel types (the crate's ImageFilter), one thread each where the
    API offers it: a uint8 1000x1000 image with a 9x9 uint8 kernel (full
    mode, zero border, SciPy's wrap-around) against scipy.signal.convolve2d
    and the int32 route the drop-in took before (convert, compute in
    int32, cast back); cv2.GaussianBlur sigma 2 on uint8 1000x1000 with
    cv2.setNumThreads(1) against simdconv.gaussian_blur(threads=1). Every
    result is checked equal first."""
    image = rng.integers(0, 256, (1000, 1000), dtype=np.uint8)
    kernel = rng.integers(0, 256, (9, 9), dtype=np.uint8)
    rows = []
    ours = simdconv.convolve2d(image, kernel)
    single = simdconv.Filter2d(kernel, threads=1)
    wide = simdconv.Filter2d(kernel.astype(np.int32), threads=1)

    def int32_route():
        return wide(image.astype(np.int32)).astype(np.uint8)

    assert np.array_equal(single(image), ours) and np.array_equal(int32_route(), ours)
    t_auto, _ = median_seconds(lambda: simdconv.convolve2d(image, kernel), budget)
    t_one, _ = median_seconds(lambda: single(image), budget)
    t_int32, _ = median_seconds(int32_route, budget)
    t_scipy = None
    if signal is not None:
        assert np.array_equal(signal.convolve2d(image, kernel), ours)
        t_scipy, _ = median_seconds(lambda: signal.convolve2d(image, kernel), budget, max_runs=5)
    rows.append(("uint8 1000x1000, 9x9 uint8: convolve2d (full, fill 0)",
                 "simdconv.convolve2d", t_auto, t_one, "scipy.signal.convolve2d", t_scipy,
                 f"the int32 route before: {fmt(t_int32)} (Filter2d(threads=1))"))

    blur_auto, _ = median_seconds(lambda: simdconv.gaussian_blur(image, 0, 2.0), budget)
    blur_one, _ = median_seconds(lambda: simdconv.gaussian_blur(image, 0, 2.0, threads=1), budget)
    t_cv = None
    if cv2 is not None:
        threads = cv2.getNumThreads()
        cv2.setNumThreads(1)
        try:
            assert np.array_equal(cv2.GaussianBlur(image, (0, 0), 2.0), simdconv.gaussian_blur(image, 0, 2.0))
            t_cv, _ = median_seconds(lambda: cv2.GaussianBlur(image, (0, 0), 2.0), budget)
        finally:
            cv2.setNumThreads(threads)
    rows.append(("uint8 1000x1000: GaussianBlur sigma 2 (13x13, reflect-101)",
                 "simdconv.gaussian_blur", blur_auto, blur_one, "cv2.GaussianBlur (setNumThreads(1))", t_cv, ""))
    return rows


def print_pixel_table(rng, budget):
    print("| pixel workload | simdconv call | auto threads | one thread | peer (one thread) | peer's time | peer / simdconv, one thread each | note |")
    print("|" + " --- |" * 8)
    for label, ours_name, t_auto, t_one, peer_name, t_peer, note in pixel_rows(rng, budget):
        ratio = f"{t_peer / t_one:.1f}x" if t_peer else "n/a"
        print(f"| {label} | {ours_name} | {fmt(t_auto)} | {fmt(t_one)} | {peer_name} | {fmt(t_peer)} | {ratio} | {note} |")


def rust_medians():
    """The Rust example's medians, by workload name (seconds)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    cmd = ["cargo", "run", "--quiet", "--release", "-p", "simdconv-python", "--example", "rust_timing"]
    print(f"$ {' '.join(cmd)}", file=sys.stderr)
    out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
    return {name: float(t) for name, t, _ in (line.split() for line in out.splitlines())}


def two_threads(image, kernel, budget):
    """Two Python threads, each one call on one core, against one call."""
    filt = simdconv.Filter2d(kernel, threads=1)

    def pair():
        threads = [threading.Thread(target=filt, args=(image,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    one, _ = median_seconds(lambda: filt(image), budget)
    two, _ = median_seconds(pair, budget)
    return one, two


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rust", action="store_true", help="also time the Rust calls (cargo)")
    parser.add_argument("--quick", action="store_true", help="about a quarter of the runs")
    parser.add_argument("--pixels", action="store_true", help="only the pixel-type table")
    args = parser.parse_args()
    budget = 0.5 if args.quick else 2.0
    rng = np.random.default_rng(0)

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"CPU: {cpu}, {os.cpu_count()} logical CPUs; simdconv backend {simdconv.detect_backend()}; "
          f"numpy {np.__version__}"
          + (f", scipy {__import__('scipy').__version__}" if signal else "")
          + (f", opencv {cv2.__version__} ({cv2.getNumThreads()} threads)" if cv2 else ""))
    print()
    if args.pixels:
        print_pixel_table(rng, budget)
        return
    rust = rust_medians() if args.rust else {}

    rows = []
    for label, image, kernel, key in workloads(rng):
        ours = simdconv.convolve2d(image, kernel)
        slow = image.size > 2_000_000
        if signal is not None:
            theirs = signal.convolve2d(image, kernel)
            if ours.dtype.kind == "f":
                assert np.allclose(ours, theirs, rtol=1e-4, atol=1e-3), label
            else:
                assert np.array_equal(ours, theirs), label
        t_ours, _ = median_seconds(lambda: simdconv.convolve2d(image, kernel), budget)
        single = simdconv.Filter2d(kernel, threads=1)
        t_one, _ = median_seconds(lambda: single(image), budget)
        t_scipy = None
        if signal is not None:
            t_scipy, _ = median_seconds(lambda: signal.convolve2d(image, kernel), budget if not slow else 0, max_runs=3)
        t_cv = None
        if cv2 is not None and image.dtype == np.float32:
            assert np.allclose(opencv_full(image, kernel), ours, rtol=1e-4, atol=1e-3), label
            t_cv, _ = median_seconds(lambda: opencv_full(image, kernel), budget)
        rows.append((label, t_ours, t_one, t_scipy, t_cv, rust.get(key)))

    head = "| workload | simdconv.convolve2d | Filter2d(threads=1) | scipy.signal.convolve2d | OpenCV filter2D | SciPy / simdconv |"
    if rust:
        head += " Rust convolve2d | binding overhead |"
    print(head)
    print("|" + " --- |" * (head.count("|") - 1))
    for label, t_ours, t_one, t_scipy, t_cv, t_rust in rows:
        ratio = f"{t_scipy / t_ours:.0f}x" if t_scipy else "n/a"
        line = f"| {label} | {fmt(t_ours)} | {fmt(t_one)} | {fmt(t_scipy)} | {fmt(t_cv)} | {ratio} |"
        if rust:
            d = t_ours - t_rust
            line += f" {fmt(t_rust)} | {d * 1e6:+.1f} us ({d / t_rust:+.1%}) |"
        print(line)

    print()
    print_pixel_table(rng, budget)

    tiny = np.ones((1, 1))
    t_tiny, _ = median_seconds(lambda: simdconv.convolve2d(tiny, tiny), budget, max_runs=20000)
    line = f"\nOne call on 1x1 float64 inputs (fixed cost): {fmt(t_tiny)}"
    if rust:
        line += f"; Rust {fmt(rust['f64_1x1_1x1'])}; overhead {(t_tiny - rust['f64_1x1_1x1']) * 1e6:.1f} us"
    print(line)

    image = rng.uniform(-1, 1, (2000, 2000)).astype(np.float32)
    one, two = two_threads(image, rng.uniform(-1, 1, (9, 9)).astype(np.float32), budget)
    print(f"GIL released: one Filter2d(threads=1) call on float32 2000x2000 9x9 {fmt(one)}; "
          f"two such calls from two Python threads {fmt(two)} ({2 * one / two:.2f}x the throughput of one thread)")


if __name__ == "__main__":
    main()
