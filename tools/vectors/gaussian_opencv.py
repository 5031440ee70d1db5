"""Writes tests/data/gaussian_opencv/: cv2.GaussianBlur on uint8 and uint16
images (OpenCV's bit-exact fixed-point path), the reference for
simdconv's ImageFilter::gaussian_opencv.

    python3 tools/vectors/gaussian_opencv.py   # needs numpy, opencv-python(-headless)

What OpenCV computes (smooth.dispatch.cpp, fixedpoint.inl.hpp), and what this
script checks every case against before writing it (AssertionError if cv2
disagrees):

1. Each 1-D kernel in double arithmetic (getGaussianKernelBitExact): for
   sigma <= 0 and ksize 1, 3, 5, 7, 9 a fixed table; otherwise sigma = sigma,
   or fma(ksize, 0.15, 0.35) when sigma <= 0; t_i = exp((x*x) * (-0.125 /
   sigma^2)) for x = 1 - n, 3 - n, ... (twice the offset), summed in order,
   doubled, plus 1 for the centre; taps t_i / sum, the centre 1 / sum.
2. Quantised to integers summing to exactly 2^b (b = 8 for uint8, 16 for
   uint16) by error diffusion from the outside in: v = round_half_even(k_i *
   2^b + err), err = k_i * 2^b + err - v; the centre takes 2^b minus the
   rest.
3. The row pass and the column pass in fixed point: every product and sum is
   exact (no saturation: the taps are positive and sum to 2^b), so the result
   is the exact sum S of (ky outer kx) * pixels over the border-extended
   image, rounded half up: out = (S + 2^(2b-1)) >> 2b, clamped.
sigmaY <= 0 means sigmaX; ksize 0 means round(sigma * 6 + 1) | 1 (uint8) or
round(sigma * 8 + 1) | 1 (uint16). Borders: reflect-101 (default), reflect,
replicate, constant 0 (OpenCV's GaussianBlur has no wrap).
"""

import json
import math
import shutil
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2] / "tests/data/gaussian_opencv"
BORDERS = {
    "mirror": cv2.BORDER_REFLECT_101,
    "symmetric": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}
PAD = {"mirror": "reflect", "symmetric": "symmetric", "replicate": "edge", "constant": "constant"}
TABLES = {
    1: [1.0],
    3: [0.25, 0.5, 0.25],
    5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
    7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
    9: [x / 256 for x in (4, 13, 30, 51, 60, 51, 30, 13, 4)],
}


def kernel(n, sigma):
    if sigma <= 0 and n in TABLES:
        return TABLES[n]
    # fma(n, 0.15, 0.35): one rounding of the exact value.
    s = sigma if sigma > 0 else float(Fraction(n) * Fraction(0.15) + Fraction(0.35))
    scale = -0.125 / (s * s)
    vals, total, x = [], 0.0, 1 - n
    for _ in range((n - 1) // 2):
        t = math.exp(float(x * x) * scale)
        vals.append(t)
        total += t
        x += 2
    total = total * 2.0 + 1.0
    inv = 1.0 / total
    out = [0.0] * n
    for i, t in enumerate(vals):
        out[i] = out[n - 1 - i] = t * inv
    out[n // 2] = inv
    return out


def quantise(k, bits):
    n, mult, err, total = len(k), float(1 << bits), 0.0, 0
    out = [0] * n
    for i in range(n // 2):
        adj = k[i] * mult + err
        v = round(adj)  # half to even, as softfloat's cvRound
        err = adj - v
        out[i] = out[n - 1 - i] = v
        total += v
    out[n // 2] = round(mult - 2 * total)
    return out


def ksize_for(sigma, bits):
    return int(round(sigma * (3 if bits == 8 else 4) * 2 + 1)) | 1


def model(img, kx, ky, border, bits):
    kh, kw = len(ky), len(kx)
    k2 = np.outer(np.array(ky, dtype=object), np.array(kx, dtype=object))
    pads = ((kh // 2, kh // 2), (kw // 2, kw // 2)) + (((0, 0),) if img.ndim == 3 else ())
    p = np.pad(img.astype(object), pads, mode=PAD[border])
    out = np.zeros(img.shape, dtype=object)
    for i in range(kh):
        for j in range(kw):
            out += k2[i, j] * p[i : i + img.shape[0], j : j + img.shape[1]]
    half = 1 << (2 * bits - 1)
    out = (out + half) >> (2 * bits)
    top = (1 << (8 if bits == 8 else 16)) - 1
    return np.clip(out.astype(np.int64), 0, top).astype(np.uint8 if bits == 8 else np.uint16)


def main():
    rng = np.random.default_rng(20261207)
    cases = []
    # (dtype bits, shape, ksize (w, h), sigma_x, sigma_y, border)
    plan = []
    for bits in (8, 16):
        for border in BORDERS:
            plan += [
                (bits, (37, 53), (0, 0), 2.0, 0.0, border),  # ksize from sigma
                (bits, (31, 29), (5, 5), 0.0, 0.0, border),  # table
                (bits, (23, 41), (9, 3), 0.0, 0.0, border),  # 9-tap table, 3-tap table
                (bits, (19, 24), (11, 7), 0.0, 0.0, border),  # fma sigma, table
                (bits, (40, 33), (7, 13), 1.3, 0.7, border),
                (bits, (3, 2), (7, 5), 1.1, 0.0, border),  # tiny
                (bits, (1, 17), (3, 9), 0.8, 2.5, border),  # one row
                (bits, (26, 1), (15, 15), 3.7, 0.0, border),  # one column
            ]
        plan += [
            (bits, (33, 45, 3), (0, 0), 1.6, 0.0, "mirror"),  # RGB
            (bits, (21, 18, 4), (9, 9), 0.0, 0.0, "replicate"),  # RGBA
            (bits, (64, 48), (21, 21), 5.0, 0.0, "mirror"),
            (bits, (30, 30), (1, 5), 0.0, 1.5, "symmetric"),
        ]
    if ROOT.exists():
        shutil.rmtree(ROOT / "cases", ignore_errors=True)
    for n, (bits, shape, ksize, sx, sy, border) in enumerate(plan):
        dtype = np.uint8 if bits == 8 else np.uint16
        top = np.iinfo(dtype).max
        img = rng.integers(0, top + 1, shape).astype(dtype)
        if n % 5 == 0:  # hard edges: many exact ties
            img = np.where(img > top // 2, top, 0).astype(dtype)
        want = cv2.GaussianBlur(img, ksize, sigmaX=sx, sigmaY=sy, borderType=BORDERS[border])
        kw = ksize[0] or ksize_for(sx, bits)
        kh = ksize[1] or ksize_for(sy if sy > 0 else sx, bits)
        kx = quantise(kernel(kw, sx), bits)
        ky = quantise(kernel(kh, sy if sy > 0 else sx), bits)
        assert sum(kx) == sum(ky) == 1 << bits
        got = model(img, kx, ky, border, bits)
        assert np.array_equal(got, want), (n, shape, ksize, sx, sy, border)
        name = f"{n:02d}-u{bits}-{border}-{'x'.join(map(str, shape))}-k{kw}x{kh}"
        d = ROOT / "cases" / name
        d.mkdir(parents=True)
        np.save(d / "image.npy", img)
        np.save(d / "expected.npy", want)
        cases.append(
            {
                "name": name,
                "dtype": "uint8" if bits == 8 else "uint16",
                "ksize": list(ksize),
                "sigma_x": sx,
                "sigma_y": sy,
                "border": border,
                "kernel_x": kx,
                "kernel_y": ky,
            }
        )
    index = {
        "generator": "tools/vectors/gaussian_opencv.py",
        "opencv": cv2.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    (ROOT / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    print(f"{len(cases)} cases written to {ROOT}")


if __name__ == "__main__":
    main()
