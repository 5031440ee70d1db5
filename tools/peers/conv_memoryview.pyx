# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The seed tutorial's full 2D convolution, at its fastest Cython form:
typed memoryviews, no bounds or wrap-around checks. Written for this crate's
peer measurements (tools/peers/peers.py), not copied from the tutorial.

Built with -O3 -march=native -fwrapv, so integer overflow wraps as C on
two's complement does, like simdconv's integers.
"""
import numpy as np
from libc.stdint cimport int32_t, int64_t

ctypedef fused elem:
    int32_t
    int64_t
    float
    double


def convolve_full(elem[:, ::1] f, elem[:, ::1] g, out):
    """h = f * g in full mode, written into `out` ((H+kh-1) x (W+kw-1),
    zero outside the image)."""
    cdef elem[:, ::1] h = out
    cdef Py_ssize_t H = f.shape[0], W = f.shape[1]
    cdef Py_ssize_t kh = g.shape[0], kw = g.shape[1]
    cdef Py_ssize_t x, y, s, t, s_lo, s_hi, t_lo, t_hi
    cdef elem acc
    for x in range(H + kh - 1):
        # Kernel rows s with 0 <= x - s < H.
        s_lo = x - H + 1 if x - H + 1 > 0 else 0
        s_hi = x + 1 if x + 1 < kh else kh
        for y in range(W + kw - 1):
            t_lo = y - W + 1 if y - W + 1 > 0 else 0
            t_hi = y + 1 if y + 1 < kw else kw
            acc = 0
            for s in range(s_lo, s_hi):
                for t in range(t_lo, t_hi):
                    acc = acc + g[s, t] * f[x - s, y - t]
            h[x, y] = acc
    return out
