"""simdconv.convolve2d / correlate2d against scipy.signal's, and the rest of
the binding: errors, views, out=, threads, Filter2d, pickling."""

import pickle
import threading
import time

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st
from scipy import signal

import simdconv

INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_DTYPES = [np.float32, np.float64]
DTYPES = INT_DTYPES + FLOAT_DTYPES
MODES = ["full", "same", "valid"]
BOUNDARIES = ["fill", "wrap", "symm"]
FUNCS = [
    (simdconv.convolve2d, signal.convolve2d),
    (simdconv.correlate2d, signal.correlate2d),
]


def random_array(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    # Full-range values: products and sums wrap around.
    return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def float_tolerance(in1, in2, mode, boundary, fillvalue, scipy_func, dtype):
    """SciPy's float error bound: both sums are within (n + 1) u S of the
    exact one, S the same sum over absolute values (n taps, u the unit
    roundoff); plus a few smallest normals for underflow."""
    absolute = scipy_func(
        np.abs(in1.astype(np.float64)),
        np.abs(in2.astype(np.float64)),
        mode,
        boundary,
        abs(float(np.asarray(fillvalue, dtype=dtype))),
    )
    n = in2.size if in2.size <= in1.size else in1.size
    eps = np.finfo(dtype).eps
    return 2 * (n + 1) * eps * absolute + 4 * np.finfo(dtype).tiny


def assert_matches_scipy(ours, theirs, in1, in2, mode, boundary, fillvalue, scipy_func):
    assert ours.dtype == theirs.dtype
    assert ours.shape == theirs.shape
    if ours.dtype.kind == "f":
        tol = float_tolerance(in1, in2, mode, boundary, fillvalue, scipy_func, ours.dtype)
        assert np.all(np.abs(ours.astype(np.float64) - theirs) <= tol)
    else:
        np.testing.assert_array_equal(ours, theirs)


@st.composite
def views(draw, shape, dtype, seed):
    """An array of `shape` as a view of a larger one: strided, reversed,
    transposed, or plain."""
    rng = np.random.default_rng(seed)
    h, w = shape
    kind = draw(st.sampled_from(["plain", "strided", "reversed", "transposed", "fortran"]))
    if kind == "plain":
        return random_array(rng, shape, dtype)
    if kind == "fortran":
        return np.asfortranarray(random_array(rng, shape, dtype))
    if kind == "transposed":
        return random_array(rng, (w, h), dtype).T
    sy, sx = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    base = random_array(rng, (max(h * sy, 1), max(w * sx, 1)), dtype)
    view = base[: h * sy : sy, : w * sx : sx]
    if kind == "reversed":
        view = view[::-1, ::-1] if draw(st.booleans()) else view[:, ::-1]
    return view


@st.composite
def cases(draw, allow_empty=True):
    dtype1 = draw(st.sampled_from(DTYPES))
    dtype2 = draw(st.sampled_from([dtype1] * 3 + DTYPES))
    assume(np.result_type(dtype1, dtype2) in [np.dtype(d) for d in DTYPES])
    low = 0 if allow_empty else 1
    shape1 = (draw(st.integers(low, 12)), draw(st.integers(low, 12)))
    shape2 = (draw(st.integers(low, 7)), draw(st.integers(low, 7)))
    seed = draw(st.integers(0, 2**32 - 1))
    in1 = draw(views(shape1, dtype1, seed))
    in2 = draw(views(shape2, dtype2, seed + 1))
    mode = draw(st.sampled_from(MODES))
    boundary = draw(st.sampled_from(BOUNDARIES))
    result = np.result_type(dtype1, dtype2)
    if result.kind == "f":
        fillvalue = draw(st.floats(-1e3, 1e3, allow_nan=False) | st.just(0.0))
    else:
        info = np.iinfo(result)
        fillvalue = draw(st.integers(int(info.min), int(info.max)) | st.just(0))
    return in1, in2, mode, boundary, fillvalue


def scipy_would_crash(in1, in2, mode, boundary):
    """scipy.signal divides by zero (SIGFPE) on an empty image with 'wrap'
    or 'symm' when the output is not empty: do not ask it."""
    if boundary == "fill" or (in1.size and in2.size):
        return False
    return True


@given(case=cases(), which=st.sampled_from([0, 1]))
def test_matches_scipy(case, which):
    in1, in2, mode, boundary, fillvalue = case
    ours_func, scipy_func = FUNCS[which]
    if scipy_would_crash(in1, in2, mode, boundary):
        try:
            out = ours_func(in1, in2, mode, boundary, fillvalue)
        except ValueError:
            return
        # Only an empty kernel or output gets here: zeros, as SciPy's.
        assert not out.any()
        return
    try:
        theirs = scipy_func(in1, in2, mode, boundary, fillvalue)
    except ValueError as err:
        with pytest.raises(ValueError) as ours:
            ours_func(in1, in2, mode, boundary, fillvalue)
        assert str(ours.value) == str(err)
        return
    ours = ours_func(in1, in2, mode, boundary, fillvalue)
    assert_matches_scipy(ours, theirs, in1, in2, mode, boundary, fillvalue, scipy_func)


@given(case=cases(allow_empty=False), which=st.sampled_from([0, 1]), layout=st.sampled_from(["reversed", "transposed", "strided"]))
def test_out_of_any_strides(case, which, layout):
    in1, in2, mode, boundary, fillvalue = case
    ours_func, scipy_func = FUNCS[which]
    try:
        expected = scipy_func(in1, in2, mode, boundary, fillvalue)
    except ValueError:
        return
    expected = ours_func(in1, in2, mode, boundary, fillvalue)
    h, w = expected.shape
    if layout == "reversed":
        base = np.zeros((h, w), expected.dtype)
        out = base[::-1, ::-1]
    elif layout == "transposed":
        base = np.zeros((w, h), expected.dtype)
        out = base.T
    else:
        base = np.zeros((2 * h + 1, 3 * w + 1), expected.dtype)
        out = base[1::2, ::-3][:h, :w]
    returned = ours_func(in1, in2, mode, boundary, fillvalue, out=out)
    assert returned is out
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint16, np.uint32, np.uint64, np.int32, np.int64])
def test_integers_wrap_as_scipys(dtype):
    rng = np.random.default_rng(7)
    image = random_array(rng, (40, 50), dtype)
    kernel = random_array(rng, (9, 9), dtype)
    for mode in MODES:
        for boundary in BOUNDARIES:
            ours = simdconv.convolve2d(image, kernel, mode, boundary, fillvalue=3)
            theirs = signal.convolve2d(image, kernel, mode, boundary, fillvalue=3)
            assert ours.dtype == np.dtype(dtype)
            np.testing.assert_array_equal(ours, theirs)


def test_the_seed_int64_9x9():
    f = np.arange(100 * 100, dtype=np.int64).reshape(100, 100) * 1_000_003
    g = np.arange(81, dtype=np.int64).reshape(9, 9)
    np.testing.assert_array_equal(simdconv.convolve2d(f, g), signal.convolve2d(f, g))


def test_python_lists_and_mixed_dtypes():
    assert simdconv.convolve2d([[1, 2], [3, 4]], [[1]]).dtype == np.int64
    out = simdconv.convolve2d(np.ones((3, 3), np.int32), np.ones((2, 2), np.float32))
    assert out.dtype == np.float64  # NumPy's common type, as SciPy's
    out = simdconv.correlate2d(np.ones((3, 3), np.uint8), np.ones((2, 2), np.int8))
    assert out.dtype == np.int16
    out = simdconv.convolve2d(np.ones((3, 3), bool), np.ones((2, 2), np.int64))
    assert out.dtype == np.int64


def test_big_endian_input_is_converted():
    a = np.arange(20, dtype=">f8").reshape(4, 5)
    k = np.ones((2, 2), dtype=">f8")
    out = simdconv.convolve2d(a, k)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, signal.convolve2d(a, k))


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.float16, np.longdouble, bool, object])
def test_unsupported_dtypes_raise_a_type_error_naming_the_supported(dtype):
    a = np.ones((3, 3), dtype=dtype)
    with pytest.raises(TypeError, match="supported: .*float32.*int64") as err:
        simdconv.convolve2d(a, a)
    # Also a ValueError, which SciPy raises for the dtypes it rejects.
    assert isinstance(err.value, ValueError)
    assert isinstance(err.value, simdconv.UnsupportedDTypeError)


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((np.ones(3), np.ones((2, 2))), {}),
        ((np.ones((2, 2, 2)), np.ones((2, 2))), {}),
        ((np.float64(1.0), [[1.0]]), {}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"mode": "foo"}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"mode": "foo", "boundary": "bar"}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"boundary": "foo"}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"boundary": "reflect"}),
        ((np.ones((3, 5)), np.ones((5, 3))), {"mode": "valid"}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"fillvalue": [1, 2]}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"fillvalue": []}),
        ((np.ones((3, 3), np.int64), np.ones((2, 2), np.int64)), {"fillvalue": np.nan}),
        ((np.ones((3, 3), np.uint8), np.ones((2, 2), np.uint8)), {"fillvalue": 300}),
        ((np.ones((3, 3)), np.ones((2, 2))), {"fillvalue": "x"}),
        ((np.ones((0, 3)), np.ones((0, 2))), {}),
    ],
)
@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_errors_are_scipys(args, kwargs, which):
    ours_func, scipy_func = FUNCS[which]
    with pytest.raises(ValueError) as theirs:
        scipy_func(*args, **kwargs)
    with pytest.raises(ValueError) as ours:
        ours_func(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "fillvalue, dtype",
    [(1.5, np.int64), (2.5, np.uint8), (-1, np.int8), (np.int64(300), np.uint8), (2**63, np.uint64),
     ("3", np.float64), (True, np.int64), (1e300, np.float32), ([[7]], np.int64)],
)
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_fillvalue_converts_as_scipys(fillvalue, dtype):
    a = np.arange(6, dtype=dtype).reshape(2, 3)
    k = np.ones((2, 2), dtype=dtype)
    np.testing.assert_array_equal(
        simdconv.convolve2d(a, k, fillvalue=fillvalue), signal.convolve2d(a, k, fillvalue=fillvalue)
    )


def test_empty_inputs_as_scipy():
    cases = [
        ((0, 3), (2, 2), "full", 5),
        ((3, 3), (0, 2), "full", 5),
        ((3, 3), (0, 2), "same", 5),
        ((0, 3), (2, 2), "same", 5),
        ((3, 3), (2, 0), "valid", 5),
        ((0, 3), (0, 4), "valid", 5),
        ((2, 0), (0, 2), "full", 5),
    ]
    for shape1, shape2, mode, fill in cases:
        for ours, theirs in FUNCS:
            a, b = np.ones(shape1), np.full(shape2, 2.0)
            expected = theirs(a, b, mode, fillvalue=fill)
            got = ours(a, b, mode, fillvalue=fill)
            assert got.shape == expected.shape and got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="empty"):
        simdconv.convolve2d(np.ones((0, 3)), np.ones((2, 2)), boundary="wrap")


def test_zero_copy_views_of_any_strides():
    rng = np.random.default_rng(1)
    base = rng.integers(-1000, 1000, (60, 80))
    kernel = rng.integers(-9, 9, (5, 4))
    for view in [base[::-1], base[:, ::-1], base[::-2, 3::3], base.T, base[5:40, 7:70].T[::-1]]:
        expected = signal.convolve2d(np.ascontiguousarray(view), kernel, "same", "symm")
        np.testing.assert_array_equal(simdconv.convolve2d(view, kernel, "same", "symm"), expected)


def test_out_of_a_narrow_dtype_and_errors():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4) * 50
    k = np.ones((2, 2), np.uint8) * 7
    out = np.empty((4, 5), np.uint8)
    assert simdconv.convolve2d(a, k, out=out) is out
    np.testing.assert_array_equal(out, signal.convolve2d(a, k))
    with pytest.raises(TypeError, match="dtype"):
        simdconv.convolve2d(a, k, out=np.empty((4, 5), np.int64))
    with pytest.raises(ValueError, match="shape"):
        simdconv.convolve2d(a, k, out=np.empty((3, 4), np.uint8))
    readonly = np.empty((4, 5), np.uint8)
    readonly.setflags(write=False)
    with pytest.raises(ValueError, match="read-only"):
        simdconv.convolve2d(a, k, out=readonly)


def test_out_overlapping_an_input_is_refused():
    a = np.arange(100.0).reshape(10, 10)
    k = np.ones((3, 3))
    with pytest.raises(ValueError, match="overlap"):
        simdconv.convolve2d(a, k, "same", out=a)
    with pytest.raises(ValueError, match="overlap"):
        simdconv.convolve2d(a[:, :5], k, "same", out=a[:, ::2])


def test_the_gil_is_released_two_threads_run_at_once():
    """Two Python threads each filter an image on one core (threads=1).
    Holding the GIL, the second call could start only after the first
    returned: the two calls' time spans would not overlap. They do.
    (On a machine with two idle cores they also take about as long as one
    call: python/bench/bench.py measures it.) A loaded machine may leave a
    thread unscheduled for a whole call, hence up to three tries."""
    rng = np.random.default_rng(3)
    image = rng.standard_normal((2500, 2500))
    filt = simdconv.Filter2d(rng.standard_normal((11, 11)), threads=1)
    filt(image[:100, :100])  # warm up

    def spans_of_two_threads():
        spans = {}
        barrier = threading.Barrier(2)

        def one(name):
            barrier.wait()
            t0 = time.perf_counter()
            filt(image)
            spans[name] = (t0, time.perf_counter())

        threads = [threading.Thread(target=one, args=(n,)) for n in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return spans["a"], spans["b"]

    for _ in range(3):
        (a0, a1), (b0, b1) = spans_of_two_threads()
        overlap = min(a1, b1) - max(a0, b0)
        shorter = min(a1 - a0, b1 - b0)
        print(f"calls of {(a1 - a0) * 1e3:.0f} and {(b1 - b0) * 1e3:.0f} ms overlap by {overlap * 1e3:.0f} ms")
        if overlap > 0.5 * shorter:
            return
    pytest.fail("the two calls never ran at the same time: is the GIL held?")


@pytest.mark.parametrize("border", ["fill", "constant", "wrap", "grid-wrap", "symm", "reflect", "mirror", "nearest", "replicate"])
def test_filter2d_borders_by_every_name(border):
    rng = np.random.default_rng(4)
    image = rng.integers(-50, 50, (11, 13))
    kernel = rng.integers(-5, 5, (3, 5))
    filt = simdconv.Filter2d(kernel, "correlation", "same", border, fillvalue=7)
    # The reference: pad with numpy's names, then SciPy's valid mode.
    pad_mode = {
        "fill": "constant", "constant": "constant", "wrap": "wrap", "grid-wrap": "wrap",
        "symm": "symmetric", "reflect": "symmetric", "mirror": "reflect",
        "nearest": "edge", "replicate": "edge",
    }[border]
    kw = {"constant_values": 7} if pad_mode == "constant" else {}
    # correlation in same mode reads kh // 2 rows above... (SciPy's centring)
    top, left = 3 - 1 - 3 // 2, 5 - 1 - 5 // 2
    padded = np.pad(image, ((top, 3 - 1 - top), (left, 5 - 1 - left)), mode=pad_mode, **kw)
    np.testing.assert_array_equal(filt(image), signal.correlate2d(padded, kernel, "valid"))


def test_filter2d_options_and_pickle():
    rng = np.random.default_rng(5)
    kernel = rng.standard_normal((7, 7))
    image = rng.standard_normal((120, 90))
    base = simdconv.Filter2d(kernel, mode="same", border="symm")
    reference = simdconv.Filter2d(kernel, mode="same", border="symm", backend="scalar", threads=1)(image)
    for backend in simdconv.available_backends():
        for threads in (None, 1, 3):
            filt = simdconv.Filter2d(kernel, mode="same", border="symm", backend=backend, threads=threads)
            assert filt.resolved_backend() == backend
            got = filt(image)
            assert got.tobytes() == reference.tobytes()  # bit for bit
    np.testing.assert_allclose(base(image), signal.convolve2d(image, kernel, "same", "symm"), atol=1e-12)
    fused = simdconv.Filter2d(kernel, rounding="fused")(image)
    np.testing.assert_allclose(fused, simdconv.convolve2d(image, kernel), rtol=1e-12, atol=1e-12)
    u, v = rng.standard_normal(9), rng.standard_normal(9)
    sep = simdconv.Filter2d(np.outer(u, v), method="separable")
    assert sep.low_rank_terms() == 1
    np.testing.assert_allclose(sep(image), signal.convolve2d(image, np.outer(u, v)), atol=1e-10)
    big = rng.standard_normal((31, 31))
    for method in ("fft", "auto"):
        fast = simdconv.Filter2d(big, mode="same", border="wrap", method=method)
        np.testing.assert_allclose(
            fast(image), signal.convolve2d(image, big, "same", "wrap"), rtol=1e-9, atol=1e-9
        )
    with pytest.raises(ValueError, match="method"):
        simdconv.Filter2d(big, method="winograd")
    ints = simdconv.Filter2d(np.arange(81).reshape(9, 9))
    assert ints.low_rank_terms() == 2
    assert simdconv.Filter2d(np.arange(81).reshape(9, 9), low_rank=False).low_rank_terms() is None

    clone = pickle.loads(pickle.dumps(base))
    assert (clone.mode, clone.border, clone.operation) == ("same", "symm", "convolution")
    assert clone(image).tobytes() == base(image).tobytes()
    assert "Filter2d(<7x7 float64>" in repr(base)


def test_filter2d_dtypes_and_errors():
    filt = simdconv.Filter2d(np.ones((3, 3), np.uint8), mode="same", fillvalue=1)
    image = np.full((5, 5), 100, np.uint8)
    np.testing.assert_array_equal(filt(image), signal.convolve2d(image, np.ones((3, 3), np.uint8), "same", fillvalue=1))
    assert filt(image.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="border"):
        simdconv.Filter2d([[1]], border="edge")
    with pytest.raises(ValueError, match="backend"):
        simdconv.Filter2d([[1]], backend="avx1024")
    with pytest.raises(ValueError, match="empty"):
        simdconv.Filter2d(np.ones((0, 3)))
    with pytest.raises(ValueError, match="2-D"):
        simdconv.Filter2d(np.ones(3))
    other = "neon" if "avx2" in simdconv.available_backends() or "sse2" in simdconv.available_backends() else "avx2"
    with pytest.raises(ValueError, match="available"):
        simdconv.Filter2d([[1.0]], backend=other)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="valid"):
        simdconv.Filter2d(np.ones((3, 5)), mode="valid")(np.ones((5, 3)))
    assert simdconv.Filter2d(np.ones((3, 5)), mode="valid").output_shape((2, 4)) == (2, 2)


# The pixel route: uint8, uint16 and int16 results are computed by the
# crate's ImageFilter (the image read in place, exact sums wrapped into the
# result dtype). These pairs of input dtypes give such results, mixed ones
# included (a uint8 image under a uint16 or int16 kernel is read as it is).
PIXEL_PAIRS = [
    (np.uint8, np.uint8), (np.uint16, np.uint16), (np.int16, np.int16),
    (np.uint8, np.uint16), (np.uint16, np.uint8), (np.uint8, np.int16),
    (np.int16, np.uint8), (np.uint8, np.int8), (np.int8, np.int16),
    (bool, np.uint8), (np.uint16, bool),
]


def random_any(rng, shape, dtype):
    if np.dtype(dtype) == np.dtype(bool):
        return rng.integers(0, 2, shape).astype(bool)
    return random_array(rng, shape, dtype)


@st.composite
def pixel_cases(draw):
    dtype1, dtype2 = draw(st.sampled_from(PIXEL_PAIRS))
    result = np.result_type(dtype1, dtype2)
    assert result.name in ("uint8", "uint16", "int16")
    shape1 = (draw(st.integers(1, 14)), draw(st.integers(1, 14)))
    shape2 = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    in1 = random_any(rng, shape1, dtype1)
    in2 = random_any(rng, shape2, dtype2)
    layout = draw(st.sampled_from(["plain", "reversed", "transposed", "strided"]))
    if layout == "reversed":
        in1 = np.ascontiguousarray(in1)[::-1, ::-1]
    elif layout == "transposed":
        in1 = np.ascontiguousarray(in1.T).T
    elif layout == "strided":
        base = random_any(rng, (shape1[0] * 2, shape1[1] * 3), dtype1)
        base[::2, ::-3] = in1
        in1 = base[::2, ::-3]
    info = np.iinfo(result)
    fillvalue = draw(st.integers(int(info.min), int(info.max)) | st.just(0) | st.just(1))
    mode = draw(st.sampled_from(MODES))
    boundary = draw(st.sampled_from(BOUNDARIES))
    return in1, in2, mode, boundary, fillvalue


@given(case=pixel_cases(), which=st.sampled_from([0, 1]))
def test_pixel_results_match_scipy_bit_for_bit(case, which):
    """Full-range values: the exact sums overflow the result dtype, which
    SciPy wraps; so does simdconv (Overflow::Wrap), and a saturating or
    truncated route would fail here (test_a_saturating_route_would_fail)."""
    in1, in2, mode, boundary, fillvalue = case
    ours_func, scipy_func = FUNCS[which]
    try:
        theirs = scipy_func(in1, in2, mode, boundary, fillvalue)
    except ValueError as err:
        with pytest.raises(ValueError) as ours:
            ours_func(in1, in2, mode, boundary, fillvalue)
        assert str(ours.value) == str(err)
        return
    ours = ours_func(in1, in2, mode, boundary, fillvalue)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    # out= of any strides, negative included.
    h, w = theirs.shape
    out = np.zeros((w, h), theirs.dtype).T[::-1]
    assert ours_func(in1, in2, mode, boundary, fillvalue, out=out) is out
    np.testing.assert_array_equal(out, theirs)


def test_pixel_results_take_the_image_filter_route(monkeypatch):
    """uint8, uint16 and int16 results go through ImageFilter with the image
    as it is (no int32 copy); int8 and uint32 keep the int32 route."""
    from simdconv import _core, _simdconv as native

    calls = []
    real_pixels, real_wide = native.pixel_filter2d, native.filter2d

    def pixels(image, kernel, *args, **kwargs):
        calls.append(("pixels", image.dtype.name))
        return real_pixels(image, kernel, *args, **kwargs)

    def wide(image, kernel, *args, **kwargs):
        calls.append(("wide", image.dtype.name))
        return real_wide(image, kernel, *args, **kwargs)

    monkeypatch.setattr(_core._simdconv, "pixel_filter2d", pixels)
    monkeypatch.setattr(_core._simdconv, "filter2d", wide)
    rng = np.random.default_rng(11)
    for dtype1, dtype2 in PIXEL_PAIRS:
        calls.clear()
        in1 = random_any(rng, (12, 10), dtype1)[::-1, ::2]
        in2 = random_any(rng, (3, 4), dtype2)
        got = simdconv.convolve2d(in1, in2, "same", "symm")
        np.testing.assert_array_equal(got, signal.convolve2d(in1, in2, "same", "symm"))
        assert [c[0] for c in calls] == ["pixels"], (dtype1, dtype2, calls)
        if np.dtype(dtype1) in (np.dtype(np.uint8), np.dtype(np.uint16), np.dtype(np.int16)):
            assert calls[0][1] == np.dtype(dtype1).name  # read as it is
    # A uint8 image under an int16 result with a fill outside uint8:
    # converted to int16, still the pixel route.
    calls.clear()
    a, k = random_any(rng, (6, 7), np.uint8), random_any(rng, (3, 3), np.int16)
    np.testing.assert_array_equal(simdconv.correlate2d(a, k, fillvalue=-3), signal.correlate2d(a, k, fillvalue=-3))
    assert calls == [("pixels", "int16")]
    for dtype in (np.int8, np.uint32):
        calls.clear()
        a = random_array(rng, (6, 7), dtype)
        np.testing.assert_array_equal(simdconv.convolve2d(a, a[:3, :3]), signal.convolve2d(a, a[:3, :3]))
        assert [c[0] for c in calls] == ["wide"]
    # Filter2d: ImageFilter's accumulator for the pixel results only.
    filt = simdconv.Filter2d(np.ones((3, 3), np.uint8), mode="same", border="mirror")
    assert filt.accumulator(np.uint8) == "i16" and filt.accumulator(np.float32) is None
    assert filt.resolved_backend() in simdconv.available_backends()


def test_a_saturating_route_would_fail(monkeypatch):
    """The tests above would catch a pixel route that saturated (OpenCV's
    rules) instead of wrapping: with that preset the results differ from
    SciPy's on the same full-range inputs."""
    from simdconv import _core

    rng = np.random.default_rng(12)
    cases = [(random_array(rng, (20, 20), d), random_array(rng, (5, 5), d)) for d in (np.uint8, np.uint16, np.int16)]
    expected = [signal.convolve2d(a, k) for a, k in cases]
    for (a, k), e in zip(cases, expected):
        np.testing.assert_array_equal(simdconv.convolve2d(a, k), e)
    monkeypatch.setattr(_core, "_SCIPY_PRESET", "opencv")
    for (a, k), e in zip(cases, expected):
        assert not np.array_equal(simdconv.convolve2d(a, k), e)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16])
@pytest.mark.parametrize("border", ["fill", "wrap", "symm", "mirror", "nearest"])
def test_filter2d_pixel_borders(dtype, border):
    rng = np.random.default_rng(13)
    image = random_array(rng, (11, 13), dtype)
    kernel = random_array(rng, (3, 5), dtype)
    filt = simdconv.Filter2d(kernel, "correlation", "same", border, fillvalue=7, threads=1)
    pad_mode = {"fill": "constant", "wrap": "wrap", "symm": "symmetric", "mirror": "reflect", "nearest": "edge"}[border]
    kw = {"constant_values": 7} if pad_mode == "constant" else {}
    top, left = 3 - 1 - 3 // 2, 5 - 1 - 5 // 2
    padded = np.pad(image, ((top, 3 - 1 - top), (left, 5 - 1 - left)), mode=pad_mode, **kw)
    expected = signal.correlate2d(padded, kernel, "valid")
    got = filt(image[::-1].copy()[::-1])
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, expected)
    for backend in simdconv.available_backends():
        forced = simdconv.Filter2d(kernel, "correlation", "same", border, fillvalue=7, backend=backend)
        assert forced(image).tobytes() == expected.tobytes()
