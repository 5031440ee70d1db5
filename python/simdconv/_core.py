"""The SciPy-facing half of simdconv: names, dtypes, errors, empty inputs.

The compiled module ``simdconv._simdconv`` filters arrays of the library's
four element types; this module turns ``scipy.signal.convolve2d``'s
arguments into such a call, in the order SciPy checks them, so that the
same bad input raises the same ``ValueError`` with the same message.
"""

from __future__ import annotations

import numpy as np

from . import _simdconv

__all__ = [
    "convolve2d",
    "correlate2d",
    "Filter2d",
    "UnsupportedDTypeError",
    "available_backends",
    "detect_backend",
    "SUPPORTED_DTYPES",
]

# SciPy's own tables (scipy/signal/_signaltools.py): the names it accepts.
_MODES = ("full", "same", "valid")
_SCIPY_BOUNDARIES = {
    "fill": "constant",
    "pad": "constant",
    "wrap": "wrap",
    "circular": "wrap",
    "symm": "symmetric",
    "symmetric": "symmetric",
}
# `Filter2d` also takes the library's and scipy.ndimage's names. ndimage's
# 'reflect' is SciPy signal's 'symm' (`d c b a | a b c d | d c b a`), not
# numpy.pad's 'reflect' (which is 'mirror' here).
_BORDERS = dict(
    _SCIPY_BOUNDARIES,
    constant="constant",
    **{"grid-constant": "constant", "grid-wrap": "wrap", "grid-mirror": "symmetric"},
    reflect="symmetric",
    mirror="mirror",
    nearest="replicate",
    replicate="replicate",
)

_MODE_ERROR = "Acceptable mode flags are 'valid', 'same', or 'full'."
_BOUNDARY_ERROR = (
    "Acceptable boundary flags are 'fill', 'circular' (or 'wrap'), and "
    "'symmetric' (or 'symm')."
)

# Result dtype -> the library type it is computed in, for the result dtypes
# that are not pixel types (below). int8 and uint32 are computed in int32,
# uint64 in int64, and cast back: integer arithmetic modulo 2^32 (or 2^64)
# reduced modulo 2^n is arithmetic modulo 2^n (n <= 32 or 64), so the
# cast-back result equals SciPy's wrapping one, bit for bit. Unsigned types
# are the same ring as their signed twins. (The pixel types are listed too:
# the empty-input path computes them this way.)
_COMPUTE = {
    np.dtype(np.float32): np.dtype(np.float32),
    np.dtype(np.float64): np.dtype(np.float64),
    np.dtype(np.int32): np.dtype(np.int32),
    np.dtype(np.int64): np.dtype(np.int64),
    np.dtype(np.int8): np.dtype(np.int32),
    np.dtype(np.int16): np.dtype(np.int32),
    np.dtype(np.uint8): np.dtype(np.int32),
    np.dtype(np.uint16): np.dtype(np.int32),
    np.dtype(np.uint32): np.dtype(np.int32),
    np.dtype(np.uint64): np.dtype(np.int64),
}

# Result dtypes computed by the library's ImageFilter (narrow pixels) ->
# the dtype of the kernel's taps there. The image is read as it is (any
# strides, no conversion), the sums are exact and wrapped into the result
# dtype: SciPy's fixed-width arithmetic, whose wrapped sum is the exact sum
# modulo 2^n.
_PIXEL_TAPS = {
    np.dtype(np.uint8): np.dtype(np.int16),
    np.dtype(np.int16): np.dtype(np.int16),
    np.dtype(np.uint16): np.dtype(np.int32),
}
# ImageFilter's rules for the drop-ins: scipy.signal's (truncation, wrap).
_SCIPY_PRESET = "scipy-signal"


def _pixel_type(image_dtype: np.dtype, dtype: np.dtype, fill) -> np.dtype | None:
    """The pixel dtype a result of `dtype` is computed from through
    ImageFilter, or None (the wide route). The image's own dtype when it is
    a pixel type whose values are the result's and that holds the fill
    value (a uint8 image under a uint16 or int16 result: read as it is),
    else the result dtype (the image converted, as SciPy converts it)."""
    if dtype not in _PIXEL_TAPS:
        return None
    image_dtype = _native(image_dtype)
    if image_dtype == dtype or image_dtype not in _PIXEL_TAPS:
        return dtype
    info = np.iinfo(image_dtype)
    return image_dtype if info.min <= int(fill) <= info.max else dtype


#: The result dtypes simdconv computes (SciPy's result dtype of the inputs
#: must be one of these).
SUPPORTED_DTYPES = tuple(str(np.dtype(d)) for d in "f4 f8 i1 i2 i4 i8 u1 u2 u4 u8".split())


class UnsupportedDTypeError(TypeError, ValueError):
    """The inputs' common dtype is not one simdconv computes.

    A ``TypeError``, and also a ``ValueError`` because SciPy raises
    ``ValueError`` for the dtypes it rejects itself (bool, float16,
    object), so code written for SciPy still catches it.
    """


def available_backends() -> list[str]:
    """The backends this CPU can run, ``'scalar'`` first, the best last."""
    return _simdconv.available_backends()


def detect_backend() -> str:
    """The fastest backend this CPU can run (``SIMDCONV_BACKEND`` aside)."""
    return _simdconv.detect_backend()


def _native(dtype: np.dtype) -> np.dtype:
    return dtype.newbyteorder("=") if dtype.byteorder not in "=|" else dtype


def _result_dtype(name: str, dtype: np.dtype) -> tuple[np.dtype, np.dtype]:
    """(result dtype, compute dtype), or UnsupportedDTypeError."""
    dtype = _native(dtype)
    compute = _COMPUTE.get(dtype)
    if compute is None:
        raise UnsupportedDTypeError(
            f"simdconv.{name}: the inputs' common dtype is {dtype}, which "
            f"simdconv does not compute (supported: {', '.join(SUPPORTED_DTYPES)}); "
            "for complex, float16, longdouble or other dtypes use "
            f"scipy.signal.{name}"
        )
    return dtype, compute


def _fill_scalar(fillvalue, dtype: np.dtype):
    """SciPy's conversion of `fillvalue` to the result dtype, with its errors
    (scipy/signal/_sigtoolsmodule.c, `_convolve2d`)."""
    try:
        fill = np.asarray(fillvalue, dtype=dtype)
    except Exception:
        # SciPy tries again through complex, then refuses either way.
        np.asarray(np.asarray(fillvalue, dtype=np.complex128)).astype(dtype)
        raise ValueError(
            "could not cast `fillvalue` directly to the output type (it was "
            "first converted to complex)."
        ) from None
    if fill.size != 1:
        if fill.size == 0:
            raise ValueError("`fillvalue` cannot be an empty array.")
        raise ValueError("`fillvalue` must be scalar or an array with one element.")
    return fill.reshape(())


def _swap_needed(mode: str, shape1, shape2) -> bool:
    """SciPy's `_inputs_swap_needed` for 2-D inputs."""
    if mode != "valid":
        return False
    ok1 = shape1[0] >= shape2[0] and shape1[1] >= shape2[1]
    ok2 = shape2[0] >= shape1[0] and shape2[1] >= shape1[1]
    if not (ok1 or ok2):
        raise ValueError(
            "For 'valid' mode, one must be at least as large as the other in every dimension"
        )
    return not ok1


def _output_shape(mode: str, shape1, shape2) -> tuple[int, int]:
    """SciPy's output shape (after any valid-mode swap)."""
    if mode == "full":
        shape = tuple(a + b - 1 for a, b in zip(shape1, shape2))
    elif mode == "same":
        shape = tuple(shape1)
    else:
        shape = tuple(a - b + 1 for a, b in zip(shape1, shape2))
    if min(shape) < 0:
        raise ValueError("negative dimensions are not allowed")
    return shape


def _check_out(out, shape, dtype: np.dtype):
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, not {type(out).__name__}")
    if out.dtype != dtype:
        raise TypeError(f"out has dtype {out.dtype}, but the result's dtype is {dtype}")
    if out.shape != tuple(shape):
        raise ValueError(f"out has shape {out.shape}, but the result's shape is {tuple(shape)}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")


def _empty_result(in1, in2, shape, dtype, compute, border, fill):
    """SciPy's result when an input is empty: an empty kernel sums nothing
    (zeros); an empty image under a fill boundary is the kernel's sum over
    the fill everywhere. (SciPy divides by zero on an empty image with
    'wrap' or 'symm' and the process dies; here it is a ValueError.)"""
    if in2.size == 0 or 0 in shape:
        return np.zeros(shape, dtype=dtype)
    if border != "constant":
        raise ValueError(
            "the image is empty: a 'wrap' or 'symm' boundary has no samples "
            "to extend it with (scipy.signal crashes here)"
        )
    # Every output is sum(k[i][j] * fill) in the library's tap order: the
    # valid correlation of the kernel with a same-sized block of fills.
    kernel = np.asarray(in2, dtype=compute)
    block = np.full(kernel.shape, fill.astype(compute))
    value = _simdconv.filter2d(block, kernel, "correlation", "valid", "constant", 0)[0, 0]
    return np.full(shape, value, dtype=compute).astype(dtype, copy=False)


def _filter2d(name, in1, in2, mode, boundary, fillvalue, out, correlate):
    in1 = np.asarray(in1)
    in2 = np.asarray(in2)
    if not in1.ndim == in2.ndim == 2:
        raise ValueError(f"{name} inputs must both be 2-D arrays")
    swapped = _swap_needed(mode, in1.shape, in2.shape)
    if mode not in _MODES:
        raise ValueError(_MODE_ERROR)
    try:
        border = _SCIPY_BOUNDARIES[boundary]
    except (KeyError, TypeError):
        if boundary == "reflect":
            raise ValueError("Incorrect boundary value.") from None
        raise ValueError(_BOUNDARY_ERROR) from None
    dtype, compute = _result_dtype(name, np.result_type(in1.dtype, in2.dtype))
    fill = _fill_scalar(fillvalue, dtype) if border == "constant" else np.zeros((), dtype)

    if swapped:
        image_shape, kernel_shape = in2.shape, in1.shape
    else:
        image_shape, kernel_shape = in1.shape, in2.shape
    shape = _output_shape(mode, image_shape, kernel_shape)
    if out is not None:
        _check_out(out, shape, dtype)

    if in1.size == 0 or in2.size == 0:
        image, kernel = (in2, in1) if swapped else (in1, in2)
        result = _empty_result(image, kernel, shape, dtype, compute, border, fill)
        if correlate and swapped:
            result = result[::-1, ::-1]
        if out is None:
            return result
        out[...] = result
        return out

    # The library swaps the inputs of a valid call itself (as SciPy does),
    # so the arguments go in their order.
    operation = "correlation" if correlate else "convolution"
    pixel = _pixel_type(in1.dtype, dtype, fill)
    if pixel is not None:
        # uint8, uint16, int16: ImageFilter, the image read in place.
        return _simdconv.pixel_filter2d(
            np.asarray(in1, dtype=pixel), np.asarray(in2, dtype=_PIXEL_TAPS[dtype]),
            dtype.name, operation, mode, border, int(fill), _SCIPY_PRESET, out,
        )
    image = np.asarray(in1, dtype=compute)
    kernel = np.asarray(in2, dtype=compute)
    fill_value = fill.astype(compute).item()
    if compute == dtype:
        return _simdconv.filter2d(image, kernel, operation, mode, border, fill_value, out)
    # int8, uint32, uint64: computed wider, wrapped back (C's cast, modular).
    wide = _simdconv.filter2d(image, kernel, operation, mode, border, fill_value)
    if out is None:
        return wide.astype(dtype)
    np.copyto(out, wide, casting="unsafe")
    return out


def convolve2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, out=None):
    """Convolve two 2-D arrays, as ``scipy.signal.convolve2d`` does.

    The same arguments, results and errors as SciPy's, computed by
    simdconv's SIMD kernels with the GIL released.

    Parameters
    ----------
    in1 : array_like
        The first input (the image), 2-D.
    in2 : array_like
        The second input (the kernel), 2-D. Any size; in ``'valid'`` mode
        one input must be at least as large as the other on both axes,
        and the larger one is the image.
    mode : {'full', 'valid', 'same'}, optional
        ``'full'`` (default): every position where the inputs overlap,
        ``(H + kh - 1, W + kw - 1)``. ``'valid'``: only positions that need
        no boundary value. ``'same'``: the size of `in1`, centred as SciPy
        centres it (convolution and correlation differ for even kernels).
    boundary : {'fill', 'wrap', 'symm'}, optional
        How `in1` is extended past its edges: ``'fill'`` (default, or
        ``'pad'``) with `fillvalue`, ``'wrap'`` (or ``'circular'``)
        periodically, ``'symm'`` (or ``'symmetric'``) by reflection
        including the edge sample. (:class:`Filter2d` has more.)
    fillvalue : scalar, optional
        The value outside `in1` for ``boundary='fill'`` (default 0),
        converted to the result dtype as SciPy converts it.
    out : numpy.ndarray, optional
        Keyword only, not in SciPy: an array of the result's shape and
        dtype to write into (any strides, negative included); it must not
        overlap the inputs. Returned.

    Returns
    -------
    numpy.ndarray
        The convolution, of dtype ``numpy.result_type(in1, in2)``.
        Integers wrap around on overflow, as SciPy's do.

    Raises
    ------
    ValueError
        SciPy's errors, with SciPy's messages: inputs that are not 2-D, a
        bad `mode` or `boundary`, ``'valid'`` inputs neither of which
        contains the other, a `fillvalue` that does not convert.
    UnsupportedDTypeError
        (A ``TypeError`` and a ``ValueError``.) The result dtype is not one
        of ``SUPPORTED_DTYPES``: e.g. complex, float16, longdouble, bool.

    Notes
    -----
    Supported result dtypes: float32, float64, int8 to int64, uint8 to
    uint64. uint8, uint16 and int16 results are computed by the crate's
    ``ImageFilter``: the image read as it is (a uint8 image also under a
    uint16 or int16 result), the exact sums wrapped into the result dtype,
    which is what SciPy's fixed-width sums are. int8 and uint32 are
    computed as int32 and uint64 as int64, then cast back: the same wrapped
    values as SciPy's. Integer results equal SciPy's exactly; float results
    agree to rounding (SciPy sums the products in another order), and are
    bit-identical on every CPU backend and thread count of simdconv.

    Images already of the compute dtype (the result dtype, or the pixel
    dtype above) are read in place, whatever their strides; others are
    converted (a copy), as SciPy converts them.

    Examples
    --------
    >>> import numpy as np, simdconv
    >>> simdconv.convolve2d([[1, 2], [3, 4]], [[0, 1], [1, 0]])
    array([[0, 1, 2],
           [1, 5, 4],
           [3, 4, 0]])
    >>> simdconv.convolve2d(np.ones((4, 4)), np.ones((3, 3)), mode='same', boundary='wrap')[0, 0]
    np.float64(9.0)
    """
    return _filter2d("convolve2d", in1, in2, mode, boundary, fillvalue, out, False)


def correlate2d(in1, in2, mode="full", boundary="fill", fillvalue=0, *, out=None):
    """Cross-correlate two 2-D arrays, as ``scipy.signal.correlate2d`` does.

    Parameters
    ----------
    in1 : array_like
        The first input (the image), 2-D.
    in2 : array_like
        The second input (the template), 2-D, slid over `in1` unflipped.
    mode : {'full', 'valid', 'same'}, optional
        As in :func:`convolve2d`. In ``'valid'`` mode with `in2` the larger
        input, the result is reversed on both axes, as SciPy's is.
    boundary : {'fill', 'wrap', 'symm'}, optional
        As in :func:`convolve2d`.
    fillvalue : scalar, optional
        As in :func:`convolve2d`.
    out : numpy.ndarray, optional
        Keyword only: an array of the result's shape and dtype to write
        into. Returned.

    Returns
    -------
    numpy.ndarray
        The correlation, of dtype ``numpy.result_type(in1, in2)``.

    Raises
    ------
    ValueError
        SciPy's errors, as in :func:`convolve2d`.
    UnsupportedDTypeError
        The result dtype is not one of ``SUPPORTED_DTYPES``.

    Examples
    --------
    >>> import simdconv
    >>> simdconv.correlate2d([[1, 2, 3, 4]], [[1, 10, 100]], mode='same')
    array([[210, 321, 432,  43]])
    """
    return _filter2d("correlate2d", in1, in2, mode, boundary, fillvalue, out, True)


class Filter2d:
    """A prepared 2-D convolution or correlation: simdconv's ``Filter2d``.

    The kernel is validated, flipped and packed once (per dtype it is used
    with) and applied to many images. Picklable, so it can be shipped to
    other processes (Dask workers, multiprocessing).

    Parameters
    ----------
    kernel : array_like
        The kernel, 2-D and non-empty. It is copied.
    operation : {'convolution', 'correlation'}, optional
        ``scipy.signal.convolve2d`` (default, the kernel flipped) or
        ``correlate2d``.
    mode : {'full', 'same', 'valid'}, optional
        As in :func:`convolve2d` (default ``'full'``).
    border : str, optional
        How images are extended past their edges (default ``'fill'``). Any
        of these names:

        ============================================  ==========================  =========================
        names (scipy.signal / scipy.ndimage / simdconv)  row ``a b c d`` extended      OpenCV
        ============================================  ==========================  =========================
        ``'fill'``, ``'pad'``, ``'constant'``            ``v v | a b c d | v v``       ``BORDER_CONSTANT``
        ``'wrap'``, ``'circular'``, ``'grid-wrap'``      ``c d | a b c d | a b``       ``BORDER_WRAP``
        ``'symm'``, ``'symmetric'``, ``'reflect'``       ``b a | a b c d | d c``       ``BORDER_REFLECT``
        ``'mirror'``                                     ``c b | a b c d | c b``       ``BORDER_REFLECT_101``
        ``'nearest'``, ``'replicate'``                   ``a a | a b c d | d d``       ``BORDER_REPLICATE``
        ============================================  ==========================  =========================

        (``'reflect'`` is scipy.ndimage's, which is numpy.pad's
        ``'symmetric'``; numpy.pad's ``'reflect'`` is ``'mirror'`` here.)
    fillvalue : scalar, optional
        The constant border's value (default 0), converted to the result
        dtype as SciPy converts it. Also accepted as ``cval``.
    backend : str, optional
        Force one backend (``'scalar'``, ``'sse2'``, ``'sse41'``,
        ``'avx2'``, ``'avx512'``, ``'neon'``); see
        :func:`available_backends`. Default: ``SIMDCONV_BACKEND`` if set,
        else the best this CPU has. Results are bit-identical on all.
    threads : int, optional
        ``None`` (default): large calls use every core (rayon's pool),
        small ones the calling thread. ``1``: the calling thread only.
        ``n``: a pool of ``n`` threads. Results are identical for all.
    low_rank : bool, optional
        Evaluate an integer kernel of low rank as row and column passes
        (default True; exact, the same result). uint8, uint16 and int16
        results go through the crate's ``ImageFilter`` (exact sums, SciPy's
        wrap-around), which makes its own choice: `low_rank`, `method` and
        `rounding` do not apply to them.
    method : {'direct', 'separable', 'fft', 'auto'}, optional
        ``'direct'`` (default): every tap, the reference's bits.
        ``'separable'`` (opt-in): a float kernel that is one outer product
        runs as a column pass and a row pass, ``kh + kw`` multiply-adds
        instead of ``kh * kw``; it rounds differently (the crate documents
        the bound). Other kernels run direct.
        ``'fft'`` (opt-in): float kernels through overlap-save FFT tiles,
        within the crate's documented bound (large kernels); integers stay
        exact and run direct. ``'auto'``: the fastest of these for each
        call, from the crate's cost model.
    rounding : {'separate', 'fused'}, optional
        ``'separate'`` (default): each product rounded, then the sum, as
        SciPy's loop does. ``'fused'`` (opt-in): fused multiply-adds, one
        rounding per step; faster where the CPU has FMA.

    Examples
    --------
    >>> import numpy as np, simdconv
    >>> blur = simdconv.Filter2d(np.full((3, 3), 1 / 9, np.float32), mode='same', border='nearest')
    >>> blur(np.ones((480, 640), np.float32)).shape
    (480, 640)
    >>> import pickle; pickle.loads(pickle.dumps(blur)).border
    'nearest'
    """

    def __init__(
        self,
        kernel,
        operation: str = "convolution",
        mode: str = "full",
        border: str = "fill",
        fillvalue=0,
        *,
        backend: str | None = None,
        threads: int | None = None,
        low_rank: bool = True,
        method: str = "direct",
        rounding: str = "separate",
        cval=None,
    ):
        kernel = np.array(kernel, copy=True)
        if kernel.ndim != 2:
            raise ValueError(f"the kernel must be 2-D, not {kernel.ndim}-D")
        if kernel.size == 0:
            raise ValueError(f"the kernel is empty ({kernel.shape[0]} x {kernel.shape[1]})")
        if operation not in ("convolution", "correlation"):
            raise ValueError(
                f"operation must be 'convolution' or 'correlation', not {operation!r}"
            )
        if mode not in _MODES:
            raise ValueError(_MODE_ERROR)
        if border not in _BORDERS:
            raise ValueError(
                f"unknown border {border!r}: expected one of {', '.join(map(repr, _BORDERS))}"
            )
        if backend is not None and backend.strip().lower() not in (
            "scalar", "sse2", "sse41", "avx2", "avx512", "neon"
        ):
            raise ValueError(
                f"unknown backend {backend!r}: expected 'scalar', 'sse2', 'sse41', "
                f"'avx2', 'avx512' or 'neon' (this CPU: {', '.join(available_backends())})"
            )
        if method not in ("direct", "separable", "fft", "auto"):
            raise ValueError(
                f"method must be 'direct', 'separable', 'fft' or 'auto', not {method!r}"
            )
        if rounding not in ("separate", "fused"):
            raise ValueError(f"rounding must be 'separate' or 'fused', not {rounding!r}")
        if threads is not None and (int(threads) != threads or threads < 1):
            raise ValueError(f"threads must be None or a positive integer, not {threads!r}")
        if cval is not None:
            fillvalue = cval
        kernel.setflags(write=False)
        self._kernel = kernel
        self.operation = operation
        self.mode = mode
        self.border = border
        self.fillvalue = fillvalue
        self.backend = backend
        self.threads = threads
        self.low_rank = bool(low_rank)
        self.method = method
        self.rounding = rounding
        # image dtype -> (Prepared, result dtype, dtype the image is read
        # as, whether the result is written directly)
        self._prepared = {}

    @property
    def kernel(self) -> np.ndarray:
        """The kernel (read-only)."""
        return self._kernel

    def __repr__(self) -> str:
        opts = [f"mode={self.mode!r}", f"border={self.border!r}"]
        if _BORDERS[self.border] == "constant":
            opts.append(f"fillvalue={self.fillvalue!r}")
        for name in ("backend", "threads"):
            if getattr(self, name) is not None:
                opts.append(f"{name}={getattr(self, name)!r}")
        opts += [
            f"{n}={getattr(self, n)!r}"
            for n, default in (("low_rank", True), ("method", "direct"), ("rounding", "separate"))
            if getattr(self, n) != default
        ]
        return (
            f"Filter2d(<{self._kernel.shape[0]}x{self._kernel.shape[1]} {self._kernel.dtype}>, "
            f"{self.operation!r}, {', '.join(opts)})"
        )

    def __reduce__(self):
        return (
            _rebuild_filter,
            (
                self._kernel,
                self.operation,
                self.mode,
                self.border,
                self.fillvalue,
                self.backend,
                self.threads,
                self.low_rank,
                self.method,
                self.rounding,
            ),
        )

    def _prepare(self, image_dtype: np.dtype):
        image_dtype = _native(np.dtype(image_dtype))
        hit = self._prepared.get(image_dtype)
        if hit is not None:
            return hit
        dtype = _native(np.result_type(image_dtype, self._kernel.dtype))
        name = "correlate2d" if self.operation == "correlation" else "convolve2d"
        dtype, compute = _result_dtype(name, dtype)
        border = _BORDERS[self.border]
        fill = _fill_scalar(self.fillvalue, dtype) if border == "constant" else np.zeros((), dtype)
        threads = 0 if self.threads is None else int(self.threads)
        pixel = _pixel_type(image_dtype, dtype, fill)
        if pixel is not None:
            # uint8, uint16, int16 results: ImageFilter (exact sums, SciPy's
            # wrap); low_rank, method and rounding do not apply.
            prepared = _simdconv.Prepared.pixels(
                np.asarray(self._kernel, dtype=_PIXEL_TAPS[dtype]),
                pixel.name,
                dtype.name,
                self.operation,
                self.mode,
                border,
                int(fill),
                _SCIPY_PRESET,
                self.backend,
                threads,
            )
            hit = (prepared, dtype, pixel, True)
        else:
            prepared = _simdconv.Prepared(
                np.asarray(self._kernel, dtype=compute),
                self.operation,
                self.mode,
                border,
                fill.astype(compute).item(),
                self.backend,
                threads,
                self.low_rank,
                self.method,
                self.rounding,
            )
            hit = (prepared, dtype, compute, compute == dtype)
        self._prepared[image_dtype] = hit
        return hit

    def output_shape(self, image_shape) -> tuple[int, int]:
        """The output shape for an image of `image_shape`, or the
        ``ValueError`` :meth:`apply` would raise."""
        shape = tuple(image_shape)
        kernel = self._kernel.shape
        if _swap_needed(self.mode, shape, kernel):
            return _output_shape(self.mode, kernel, shape)
        return _output_shape(self.mode, shape, kernel)

    def low_rank_terms(self, dtype=None) -> int | None:
        """How many outer products the kernel is evaluated as when applied
        to images of `dtype` (default: the kernel's), or None if directly
        (None also for uint8, uint16 and int16 results, which the crate's
        ImageFilter computes with its own choice: see :meth:`accumulator`)."""
        return self._prepare(np.dtype(dtype or self._kernel.dtype))[0].low_rank_terms()

    def accumulator(self, dtype=None) -> str | None:
        """For uint8, uint16 and int16 results of images of `dtype`
        (default: the kernel's): the exact accumulator the crate's
        ImageFilter sums in (``'i16'``, ``'i32'`` or ``'i64'``); None for
        the other dtypes (computed in the result's own type, or int32/int64
        for int8, uint32, uint64)."""
        return self._prepare(np.dtype(dtype or self._kernel.dtype))[0].accumulator()

    def resolved_backend(self) -> str:
        """The backend :meth:`apply` runs on (raises ``ValueError`` if a
        forced backend, or ``SIMDCONV_BACKEND``, names one this CPU lacks)."""
        return self._prepare(self._kernel.dtype)[0].resolved_backend()

    def apply(self, image, out=None) -> np.ndarray:
        """Filter `image` (2-D, non-empty, any strides).

        Parameters
        ----------
        image : array_like
            The image. Read in place if its dtype is the compute dtype.
        out : numpy.ndarray, optional
            Where to write the result (its shape and dtype, any strides).

        Returns
        -------
        numpy.ndarray
            Of dtype ``numpy.result_type(image, kernel)``; `out` if given.
        """
        image = np.asarray(image)
        if image.ndim != 2:
            raise ValueError(f"the image must be 2-D, not {image.ndim}-D")
        if image.size == 0:
            raise ValueError(f"the image is empty ({image.shape[0]} x {image.shape[1]})")
        prepared, dtype, compute, direct = self._prepare(image.dtype)
        if out is not None:
            _check_out(out, self.output_shape(image.shape), dtype)
        image = np.asarray(image, dtype=compute)
        if direct:
            return prepared.apply(image, out)
        wide = prepared.apply(image)
        if out is None:
            return wide.astype(dtype)
        np.copyto(out, wide, casting="unsafe")
        return out

    __call__ = apply


def _rebuild_filter(kernel, operation, mode, border, fillvalue, backend, threads,
                    low_rank, method, rounding):
    return Filter2d(
        kernel, operation, mode, border, fillvalue, backend=backend, threads=threads,
        low_rank=low_rank, method=method, rounding=rounding,
    )
