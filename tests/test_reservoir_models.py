"""The reservoir models: draws, connection rule, Brian2 runs against known answers."""

import numpy as np
import pytest

from neurodam import engine
from neurodam.reservoir import (
    ReservoirSession,
    current_injection,
    expected_connections,
    izhikevich_reservoir,
    lif_liquid,
    simulate,
    spike_input,
    spike_template,
)
from neurodam.reservoir.lif import CONNECTION_TYPES, ON_PRE, SYNAPSE
from neurodam.reservoir.reference import izhikevich_numpy, thalamic_noise


# ------------------------------------------------------------------ Izhikevich draws
def test_izhikevich_draws_are_the_papers_in_its_order():
    m = izhikevich_reservoir(800, 200, seed=5)
    rng = np.random.default_rng(5)  # net.m: re, ri, then the two blocks of S
    re, ri = rng.random(800), rng.random(200)
    w_e, w_i = rng.random((1000, 800)), rng.random((1000, 200))
    a = m.arrays
    np.testing.assert_array_equal(a["c"][:800], -65 + 15 * re**2)
    np.testing.assert_array_equal(a["d"][:800], 8 - 6 * re**2)
    np.testing.assert_array_equal(a["a"][800:], 0.02 + 0.08 * ri)
    np.testing.assert_array_equal(a["b"][800:], 0.25 - 0.05 * ri)
    np.testing.assert_array_equal(a["weights"], np.hstack([0.5 * w_e, -w_i]))
    assert np.all(a["a"][:800] == 0.02) and np.all(a["c"][800:] == -65)
    np.testing.assert_array_equal(a["u0"], a["b"] * -65.0)
    assert m.n_neurons == 1000 and m.dt == 1e-3


def test_izhikevich_same_seed_same_network_and_overrides():
    m1, m2 = izhikevich_reservoir(40, 10, seed=3), izhikevich_reservoir(40, 10, seed=3)
    np.testing.assert_array_equal(m1.arrays["weights"], m2.arrays["weights"])
    m3 = izhikevich_reservoir(40, 10, seed=3, w_exc=0.25, noise_exc=0.0)
    np.testing.assert_array_equal(m3.arrays["weights"][:, :40], m1.arrays["weights"][:, :40] / 2)
    assert np.all(m3.arrays["sigma"][:40] == 0) and np.all(m3.arrays["sigma"][40:] == 2)
    w = np.zeros((50, 50))
    m4 = izhikevich_reservoir(40, 10, seed=3, weights=w)
    np.testing.assert_array_equal(m4.arrays["weights"], w)
    np.testing.assert_array_equal(m4.arrays["c"], m1.arrays["c"])  # other draws unchanged


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"n_exc": 0}, ValueError, "n_exc"),
        ({"n_exc": 2.5}, TypeError, "n_exc"),
        ({"noise_exc": -1.0}, ValueError, "noise_exc"),
        ({"dt": -1e-3}, ValueError, "dt"),
        ({"coupling": "strong"}, TypeError, "coupling"),
        ({"bogus": 1}, ValueError, "bogus"),
        ({"weights": np.zeros((3, 3))}, ValueError, "weights"),
        ({"seed": -1}, ValueError, "seed"),
    ],
)
def test_izhikevich_bad_input_names_the_argument(kwargs, exc, name):
    with pytest.raises(exc, match=f"^{name}"):
        izhikevich_reservoir(**kwargs)


# ------------------------------------------------------------------ liquid draws
def _counts(m):
    return {t: m.arrays[f"{t}_i"].size for t, _, _ in CONNECTION_TYPES}


def test_liquid_expected_counts_equal_a_direct_sum_of_the_rule():
    m = lif_liquid((5, 3, 2), seed=1, lam=1.5)
    pos, ne, p = m.arrays["positions"], m.n_exc, m.params
    want = dict.fromkeys(("EE", "EI", "IE", "II"), 0.0)
    for a in range(m.n_neurons):  # an independent double loop over ordered pairs
        for b in range(m.n_neurons):
            if a != b:
                t = ("E" if a < ne else "I") + ("E" if b < ne else "I")
                dist2 = float(np.sum((pos[a] - pos[b]) ** 2))
                want[t] += p[f"C_{t}"] * np.exp(-dist2 / p["lam"] ** 2)
    got = expected_connections(m)
    for t in want:
        assert got[t][0] == pytest.approx(want[t], rel=1e-12)


def test_liquid_connection_counts_within_sampling_error_of_the_distance_rule():
    # pooled over 20 seeds the count of each type is a sum of independent Bernoulli draws:
    # |z| < 4 has a false-alarm probability of 6e-5 per type
    total = dict.fromkeys(("EE", "EI", "IE", "II"), 0)
    mean = dict.fromkeys(total, 0.0)
    var = dict.fromkeys(total, 0.0)
    for seed in range(20):
        m = lif_liquid(seed=seed)
        exp = expected_connections(m)
        for t, c in _counts(m).items():
            total[t] += c
            mean[t] += exp[t][0]
            var[t] += exp[t][1] ** 2
    for t in total:
        z = (total[t] - mean[t]) / np.sqrt(var[t])
        assert abs(z) < 4, (t, total[t], mean[t], z)


def test_liquid_layout_and_synapse_draws():
    m = lif_liquid(seed=0)
    assert (m.n_exc, m.n_inh) == (108, 27)
    pos = m.arrays["positions"]
    assert sorted(map(tuple, pos.tolist())) == sorted(
        (x, y, z) for x in range(15) for y in range(3) for z in range(3)
    )
    for t, pre, post in CONNECTION_TYPES:
        i, j = m.arrays[f"{t}_i"], m.arrays[f"{t}_j"]
        assert np.all((i < 108) == (pre == "E")) and np.all((j < 108) == (post == "E"))
        assert np.all(i != j)
        assert np.all((m.arrays[f"{t}_U"] > 0) & (m.arrays[f"{t}_U"] <= 1))
        assert np.all(m.arrays[f"{t}_D"] > 0) and np.all(m.arrays[f"{t}_F"] > 0)
        assert np.all(np.sign(m.arrays[f"{t}_A"]) == np.sign(m.params[f"A_{t}"]))
    a = np.abs(m.arrays["EE_A"])  # Gamma with CV 1: mean 30, SD of the mean 30/sqrt(n)
    assert abs(a.mean() - 30) < 4 * 30 / np.sqrt(a.size)
    assert np.all(m.arrays["v0"] >= 13.5) and np.all(m.arrays["v0"] <= 15)


def test_liquid_delay_spread_draws_one_uniform_delay_per_synapse_last():
    """delay_spread adds per-synapse delays U(delay, delay + spread) after every other draw."""
    paper = lif_liquid(seed=3)
    spread = lif_liquid(seed=3, delay_spread=0.1)
    assert not any(k.endswith("_delay") for k in paper.arrays)
    for k, v in paper.arrays.items():  # the rest of the seed's liquid is unchanged
        assert np.array_equal(spread.arrays[k], v)
    for t, _, _ in CONNECTION_TYPES:
        d, lo = spread.arrays[f"{t}_delay"], paper.params[f"delay_{t}"]
        assert d.shape == paper.arrays[f"{t}_i"].shape
        assert d.min() >= lo and d.max() <= lo + 0.1
        # uniform: mean lo + 0.05, SD 0.1 / sqrt(12); within 4 standard errors
        assert abs(d.mean() - (lo + 0.05)) < 4 * 0.1 / np.sqrt(12 * d.size)


@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"shape": (15, 3)}, TypeError, "shape"),
        ({"shape": (15, 0, 3)}, ValueError, "shape"),
        ({"frac_inh": 1.5}, ValueError, "frac_inh"),
        ({"tau_m": -0.03}, ValueError, "tau_m"),
        ({"lam": 0}, ValueError, "lam"),
        ({"U_EE": 1.5}, ValueError, "U_EE"),
        ({"v_reset": 20.0}, ValueError, "v_reset"),
        ({"C": 0.3}, ValueError, "C"),
        ({"delay_spread": -0.01}, ValueError, "delay_spread"),
    ],
)
def test_liquid_bad_input_names_the_argument(kwargs, exc, name):
    with pytest.raises(exc, match=f"^{name}"):
        lif_liquid(**kwargs)


# ------------------------------------------------------------------ Brian2 runs
def test_markram_synapse_equations_follow_the_recursion():
    """PSC jumps of one dynamic synapse driven at irregular times: A u_n R_n of Markram 1998."""
    import brian2 as b2

    times = np.array([0.01, 0.03, 0.04, 0.1, 0.102, 0.3])
    U, D, F = 0.3, 0.2, 0.5

    def build():
        src = b2.SpikeGeneratorGroup(1, np.zeros(times.size, int), times * b2.second)
        tgt = b2.NeuronGroup(1, "I_e : amp\ncoupling : 1 (shared, constant)")
        tgt.coupling = 1.0
        syn = b2.Synapses(src, tgt, SYNAPSE, on_pre=ON_PRE.format(current="I_e"))
        syn.connect()
        syn.A, syn.U, syn.tau_rec, syn.tau_fac = 1 * b2.nA, U, D * b2.second, F * b2.second
        syn.u_plus, syn.R_plus, syn.t_last = U, 1.0, -1e4 * b2.second
        mon = b2.StateMonitor(tgt, "I_e", record=0, name="mon")
        return b2.Network(src, tgt, syn, mon)

    run = engine.run_network(build, 0.35, lambda net: np.asarray(net["mon"].I_e_[0]), seed=1)
    trace = run.output / 1e-9
    jumps = np.diff(np.r_[0.0, trace])[np.round(times / 1e-4).astype(int) + 1]
    u, R, want = U, 1.0, []
    for n in range(times.size):
        if n:
            gap = times[n] - times[n - 1]
            u, R = U + u * (1 - U) * np.exp(-gap / F), 1 + (R - u * R - 1) * np.exp(-gap / D)
        want.append(u * R)
    np.testing.assert_allclose(jumps, want, rtol=1e-9)


def test_izhikevich_runtime_run_is_a_spiketrains_on_the_lattice():
    m = izhikevich_reservoir(80, 20, seed=1)
    r = simulate(m, 0.3, seed=4)
    st = r.spikes
    assert st.n_neurons == 100 and st.t_stop == pytest.approx(0.3) and len(st) > 0
    assert st.meta["dt"] == 1e-3 and st.meta["stamp"] == "start"
    assert (st.meta["n_exc"], st.meta["n_inh"]) == (80, 20)
    np.testing.assert_allclose(st.times / 1e-3, np.round(st.times / 1e-3), atol=1e-9)
    again = simulate(m, 0.3, seed=4)
    assert again.spikes == st  # same seed, same spikes
    other = simulate(m, 0.3, seed=5)
    assert other.spikes != st  # the thalamic noise comes from Brian2's seed


def test_izhikevich_brian_equals_the_numpy_program_fed_the_same_noise():
    """Known answer: net.m line for line. Identical spikes over the first 0.4 s (chaos
    separates them later, see reference.py); 100 neurons keep the test fast."""
    m = izhikevich_reservoir(80, 20, seed=2, noise_exc=0.0, noise_inh=0.0)
    noisy = izhikevich_reservoir(80, 20, seed=2)
    noise = thalamic_noise(noisy, 400, seed=7)
    ref = izhikevich_numpy(m, 0.4, noise=noise)
    inp = current_injection(noise, 1e-3, weights=np.eye(100))
    got = simulate(m, 0.4, inputs=inp, seed=1).spikes
    assert len(ref) > 50
    assert got == ref


def test_liquid_runtime_run_with_spike_input():
    m = lif_liquid((5, 3, 3), seed=1)
    t, c = spike_template(4, 0.2, 40.0, seed=2)
    r = simulate(m, 0.25, inputs=spike_input(t, c, 4, seed=3), seed=1)
    assert r.spikes.n_neurons == 45 and len(r.spikes) > 0
    assert r.spikes.meta["dt"] == 1e-4 and r.spikes.meta["n_exc"] == 36
    silent = simulate(m, 0.25, seed=1)  # I_b = 13.5 nA sits below threshold: no input, no spike
    assert len(silent.spikes) == 0


def test_simulate_bad_input_names_the_argument():
    m = izhikevich_reservoir(8, 2, seed=1)
    with pytest.raises(ValueError, match="^duration"):
        simulate(m, 0.0005)
    with pytest.raises(ValueError, match="^duration"):
        simulate(m, -1.0)
    with pytest.raises(TypeError, match="^model"):
        simulate("izhikevich", 1.0)
    with pytest.raises(TypeError, match="^inputs"):
        simulate(m, 0.01, inputs=[np.zeros(10)])
    with pytest.raises(ValueError, match="^backend"):
        simulate(m, 0.01, backend="gpu")
    with pytest.raises(ValueError, match="^weights"):
        simulate(m, 0.01, inputs=current_injection(np.zeros(5), 1e-3, weights=np.ones((3, 1))))


# ------------------------------------------------------------ standalone and GPU
@pytest.mark.standalone
def test_liquid_runtime_and_cpp_standalone_give_the_same_spikes():
    m = lif_liquid((5, 3, 3), seed=4)
    t, c = spike_template(4, 0.2, 40.0, seed=5)
    inp = spike_input(t, c, 4, seed=6)
    rt = simulate(m, 0.2, inputs=inp, seed=1)
    sa = simulate(m, 0.2, inputs=inp, seed=1, backend="cpp_standalone")
    assert len(rt.spikes) > 20
    assert sa.spikes == rt.spikes


@pytest.mark.standalone
def test_liquid_with_delay_spread_same_spikes_on_both_backends_and_reruns():
    m = lif_liquid((5, 3, 3), seed=3, delay_spread=0.02)
    same_delays = lif_liquid((5, 3, 3), seed=3, delay_spread=0.02, v_init_high=14.5)
    inp = current_injection(np.random.default_rng(0).uniform(0, 20, 30), 0.01, seed=1)
    rt = simulate(m, 0.3, inputs=inp, seed=1)
    with ReservoirSession(m, 0.3, inp, backend="cpp_standalone") as s:
        sa = s.run(seed=1)
        swapped = s.rerun(network=same_delays, seed=1)
        with pytest.raises(ValueError, match="^network: .*delays"):
            s.rerun(network=lif_liquid((5, 3, 3), seed=3, delay_spread=0.04), seed=1)
    assert len(rt.spikes) > 100 and swapped.timing["compile"] == 0
    assert sa.spikes == rt.spikes
    assert swapped.spikes == simulate(same_delays, 0.3, inputs=inp, seed=1).spikes
    assert swapped.spikes != rt.spikes


@pytest.mark.standalone
def test_standalone_reruns_new_network_and_coupling_without_recompiling():
    m = izhikevich_reservoir(80, 20, seed=1, noise_exc=0.0, noise_inh=0.0)
    other = izhikevich_reservoir(80, 20, seed=9, noise_exc=0.0, noise_inh=0.0)
    noise = thalamic_noise(izhikevich_reservoir(80, 20, seed=1), 300, seed=3)
    inp = current_injection(noise, 1e-3, weights=np.eye(100))
    with ReservoirSession(m, 0.3, inp, backend="cpp_standalone") as s:
        first = s.run(seed=1)
        swapped = s.rerun(network=other, seed=1)
        weak = s.rerun(params={"coupling": 0.0}, seed=1)
    assert first.timing["compile"] > 0 and swapped.timing["compile"] == 0
    assert swapped.spikes == izhikevich_numpy(other, 0.3, noise=noise)
    assert weak.spikes == izhikevich_numpy(
        izhikevich_reservoir(80, 20, seed=1, coupling=0.0), 0.3, noise=noise
    )
    assert first.spikes == izhikevich_numpy(m, 0.3, noise=noise)


@pytest.mark.gpu
@pytest.mark.skipif(not engine.gpu_available(), reason="needs a CUDA device and brian2cuda")
def test_liquid_runs_on_cuda_standalone():
    m = lif_liquid((5, 3, 3), seed=4)
    t, c = spike_template(4, 0.2, 40.0, seed=5)
    inp = spike_input(t, c, 4, seed=6)
    cpu = simulate(m, 0.2, inputs=inp, seed=1)
    gpu = simulate(m, 0.2, inputs=inp, seed=1, backend="cuda_standalone")
    assert gpu.spikes.n_neurons == 45
    # float summation order on the GPU may differ: compare spike counts within 5 %
    assert abs(len(gpu.spikes) - len(cpu.spikes)) <= 0.05 * len(cpu.spikes) + 2


def test_attach_a_readout_population_with_plastic_synapses():
    """The extension point of the three-factor readout: a readout group and synapses from the
    excitatory neurons, created inside the build and read after the run."""
    import brian2 as b2

    def attach(built):
        dt = built.model.dt * b2.second  # the reservoir's step
        readout = b2.NeuronGroup(
            1, "dy/dt = -y / (20*ms) : 1", method="exact", dt=dt, name="readout"
        )
        syn = b2.Synapses(built.exc, readout, "w : 1", on_pre="y_post += w; w += 0.001",
                          name="readout_syn")  # fmt: skip
        syn.connect()
        syn.w = 0.01
        mon = b2.StateMonitor(readout, "y", record=0, dt=dt, name="readout_y")
        return [readout, syn, mon]

    def collect(built):
        net = built.network
        return np.asarray(net["readout_y"].y[0]), np.asarray(net["readout_syn"].w[:])

    m = izhikevich_reservoir(40, 10, seed=1)
    r = simulate(m, 0.2, seed=2, attach=attach, collect=collect)
    y, w = r.extra
    n_exc_spikes = int(np.sum(r.spikes.senders < 40))
    assert y.shape == (200,) and y.max() > 0
    assert w.shape == (40,)
    # every excitatory spike raised its synapse's weight by 0.001 (the plastic rule ran)
    np.testing.assert_allclose(w.sum(), 40 * 0.01 + 0.001 * n_exc_spikes)


def test_runtime_rerun_with_new_inputs_equals_a_fresh_run():
    m = izhikevich_reservoir(40, 10, seed=3, noise_exc=1.0, noise_inh=0.5)
    from neurodam.reservoir import poisson_rate

    sig1, sig2 = np.linspace(0, 1, 20), np.linspace(1, 0, 20)
    rate1 = poisson_rate(sig1, 0.01, rate_range=(0, 80), value_range=(0, 1), seed=4)
    rate2 = poisson_rate(sig2, 0.01, rate_range=(0, 80), value_range=(0, 1), seed=4)
    cur1 = current_injection(sig1, 0.01, gain=3.0, seed=5)
    cur2 = current_injection(sig2, 0.01, gain=3.0, seed=5)
    with ReservoirSession(m, 0.2, [rate1, cur1]) as s:
        s.run(seed=1)
        again = s.rerun(inputs=[rate2, cur2], seed=1)
        with pytest.raises(ValueError, match="^inputs"):
            s.rerun(inputs=[rate2], seed=1)
    fresh = simulate(m, 0.2, [rate2, cur2], seed=1)
    assert len(fresh.spikes) > 0 and again.spikes == fresh.spikes
    # the rerun wrote sig2 into the compiled input, not into the first input's signal
    assert np.array_equal(cur1.signal[:, 0], sig1) and np.array_equal(cur2.signal[:, 0], sig2)
    assert not cur1.signal.flags.writeable
