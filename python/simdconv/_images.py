"""OpenCV's image filters, bit for bit: ``gaussian_blur`` (``cv2.GaussianBlur``
on uint8 and uint16), ``sobel`` and ``scharr`` (``cv2.Sobel`` and
``cv2.Scharr`` on uint8 into int16), computed by the crate's ``ImageFilter``
presets with the GIL released.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import _simdconv
from ._core import _check_out, _native

__all__ = ["gaussian_blur", "sobel", "scharr"]

# OpenCV's border names (cv2.BORDER_*, with or without the prefix, any
# case) -> the crate's. The crate's own names (scipy.signal's and
# scipy.ndimage's) are accepted as they are: 'reflect' is OpenCV's
# BORDER_REFLECT there too, 'replicate', 'constant' and 'wrap' are OpenCV's.
_OPENCV_NAMES = {"reflect101": "mirror", "reflect_101": "mirror", "default": "mirror"}
# cv2.BORDER_CONSTANT, _REPLICATE, _REFLECT, _WRAP, _REFLECT_101 (= _DEFAULT).
_OPENCV_CODES = {0: "constant", 1: "replicate", 2: "reflect", 3: "wrap", 4: "mirror"}
_BORDER_HELP = (
    "or OpenCV's: 'reflect101' (the default; also 'reflect_101', 'default'), "
    "'reflect', 'replicate', 'constant' (zeros), 'wrap', each also as "
    "'BORDER_...' or a cv2.BORDER_* constant"
)


def _border(border) -> str:
    """`border` as a name the crate parses, or ValueError (TypeError for
    something that is neither a name nor an integer)."""
    if isinstance(border, numbers.Integral) and not isinstance(border, bool):
        try:
            return _OPENCV_CODES[int(border)]
        except KeyError:
            raise ValueError(
                f"border {border!r}: cv2.BORDER_* codes 0 (CONSTANT), 1 (REPLICATE), "
                "2 (REFLECT), 3 (WRAP) and 4 (REFLECT_101, DEFAULT) are supported"
            ) from None
    if not isinstance(border, str):
        raise TypeError(f"border must be a name or a cv2.BORDER_* constant, not {type(border).__name__}")
    key = border.strip().lower()
    if key.startswith("border_"):
        key = key[len("border_"):]
    key = _OPENCV_NAMES.get(key, key)
    try:
        _simdconv.parse_border(key)
    except ValueError as err:
        raise ValueError(f"{err}; {_BORDER_HELP}") from None
    return key


def _threads(threads) -> int:
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or threads < 1:
        raise ValueError(f"threads must be None or a positive integer, not {threads!r}")
    return int(threads)


def _image(name: str, img, dtypes: tuple[str, ...]) -> np.ndarray:
    """`img` as a 2-D or channels-last 3-D array of one of `dtypes` (native
    byte order: a swapped one is converted), non-empty."""
    img = np.asarray(img)
    dtype = _native(img.dtype)
    if dtype.name not in dtypes:
        raise TypeError(
            f"simdconv.{name} takes {' or '.join(dtypes)} images (OpenCV's bit-exact "
            f"path), not {img.dtype}"
        )
    if img.ndim not in (2, 3):
        raise ValueError(
            f"simdconv.{name}: the image must be 2-D (H, W) or 3-D (H, W, C) with the "
            f"channels last, not of shape {img.shape}"
        )
    if img.size == 0:
        raise ValueError(f"simdconv.{name}: the image is empty (shape {img.shape})")
    return np.asarray(img, dtype=dtype)


def _order(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, not {value!r}")
    return int(value)


def _delta(delta) -> float:
    value = float(delta)
    if not (np.isfinite(value) and value == int(value) and -32768 <= value <= 32767):
        # (OpenCV wraps a delta beyond int16 into int16 before adding it.)
        raise ValueError(f"delta must be a whole number from -32768 to 32767, not {delta!r}")
    return value


def _run(prepared, img, out, dtype):
    if out is not None:
        _check_out(out, img.shape, np.dtype(dtype))
    return prepared.apply(img, out)


def gaussian_blur(img, ksize, sigma_x, sigma_y=0, border="reflect101", *, threads=None, out=None):
    """Blur an image with a Gaussian, as ``cv2.GaussianBlur`` does, bit for bit.

    OpenCV's fixed-point path for 8- and 16-bit images: 1-D kernels
    quantised to integers (summing to 2^8 for uint8, 2^16 for uint16), the
    exact sums of their outer product, rounded half up once. simdconv
    computes the same integers (exact sums, every backend and thread
    count), so the result equals ``cv2.GaussianBlur(img, ksize, sigma_x,
    sigmaY=sigma_y, borderType=...)`` element for element.

    Parameters
    ----------
    img : array_like
        uint8 or uint16, 2-D ``(H, W)`` or 3-D ``(H, W, C)`` with the
        channels last (each channel blurred alike, any ``C``); any strides.
    ksize : int or (int, int)
        The kernel's ``(width, height)`` as OpenCV's, each odd and
        positive, or 0 to derive it from the sigma (``round(6 sigma + 1) |
        1`` for uint8, ``round(8 sigma + 1) | 1`` for uint16). An int is
        both.
    sigma_x : float
        The standard deviation along the rows (x); 0 or less: OpenCV's
        sigma for the size.
    sigma_y : float, optional
        Down the columns (y); 0 (default) or less: `sigma_x`.
    border : str or int, optional
        How the image is extended: ``'reflect101'`` (default, OpenCV's
        ``BORDER_REFLECT_101``, also ``'mirror'``), ``'reflect'``
        (``BORDER_REFLECT``, also ``'symm'``), ``'replicate'`` (also
        ``'nearest'``), ``'constant'`` (zeros, also ``'fill'``), ``'wrap'``
        (which ``cv2.GaussianBlur`` refuses). Names of scipy.signal,
        scipy.ndimage, OpenCV (with or without ``BORDER_``, any case) or
        a ``cv2.BORDER_*`` constant.
    threads : int, optional
        Keyword only. ``None`` (default): large images use every core;
        ``1``: the calling thread; ``n``: a pool of ``n``. Same result.
    out : numpy.ndarray, optional
        Keyword only: an array of the image's shape and dtype (any
        strides, not overlapping `img`) to write into. Returned.

    Returns
    -------
    numpy.ndarray
        The blurred image, of `img`'s shape and dtype. (For an ``(H, W,
        1)`` image OpenCV returns ``(H, W)``; simdconv keeps the shape.)

    Raises
    ------
    TypeError
        `img` is not uint8 or uint16 (OpenCV blurs other types in floating
        point, not on its bit-exact path).
    ValueError
        An even or negative size, a size of 0 without a positive sigma, a
        bad border name, an empty image or one not 2-D or 3-D.

    Examples
    --------
    >>> import numpy as np, simdconv
    >>> img = np.zeros((5, 7), np.uint8); img[2, 3] = 255
    >>> simdconv.gaussian_blur(img, 3, 0)[1:4, 2:5]
    array([[16, 32, 16],
           [32, 64, 32],
           [16, 32, 16]], dtype=uint8)
    """
    img = _image("gaussian_blur", img, ("uint8", "uint16"))
    if isinstance(ksize, numbers.Integral):
        ksize = (ksize, ksize)
    try:
        kw, kh = ksize
    except (TypeError, ValueError):
        raise ValueError(f"ksize must be an int or a (width, height) pair, not {ksize!r}") from None
    kw, kh = _order("ksize", kw), _order("ksize", kh)
    prepared = _simdconv.Prepared.gaussian_opencv(
        img.dtype.name, (kw, kh), float(sigma_x), float(sigma_y), _border(border), None, _threads(threads)
    )
    return _run(prepared, img, out, img.dtype)


def sobel(img, dx, dy, ksize=3, border="reflect101", *, delta=0, threads=None, out=None):
    """The Sobel derivative of a uint8 image into int16, as ``cv2.Sobel(img,
    cv2.CV_16S, dx, dy, ksize=ksize, delta=delta)`` computes it, bit for bit.

    OpenCV's kernels (the ``ksize``-tap derivative of order `dx` along the
    rows, `dy` down the columns, binomial smoothing across), the exact
    integer sums, saturated to int16.

    Parameters
    ----------
    img : array_like
        uint8, 2-D ``(H, W)`` or 3-D ``(H, W, C)`` with the channels last;
        any strides.
    dx, dy : int
        The derivative's orders along x (columns) and y (rows);
        ``dx + dy >= 1``, each less than `ksize` (2 at most for ``ksize=1``).
    ksize : int, optional
        1, 3 (default), 5, 7, ..., 31; 1 is a 3-tap derivative without
        smoothing, as in OpenCV; -1 is the 3x3 Scharr kernel
        (``cv2.FILTER_SCHARR``, as :func:`scharr`).
    border : str or int, optional
        As in :func:`gaussian_blur` (default ``'reflect101'``).
    delta : int, optional
        Keyword only: added to every result before saturation (OpenCV's
        `delta`); a whole number in int16's range.
    threads : int, optional
        Keyword only, as in :func:`gaussian_blur`.
    out : numpy.ndarray, optional
        Keyword only: an int16 array of the image's shape. Returned.

    Returns
    -------
    numpy.ndarray
        int16, of `img`'s shape.

    Raises
    ------
    TypeError
        `img` is not uint8.
    ValueError
        Orders or a size OpenCV refuses, a bad border name, a delta that is
        not a whole number in int16's range, an empty image or one not 2-D
        or 3-D.

    Examples
    --------
    >>> import numpy as np, simdconv
    >>> img = np.repeat([[0, 0, 0, 200, 200, 200]], 4, axis=0).astype(np.uint8)
    >>> simdconv.sobel(img, 1, 0)[1]
    array([  0,   0, 800, 800,   0,   0], dtype=int16)
    """
    img = _image("sobel", img, ("uint8",))
    if isinstance(ksize, bool) or not isinstance(ksize, numbers.Integral) or (ksize < 1 and ksize != -1):
        raise ValueError(f"ksize must be 1, 3, 5, ..., 31 or -1 (Scharr), not {ksize!r}")
    prepared = _simdconv.Prepared.derivative_opencv(
        _order("dx", dx), _order("dy", dy), 0 if ksize == -1 else int(ksize), _delta(delta),
        _border(border), None, _threads(threads),
    )
    return _run(prepared, img, out, np.int16)


def scharr(img, dx, dy, border="reflect101", *, delta=0, threads=None, out=None):
    """The 3x3 Scharr derivative of a uint8 image into int16, as
    ``cv2.Scharr(img, cv2.CV_16S, dx, dy, delta=delta)`` computes it, bit for bit.

    ``[-1, 0, 1]`` along the derivative's axis, ``[3, 10, 3]`` across it;
    exact sums saturated to int16.

    Parameters
    ----------
    img : array_like
        uint8, 2-D or 3-D ``(H, W, C)``; any strides.
    dx, dy : int
        ``(1, 0)`` (along x) or ``(0, 1)`` (along y).
    border : str or int, optional
        As in :func:`gaussian_blur` (default ``'reflect101'``).
    delta, threads, out
        Keyword only, as in :func:`sobel`.

    Returns
    -------
    numpy.ndarray
        int16, of `img`'s shape.

    Examples
    --------
    >>> import numpy as np, simdconv
    >>> img = np.repeat([[0], [0], [100], [100], [100]], 3, axis=1).astype(np.uint8)
    >>> int(simdconv.scharr(img, 0, 1)[1, 1])
    1600
    """
    img = _image("scharr", img, ("uint8",))
    prepared = _simdconv.Prepared.derivative_opencv(
        _order("dx", dx), _order("dy", dy), 0, _delta(delta), _border(border), None, _threads(threads)
    )
    return _run(prepared, img, out, np.int16)
