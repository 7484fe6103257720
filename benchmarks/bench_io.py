"""Spike-file I/O: neurodam.io read/write per format vs plain NumPy/h5py on the same arrays.

Workload: the largest retinal-wave recording (448,089 spikes, 1240 channels) when
../shared/data/retinal-waves is present, else a synthetic Poisson population of the
same size. Baselines use each format's library directly on the bare arrays, in the same
run: ``np.savez_compressed``/``np.load`` (.npz), ``np.savetxt``/``np.loadtxt`` (.csv),
pynwb's documented ``add_unit`` per neuron / ``units["spike_times"][k]`` per unit (.nwb),
``h5py`` reading the two datasets (.h5). Ratio = ours / baseline (< 1: faster).

    .venv/bin/python benchmarks/bench_io.py [--quick] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from neurodam import SpikeTrains, io

RETINAL = (
    Path(
        os.environ.get(
            "NEURODAM_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
        )
    )
    / "retinal-waves"
    / "Maccione2014_P9_7March11_control.h5"
)


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 10x smaller synthetic workload")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if RETINAL.is_file() and not args.quick:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spikes = io.read(RETINAL)
        source = RETINAL.name
    else:
        rng = np.random.default_rng(0)
        n, k = (124, 44_809) if args.quick else (1240, 448_089)
        spikes = SpikeTrains(
            rng.uniform(0, 1800, k), rng.integers(0, n, k), n_neurons=n, t_stop=1800.0
        )
        source = "synthetic"
    print(
        f"workload: {source}, {len(spikes)} spikes, {spikes.n_neurons} neurons; best of "
        f"{args.repeat}"
    )
    print(f"{'operation':<14}{'ours (s)':>10}{'baseline (s)':>14}{'ratio':>8}{'size (kB)':>11}")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        t, i = np.asarray(spikes.times), np.asarray(spikes.senders)
        for suffix in (".npz", ".csv", ".nwb"):
            path, base = d / f"x{suffix}", d / f"base{suffix}"
            base_w, base_r = _baselines(suffix, t, i, spikes.n_neurons, base)
            w = _best(lambda p=path: io.write(spikes, p, overwrite=True), args.repeat)
            r = _best(lambda p=path: io.read(p), args.repeat)
            bw, br = _best(base_w, args.repeat), _best(base_r, args.repeat)
            size = path.stat().st_size / 1e3
            print(f"{'write ' + suffix:<14}{w:>10.3f}{bw:>14.3f}{w / bw:>8.2f}{size:>11.0f}")
            print(f"{'read ' + suffix:<14}{r:>10.3f}{br:>14.3f}{r / br:>8.2f}{'':>11}")
        if source != "synthetic":
            import warnings

            import h5py

            def base_h5():
                with h5py.File(RETINAL, "r") as h:
                    h["spikes"][()], h["sCount"][()]

            def ours_h5():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    io.read(RETINAL)

            r, b = _best(ours_h5, args.repeat), _best(base_h5, args.repeat)
            size = RETINAL.stat().st_size / 1e3
            print(f"{'read .h5':<14}{r:>10.3f}{b:>14.3f}{r / b:>8.2f}{size:>11.0f}")


def _baselines(suffix, t, i, n, path):
    """The same format written/read directly with its library, no validation or metadata."""
    if suffix == ".npz":
        return (lambda: np.savez_compressed(path, times=t, senders=i)), (
            lambda: [np.load(path)[k] for k in ("times", "senders")]
        )
    if suffix == ".csv":
        data = np.column_stack([t, i])
        return (
            lambda: np.savetxt(
                path, data, fmt=["%.17g", "%d"], delimiter=",", header="time,neuron"
            ),
            lambda: np.loadtxt(path, delimiter=",", skiprows=1),
        )
    import datetime

    import pynwb

    def write():  # the documented pynwb way: one add_unit per neuron
        f = pynwb.NWBFile("b", "b", datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        for times in np.split(
            t[np.argsort(i, kind="stable")], np.cumsum(np.bincount(i, minlength=n))[:-1]
        ):
            f.add_unit(spike_times=times)
        with pynwb.NWBHDF5IO(str(path), "w") as fh:
            fh.write(f)

    def read():
        with pynwb.NWBHDF5IO(str(path), "r") as fh:
            units = fh.read().units
            return [units["spike_times"][k] for k in range(len(units))]

    return write, read


if __name__ == "__main__":
    main()
