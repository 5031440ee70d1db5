#!/usr/bin/env python3
"""Measures the peers of docs/PEERS.md on *this* machine, on the very arrays
that `cargo run --release -p simdconv-bench --example ratios` uses, and
writes them where `ratios --peers FILE` reads them. Then simdconv's "x peer" columns compare two
programs on one core in one session, not this core against another machine.

Peers: scipy.signal.convolve2d, scipy.signal.fftconvolve (floats),
scipy.ndimage.convolve, OpenCV filter2D on 1 and 2 threads (floats), and the
seed tutorial's Cython at its fastest form (typed memoryviews, no checks,
-O3 -march=native; tools/peers/conv_memoryview.pyx), built here if Cython
and a C compiler are present. Each peer's output is checked against an
exact reference (int64 convolve2d for integers, float64 FFT for floats)
before it is timed; a peer that disagrees is reported and left out.

Times are medians of single calls, output allocated inside the call (for
OpenCV and ndimage the zero padding that gives SciPy's full mode is part of
the call, as a user has to do it).

Needs: numpy, scipy, opencv-python-headless; optional: Cython, setuptools, gcc.
    pip install numpy scipy opencv-python-headless cython setuptools
Run (from the repository root):
    python3 tools/peers/peers.py [--out target/peers.json] [FILTER]
    cargo run --release -p simdconv-bench --example ratios -- --peers target/peers.json [FILTER]
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import sys
import time

import numpy as np
import scipy
import scipy.ndimage
import scipy.signal

TARGET_SECONDS = 0.75
MIN_RUNS, MAX_RUNS = 5, 101
# A peer whose single call is estimated above this is timed on fewer runs.
SLOW_SECONDS = 2.0

# ---------------------------------------------------------------------------
# The arrays of bench/src/lcg.rs and bench/examples/ratios.rs.

MUL = np.uint64(6364136223846793005)
INC = np.uint64(1442695040888963407)
BLOCK = 4096


def lcg_states(seed, n):
    """The first n states of bench/src/lcg.rs's Lcg(seed).next_u64()."""
    with np.errstate(over="ignore"):
        first = np.empty(min(n, BLOCK), dtype=np.uint64)
        x = np.uint64(seed)
        for i in range(first.size):
            x = x * MUL + INC
            first[i] = x
        if n <= BLOCK:
            return first
        # x_{i+BLOCK} = A x_i + C, with A = MUL^BLOCK, C = INC (1 + MUL + ... + MUL^(BLOCK-1)).
        a, c = np.uint64(1), np.uint64(0)
        for _ in range(BLOCK):
            a, c = a * MUL, c * MUL + INC
        out = np.empty(n, dtype=np.uint64)
        out[:BLOCK] = first
        done = BLOCK
        while done < n:
            take = min(BLOCK, n - done)
            out[done : done + take] = out[done - BLOCK : done - BLOCK + take] * a + c
            done += take
        return out


def uniform_f32(shape, seed):
    s = lcg_states(seed, shape[0] * shape[1])
    v = (s >> np.uint64(40)).astype(np.float32) * np.float32(2.0 / (1 << 24)) - np.float32(1.0)
    return v.reshape(shape)


def uniform_f64(shape, seed):
    s = lcg_states(seed, shape[0] * shape[1])
    v = (s >> np.uint64(11)).astype(np.float64) * (2.0 / (1 << 53)) - 1.0
    return v.reshape(shape)


def uniform_int(shape, m, seed, dtype):
    s = lcg_states(seed, shape[0] * shape[1])
    v = ((s >> np.uint64(33)) % np.uint64(2 * m + 1)).astype(np.int64) - m
    return v.astype(dtype).reshape(shape)


def arange_i64(shape):
    return np.arange(shape[0] * shape[1], dtype=np.int64).reshape(shape)


def workloads():
    """(name, description, image, kernel, mode) as in bench/examples/ratios.rs."""
    f32 = uniform_f32((1000, 1000), 1)
    out = [
        ("W1", "i64 100x100 arange, 9x9 arange", arange_i64((100, 100)), arange_i64((9, 9)), "full"),
        ("W2", "i64 1000x1000 arange, 9x9 arange", arange_i64((1000, 1000)), arange_i64((9, 9)), "full"),
    ]
    for k in (3, 9, 15, 31):
        out.append((f"W3-k{k}", f"f32 1000x1000, {k}x{k}", f32, uniform_f32((k, k), 2), "full"))
    out += [
        ("W4", "f64 1000x1000, 9x9", uniform_f64((1000, 1000), 1), uniform_f64((9, 9), 2), "full"),
        (
            "W5",
            "i32 1000x1000 [-100,100], 9x9 [-10,10]",
            uniform_int((1000, 1000), 100, 1, np.int32),
            uniform_int((9, 9), 10, 2, np.int32),
            "full",
        ),
        ("W6", "f32 4096x4096, 9x9", uniform_f32((4096, 4096), 1), uniform_f32((9, 9), 2), "full"),
        ("W7", "f32 1000x1000, 9x9, same mode", f32, uniform_f32((9, 9), 2), "same"),
    ]
    return out


# ---------------------------------------------------------------------------
# The peers. Each takes (image, kernel, mode) and returns a new array.


def scipy_convolve2d(f, g, mode):
    return scipy.signal.convolve2d(f, g, mode=mode)


def scipy_fftconvolve(f, g, mode):
    return scipy.signal.fftconvolve(f, g, mode=mode)


def ndimage_convolve(f, g, mode):
    # ndimage centres odd kernels: zero padding of kh//2, kw//2 on each side
    # gives SciPy's full mode; "same" is the image itself.
    if mode == "full":
        f = np.pad(f, ((g.shape[0] // 2,) * 2, (g.shape[1] // 2,) * 2))
    return scipy.ndimage.convolve(f, g, mode="constant", cval=0)


def opencv_filter2d(cv2, threads):
    def call(f, g, mode):
        cv2.setNumThreads(threads)
        flipped = np.ascontiguousarray(g[::-1, ::-1])
        kh, kw = g.shape
        if mode == "full":
            # Zeros above and left; filter2D's constant border below and right.
            padded = cv2.copyMakeBorder(f, kh - 1, 0, kw - 1, 0, cv2.BORDER_CONSTANT, value=0)
            return cv2.filter2D(padded, -1, flipped, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
        return cv2.filter2D(f, -1, flipped, anchor=(kw // 2, kh // 2), borderType=cv2.BORDER_CONSTANT)

    return call


def cython_memoryview(module):
    def call(f, g, mode):
        if mode != "full":
            raise NotImplementedError
        out = np.empty((f.shape[0] + g.shape[0] - 1, f.shape[1] + g.shape[1] - 1), dtype=f.dtype)
        return module.convolve_full(f, g, out)

    return call


def build_cython(build_dir):
    """Builds conv_memoryview.pyx into build_dir; None if it cannot."""
    try:
        from Cython.Build import cythonize
        from setuptools import Extension
        from setuptools.dist import Distribution
    except ImportError as e:
        print(f"# Cython peer skipped: {e}", file=sys.stderr)
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(build_dir, exist_ok=True)
    pyx = os.path.join(build_dir, "conv_memoryview.pyx")
    shutil.copy(os.path.join(here, "conv_memoryview.pyx"), pyx)
    ext = Extension(
        "conv_memoryview",
        [pyx],
        extra_compile_args=["-O3", "-march=native", "-fwrapv"],
    )
    try:
        dist = Distribution({"ext_modules": cythonize([ext], build_dir=build_dir, quiet=True)})
        cmd = dist.get_command_obj("build_ext")
        cmd.build_lib = build_dir
        cmd.build_temp = os.path.join(build_dir, "tmp")
        dist.run_command("build_ext")
    except Exception as e:  # noqa: BLE001 - any build failure only skips the peer
        print(f"# Cython peer skipped: build failed: {e}", file=sys.stderr)
        return None
    sys.path.insert(0, build_dir)
    import conv_memoryview

    return conv_memoryview


# ---------------------------------------------------------------------------


def reference(f, g, mode):
    if np.issubdtype(f.dtype, np.integer):
        # Exact for these workloads (no value leaves int64); wrapped to the
        # input type as C and simdconv wrap.
        return scipy.signal.convolve2d(f.astype(np.int64), g.astype(np.int64), mode=mode).astype(f.dtype)
    return scipy.signal.fftconvolve(f.astype(np.float64), g.astype(np.float64), mode=mode)


def agrees(out, want, f, g):
    if out.shape != want.shape:
        return False, f"shape {out.shape}, want {want.shape}"
    if np.issubdtype(f.dtype, np.integer):
        bad = int(np.count_nonzero(out != want))
        return bad == 0, f"{bad} outputs differ"
    # A sanity bound, not an accuracy test: it catches a shifted, flipped or
    # cropped result (errors of the order of the values), and lets through
    # the rounding of any summation order, FFT's included (its error is
    # spread over the whole output, so the bound is too).
    scale = float(np.max(np.abs(want))) + 1.0
    eps = np.finfo(f.dtype).eps
    err = float(np.max(np.abs(out.astype(np.float64) - want)))
    return err <= 64 * eps * scale * np.sqrt(g.size), f"max error {err:.3g} (bound {64 * eps * scale * np.sqrt(g.size):.3g})"


def median_ms(call, f, g, mode):
    start = time.perf_counter()
    call(f, g, mode)
    t1 = time.perf_counter() - start
    runs = int(TARGET_SECONDS / max(t1, 1e-9))
    runs = max(MIN_RUNS if t1 < SLOW_SECONDS else 3, min(runs, MAX_RUNS)) | 1
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call(f, g, mode)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, runs


def cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default="target/peers.json", help="where ratios --peers reads (default %(default)s)")
    ap.add_argument("--no-cython", action="store_true", help="skip building and timing the Cython peer")
    ap.add_argument("filter", nargs="?", help="keep workloads whose name or description contains this")
    args = ap.parse_args()

    peers = [
        ("scipy.signal.convolve2d", 1, scipy_convolve2d, "any"),
        ("scipy.signal.fftconvolve", 1, scipy_fftconvolve, "float"),
        ("scipy.ndimage.convolve", 1, ndimage_convolve, "any"),
    ]
    versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__}
    try:
        import cv2

        versions["opencv"] = cv2.__version__
        peers += [
            ("OpenCV filter2D", 1, opencv_filter2d(cv2, 1), "float"),
            ("OpenCV filter2D", 2, opencv_filter2d(cv2, 2), "float"),
        ]
    except ImportError as e:
        print(f"# OpenCV peers skipped: {e}", file=sys.stderr)
    if not args.no_cython:
        module = build_cython(os.path.join("target", "peers-build"))
        if module is not None:
            import Cython

            versions["cython"] = Cython.__version__
            peers.append(("Cython typed memoryviews, -O3 -march=native", 1, cython_memoryview(module), "full"))

    result = {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions,
        "workloads": {},
    }
    print(f"# peers on {result['cpu']} ({result['cpus']} CPUs), {result['date']}; {versions}")
    print("| workload | peer | threads | median ms | runs |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, description, f, g, mode in workloads():
        if args.filter and args.filter not in name and args.filter not in description:
            continue
        want = reference(f, g, mode)
        rows = []
        for peer, threads, call, applies in peers:
            is_float = np.issubdtype(f.dtype, np.floating)
            if (applies == "float" and not is_float) or (applies == "full" and mode != "full"):
                continue
            ok, why = agrees(call(f, g, mode), want, f, g)
            if not ok:
                print(f"| {name} | {peer} | {threads} | WRONG: {why} | |")
                continue
            ms, runs = median_ms(call, f, g, mode)
            rows.append({"peer": peer, "threads": threads, "ms": round(ms, 4)})
            print(f"| {name} | {peer} | {threads} | {ms:.3f} | {runs} |", flush=True)
        result["workloads"][name] = rows

    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"# written to {args.out}; now: cargo run --release -p simdconv-bench --example ratios -- --peers {args.out}")


if __name__ == "__main__":
    main()
