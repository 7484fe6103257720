"""The shipped demo dataset (data/demo_spikes.npz) and the script that made it."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from neurodam import io

DATA = Path(__file__).resolve().parents[1] / "data"


def _avalanche_sizes(spikes, bin_s):
    """Beggs-Plenz avalanches: maximal runs of non-empty bins; size = spikes in the run."""
    edges = np.arange(spikes.t_start, spikes.t_stop + bin_s, bin_s)
    counts, _ = np.histogram(spikes.times, edges)
    active = counts > 0
    starts = np.flatnonzero(active & ~np.r_[False, active[:-1]])
    ends = np.flatnonzero(active & ~np.r_[active[1:], False])
    return np.array([counts[a : b + 1].sum() for a, b in zip(starts, ends, strict=True)]), active


def test_demo_data_is_small_and_bursty():
    path = DATA / "demo_spikes.npz"
    assert path.stat().st_size < 300_000
    s = io.read(path)
    assert (s.n_neurons, s.t_start, s.t_stop) == (160, 0.0, 40.0)
    assert s.meta["generator"] == "data/make_demo_spikes.py" and s.meta["seed"] == 2024
    assert np.all(s.rates() > 0)  # every neuron takes part
    sizes, active = _avalanche_sizes(s, 0.005)
    # avalanche-like regime (data/README.md): mostly silent 5 ms bins, and bursts whose
    # sizes span two orders of magnitude (1 spike to > 100 spikes, i.e. most of the network)
    assert 1 - active.mean() > 0.5
    assert sizes.min() == 1 and sizes.max() > 100
    assert (sizes >= 100).sum() >= 20


@pytest.mark.slow
def test_generator_reproduces_the_shipped_data():
    spec = importlib.util.spec_from_file_location("make_demo", DATA / "make_demo_spikes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shipped = io.read(DATA / "demo_spikes.npz")
    short = mod.simulate(2.0, seed=shipped.meta["seed"])
    # the same seeded random stream: the first 2 s of the 40 s run are the same spikes
    head = shipped.select(t_stop=2.0)
    np.testing.assert_array_equal(short.times[short.times < 2.0], head.times)
    np.testing.assert_array_equal(short.senders[short.times < 2.0], head.senders)
