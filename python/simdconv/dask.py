"""simdconv on ``dask.array`` arrays: images larger than one machine's memory.

``convolve2d(x, kernel, ...)`` and ``correlate2d`` take the drop-ins'
arguments with ``x`` a 2-D ``dask.array.Array`` and ``kernel`` an in-memory
array, and return a lazy ``dask.array.Array`` equal, bit for bit, to
``simdconv.convolve2d(x.compute(), kernel, ...)``, for every mode, border,
kernel size (odd or even) and chunking (chunks smaller than the kernel
included).

How (``'same'`` mode): ``dask.array.map_overlap`` gives each chunk the
neighbouring rows and columns its outputs read. SciPy's centring decides
how many: a same-mode output reads ``kh - 1 - oy`` rows above and ``oy``
below (``oy = (kh - 1) // 2`` for convolution, ``kh // 2`` for
correlation), so an even kernel's halo is asymmetric. Inside the image the
halo is the neighbours' data (``boundary='none'``); at the image's edges
each edge chunk is filtered with simdconv's own border, which then extends
exactly the samples the whole image would (every chunk is made at least one
sample deeper than the halo, or the axis one chunk, so that the
reflections read only samples the chunk holds). ``'wrap'`` takes its halo
from the opposite edge through Dask's ``'periodic'`` boundary. Each chunk
computes its outputs from the same samples in the same order as the
single-machine call, hence the same bits.

``'valid'`` is a global crop of the same-mode result (its outputs read no
border sample); ``'full'`` pads the image globally by ``kh - 1`` rows and
``kw - 1`` columns of its border's samples (simdconv's border mapping, so
also for kernels larger than the image) and crops a same-mode result of
that. A ``'valid'`` call whose kernel contains the image is computed in one
chunk (the image is then no larger than the in-memory kernel).

Dask is an optional dependency: ``pip install simdconv[dask]``.
"""

from __future__ import annotations

import numpy as np

try:
    import dask.array as da
    from dask.array.overlap import ensure_minimum_chunksize
except ImportError as err:  # pragma: no cover - exercised without dask only
    raise ImportError(
        "simdconv.dask needs Dask: pip install 'simdconv[dask]' (or dask[array])"
    ) from err

from . import _core, _simdconv

__all__ = ["convolve2d", "correlate2d"]


def convolve2d(x, kernel, mode="same", boundary="fill", fillvalue=0, *, threads=1):
    """Convolve a 2-D ``dask.array`` with an in-memory kernel.

    Parameters
    ----------
    x : dask.array.Array
        The image, 2-D, any chunks. (A NumPy array is wrapped in one chunk.)
    kernel : array_like
        The kernel, 2-D, in memory.
    mode : {'same', 'full', 'valid'}, optional
        As in :func:`simdconv.convolve2d`; the default here is ``'same'``.
    boundary : str, optional
        ``'fill'`` (default), ``'wrap'``, ``'symm'``, with SciPy's aliases,
        and also every border name of :class:`simdconv.Filter2d`
        (``'mirror'``, ``'nearest'``, ...).
    fillvalue : scalar, optional
        The value outside the image for ``'fill'`` (default 0).
    threads : int or None, optional
        Keyword only: threads per chunk (default 1: Dask's workers are the
        parallelism; ``None``: simdconv's automatic policy).

    Returns
    -------
    dask.array.Array
        Lazy; of dtype ``numpy.result_type(x, kernel)``. Computed, it
        equals ``simdconv.convolve2d(x.compute(), kernel, mode, boundary,
        fillvalue)`` bit for bit.

    Raises
    ------
    ValueError, UnsupportedDTypeError
        As :func:`simdconv.convolve2d` does for the same arguments.

    Examples
    --------
    >>> import dask.array as da, numpy as np, simdconv, simdconv.dask
    >>> x = da.random.default_rng(0).random((1000, 1000), chunks=256)
    >>> k = np.ones((4, 4)) / 16
    >>> y = simdconv.dask.convolve2d(x, k, boundary='symm')
    >>> np.array_equal(y.compute(), simdconv.convolve2d(x.compute(), k, 'same', 'symm'))
    True
    """
    return _filter("convolve2d", x, kernel, mode, boundary, fillvalue, threads, False)


def correlate2d(x, kernel, mode="same", boundary="fill", fillvalue=0, *, threads=1):
    """Cross-correlate a 2-D ``dask.array`` with an in-memory template.

    The arguments, result and guarantees of :func:`convolve2d`, for
    :func:`simdconv.correlate2d`.
    """
    return _filter("correlate2d", x, kernel, mode, boundary, fillvalue, threads, True)


def _filter(name, x, kernel, mode, boundary, fillvalue, threads, correlate):
    if not isinstance(x, da.Array):
        x = da.from_array(np.asarray(x), chunks=-1)
    kernel = np.asarray(kernel)
    if not (x.ndim == kernel.ndim == 2):
        raise ValueError(f"{name} inputs must both be 2-D arrays")
    swapped = _core._swap_needed(mode, x.shape, kernel.shape)
    if mode not in _core._MODES:
        raise ValueError(_core._MODE_ERROR)
    if boundary not in _core._BORDERS:
        raise ValueError(_core._BOUNDARY_ERROR)
    border = _core._BORDERS[boundary]
    dtype, _ = _core._result_dtype(name, np.result_type(x.dtype, kernel.dtype))
    if border == "constant":
        _core._fill_scalar(fillvalue, dtype)  # SciPy's errors, now
    x = x.astype(dtype)
    operation = "correlation" if correlate else "convolution"

    if x.size == 0 or kernel.size == 0:
        # SciPy's result for an empty input: zeros, or the fill's sum, or an
        # error (only whether the border is a constant matters here).
        result = _core._filter2d(
            name, np.zeros(x.shape, dtype), kernel, mode,
            "fill" if border == "constant" else "symm", fillvalue, None, correlate,
        )
        return da.from_array(result, chunks=-1)
    if swapped:
        # A valid call whose kernel contains the image: the image is the
        # smaller input, so it is filtered in one chunk.
        whole = _core.Filter2d(kernel, operation, mode, boundary, fillvalue, threads=threads)
        shape = whole.output_shape(x.shape)
        return x.rechunk(-1).map_blocks(whole, chunks=tuple((n,) for n in shape), dtype=dtype)

    kh, kw = kernel.shape
    filt = _core.Filter2d(kernel, operation, "same", boundary, fillvalue, threads=threads)
    # SciPy's same-mode centring: rows read above and below an output.
    oy, ox = ((kh // 2, kw // 2) if correlate else ((kh - 1) // 2, (kw - 1) // 2))
    reach = ((kh - 1 - oy, oy), (kw - 1 - ox, ox))

    if mode == "same":
        return _same(x, filt, reach, border)
    if mode == "valid":
        same = _same(x, filt, reach, border)
        (top, _), (left, _) = reach
        h, w = x.shape
        # valid[y] reads rows y .. y + kh - 1: the same-mode output at y + top.
        return same[top : top + h - kh + 1, left : left + w - kw + 1]
    # full: pad by the border's own samples, then every output lies inside.
    padded = _pad(x, (kh - 1, kw - 1), border, _core._fill_scalar(fillvalue, dtype) if border == "constant" else None)
    same = _same(padded, filt, reach, border)
    (top, _), (left, _) = reach
    h, w = x.shape
    # full[y] reads padded rows y .. y + kh - 1: the same-mode output at y + top.
    return same[top : top + h + kh - 1, left : left + w + kw - 1]


def _same(x, filt, reach, border):
    """Same mode through map_overlap: interior halos from the neighbours,
    the border applied by simdconv at the image's edges."""
    chunks = []
    depth = {}
    dask_boundary = {}
    halos = []
    for axis, (before, after) in enumerate(reach):
        deepest = max(before, after)
        length = x.shape[axis]
        axis_chunks = x.chunks[axis]
        if deepest == 0 or len(axis_chunks) == 1:
            pass  # no halo, or one chunk: nothing to share
        elif length <= deepest + 1:
            axis_chunks = (length,)  # too short to split: one chunk
        else:
            # Every chunk deeper than the halo: the edge chunks' reflections
            # read only their own samples (and Dask needs chunks >= depth).
            axis_chunks = ensure_minimum_chunksize(deepest + 1, axis_chunks)
        chunks.append(axis_chunks)
        periodic = border == "wrap" and len(axis_chunks) > 1
        if periodic:
            depth[axis] = deepest  # Dask's periodic halos are symmetric
            dask_boundary[axis] = "periodic"
            halos.append((deepest, deepest, True))
        else:
            depth[axis] = (before, after)
            dask_boundary[axis] = "none"
            halos.append((before, after, False))
    x = x.rechunk(tuple(chunks))
    return da.map_overlap(
        _same_block,
        x,
        depth=depth,
        boundary=dask_boundary,
        trim=False,
        dtype=x.dtype,
        filt=filt,
        halos=tuple(halos),
    )


def _same_block(block, filt, halos, block_info=None):
    """One chunk with its halo: simdconv's same mode over it (its border
    where the chunk meets the image's edge), less the halo's outputs."""
    info = block_info[0]
    location, count = info["chunk-location"], info["num-chunks"]
    out = filt(block)
    crop = []
    for axis, (before, after, periodic) in enumerate(halos):
        lo = before if periodic or location[axis] > 0 else 0
        hi = after if periodic or location[axis] < count[axis] - 1 else 0
        crop.append(slice(lo, block.shape[axis] - hi))
    return out[tuple(crop)]


def _pad(x, pad, border, fill):
    """`x` extended by pad[axis] samples on each side, each the sample
    simdconv's border reads there (the library's own index mapping)."""
    for axis, n in enumerate(pad):
        if n == 0:
            continue
        length = x.shape[axis]
        if border == "constant":
            shape = list(x.shape)
            shape[axis] = n
            side = da.full(tuple(shape), fill, dtype=x.dtype, chunks=tuple(shape))
            before = after = side
        else:
            take = lambda start, stop: da.take(
                x, _simdconv.source_indices(border, start, stop, length), axis=axis
            )
            before, after = take(-n, 0), take(length, length + n)
        x = da.concatenate([before, x, after], axis=axis)
    return x
