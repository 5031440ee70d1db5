"""Writes tests/data/sobel_opencv/: cv2.Sobel and cv2.Scharr on uint8 images
into int16 (ddepth cv2.CV_16S), the reference for simdconv's
ImageFilter::sobel_opencv / scharr_opencv.

    python3 tools/vectors/sobel_opencv.py   # needs numpy, opencv-python(-headless)

For uint8 -> int16 with integer kernels OpenCV's separable filter runs in
exact integers (createSeparableLinearFilter: CV_32S buffers when both 1-D
kernels are integer and ddepth is CV_16S), so the result is the exact sum of
(ky outer kx) * pixels over the border-extended image, saturated to int16;
each case is checked against that model before it is written. Kernels
(getSobelKernels): the binomial of length ksize - order differenced order
times; ksize 1 means a 3-tap derivative and no smoothing; Scharr is
[-1, 0, 1] and [3, 10, 3]. Borders: reflect-101, reflect, replicate,
constant 0.
"""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2] / "tests/data/sobel_opencv"
BORDERS = {
    "mirror": cv2.BORDER_REFLECT_101,
    "symmetric": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}
PAD = {"mirror": "reflect", "symmetric": "symmetric", "replicate": "edge", "constant": "constant"}


def binomial(n):
    row = [1]
    for _ in range(n - 1):
        row = [a + b for a, b in zip([0] + row, row + [0])]
    return row


def deriv(order, size):
    if size == 1:
        return [1]
    k = binomial(size - order)
    for _ in range(order):
        k = [a - b for a, b in zip([0] + k, k + [0])]
    return k


def kernels(dx, dy, ksize):
    if ksize == -1:
        return ([-1, 0, 1] if dx else [3, 10, 3]), ([-1, 0, 1] if dy else [3, 10, 3])
    kx = deriv(dx, 3 if ksize == 1 and dx > 0 else ksize)
    ky = deriv(dy, 3 if ksize == 1 and dy > 0 else ksize)
    return kx, ky


def model(img, kx, ky, border):
    kh, kw = len(ky), len(kx)
    k2 = np.outer(ky, kx).astype(np.int64)
    pads = ((kh // 2, kh // 2), (kw // 2, kw // 2)) + (((0, 0),) if img.ndim == 3 else ())
    p = np.pad(img.astype(np.int64), pads, mode=PAD[border])
    out = np.zeros(img.shape, dtype=np.int64)
    for i in range(kh):
        for j in range(kw):
            out += k2[i, j] * p[i : i + img.shape[0], j : j + img.shape[1]]
    return np.clip(out, -32768, 32767).astype(np.int16)


def main():
    rng = np.random.default_rng(20261208)
    plan = []
    for border in BORDERS:
        plan += [
            ((29, 37), 1, 0, 3, border),
            ((31, 23), 0, 1, 3, border),
            ((17, 19), 1, 1, 5, border),
            ((20, 26), 2, 0, 5, border),
            ((12, 15), 0, 2, 1, border),
            ((25, 21), 1, 0, 1, border),
            ((18, 22), 1, 0, -1, border),
            ((22, 18), 0, 1, -1, border),
            ((3, 2), 1, 0, 7, border),  # tiny: saturates too
            ((26, 30), 3, 1, 7, border),
        ]
    plan += [((21, 25, 3), 1, 0, 3, "mirror"), ((16, 14, 4), 0, 1, -1, "replicate")]
    shutil.rmtree(ROOT / "cases", ignore_errors=True)
    cases = []
    for n, (shape, dx, dy, ksize, border) in enumerate(plan):
        img = rng.integers(0, 256, shape).astype(np.uint8)
        if n % 3 == 0:
            img = np.where(img > 127, 255, 0).astype(np.uint8)
        if ksize == -1:
            want = cv2.Scharr(img, cv2.CV_16S, dx, dy, borderType=BORDERS[border])
        else:
            want = cv2.Sobel(img, cv2.CV_16S, dx, dy, ksize=ksize, borderType=BORDERS[border])
        kx, ky = kernels(dx, dy, ksize)
        got = model(img, kx, ky, border)
        assert np.array_equal(got, want), (n, shape, dx, dy, ksize, border)
        name = f"{n:02d}-{'scharr' if ksize == -1 else f'sobel{ksize}'}-d{dx}{dy}-{border}-{'x'.join(map(str, shape))}"
        d = ROOT / "cases" / name
        d.mkdir(parents=True)
        np.save(d / "image.npy", img)
        np.save(d / "expected.npy", want)
        cases.append({"name": name, "dx": dx, "dy": dy, "ksize": ksize, "border": border,
                      "channels": shape[2] if len(shape) == 3 else 0, "kernel_x": kx, "kernel_y": ky})
    index = {"generator": "tools/vectors/sobel_opencv.py", "opencv": cv2.__version__, "cases": cases}
    (ROOT / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    print(f"{len(cases)} cases written to {ROOT}")


if __name__ == "__main__":
    main()
