"""simdconv.dask against the single-machine call: bit for bit."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

import simdconv  # noqa: E402
import simdconv.dask as sdask  # noqa: E402

BORDERS = ["fill", "wrap", "symm", "mirror", "nearest"]
KERNELS = [(1, 1), (3, 3), (4, 2), (2, 5), (6, 7), (1, 4), (9, 9), (45, 3), (60, 70)]
CHUNKS = [(5, 7), (16, 16), (40, 50), ((10, 1, 29), (1, 2, 3, 44))]


def single_machine(x, kernel, mode, boundary, fillvalue, correlate):
    operation = "correlation" if correlate else "convolution"
    return simdconv.Filter2d(kernel, operation, mode, boundary, fillvalue)(x)


@pytest.fixture(autouse=True)
def threaded_scheduler():
    with dask.config.set(scheduler="synchronous"):
        yield


@pytest.mark.parametrize("kernel_shape", KERNELS, ids=lambda s: f"k{s[0]}x{s[1]}")
@pytest.mark.parametrize("chunks", CHUNKS, ids=str)
@pytest.mark.parametrize("mode", ["same", "full", "valid"])
def test_equals_the_single_machine_call_bit_for_bit(kernel_shape, chunks, mode):
    rng = np.random.default_rng(sum(kernel_shape))
    x = rng.standard_normal((40, 50))
    kernel = rng.standard_normal(kernel_shape)
    dx = da.from_array(x, chunks=chunks)
    for boundary in BORDERS:
        for correlate in (False, True):
            func = sdask.correlate2d if correlate else sdask.convolve2d
            try:
                expected = single_machine(x, kernel, mode, boundary, 2.5, correlate)
            except ValueError as err:
                with pytest.raises(ValueError, match="valid"):
                    func(dx, kernel, mode, boundary, 2.5)
                assert "valid" in str(err)
                continue
            got = func(dx, kernel, mode, boundary, 2.5)
            assert isinstance(got, da.Array)
            got = got.compute()
            assert got.dtype == expected.dtype and got.shape == expected.shape
            assert got.tobytes() == expected.tobytes(), (boundary, correlate)


@pytest.mark.parametrize("kernel_shape", [(2, 2), (3, 4), (9, 9), (14, 12)], ids=lambda s: f"k{s[0]}x{s[1]}")
def test_chunks_of_one_to_three_samples(kernel_shape):
    """Chunks far smaller than the kernel (and than its halo), on an image
    smaller than a large kernel too."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((13, 11))
    kernel = rng.standard_normal(kernel_shape)
    dx = da.from_array(x, chunks=((3, 1, 2, 3, 2, 2), (2, 3, 1, 3, 2)))
    for mode in ("same", "full"):
        for boundary in BORDERS:
            for correlate in (False, True):
                func = sdask.correlate2d if correlate else sdask.convolve2d
                got = func(dx, kernel, mode, boundary, -1.0).compute()
                expected = single_machine(x, kernel, mode, boundary, -1.0, correlate)
                assert got.tobytes() == expected.tobytes(), (mode, boundary, correlate)


def test_threaded_scheduler():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((200, 150)).astype(np.float32)
    kernel = rng.standard_normal((8, 9)).astype(np.float32)
    dx = da.from_array(x, chunks=(33, 40))
    with dask.config.set(scheduler="threads"):
        got = sdask.convolve2d(dx, kernel, "same", "symm").compute()
    assert got.tobytes() == simdconv.convolve2d(x, kernel, "same", "symm").tobytes()


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.float32, np.int32])
def test_integer_and_narrow_dtypes(dtype):
    rng = np.random.default_rng(9)
    x = rng.integers(0, 200, (64, 48)).astype(dtype)
    kernel = rng.integers(-3, 4, (5, 4)).astype(dtype)
    dx = da.from_array(x, chunks=(10, 13))
    for mode in ("same", "full", "valid"):
        for boundary in ("fill", "wrap", "symm"):
            got = sdask.convolve2d(dx, kernel, mode, boundary, 7).compute()
            expected = simdconv.convolve2d(x, kernel, mode, boundary, 7)
            assert got.dtype == expected.dtype
            assert got.tobytes() == expected.tobytes()


def test_kernel_containing_the_image_and_errors():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5))
    kernel = rng.standard_normal((9, 9))
    dx = da.from_array(x, chunks=2)
    for func, single in ((sdask.convolve2d, simdconv.convolve2d), (sdask.correlate2d, simdconv.correlate2d)):
        got = func(dx, kernel, "valid").compute()
        assert got.tobytes() == single(x, kernel, "valid").tobytes()
    with pytest.raises(ValueError, match="at least as large"):
        sdask.convolve2d(da.ones((5, 20), chunks=3), np.ones((9, 9)), "valid")
    with pytest.raises(ValueError, match="2-D"):
        sdask.convolve2d(da.ones(5, chunks=3), np.ones((3, 3)))
    with pytest.raises(ValueError, match="mode"):
        sdask.convolve2d(da.ones((5, 5), chunks=3), np.ones((3, 3)), mode="nope")
    with pytest.raises(TypeError, match="supported"):
        sdask.convolve2d(da.ones((5, 5), chunks=3, dtype=complex), np.ones((3, 3)))


def test_empty_inputs_as_scipy():
    got = sdask.convolve2d(da.ones((0, 4), chunks=2), np.ones((2, 2)), "full", fillvalue=5).compute()
    np.testing.assert_array_equal(got, simdconv.convolve2d(np.ones((0, 4)), np.ones((2, 2)), "full", fillvalue=5))


def test_on_a_distributed_cluster_of_two_worker_processes():
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(11)
    x = rng.standard_normal((300, 260)).astype(np.float32)
    kernel = rng.standard_normal((6, 5)).astype(np.float32)
    dx = da.from_array(x, chunks=(70, 64))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        memory_limit="1GiB",
    ) as cluster, distributed.Client(cluster) as client:
        for boundary in ("fill", "wrap", "symm", "nearest"):
            for mode in ("same", "full", "valid"):
                got = client.compute(sdask.correlate2d(dx, kernel, mode, boundary, 1.5)).result()
                expected = single_machine(x, kernel, mode, boundary, 1.5, True)
                assert got.tobytes() == expected.tobytes(), (boundary, mode)


def test_zarr_to_zarr_streams_chunks_not_the_image(tmp_path):
    """The scaled-down run of python/bench/dask_scale.py: an 8192 x 8192
    float32 image (256 MiB) in Zarr, filtered Zarr to Zarr by two worker
    processes (512 MiB limit each, about 90 MiB of it the interpreter and
    its libraries): each worker's peak memory rises by less than half the
    image's size over what it held before (measured: 70-110 MiB, mostly
    Dask's and the allocator's; it holds chunks and halos, never the
    image), and sampled tiles (the corners and random ones) equal the
    in-memory filter bit for bit."""
    pytest.importorskip("zarr")
    pytest.importorskip("distributed")
    pytest.importorskip("psutil")
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).parent.parent / "bench" / "dask_scale.py"
    spec = importlib.util.spec_from_file_location("dask_scale", path)
    dask_scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dask_scale)
    result = dask_scale.run(
        size=8192, chunk=512, workers=2, memory="512MiB", directory=str(tmp_path), single=False, tiles=8
    )
    for worker, rise in result["rise"].items():
        assert rise < result["image_bytes"] / 2, (worker, rise)
