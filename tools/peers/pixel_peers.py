#!/usr/bin/env python3
"""Measures the narrow-pixel peers of docs/PEERS.md (W8, W9, W12, W13,
W8-i16 and the OpenCV Gaussians) on *this* machine, on the arrays of bench/src/pixels.rs, and writes
them where `ratios --peers FILE` reads them (the format of peers.py).

Workloads (1000 x 1000 images from bench/src/pixels.rs: Lcg(1), the top
bits of each state; correlation, same mode, reflect-101 border, which is
OpenCV's BORDER_REFLECT_101 and SciPy ndimage's mode="mirror"):
  W8      u8 image, W8's 9 x 9 kernel k (integer taps 1..19, sum 256), out =
          round_half_even(S / 256) saturated to u8, S the exact integer
          correlation sum
  W9      the same on a u8 1000 x 1000 x 3 image (channels last)
  W12     the same on a u16 image, u16 out
  W8-i16  the same on an i16 image (the whole range), i16 out
  W13     u8 -> i16 Sobel d/dx ([[-1,0,1],[-2,0,2],[-1,0,1]]), out = S
  G13-u8, G13-rgb, G17-u16
          cv2.GaussianBlur(img, (0, 0), 2.0): OpenCV's fixed-point path,
          out = round_half_up(S / 2^16) (u8) or S / 2^32 (u16), S the exact
          sum of the quantised kernel's outer product
          (tools/vectors/gaussian_opencv.py)
  G13-f32 W8's u8 image as float32, the 13-tap Gaussian of sigma 2 along
          both axes: cv2.GaussianBlur(img, (13, 13), 2.0), cv2.sepFilter2D
          with cv2's 13-tap kernel, scipy.ndimage.gaussian_filter(img, 2.0,
          truncate=3.0) (radius 6, the same kernel to rounding), each
          checked within 1e-3 of the f64 correlation

Peers: cv2.filter2D(img, ddepth, k.astype(np.float32) / 256,
borderType=cv2.BORDER_REFLECT_101) on 1 and 2 threads; for W13 also
cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3); scipy.ndimage.correlate(img,
k / 256, mode="mirror") and scipy.ndimage.sobel(img.astype(np.int16),
axis=1, mode="mirror") (one thread; ndimage's default mode="reflect" is
BORDER_REFLECT, which repeats the edge pixel, not reflect-101). On u16 and
i16, filter2D takes its DFT path for kernels of 50 taps or more (on u8 from
130 taps), which is not exact at ties (S mod 256 == 128), so u16 and i16
also get "OpenCV filter2D on f32 + np.rint": the image converted to float32
(float32 -> float32 filter2D stays direct below 130 taps, and is exact here:
every partial sum is a multiple of 1/256 below 2^16), rounded half to even
by NumPy and converted back (no saturation needed: the taps are positive and
sum to 256, so the output stays within the input's range).

Every peer's output is first compared with the exact NumPy reference
(int64 sums over the mirror-extended image, rounded half to even,
saturated); the script prints whether it is exact, the number of outputs
that differ, how many of those are at ties, the largest difference, and
which rounding the peer's output matches exactly (half to even, half up,
floor, toward zero). A peer off by more than 1 anywhere is reported WRONG
and not timed; one off by at most 1 (a rounding difference) is timed and
written with "exact": false (--exact-only leaves it out of the JSON).

Times are medians of single calls after one warm-up call, output allocated
inside the call (for ndimage.sobel the int16 conversion the u8 input needs
is part of the call): at least 15 calls (up to 101, about 0.75 s per peer)
for OpenCV, --slow-runs (default 5) for SciPy ndimage, which is slow. The
"CPU / wall" column (process CPU time over wall time of the timed calls)
tells whether a second thread actually ran: OpenCV's filter2D and Sobel
leave it idle on 1000 x 1000 images, and a busy second core hides it too.
The JSON rows carry "exact", "mismatches", "max_diff" and "cpu_per_wall"
beside the "peer", "threads" and "ms" that bench/src/measured_peers.rs reads.

Needs: numpy, scipy, opencv-python-headless.
    pip install numpy scipy opencv-python-headless
Run (from the repository root):
    python3 tools/peers/pixel_peers.py [--json target/pixel_peers.json] [FILTER]
    cargo run --release -p simdconv-bench --example ratios -- --peers target/pixel_peers.json
With --merge, the W8-W13 rows are added to an existing peers.py output
(--json target/peers.json --merge), so that one file carries all workloads.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import scipy
import scipy.ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers import cpu_model, lcg_states  # noqa: E402 - the shared LCG of bench/src/lcg.rs

TARGET_SECONDS = 0.75
MIN_RUNS, MAX_RUNS = 15, 101

# ---------------------------------------------------------------------------
# The kernels and images of bench/src/pixels.rs.

SHAPE = (1000, 1000)
SEED = 1


def w8_kernel():
    """W8's 9 x 9 int kernel: n = 9 i + j, h = ((n * 2654435761) mod 2^32) >> 24,
    k[i][j] = 1 + h % 5, then k[4][4] += 256 - sum(k) (so k[4][4] == 19)."""
    n = np.arange(81, dtype=np.uint64).reshape(9, 9)
    h = ((n * np.uint64(2654435761)) % np.uint64(1 << 32)) >> np.uint64(24)
    k = (1 + h % np.uint64(5)).astype(np.int64)
    k[4, 4] += 256 - k.sum()
    assert k.sum() == 256 and k[4, 4] == 19 and k.min() >= 1
    return k


def sobel_dx():
    return np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.int64)


def top_bits(count, bits, seed=SEED):
    """The top `bits` bits of the first `count` states of Lcg(seed)."""
    return lcg_states(seed, count) >> np.uint64(64 - bits)


def image_u8(shape=SHAPE):
    return top_bits(shape[0] * shape[1], 8).astype(np.uint8).reshape(shape)


def image_u8_rgb(shape=SHAPE):
    return top_bits(shape[0] * shape[1] * 3, 8).astype(np.uint8).reshape(shape + (3,))


def image_u16(shape=SHAPE):
    return top_bits(shape[0] * shape[1], 16).astype(np.uint16).reshape(shape)


def image_i16(shape=SHAPE):
    return image_u16(shape).view(np.int16)


# ---------------------------------------------------------------------------
# The exact reference.


def exact_sums(img, k):
    """S[i, j] = sum k[a, b] * x[i + a - r, j + b - r] over the reflect-101
    extended image, in int64 (exact), per channel for a 3-D image."""
    r0, r1 = k.shape[0] // 2, k.shape[1] // 2
    pad = ((r0, r0), (r1, r1)) + ((0, 0),) * (img.ndim - 2)
    # np.pad's "reflect" does not repeat the edge: reflect-101.
    p = np.pad(img.astype(np.int64), pad, mode="reflect")
    rows, cols = img.shape[:2]
    s = np.zeros(img.shape, dtype=np.int64)
    for a in range(k.shape[0]):
        for b in range(k.shape[1]):
            if k[a, b]:
                s += int(k[a, b]) * p[a : a + rows, b : b + cols]
    return s


def roundings(s, shift):
    """S / 2^shift under each rounding rule a peer may use (exact, int64)."""
    if shift == 0:
        return {"exact": s}
    q, r = s >> shift, s & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    return {
        "half to even": q + ((r > half) | ((r == half) & (q & 1 == 1))),
        "half up": q + (r >= half),
        "floor": q,
        "toward zero": q + ((s < 0) & (r != 0)),
    }


def saturate(v, dtype):
    info = np.iinfo(dtype)
    return np.clip(v, info.min, info.max)


class Reference:
    def __init__(self, img, k, shift, out_dtype, rule="half to even"):
        s = exact_sums(img, k)
        self.ties = (s & ((1 << shift) - 1)) == (1 << (shift - 1)) if shift else np.zeros(s.shape, bool)
        self.rules = {name: saturate(v, out_dtype) for name, v in roundings(s, shift).items()}
        self.want = self.rules[rule if shift else "exact"]
        self.out_dtype = out_dtype

    def check(self, out):
        """(verdict, exact, mismatches, max_diff, text)."""
        if out.shape != self.want.shape:
            return "WRONG", False, None, None, f"shape {out.shape}, want {self.want.shape}"
        if out.dtype != self.out_dtype:
            return "WRONG", False, None, None, f"dtype {out.dtype}, want {np.dtype(self.out_dtype)}"
        d = out.astype(np.int64) - self.want
        bad = d != 0
        count = int(np.count_nonzero(bad))
        max_diff = int(np.max(np.abs(d)))
        matches = [name for name, v in self.rules.items() if np.array_equal(out, v)]
        text = (
            f"{count} of {out.size} outputs differ ({int(np.count_nonzero(bad & self.ties))} at ties,"
            f" of {int(np.count_nonzero(self.ties))} ties), max difference {max_diff};"
            f" matches exactly: {', '.join(matches) or 'no rounding rule'}"
        )
        verdict = "exact" if count == 0 else ("rounding differs" if max_diff <= 1 else "WRONG")
        return verdict, count == 0, count, max_diff, text


class FloatReference:
    """A float workload's reference: the correlation with the separable
    kernel `k1` (1-D) along both axes, reflect-101, computed in f64. A peer
    is "close" within TOLERANCE (the f32 results differ from it by their
    own rounding, a few units of 255 * 2^-24)."""

    TOLERANCE = 1e-3

    def __init__(self, img, k1):
        import scipy.ndimage as ndi

        k1 = np.asarray(k1, dtype=np.float64)
        x = img.astype(np.float64)
        x = ndi.correlate1d(x, k1, axis=0, mode="mirror")
        self.want = ndi.correlate1d(x, k1, axis=1, mode="mirror")

    def check(self, out):
        """(verdict, exact, mismatches, max_diff, text), as Reference.check."""
        if out.shape != self.want.shape:
            return "WRONG", False, None, None, f"shape {out.shape}, want {self.want.shape}"
        if out.dtype != np.float32:
            return "WRONG", False, None, None, f"dtype {out.dtype}, want float32"
        d = np.abs(out.astype(np.float64) - self.want)
        max_diff = float(np.max(d))
        count = int(np.count_nonzero(d > self.TOLERANCE))
        text = f"max |difference| from the f64 reference {max_diff:.3g} (tolerance {self.TOLERANCE})"
        return ("close" if count == 0 else "WRONG"), False, count, max_diff, text


# ---------------------------------------------------------------------------
# The peers: (name, threads or None for one thread only, make(cv2) -> call).


def opencv_filter2d(k, shift, ddepth):
    kf = (k.astype(np.float32) / (1 << shift)).astype(np.float32)

    def make(cv2):
        depth = -1 if ddepth is None else getattr(cv2, ddepth)
        return lambda img: cv2.filter2D(img, depth, kf, borderType=cv2.BORDER_REFLECT_101)

    return make


def opencv_filter2d_f32(k, shift):
    kf = (k.astype(np.float32) / (1 << shift)).astype(np.float32)

    def make(cv2):
        def call(img):
            out = cv2.filter2D(img.astype(np.float32), -1, kf, borderType=cv2.BORDER_REFLECT_101)
            np.rint(out, out=out)
            return out.astype(img.dtype)

        return call

    return make


def opencv_sobel_dx(cv2):
    return lambda img: cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT_101)


def ndimage_correlate(k, shift):
    w = k / float(1 << shift)

    def make(_cv2):
        def call(img):
            weights = w if img.ndim == 2 else w[:, :, None]
            return scipy.ndimage.correlate(img, weights, mode="mirror")

        return call

    return make


def ndimage_sobel(_cv2):
    return lambda img: scipy.ndimage.sobel(img.astype(np.int16), axis=1, mode="mirror")


def opencv_gaussian_blur(sigma):
    def make(cv2):
        return lambda img: cv2.GaussianBlur(img, (0, 0), sigma, borderType=cv2.BORDER_REFLECT_101)

    return make


def opencv_gaussian_blur_f32(ksize, sigma):
    def make(cv2):
        return lambda img: cv2.GaussianBlur(img, (ksize, ksize), sigma, borderType=cv2.BORDER_REFLECT_101)

    return make


def opencv_sep_filter2d(k1):
    def make(cv2):
        k = np.asarray(k1, dtype=np.float32)
        return lambda img: cv2.sepFilter2D(img, -1, k, k, borderType=cv2.BORDER_REFLECT_101)

    return make


def ndimage_gaussian(sigma, truncate):
    def make(_cv2):
        import scipy.ndimage as ndi

        return lambda img: ndi.gaussian_filter(img, sigma, mode="mirror", truncate=truncate)

    return make


def opencv_gaussian_f64(ksize, sigma):
    """cv2.getGaussianKernel(ksize, sigma) for ksize > 7 (and the crate's
    kernel1d::gaussian_opencv): exp(-x^2 / (2 sigma^2)), normalised."""
    x = np.arange(ksize, dtype=np.float64) - (ksize - 1) / 2
    g = np.exp(-(x * x) / (2 * sigma * sigma))
    return g / g.sum()


def gaussian_kernel(sigma, bits):
    """OpenCV's fixed-point GaussianBlur as an exact 2-D integer kernel
    (tools/vectors/gaussian_opencv.py): the outer product of the quantised
    1-D taps, to be divided by 2^(2 bits) and rounded half up."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors"))
    import gaussian_opencv as g  # noqa: E402 - beside the vectors it generates

    n = g.ksize_for(sigma, bits)
    k = g.quantise(g.kernel(n, sigma), bits)
    return np.outer(np.array(k, dtype=np.int64), np.array(k, dtype=np.int64))


def workloads():
    """(name, description, image, kernel, shift, out dtype, peers[, rounding])."""
    k, sobel = w8_kernel(), sobel_dx()
    u8 = image_u8()
    w8_peers = [
        ("OpenCV filter2D", (1, 2), opencv_filter2d(k, 8, None)),
        ("scipy.ndimage.correlate", None, ndimage_correlate(k, 8)),
    ]
    wide_peers = w8_peers[:1] + [("OpenCV filter2D on f32 + np.rint", (1, 2), opencv_filter2d_f32(k, 8))] + w8_peers[1:]
    return [
        ("W8", "u8 1000x1000, W8 9x9 / 256, reflect-101", lambda: u8, k, 8, np.uint8, w8_peers),
        ("W9", "u8 1000x1000x3 RGB, W8 9x9 / 256, reflect-101", image_u8_rgb, k, 8, np.uint8, w8_peers),
        ("W12", "u16 1000x1000, W8 9x9 / 256, reflect-101", image_u16, k, 8, np.uint16, wide_peers),
        ("W8-i16", "i16 1000x1000, W8 9x9 / 256, reflect-101", image_i16, k, 8, np.int16, wide_peers),
        (
            "W13",
            "u8 1000x1000 -> i16, Sobel d/dx 3x3, reflect-101",
            lambda: u8,
            sobel,
            0,
            np.int16,
            [
                ("OpenCV filter2D CV_16S", (1, 2), opencv_filter2d(sobel, 0, "CV_16S")),
                ("OpenCV Sobel CV_16S", (1, 2), opencv_sobel_dx),
                ("scipy.ndimage.sobel", None, ndimage_sobel),
            ],
        ),
        # cv2.GaussianBlur(img, (0, 0), 2.0): OpenCV's fixed-point path,
        # exact sums of the quantised kernel rounded half up.
        (
            "G13-u8",
            "u8 1000x1000, cv2.GaussianBlur sigma 2 (13x13), reflect-101",
            lambda: u8,
            gaussian_kernel(2.0, 8),
            16,
            np.uint8,
            [("OpenCV GaussianBlur", (1, 2), opencv_gaussian_blur(2.0))],
            "half up",
        ),
        (
            "G13-rgb",
            "u8 1000x1000x3 RGB, cv2.GaussianBlur sigma 2 (13x13), reflect-101",
            image_u8_rgb,
            gaussian_kernel(2.0, 8),
            16,
            np.uint8,
            [("OpenCV GaussianBlur", (1, 2), opencv_gaussian_blur(2.0))],
            "half up",
        ),
        # The float Gaussian: 13 taps (cv2's ksize for sigma 2 on 8 bits;
        # its float default would be 17), SciPy's truncate 3 gives the same
        # 13 (radius 6). The image is W8's u8 image as f32.
        (
            "G13-f32",
            "f32 1000x1000, Gaussian sigma 2 (13x13), reflect-101",
            lambda: u8.astype(np.float32),
            opencv_gaussian_f64(13, 2.0),
            None,
            np.float32,
            [
                ("OpenCV GaussianBlur f32", (1, 2), opencv_gaussian_blur_f32(13, 2.0)),
                ("OpenCV sepFilter2D f32", (1, 2), opencv_sep_filter2d(opencv_gaussian_f64(13, 2.0))),
                ("scipy.ndimage.gaussian_filter", None, ndimage_gaussian(2.0, 3.0)),
            ],
        ),
        (
            "G17-u16",
            "u16 1000x1000, cv2.GaussianBlur sigma 2 (17x17), reflect-101",
            image_u16,
            gaussian_kernel(2.0, 16),
            32,
            np.uint16,
            [("OpenCV GaussianBlur", (1, 2), opencv_gaussian_blur(2.0))],
            "half up",
        ),
    ]


def median_ms(call, img, runs=None):
    """(median ms, runs, process CPU time / wall time) of single calls after
    one warm-up call; runs None: enough calls for about TARGET_SECONDS, at
    least MIN_RUNS. The CPU / wall ratio says how many threads actually ran
    (about 1 when a peer given 2 threads uses one, or when the other core is
    busy with other work)."""
    start = time.perf_counter()
    call(img)
    t1 = time.perf_counter() - start
    if runs is None:
        runs = max(MIN_RUNS, min(int(TARGET_SECONDS / max(t1, 1e-9)), MAX_RUNS)) | 1
    times = []
    cpu = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        call(img)
        times.append(time.perf_counter() - start)
    cpu = (time.process_time() - cpu) / sum(times)
    return statistics.median(times) * 1e3, runs, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", default="target/pixel_peers.json", help="where ratios --peers reads (default %(default)s)")
    ap.add_argument("--merge", action="store_true", help="keep the other workloads already in the --json file (a peers.py output)")
    ap.add_argument("--exact-only", action="store_true", help="write only the peers whose output is exact")
    ap.add_argument("--slow-runs", type=int, default=5, help="calls timed for SciPy ndimage (default %(default)s)")
    ap.add_argument("filter", nargs="?", help="keep workloads whose name or description contains this")
    args = ap.parse_args()

    versions = {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__}
    try:
        import cv2

        versions["opencv"] = cv2.__version__
    except ImportError as e:
        print(f"# OpenCV peers skipped: {e}", file=sys.stderr)
        cv2 = None

    result = {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions,
        "workloads": {},
        "descriptions": {},
    }
    print(f"# pixel peers on {result['cpu']} ({result['cpus']} CPUs), {result['date']}; {versions}")
    checks, table = [], []
    for name, description, image, k, shift, out_dtype, peers, *rule in workloads():
        if args.filter and args.filter not in name and args.filter not in description:
            continue
        img = image()
        ref = FloatReference(img, k) if out_dtype is np.float32 else Reference(img, k, shift, out_dtype, *rule)
        rows = []
        for peer, threads, make in peers:
            if peer.startswith("OpenCV") and cv2 is None:
                continue
            call = make(cv2)
            if cv2 is not None:
                cv2.setNumThreads(1)
            verdict, exact, count, max_diff, text = ref.check(call(img))
            checks.append(f"{name} {peer}: {verdict}: {text}")
            print(f"# check {checks[-1]}", flush=True)
            if verdict == "WRONG":
                table.append(f"| {name} | {peer} | | WRONG | | |")
                continue
            for t in threads or (1,):
                if threads is not None:
                    cv2.setNumThreads(t)
                ms, runs, cpu = median_ms(call, img, None if threads is not None else args.slow_runs)
                if isinstance(ref, FloatReference):
                    mark = f" (max |difference| {max_diff:.2g})"
                else:
                    mark = "" if exact else f" (not exact: {count} differ by <= {max_diff})"
                table.append(f"| {name} | {peer}{mark} | {t} | {ms:.3f} | {runs} | {cpu:.2f} |")
                print(f"# timed {table[-1]}", flush=True)
                if exact or not args.exact_only:
                    rows.append(
                        {
                            "peer": peer,
                            "threads": t,
                            "ms": round(ms, 4),
                            "exact": exact,
                            "mismatches": count,
                            "max_diff": max_diff,
                            "cpu_per_wall": round(cpu, 2),
                        }
                    )
        if cv2 is not None:
            cv2.setNumThreads(1)
        result["workloads"][name] = rows
        result["descriptions"][name] = description

    print()
    print("| workload | peer | threads | median ms | runs | CPU / wall |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    print("\n".join(table))
    print()
    print("Exactness (against round_half_even(S / 256) saturated; W13: S; G: round_half_up(S / 2^(2 bits))):")
    for line in checks:
        print(f"- {line}")

    if args.merge and os.path.exists(args.json):
        with open(args.json) as fh:
            old = json.load(fh)
        old.setdefault("workloads", {}).update(result["workloads"])
        old.setdefault("descriptions", {}).update(result["descriptions"])
        if old.get("cpu") != result["cpu"]:
            print(f"# warning: {args.json} was measured on {old.get('cpu')}", file=sys.stderr)
        old["date"] = f"{old.get('date', '?')}; W8-W13 {result['date']}"
        old.setdefault("versions", {}).update(versions)
        result = old
    os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(result, fh, indent=1)
    print(f"\n# written to {args.json}; now: cargo run --release -p simdconv-bench --example ratios -- --peers {args.json}")


if __name__ == "__main__":
    main()
