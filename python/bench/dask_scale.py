"""simdconv.dask on an image stored in Zarr, larger than the workers' memory.

    python python/bench/dask_scale.py                      # 16384^2 float32 (1 GiB), 2 workers
    python python/bench/dask_scale.py --size 32768 --memory 1GiB   # 4 GiB image, < 1 GiB a worker

Writes a random float32 image to a Zarr store (in --dir, default a
temporary directory), filters it Zarr to Zarr with simdconv.dask.
correlate2d (same mode, 'symm', a 9x9 kernel) on a dask.distributed
LocalCluster of --workers processes of one thread each, with --memory per
worker, and reports:

- the wall time and throughput (pixels/s) of the Dask run, and of the
  single-machine call simdconv.Filter2d(kernel, threads=None) on the whole
  image in memory (skipped with --no-single when it would not fit);
- each worker's peak resident memory (ru_maxrss) and its rise over the
  worker's memory before the run;
- sampled output tiles checked bit for bit against the in-memory filter of
  the tile's input window (corners, edges and random interior tiles).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

import numpy as np

import simdconv
import simdconv.dask as sdask


def tile_reference(image_store, kernel, border, r0, r1, c0, c1):
    """simdconv's same-mode correlation of rows r0..r1, columns c0..c1 of
    the whole image, from the input window those outputs read."""
    kh, kw = kernel.shape
    top, bottom = kh - 1 - kh // 2, kh // 2
    left, right = kw - 1 - kw // 2, kw // 2
    h, w = image_store.shape
    wr0, wr1 = max(0, r0 - top), min(h, r1 + bottom)
    wc0, wc1 = max(0, c0 - left), min(w, c1 + right)
    window = np.asarray(image_store[wr0:wr1, wc0:wc1])
    out = simdconv.Filter2d(kernel, "correlation", "same", border)(window)
    return out[r0 - wr0 : r1 - wr0, c0 - wc0 : c1 - wc0]


def peak_rss_bytes():
    """This process's own peak resident memory: Linux's VmHWM. (Not
    ru_maxrss: a spawned worker's starts at the peak of the process that
    forked it, kept across exec, so a test session's large parent showed
    up as the worker's peak.) ru_maxrss where /proc is not there."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss_bytes():
    import psutil

    return psutil.Process().memory_info().rss


def run(size, chunk, workers, memory, directory, single, border="symm", tiles=8, seed=0):
    import dask.array as da
    import distributed
    import zarr

    rng = np.random.default_rng(seed)
    kernel = rng.uniform(-1, 1, (9, 9)).astype(np.float32)
    src, dst = os.path.join(directory, "image.zarr"), os.path.join(directory, "filtered.zarr")
    image_bytes = size * size * 4
    print(f"image {size} x {size} float32 ({image_bytes / 2**30:.2f} GiB), chunks {chunk}, "
          f"{workers} workers x 1 thread, memory limit {memory} each")
    # The input is written in this process (threads), so that the workers'
    # peak memory below is the filter's alone.
    t0 = time.perf_counter()
    x = da.random.default_rng(seed).random((size, size), chunks=chunk, dtype=np.float32)
    da.to_zarr(x, src, overwrite=True)
    print(f"wrote {src} in {time.perf_counter() - t0:.1f} s")
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory,
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        client.run(lambda: __import__("simdconv.dask"))  # import outside the timing
        before = client.run(current_rss_bytes)
        x = da.from_zarr(src)
        y = sdask.correlate2d(x, kernel, "same", border)
        t0 = time.perf_counter()
        da.to_zarr(y, dst, overwrite=True, compute=True)
        t_dask = time.perf_counter() - t0
        peaks = client.run(peak_rss_bytes)
    print(f"dask: {t_dask:.2f} s, {size * size / t_dask / 1e6:.0f} Mpixel/s")
    for (addr, peak), base in zip(sorted(peaks.items()), (before[a] for a in sorted(peaks))):
        print(f"  worker {addr}: peak RSS {peak / 2**20:.0f} MiB "
              f"(+{(peak - base) / 2**20:.0f} MiB over its {base / 2**20:.0f} MiB before the run)")

    store_in, store_out = zarr.open_array(src, mode="r"), zarr.open_array(dst, mode="r")
    n = 64
    starts = [(0, 0), (0, size - n), (size - n, 0), (size - n, size - n)]
    starts += [tuple(int(v) for v in rng.integers(0, size - n, 2)) for _ in range(tiles - 4)]
    for r0, c0 in starts:
        expected = tile_reference(store_in, kernel, border, r0, r0 + n, c0, c0 + n)
        got = np.asarray(store_out[r0 : r0 + n, c0 : c0 + n])
        assert got.tobytes() == expected.tobytes(), (r0, c0)
    print(f"{len(starts)} sampled {n}x{n} tiles equal the in-memory filter bit for bit")
    result = {
        "seconds": t_dask,
        "image_bytes": image_bytes,
        "rise": {a: peaks[a] - before[a] for a in peaks},
        "peak": dict(peaks),
    }

    if single:
        image = np.asarray(store_in[...])
        filt = simdconv.Filter2d(kernel, "correlation", "same", border)
        filt(image[:256, :256])
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            filt(image)
            times.append(time.perf_counter() - t0)
        t_single = float(np.median(times))
        print(f"single machine (in memory, simdconv threads=auto): {t_single:.2f} s, "
              f"{size * size / t_single / 1e6:.0f} Mpixel/s; Dask (Zarr to Zarr) reaches {t_single / t_dask:.0%} of it")
        del image
    return result


def in_memory_throughput(size, chunk, workers, border="symm", seed=0):
    """The filter alone: the image already in the workers' memory
    (persisted), the result kept there; against the single-machine call."""
    import dask.array as da
    import distributed

    rng = np.random.default_rng(seed)
    kernel = rng.uniform(-1, 1, (9, 9)).astype(np.float32)
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, memory_limit=0,
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        x = da.random.default_rng(seed).random((size, size), chunks=chunk, dtype=np.float32)
        x = client.persist(x)
        distributed.wait(x)
        client.run(lambda: __import__("simdconv.dask"))
        times = []
        for i in range(3):
            # A new kernel each run: new task keys, nothing reused.
            y = sdask.correlate2d(x, kernel + np.float32(i), "same", border)
            t0 = time.perf_counter()
            y = client.persist(y)
            distributed.wait(y)
            times.append(time.perf_counter() - t0)
            del y
        t_dask = float(np.median(times))
        image = x.compute()
    filt = simdconv.Filter2d(kernel, "correlation", "same", border)
    filt(image[:256, :256])
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        filt(image)
        times.append(time.perf_counter() - t0)
    t_single = float(np.median(times))
    print(f"in memory, {size} x {size} float32, chunks {chunk}: Dask on {workers} workers "
          f"{t_dask:.2f} s ({size * size / t_dask / 1e6:.0f} Mpixel/s); single machine "
          f"{t_single:.2f} s ({size * size / t_single / 1e6:.0f} Mpixel/s): Dask reaches {t_single / t_dask:.0%}")
    return t_dask, t_single


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", type=int, default=16384)
    p.add_argument("--chunk", type=int, default=2048)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory", default="1GiB")
    p.add_argument("--dir", default=None)
    p.add_argument("--no-single", action="store_true", help="skip the in-memory single-machine call")
    p.add_argument("--in-memory", action="store_true",
                   help="instead: the filter alone on an image persisted in the workers' memory, against the single-machine call")
    a = p.parse_args()
    if a.in_memory:
        in_memory_throughput(a.size, a.chunk, a.workers)
        return
    if a.dir:
        run(a.size, a.chunk, a.workers, a.memory, a.dir, not a.no_single)
    else:
        with tempfile.TemporaryDirectory(prefix="simdconv-dask-") as d:
            run(a.size, a.chunk, a.workers, a.memory, d, not a.no_single)


if __name__ == "__main__":
    main()
