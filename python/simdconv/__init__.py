"""simdconv: fast 2-D convolution and correlation of NumPy arrays.

A drop-in for ``scipy.signal.convolve2d`` and ``correlate2d`` (the same
arguments, result dtypes, wrap-around and errors), computed by the Rust
crate simdconv's SIMD kernels (AVX-512, AVX2, SSE4.1, SSE2, NEON, chosen at
run time; results bit-identical to its scalar reference) with the GIL
released, so Python threads filter in parallel.

- :func:`convolve2d`, :func:`correlate2d`: the drop-ins (plus ``out=``).
- :class:`Filter2d`: a prepared filter with every option of the crate's
  builder (more borders, backend, threads, opt-ins); picklable.
- :func:`gaussian_blur`, :func:`sobel`, :func:`scharr`: ``cv2.GaussianBlur``
  (uint8, uint16), ``cv2.Sobel`` and ``cv2.Scharr`` (uint8 into int16),
  bit for bit, through the crate's ``ImageFilter``.
- :mod:`simdconv.dask`: the same on ``dask.array`` arrays (``pip install
  simdconv[dask]``).

>>> import numpy as np, simdconv
>>> image = np.arange(12, dtype=np.int64).reshape(3, 4)
>>> simdconv.convolve2d(image, [[1, -1]], mode='same')
array([[0, 1, 1, 1],
       [4, 1, 1, 1],
       [8, 1, 1, 1]])
"""

from ._core import (
    SUPPORTED_DTYPES,
    Filter2d,
    UnsupportedDTypeError,
    available_backends,
    convolve2d,
    correlate2d,
    detect_backend,
)
from ._images import gaussian_blur, scharr, sobel

__all__ = [
    "convolve2d",
    "correlate2d",
    "Filter2d",
    "UnsupportedDTypeError",
    "SUPPORTED_DTYPES",
    "available_backends",
    "detect_backend",
    "gaussian_blur",
    "sobel",
    "scharr",
]
__version__ = "0.1.0"
