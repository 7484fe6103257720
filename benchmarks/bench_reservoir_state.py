"""Liquid state and ridge readout: 10^6 spikes, 10^4 readout times.

The liquid state (exponentially filtered spike trains, tau = 30 ms) of 10^6 Poisson spikes
sampled at 10^4 readout times, then a ridge readout with 5-fold blocked cross-validation
over 9 penalties, for populations of 135 (the liquid) and 1000 neurons (the Izhikevich
network). Baseline: a direct loop over readout times with the definition (per readout:
every spike before it), timed on a slice and extrapolated. Imports are warmed up first;
``--blas-threads N`` limits the BLAS threads (threadpoolctl), which matters on a shared
machine where an oversubscribed OpenBLAS slows the ridge solve by an order of magnitude.
Usage: python benchmarks/bench_reservoir_state.py [--blas-threads N]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(blas_threads: int | None = None) -> None:
    import scipy.linalg  # noqa: F401  (import time is not part of the measurement)
    from threadpoolctl import threadpool_limits

    from neurodam import SpikeTrains
    from neurodam.reservoir import RidgeReadout, liquid_state

    if blas_threads is not None:
        threadpool_limits(blas_threads)
    print(f"BLAS threads: {blas_threads or 'default'}")

    print(f"load average at start: {os.getloadavg()}, cpus: {os.cpu_count()}")
    rng = np.random.default_rng(0)
    n_spikes, n_read, duration = 10**6, 10**4, 100.0
    print(f"{'neurons':>7s} {'state s':>8s} {'ridge s':>8s} {'total s':>8s} {'direct s':>9s} "
          f"{'speed-up':>8s}")  # fmt: skip
    for n in (135, 1000):
        st = SpikeTrains(rng.uniform(0, duration, n_spikes), rng.integers(0, n, n_spikes),
                         n_neurons=n, t_stop=duration)  # fmt: skip
        times = np.linspace(0.01, duration, n_read)
        target = rng.standard_normal(n_read)
        t0 = time.perf_counter()
        X = liquid_state(st, times, tau=0.03)
        t1 = time.perf_counter()
        RidgeReadout().fit(X, target)
        t2 = time.perf_counter()
        # the definition, readout by readout, on 50 readout times
        sub = times[:50]
        t3 = time.perf_counter()
        for t in sub:
            k = st.times <= t
            np.bincount(st.senders[k], np.exp(-(t - st.times[k]) / 0.03), minlength=n)
        direct = (time.perf_counter() - t3) * n_read / sub.size
        print(f"{n:7d} {t1 - t0:8.3f} {t2 - t1:8.3f} {t2 - t0:8.3f} {direct:9.1f} "
              f"{direct / (t1 - t0):8.0f}")  # fmt: skip
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    arg = sys.argv[sys.argv.index("--blas-threads") + 1] if "--blas-threads" in sys.argv else None
    main(None if arg is None else int(arg))
