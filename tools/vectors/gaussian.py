"""Writes tests/data/gaussian/: scipy.ndimage outputs that tests/from_1d_kernels.rs
checks the Gaussian preset and the 1-D filters against.

    python3 tools/vectors/gaussian.py    # needs numpy and scipy

Each case is <name>.npy (the expected output); the image is rebuilt by the
test from the same formula: image[y, x] = ((37 y + 11 x) % 97) / 7 - 5,
23 x 31, and one with a bright pixel.
"""
import os
import numpy as np
from scipy import ndimage

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "gaussian")
os.makedirs(OUT, exist_ok=True)


def image(dtype):
    y, x = np.mgrid[0:23, 0:31]
    return (((37 * y + 11 * x) % 97) / 7.0 - 5.0).astype(dtype)


for dtype, tag in [(np.float32, "f32"), (np.float64, "f64")]:
    img = image(dtype)
    for mode in ["reflect", "nearest", "mirror", "wrap", "constant"]:
        out = ndimage.gaussian_filter(img, sigma=(1.5, 2.0), truncate=4.0, mode=mode)
        np.save(os.path.join(OUT, f"gauss-{tag}-{mode}.npy"), out)
    weights = np.array([1.0, -2.0, 3.0, 0.5, 1.0])
    for axis in (0, 1):
        out = ndimage.correlate1d(img, weights, axis=axis, mode="reflect")
        np.save(os.path.join(OUT, f"corr1d-{tag}-axis{axis}.npy"), out)
print("wrote", len(os.listdir(OUT)), "files to", os.path.normpath(OUT))
