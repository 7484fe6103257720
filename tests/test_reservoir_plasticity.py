"""The online three-factor readout: Brian2 against its numpy recursion, known answers, bad input."""

import numpy as np
import pytest

from neurodam import SpikeTrains
from neurodam.reservoir import ReservoirSession, izhikevich_reservoir
from neurodam.reservoir.plasticity import run_three_factor, three_factor_readout
from neurodam.reservoir.reference import three_factor_reference


def _spec(steps, n_in, *, dt=2e-3, **kwargs):
    """Two outputs, a target sampled every 2 ms (two reservoir steps), a gate closed at times."""
    rng = np.random.default_rng(0)
    rows = steps // 2
    t = np.arange(rows) * dt
    target = np.c_[np.sin(2 * np.pi * 5 * t), 0.5 * np.cos(2 * np.pi * 3 * t)]
    gate = ((t % 0.1) < 0.06).astype(float)
    opts = dict(eta=0.02, tau=0.02, tau_e=0.01, w0=0.01 * rng.standard_normal((2, n_in)))
    opts.update(kwargs)
    return three_factor_readout(target, gate, dt, **opts)


def _poisson(n, duration, rate, seed, dt=1e-3):
    """Spikes on the 1 ms lattice, stamped at the start of their step."""
    rng = np.random.default_rng(seed)
    steps = round(duration / dt)
    k, i = np.nonzero(rng.random((steps, n)) < rate * dt)
    return SpikeTrains(k * dt, i, n, 0.0, duration, meta={"dt": dt, "stamp": "start"})


# ------------------------------------------------------------------ known answers
def test_brian_run_equals_the_numpy_recursion_fed_the_same_spikes():
    """Known answer: the Brian2 synapses and run_regularly operations implement exactly the
    recursion of the module docstring (order within a step, one-step delay, eligibility,
    gate, target rows every 2 steps, a subset of neurons, recorded weights); a runtime
    rerun with a new target, gate, rate and initial weights too."""
    m = izhikevich_reservoir(40, 10, seed=1, noise_exc=8.0, noise_inh=4.0)  # ~10 Hz
    ids = np.arange(0, 50, 2)
    ro = _spec(400, ids.size, neurons=ids, record_weights=0.1)
    rng = np.random.default_rng(5)
    new = {
        "target": rng.standard_normal((200, 2)),
        "gate": rng.random(200),
        "eta": 0.005,
        "w0": 0.1 * rng.standard_normal((2, 25)),
    }
    with ReservoirSession(m, 0.4, attach=ro.attach, collect=ro.collect) as s:
        run = s.run(seed=3)
        again = s.rerun(run_args=ro.run_args(s.built, **new), seed=4)
    got, ref = run.extra, three_factor_reference(run.spikes, ro)
    assert len(run.spikes) > 100 and np.abs(ref.weights - ro.initial_weights(25)).max() > 0.05
    # the sums are added in another order (and -ffast-math): rounding only
    np.testing.assert_allclose(got.weights, ref.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.y, ref.y, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.times, np.arange(400) * 1e-3, atol=1e-12)
    assert got.weight_history.shape == (4, 2, 25)
    np.testing.assert_allclose(got.weight_history, ref.weight_history, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.weight_history[0], ro.initial_weights(25))
    ro2 = three_factor_readout(new["target"], new["gate"], 2e-3, eta=0.005, tau=0.02,
                               tau_e=0.01, w0=new["w0"], neurons=ids)  # fmt: skip
    ref2 = three_factor_reference(again.spikes, ro2)
    assert again.spikes != run.spikes
    np.testing.assert_allclose(again.extra.weights, ref2.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(again.extra.y, ref2.y, rtol=0, atol=1e-12)


def test_rule_is_the_delta_rule_and_finds_a_realisable_linear_map():
    """Known answer: with tau_e = None and an open gate the rule is LMS on the traces; a
    target that is exactly W* x_{k-1} is learned (W -> W*)."""
    st = _poisson(6, 40.0, 20.0, seed=1)
    w_star = np.array([[0.5, -1.0, 0.2, 0.0, 1.5, -0.3]])
    traces = _traces(st, 0.05)
    target = traces @ w_star.T
    ro = three_factor_readout(target, np.ones(40000), 1e-3, eta=0.02, tau=0.05)
    out = three_factor_reference(st, ro)
    # trace covariance 0.5 I + 1 1^T (20 Hz, 50 ms): its smallest eigenvalue 0.5 decays the
    # error by (1 - 0.02 * 0.5) per step, e^-400 over 40000 steps: exact to rounding
    np.testing.assert_allclose(out.weights, w_star, atol=1e-9)
    np.testing.assert_allclose(out.y[-1000:], target[-1000:], atol=1e-9)


def _traces(st, tau, dt=1e-3):
    """x_{k-1}: the traces the readout sees at step k, by the plain recursion."""
    steps = round(st.duration / dt)
    k = np.round(st.times / dt).astype(int)
    spikes = np.zeros((steps, st.n_neurons))
    np.add.at(spikes, (k, st.senders), 1.0)
    out = np.zeros((steps, st.n_neurons))
    x = np.zeros(st.n_neurons)
    for s in range(steps):
        out[s] = x
        x = x * np.exp(-dt / tau) + spikes[s]
    return out


def test_closed_gate_or_zero_rate_leave_the_weights():
    st = _poisson(5, 1.0, 30.0, seed=2)
    w0 = np.arange(10.0).reshape(2, 5)
    closed = three_factor_readout(np.ones((1000, 2)), np.zeros(1000), 1e-3, eta=0.1, w0=w0)
    frozen = three_factor_readout(np.ones((1000, 2)), np.ones(1000), 1e-3, eta=0.0, w0=w0)
    for ro in (closed, frozen):
        np.testing.assert_array_equal(three_factor_reference(st, ro).weights, w0)
    per_output = three_factor_readout(np.ones((1000, 2)), np.c_[np.ones(1000), np.zeros(1000)],
                                      1e-3, eta=0.01, w0=w0)  # fmt: skip
    w = three_factor_reference(st, per_output).weights
    assert np.any(w[0] != w0[0]) and np.all(w[1] == w0[1])


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("kwargs", "exc", "name"),
    [
        ({"eta": -0.1}, ValueError, "eta"),
        ({"eta": "fast"}, TypeError, "eta"),
        ({"tau": -0.03}, ValueError, "tau"),
        ({"tau": 0.0}, ValueError, "tau"),
        ({"tau_e": -0.01}, ValueError, "tau_e"),
        ({"gate": np.ones(99)}, ValueError, "gate"),
        ({"gate": np.ones((100, 3))}, ValueError, "gate"),
        ({"target": np.ones((0, 2))}, ValueError, "target"),
        ({"target": np.array([np.nan] * 100)}, ValueError, "target"),
        ({"w0": np.ones((3, 4))}, ValueError, "w0"),
        ({"neurons": [1, 1]}, ValueError, "neurons"),
        ({"neurons": [-1]}, ValueError, "neurons"),
        ({"dt": 0.0}, ValueError, "dt"),
        ({"name": "two words"}, ValueError, "name"),
        ({"record_weights": -1.0}, ValueError, "record_weights"),
    ],
)
def test_bad_input_names_the_argument(kwargs, exc, name):
    args = {"target": np.ones((100, 2)), "gate": np.ones(100), "dt": 1e-3, "eta": 0.01}
    args.update(kwargs)
    with pytest.raises(exc, match=f"^{name}"):
        three_factor_readout(args.pop("target"), args.pop("gate"), args.pop("dt"), **args)


def test_bad_input_against_the_model_and_the_run():
    m = izhikevich_reservoir(8, 2, seed=1)
    with pytest.raises(ValueError, match="^dt"):  # 1.5 ms is no whole number of 1 ms steps
        three_factor_readout(np.ones(10), np.ones(10), 1.5e-3, eta=0.1).check(m)
    with pytest.raises(ValueError, match="^neurons"):
        three_factor_readout(np.ones(10), np.ones(10), 1e-3, eta=0.1, neurons=[10]).check(m)
    with pytest.raises(ValueError, match="^w0"):
        three_factor_readout(np.ones(10), np.ones(10), 1e-3, eta=0.1, w0=np.ones((1, 3))).check(m)
    ro = three_factor_readout(np.ones(10), np.ones(10), 1e-3, eta=0.1)
    with pytest.raises(ValueError, match="^duration"):  # the target covers 10 ms only
        run_three_factor(m, ro, duration=0.02)
    with pytest.raises(TypeError, match="^readout"):
        run_three_factor(m, "three factor")
    with pytest.raises(TypeError, match="^spikes"):
        three_factor_reference(np.zeros(3), ro)


# ------------------------------------------------------------------ standalone
@pytest.mark.standalone
def test_cpp_standalone_reruns_new_targets_gates_rates_and_weights_without_recompiling():
    m = izhikevich_reservoir(40, 10, seed=2, noise_exc=8.0, noise_inh=4.0)
    ro = _spec(300, 50)
    with ReservoirSession(m, 0.3, backend="cpp_standalone", attach=ro.attach,
                          collect=ro.collect) as s:  # fmt: skip
        first = s.run(seed=1)
        rng = np.random.default_rng(5)
        new = dict(target=rng.standard_normal((150, 2)), gate=rng.random(150), eta=0.005,
                   w0=0.1 * rng.standard_normal((2, 50)))  # fmt: skip
        again = s.rerun(run_args=ro.run_args(s.built, **new), seed=2)
        with pytest.raises(ValueError, match="^target"):
            ro.run_args(s.built, target=np.ones((10, 2)))
    assert first.timing["compile"] > 0 and again.timing["compile"] == 0
    ref = three_factor_reference(first.spikes, ro)
    np.testing.assert_allclose(first.extra.weights, ref.weights, rtol=0, atol=1e-12)
    ro2 = three_factor_readout(new["target"], new["gate"], 2e-3, eta=0.005, tau=0.02,
                               tau_e=0.01, w0=new["w0"])  # fmt: skip
    ref2 = three_factor_reference(again.spikes, ro2)
    np.testing.assert_allclose(again.extra.weights, ref2.weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(again.extra.y, ref2.y, rtol=0, atol=1e-12)
