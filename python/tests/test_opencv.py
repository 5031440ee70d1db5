"""simdconv.gaussian_blur / sobel / scharr against OpenCV's cv2.GaussianBlur,
cv2.Sobel and cv2.Scharr, bit for bit (skipped without opencv-python)."""

import threading

import numpy as np
import pytest
from hypothesis import given, strategies as st

import simdconv

try:
    import cv2
except ImportError as err:  # not installed, or installed without its shared libraries
    pytest.skip(f"cv2 (opencv-python-headless) cannot be imported: {err}", allow_module_level=True)

# simdconv's border name -> OpenCV's constant (GaussianBlur and Sobel take
# these four; wrap is simdconv's only).
BORDERS = {
    "reflect101": cv2.BORDER_REFLECT_101,
    "reflect": cv2.BORDER_REFLECT,
    "replicate": cv2.BORDER_REPLICATE,
    "constant": cv2.BORDER_CONSTANT,
}


@st.composite
def images(draw, dtypes):
    dtype = np.dtype(draw(st.sampled_from(dtypes)))
    h, w = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    channels = draw(st.sampled_from([None, None, 1, 3, 4]))
    shape = (h, w) if channels is None else (h, w, channels)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["random", "edges", "extremes"]))
    top = np.iinfo(dtype).max
    if kind == "random":
        img = rng.integers(0, top, shape, dtype=dtype, endpoint=True)
    elif kind == "edges":
        img = ((rng.random(shape) > 0.5) * top).astype(dtype)
    else:
        img = rng.choice(np.array([0, 1, top - 1, top], dtype=dtype), shape)
    layout = draw(st.sampled_from(["plain", "reversed", "strided"]))
    if layout == "reversed":
        img = np.ascontiguousarray(img[::-1, ::-1])[::-1, ::-1]
    elif layout == "strided":
        base = np.zeros((h * 2,) + img.shape[1:], dtype)
        base[::2] = img
        img = base[::2]
    return img


def opencv(call, img, *args, **kwargs):
    """OpenCV's result, of `img`'s shape ((H, W, 1) comes back (H, W))."""
    return call(np.ascontiguousarray(img), *args, **kwargs).reshape(img.shape)


@st.composite
def gaussian_args(draw):
    sigma_x = draw(st.sampled_from([0.0, 0.3, 0.8, 1.0, 1.5, 2.0, 3.3]) | st.floats(0.1, 6.0))
    sigma_y = draw(st.sampled_from([0.0, 0.0, 1.2]) | st.floats(0.1, 6.0))
    odd = st.integers(0, 8).map(lambda n: 2 * n + 1)
    kw = draw(odd | st.just(0)) if sigma_x > 0 else draw(odd)
    kh = draw(odd | st.just(0)) if (sigma_y if sigma_y > 0 else sigma_x) > 0 else draw(odd)
    border = draw(st.sampled_from(sorted(BORDERS)))
    return (kw, kh), sigma_x, sigma_y, border


@given(img=images(["uint8", "uint16"]), args=gaussian_args(), threads=st.sampled_from([None, 1, 2]))
def test_gaussian_blur_is_cv2s(img, args, threads):
    ksize, sigma_x, sigma_y, border = args
    theirs = opencv(cv2.GaussianBlur, img, ksize, sigma_x, sigmaY=sigma_y, borderType=BORDERS[border])
    ours = simdconv.gaussian_blur(img, ksize, sigma_x, sigma_y, border, threads=threads)
    assert ours.dtype == img.dtype and ours.shape == img.shape
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
@pytest.mark.parametrize("shape", [(1000, 1000), (480, 640, 3)])
def test_gaussian_blur_sigma_2_large(dtype, shape):
    rng = np.random.default_rng(1)
    img = rng.integers(0, np.iinfo(dtype).max, shape, dtype=dtype, endpoint=True)
    for border in BORDERS:
        np.testing.assert_array_equal(
            simdconv.gaussian_blur(img, 0, 2.0, border=border),
            cv2.GaussianBlur(img, (0, 0), 2.0, borderType=BORDERS[border]),
        )


@st.composite
def sobel_args(draw):
    ksize = draw(st.sampled_from([1, 3, 5, 7, -1]))
    if ksize == -1:
        dx, dy = draw(st.sampled_from([(1, 0), (0, 1)]))
    else:
        top = 2 if ksize == 1 else min(ksize - 1, 3)
        dx, dy = draw(st.integers(0, top)), draw(st.integers(0, top))
        if dx + dy == 0:
            dx = 1
    delta = draw(st.sampled_from([0, 0, 3, -100, 32767, -32768]))
    border = draw(st.sampled_from(sorted(BORDERS)))
    return dx, dy, ksize, delta, border


@given(img=images(["uint8"]), args=sobel_args())
def test_sobel_is_cv2s(img, args):
    dx, dy, ksize, delta, border = args
    theirs = opencv(cv2.Sobel, img, cv2.CV_16S, dx, dy, ksize=ksize, delta=delta, borderType=BORDERS[border])
    ours = simdconv.sobel(img, dx, dy, ksize, border, delta=delta)
    assert ours.dtype == np.int16 and ours.shape == img.shape
    np.testing.assert_array_equal(ours, theirs)


@given(img=images(["uint8"]), d=st.sampled_from([(1, 0), (0, 1)]), border=st.sampled_from(sorted(BORDERS)))
def test_scharr_is_cv2s(img, d, border):
    theirs = opencv(cv2.Scharr, img, cv2.CV_16S, *d, borderType=BORDERS[border])
    ours = simdconv.scharr(img, *d, border=border)
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(simdconv.sobel(img, *d, ksize=-1, border=border), theirs)


def test_border_names():
    rng = np.random.default_rng(2)
    img = rng.integers(0, 256, (20, 30), dtype=np.uint8)
    expected = {name: cv2.GaussianBlur(img, (5, 5), 1.5, borderType=code) for name, code in BORDERS.items()}
    aliases = {
        "reflect101": ["mirror", "reflect_101", "default", "BORDER_REFLECT_101", "BORDER_DEFAULT",
                       "Reflect101", cv2.BORDER_REFLECT_101, cv2.BORDER_DEFAULT],
        "reflect": ["symm", "symmetric", "BORDER_REFLECT", cv2.BORDER_REFLECT],
        "replicate": ["nearest", "BORDER_REPLICATE", cv2.BORDER_REPLICATE],
        "constant": ["fill", "BORDER_CONSTANT", cv2.BORDER_CONSTANT],
    }
    for name, names in aliases.items():
        for alias in names:
            np.testing.assert_array_equal(simdconv.gaussian_blur(img, 5, 1.5, border=alias), expected[name])
    # The default is OpenCV's.
    np.testing.assert_array_equal(simdconv.gaussian_blur(img, 5, 1.5), expected["reflect101"])
    np.testing.assert_array_equal(simdconv.sobel(img, 1, 1), cv2.Sobel(img, cv2.CV_16S, 1, 1))
    # wrap: simdconv's own (cv2.GaussianBlur refuses it), periodic.
    wrapped = simdconv.gaussian_blur(img, 5, 1.5, border="wrap")
    tiled = cv2.GaussianBlur(np.tile(img, (3, 3)), (5, 5), 1.5)[20:40, 30:60]
    np.testing.assert_array_equal(wrapped, tiled)
    for bad in ["edge", "isolated", "BORDER_TRANSPARENT", ""]:
        with pytest.raises(ValueError, match="not a border name.*reflect101"):
            simdconv.gaussian_blur(img, 5, 1.5, border=bad)
    with pytest.raises(ValueError, match="BORDER"):
        simdconv.sobel(img, 1, 0, border=cv2.BORDER_ISOLATED)
    with pytest.raises(TypeError, match="border"):
        simdconv.scharr(img, 1, 0, border=1.5)


def test_bad_arguments():
    img = np.zeros((10, 10), np.uint8)
    with pytest.raises(TypeError, match="uint8 or uint16"):
        simdconv.gaussian_blur(img.astype(np.float32), 3, 1.0)
    with pytest.raises(TypeError, match="uint8"):
        simdconv.sobel(img.astype(np.uint16), 1, 0)
    with pytest.raises(ValueError, match="ksize"):
        simdconv.gaussian_blur(img, 4, 1.0)  # even
    with pytest.raises(ValueError, match="ksize"):
        simdconv.gaussian_blur(img, 0, 0.0)  # neither size nor sigma
    with pytest.raises(ValueError, match="ksize"):
        simdconv.gaussian_blur(img, (3, 5, 7), 1.0)
    with pytest.raises(ValueError, match="ksize"):
        simdconv.gaussian_blur(img, -3, 1.0)
    with pytest.raises(ValueError, match="2-D"):
        simdconv.gaussian_blur(np.zeros(10, np.uint8), 3, 1.0)
    with pytest.raises(ValueError, match="empty"):
        simdconv.gaussian_blur(np.zeros((0, 4), np.uint8), 3, 1.0)
    with pytest.raises(ValueError, match="threads"):
        simdconv.gaussian_blur(img, 3, 1.0, threads=0)
    for dx, dy, ksize in [(0, 0, 3), (3, 0, 3), (1, 0, 4), (1, 0, 33), (3, 0, 1)]:
        with pytest.raises(ValueError):
            simdconv.sobel(img, dx, dy, ksize)
        with pytest.raises(cv2.error):
            cv2.Sobel(img, cv2.CV_16S, dx, dy, ksize=ksize)
    with pytest.raises(ValueError, match="ksize"):
        simdconv.sobel(img, 1, 0, ksize=-3)
    for dx, dy in [(1, 1), (0, 0), (2, 0)]:
        with pytest.raises(ValueError):
            simdconv.scharr(img, dx, dy)
    for delta in (0.5, 40000, -32769, float("nan")):
        with pytest.raises(ValueError, match="delta"):
            simdconv.sobel(img, 1, 0, delta=delta)


def test_out_and_views():
    rng = np.random.default_rng(3)
    base = rng.integers(0, 65536, (60, 80, 3), dtype=np.uint16)
    img = base[5:50:2, ::-3]  # strided, reversed, channels last
    expected = cv2.GaussianBlur(np.ascontiguousarray(img), (0, 0), 1.7)
    out = np.zeros(img.shape[::-1], np.uint16).transpose(2, 1, 0)[::-1]
    assert simdconv.gaussian_blur(img, 0, 1.7, out=out) is out
    np.testing.assert_array_equal(out, expected)
    gray = np.ascontiguousarray(base[..., 0] >> 8).astype(np.uint8)
    out16 = np.empty((80, 60), np.int16).T
    assert simdconv.sobel(gray, 1, 0, out=out16) is out16
    np.testing.assert_array_equal(out16, cv2.Sobel(gray, cv2.CV_16S, 1, 0))
    with pytest.raises(TypeError, match="int16"):
        simdconv.sobel(gray, 1, 0, out=np.empty((60, 80), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        simdconv.gaussian_blur(gray, 3, 0, out=np.empty((60, 81), np.uint8))
    with pytest.raises(ValueError, match="overlap"):
        simdconv.gaussian_blur(gray, 3, 0, out=gray)
    # Big-endian input is converted.
    np.testing.assert_array_equal(
        simdconv.gaussian_blur(img.astype(">u2"), 0, 1.7), expected
    )


def test_every_backend_and_thread_count_gives_the_same_bits():
    rng = np.random.default_rng(4)
    img = rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    expected = cv2.GaussianBlur(img, (0, 0), 2.0)
    for threads in (None, 1, 2, 3):
        np.testing.assert_array_equal(simdconv.gaussian_blur(img, 0, 2.0, threads=threads), expected)
    # Every backend this CPU has (through the compiled module, which takes one).
    from simdconv import _simdconv

    dx = cv2.Sobel(img, cv2.CV_16S, 1, 0, ksize=5)
    for backend in simdconv.available_backends():
        blur = _simdconv.Prepared.gaussian_opencv("uint8", (0, 0), 2.0, 0.0, "mirror", backend, 1)
        assert blur.resolved_backend() == backend
        np.testing.assert_array_equal(blur.apply(img), expected)
        sobel = _simdconv.Prepared.derivative_opencv(1, 0, 5, 0.0, "mirror", backend, 2)
        np.testing.assert_array_equal(sobel.apply(img), dx)


def test_the_gil_is_released():
    """Two Python threads blur at once (each on one core)."""
    import time

    img = np.random.default_rng(5).integers(0, 256, (3000, 3000), dtype=np.uint8)
    simdconv.gaussian_blur(img[:100, :100], 0, 2.0, threads=1)
    for _ in range(3):
        spans = {}
        barrier = threading.Barrier(2)

        def one(name):
            barrier.wait()
            t0 = time.perf_counter()
            simdconv.gaussian_blur(img, 0, 2.0, threads=1)
            spans[name] = (t0, time.perf_counter())

        threads = [threading.Thread(target=one, args=(n,)) for n in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        (a0, a1), (b0, b1) = spans["a"], spans["b"]
        if min(a1, b1) - max(a0, b0) > 0.5 * min(a1 - a0, b1 - b0):
            return
    pytest.fail("the two blurs never ran at the same time: is the GIL held?")
