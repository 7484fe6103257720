"""from_brian: SpikeMonitor -> SpikeTrains on the runtime and cpp_standalone devices."""

import numpy as np
import pytest

from neurodam import engine, io

# LIF dv/dt = (I - v)/tau from v=0, threshold 1, reset 0: the first spike at
# tau ln(I / (I - 1)), then periodic; I <= 1 never fires (silent neuron).
TAU_MS = 10.0
DRIVE = np.array([1.5, 1.2, 0.5, 2.0])


def _expected_counts(T_ms):
    isi = TAU_MS * np.log(DRIVE / (DRIVE - 1), where=DRIVE > 1, out=np.full(DRIVE.size, np.inf))
    return np.floor(T_ms / isi).astype(int), isi


def _run(name, T_ms=100.0):
    import brian2 as b2

    with engine.backend(name) as be:
        G = b2.NeuronGroup(
            DRIVE.size,
            "dv/dt = (I - v) / (10*ms) : 1\nI : 1 (constant)",
            threshold="v > 1",
            reset="v = 0",
            method="exact",
        )
        G.I = DRIVE
        M = b2.SpikeMonitor(G)
        net = b2.Network(G, M)
        if be.standalone:
            with pytest.raises(ValueError, match="spike_monitor.*build"):
                io.from_brian(M)  # arrays are not there before the build
        net.run(T_ms * b2.ms)
        be.build()
        spikes = io.from_brian(M)
        raw_t, raw_i = np.array(M.t_), np.array(M.i[:])
    return spikes, raw_t, raw_i


def _check(spikes, raw_t, raw_i, T_ms=100.0):
    counts, isi = _expected_counts(T_ms)
    assert spikes.n_neurons == 4  # len(monitor.source), the silent neuron 2 included
    assert spikes.t_start == 0.0
    assert spikes.t_stop == pytest.approx(T_ms / 1e3, abs=1e-12)  # the clock's time after run
    np.testing.assert_array_equal(np.bincount(spikes.senders, minlength=4), counts)
    np.testing.assert_array_equal(spikes.times, raw_t)  # already sorted by Brian2
    np.testing.assert_array_equal(spikes.senders, raw_i)
    # spike times are the analytic ones, up to one time step (0.1 ms) of discretisation
    first = [spikes.per_neuron()[k][0] for k in (0, 1, 3)]
    np.testing.assert_allclose(first, isi[[0, 1, 3]] / 1e3, atol=1e-4 + 1e-12)
    assert spikes.meta["source"] == "brian2" and spikes.meta["dt"] == pytest.approx(1e-4)


def test_from_brian_runtime():
    _check(*_run("runtime"))


@pytest.mark.standalone
def test_from_brian_cpp_standalone_matches_runtime():
    standalone = _run("cpp_standalone")
    _check(*standalone)
    runtime = _run("runtime")[0]
    assert standalone[0] == runtime


def test_from_brian_overrides_and_bad_input():
    import brian2 as b2

    with engine.backend("numpy"):
        G = b2.NeuronGroup(3, "v : 1", threshold="v > 1", reset="v = 0")
        M = b2.SpikeMonitor(G)
        b2.Network(G, M).run(1 * b2.ms)
        s = io.from_brian(M, t_stop=2.0, n_neurons=10)
    assert (len(s), s.n_neurons, s.t_stop) == (0, 10, 2.0)
    with pytest.raises(TypeError, match="spike_monitor"):
        io.from_brian(np.zeros(3))


def test_from_brian_on_a_subgroup_uses_its_own_ids():
    import brian2 as b2

    with engine.backend("numpy"):
        G = b2.NeuronGroup(20, "v : 1", threshold="i >= 10", reset="")  # 10..19 fire each step
        M = b2.SpikeMonitor(G[10:15])
        b2.Network(G, M).run(0.3 * b2.ms)
        s = io.from_brian(M)
    assert s.n_neurons == 5  # len(monitor.source) of the subgroup
    np.testing.assert_array_equal(np.bincount(s.senders), [3, 3, 3, 3, 3])  # 3 steps of 0.1 ms
    assert s.t_stop == pytest.approx(3e-4, abs=1e-12)
