"""The workload a Python baseline runs, from its command line: NAME [samples|-] [float32|float64], looked up in
workloads.json (the table every system of `npm run bench` shares); and how each baseline reports."""
import json
import os
import sys
import time


def workload():
    """Answers (name, sizes, hidden, output, batch, samples, float64)."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads.json")) as f:
        w = json.load(f)[sys.argv[1]]
    samples = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else w["samples"]
    float64 = len(sys.argv) > 3 and sys.argv[3] == "float64"
    return sys.argv[1], w["sizes"], w["hidden"], w["output"], w["batch"], samples, float64


def blas_in_use():
    """Which BLAS this process multiplies with, and on how many threads, as threadpoolctl sees the loaded libraries
    (e.g. "OpenBLAS 0.3.21 Cooperlake, 2 threads; OpenMP 1 thread"). Without threadpoolctl: numpy's build
    configuration and the thread variables of the environment, said to be that."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        parts = []
        for pool in threadpool_info():
            name = {"openblas": "OpenBLAS", "mkl": "MKL", "blis": "BLIS", "openmp": "OpenMP"}.get(pool["internal_api"], pool["internal_api"])
            version = pool.get("version") or ""
            arch = pool.get("architecture") or ""
            threads = pool["num_threads"]
            parts.append(" ".join(p for p in [name, version, arch] if p) + f", {threads} thread{'s' if threads != 1 else ''}")
        return "; ".join(parts) + " (threadpoolctl)"
    try:
        import numpy as np
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # numpy before 1.26 has no dicts
        name = "numpy's BLAS"
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or f"{os.cpu_count()} (the cores: OpenBLAS's default)"
    return f"{name}, {threads} threads (from numpy's build configuration and the environment; no threadpoolctl)"


def report(epoch, samples, backend):
    """Times `epoch` as every system is timed (one warm-up, then the median of 3) and prints the JSON line run.mjs reads."""
    epoch()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t)
    times.sort()
    print(json.dumps({"samplesPerSecond": samples / times[1], "epochSeconds": times, "samples": samples, "backend": backend, "blas": blas_in_use()}))
