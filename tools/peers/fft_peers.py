"""The FFT peers of issue 25's workloads, timed on this machine: SciPy's
fftconvolve and oaconvolve and OpenCV's filter2D (which switches to its DFT
path for kernels of 11 x 11 and more) on 1 and 2 threads. Prints one line
per workload and peer: the median of 7 calls in ms.

    pip install scipy opencv-python-headless numpy
    python3 tools/peers/fft_peers.py

Compare with `cargo bench -p simdconv-bench --bench kernels -- '^fft/'`
run in the same hour (the guests' load drifts).
"""
import time

import cv2
import numpy as np
import scipy.signal

WORKLOADS = [
    ("f32", 1000, 31, "full"),
    ("f32", 1000, 31, "same"),
    ("f32", 1000, 63, "full"),
    ("f32", 1000, 63, "same"),
    ("f32", 4096, 31, "full"),
    ("f64", 1000, 31, "full"),
]


def median_ms(call, reps=7):
    call()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        call()
        times.append((time.perf_counter() - t) * 1e3)
    return sorted(times)[reps // 2]


def filter2d(f, g, mode):
    """scipy.signal.convolve2d(f, g, mode) through cv2.filter2D."""
    kh, kw = g.shape
    flipped = np.ascontiguousarray(g[::-1, ::-1])
    if mode == "full":
        # Zeros above and left; filter2D's constant border below and right.
        padded = cv2.copyMakeBorder(f, kh - 1, 0, kw - 1, 0, cv2.BORDER_CONSTANT, value=0)
        return cv2.filter2D(padded, -1, flipped, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    return cv2.filter2D(f, -1, flipped, anchor=(kw - 1 - (kw - 1) // 2, kh - 1 - (kh - 1) // 2),
                        borderType=cv2.BORDER_CONSTANT)


def main():
    rng = np.random.default_rng(25)
    for dtype, n, k, mode in WORKLOADS:
        t = np.float32 if dtype == "f32" else np.float64
        f = rng.uniform(-1, 1, (n, n)).astype(t)
        g = rng.uniform(-1, 1, (k, k)).astype(t)
        name = f"{dtype}-{n}-k{k}-{mode}"
        ref = scipy.signal.fftconvolve(f.astype(np.float64), g.astype(np.float64), mode=mode)
        got = filter2d(f, g, mode)
        assert got.shape == ref.shape, (got.shape, ref.shape)
        assert np.allclose(got, ref, atol=1e-3 * np.abs(ref).max()), name
        rows = [
            ("scipy fftconvolve", lambda: scipy.signal.fftconvolve(f, g, mode=mode)),
            ("scipy oaconvolve", lambda: scipy.signal.oaconvolve(f, g, mode=mode)),
        ]
        for threads in (1, 2):
            def call(threads=threads):
                cv2.setNumThreads(threads)
                return filter2d(f, g, mode)
            rows.append((f"cv2.filter2D {threads}t", call))
        for peer, call in rows:
            print(f"{name:20} {peer:20} {median_ms(call):9.2f} ms", flush=True)


if __name__ == "__main__":
    main()
