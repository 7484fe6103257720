"""Benchmark: avalanche extraction (binning + runs) on 10^7 spikes.

Prints a table: workload, our time, baseline time (measured in the same run),
ratio. Baselines:
  * a plain Python loop (bin every spike, walk every bin) on a smaller sample,
    compared per spike;
  * Elephant's ``time_histogram`` (the binning step only: Elephant has no
    avalanche function) on the same number of spikes as the loop sample x 10.

Peak memory of the extraction is measured with tracemalloc; for the whole
process run it under ``/usr/bin/time -v``.

Usage:  .venv/bin/python benchmarks/bench_avalanches.py [--quick] [--n-spikes N]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from neurodam import SpikeTrains
from neurodam.analysis import avalanches, default_bin_width


def make_spikes(n_spikes: int, n_neurons: int = 1000, seed: int = 0) -> SpikeTrains:
    """Poisson population: 10 Hz per neuron, duration set to give ``n_spikes`` spikes."""
    rng = np.random.default_rng(seed)
    duration = n_spikes / (10.0 * n_neurons)
    times = np.sort(rng.uniform(0.0, duration, n_spikes))
    senders = rng.integers(0, n_neurons, n_spikes)
    return SpikeTrains(times, senders, n_neurons=n_neurons, t_start=0.0, t_stop=duration)


def loop_avalanches(times, t_start, width, n_bins):
    """Reference: Python loops over spikes and bins."""
    counts = [0] * n_bins
    for t in times:
        counts[min(int((t - t_start) / width), n_bins - 1)] += 1
    sizes, durations, cur, dur = [], [], 0, 0
    for c in counts:
        if c > 0:
            cur += c
            dur += 1
        elif dur:
            sizes.append(cur)
            durations.append(dur)
            cur = dur = 0
    if dur:
        sizes.append(cur)
        durations.append(dur)
    return sizes, durations


def best_of(fn, repeat):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="10^6 spikes, smaller baselines")
    ap.add_argument("--n-spikes", type=int, default=None)
    ap.add_argument(
        "--no-baselines", action="store_true", help="only ours (for /usr/bin/time -v peak RSS)"
    )
    args = ap.parse_args()
    n = args.n_spikes or (10**6 if args.quick else 10**7)
    n_small = 10**5 if args.quick else 10**6

    st = make_spikes(n)
    width = default_bin_width(st)
    tracemalloc.start()
    t_ours, av = best_of(lambda: avalanches(st), 1 if n >= 10**7 else 3)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t_ours, av = min(t_ours, best_of(lambda: avalanches(st), 2)[0]), av
    if args.no_baselines:
        print(
            f"{n} spikes: {t_ours:.3f} s ({n / t_ours:.3g} spikes/s), {len(av)} avalanches, "
            f"peak traced memory {peak / 2**20:.0f} MiB"
        )
        return

    # naive loop on a smaller sample, checked against ours on the same sample
    small = make_spikes(n_small, seed=1)
    w_small = default_bin_width(small)
    n_bins_small = int(np.ceil(small.duration / w_small - 1e-9))
    t_loop, (sizes, durs) = best_of(
        lambda: loop_avalanches(small.times.tolist(), 0.0, w_small, n_bins_small), 1
    )
    av_small = avalanches(small)
    assert np.array_equal(av_small.sizes, sizes) and np.array_equal(av_small.durations, durs)
    t_ours_small, _ = best_of(lambda: avalanches(small), 3)

    rows = [
        ("avalanches (ours)", n, t_ours, None),
        ("python loop", n_small, t_loop, t_ours_small),
    ]
    try:
        import warnings

        import neo
        import quantities as pq
        from elephant.statistics import time_histogram

        trains = [
            neo.SpikeTrain(x, t_start=0.0, t_stop=small.t_stop, units="s")
            for x in small.per_neuron()
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_el, _ = best_of(lambda: time_histogram(trains, bin_size=w_small * pq.s), 3)
        from neurodam.analysis import population_activity

        t_bin, _ = best_of(lambda: population_activity(small, w_small), 3)
        rows.append(("elephant time_histogram (binning only)", n_small, t_el, t_bin))
    except ImportError as exc:  # pragma: no cover
        print(f"elephant baseline skipped: {exc}")

    print(f"avalanche extraction, default bin width {width * 1e3:.3g} ms, {len(av)} avalanches")
    print(f"{'workload':40} {'spikes':>10} {'ours (s)':>10} {'baseline (s)':>13} {'ratio':>8}")
    print(
        f"{'avalanches, 10 Hz Poisson, 1000 neurons':40} {n:>10} {t_ours:>10.3f} {'-':>13} {'-':>8}"
    )
    for name, size, t_base, t_mine in rows[1:]:
        print(f"{name:40} {size:>10} {t_mine:>10.4f} {t_base:>13.3f} {t_base / t_mine:>7.0f}x")
    print(
        f"throughput (ours): {n / t_ours:.3g} spikes/s on {n} spikes; python loop: "
        f"{n_small / t_loop:.3g} spikes/s ({(n / t_ours) / (n_small / t_loop):.0f}x)"
    )
    print(
        f"peak traced memory of avalanches() on {n} spikes: {peak / 2**20:.0f} MiB "
        f"(input SpikeTrains itself: {(st.times.nbytes + st.senders.nbytes) / 2**20:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
