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
    assert spikes.meta["stamp"] == "start"  # a plain Brian2 monitor stamps a step's start


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
    with pytest.raises(ValueError, match="stamp"):
        io.from_brian(M, stamp="middle")
    with pytest.raises(ValueError, match="dt"):
        io.from_brian(M, dt=0.0)
    with pytest.raises(TypeError, match="t_min"):
        io.from_brian(M, t_min="0")


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


class _Monitor:
    """Duck-typed SpikeMonitor: the attributes from_brian reads."""

    def __init__(self, t, i, n, dt, t_now):
        self.t_ = np.asarray(t, dtype=float)
        self.i = np.asarray(i)
        self.source = list(range(n))
        self.name = "fake_spikemon"

        class _Clock:
            dt_ = dt
            t_ = np.array([t_now])

        self.clock = _Clock()


def test_from_brian_snaps_to_the_step_lattice_and_drops_early_samples():
    """Times that are k*dt up to the clock's rounding (0.3 is not 3*0.1 in floating point)
    are snapped to the lattice value k*dt, the one the models and the event functions use;
    t_min drops the samples before it (here the t = 0 sample of a model's initial state)."""
    dt = 0.1
    t = [0.0, 0.0, 0.1, 0.30000000000000004 - 2e-17, 0.3, 0.7000000000000001]
    mon = _Monitor(t, [0, 1, 1, 0, 1, 1], 2, dt, 0.8)
    s = io.from_brian(mon, t_min=dt, stamp="end", meta={"model": "x"})
    np.testing.assert_array_equal(s.times, np.array([1, 3, 3, 7]) * dt)
    np.testing.assert_array_equal(s.senders, [1, 0, 1, 1])
    assert (s.meta["dt"], s.meta["stamp"], s.meta["model"]) == (dt, "end", "x")
    assert s.t_stop == 0.8 and s.n_neurons == 2
    raw = io.from_brian(mon, snap=False)
    np.testing.assert_array_equal(raw.times, np.sort(np.asarray(t)))
    assert len(raw) == 6 and raw.meta["stamp"] == "start"
    # the lattice step may differ from the monitor clock's (a clock of dt/N sub-steps)
    sub = io.from_brian(_Monitor([0.2, 0.6000000000000001], [0, 0], 1, 0.01, 1.0), dt=0.2)
    np.testing.assert_array_equal(sub.times, [0.2, 3 * 0.2])
    assert sub.meta["dt"] == 0.2
