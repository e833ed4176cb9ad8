"""Peer for `bench gemm`: numpy (OpenBLAS) fp32 n x n matmul. Threads come from OPENBLAS_NUM_THREADS.
Prints `gflops_<n>=<median GFLOP/s>` for each n given on the command line."""
import statistics
import sys
import time

import numpy as np

for n in [int(a) for a in sys.argv[1:]]:
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    for _ in range(3):
        a @ b
    rates = []
    start = time.perf_counter()
    while len(rates) < 7 or time.perf_counter() - start < 1.5:
        t0 = time.perf_counter()
        a @ b
        rates.append(2.0 * n ** 3 / (time.perf_counter() - t0) / 1e9)
        if len(rates) >= 200:
            break
    print(f"gflops_{n}={statistics.median(rates):.3f}", flush=True)
