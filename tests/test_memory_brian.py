"""The Brian2 associative memory against the numpy reference engine.

Deterministic synchronous dynamics (noise=0, no temperature) must give IDENTICAL
trajectories (states, overlaps, energies, spikes) to ``reference.run`` from the same
initial state: polynomial fields are exact integers in float64 and the exponential fields
use the same tie band, so no tolerance is needed. Noisy dynamics use Brian2's ``rand()``
and are compared statistically (mean overlap and activity within sampling error).
"""

import os

import numpy as np
import pytest

from neurodam import engine, patterns
from neurodam.memory import reference
from neurodam.memory.brian import build_memory_network
from neurodam.memory.interactions import parse_interaction
from neurodam.memory.simulate import simulate

ALL = ("spikes", "overlaps", "activity", "states")


def _digits(K=20):
    return patterns.digits()[0][:K]


def _assert_identical(ref, run):
    np.testing.assert_array_equal(run.states, ref.states)
    np.testing.assert_array_equal(run.overlaps, ref.overlaps)
    # energies: same overlaps, same formula; rounding of the row sums only
    np.testing.assert_allclose(run.energy, ref.energy, rtol=1e-12, atol=1e-9)
    assert run.spikes == ref.spikes
    np.testing.assert_array_equal(run.activity, ref.activity)
    np.testing.assert_array_equal(run.final_state, ref.final_state)


@pytest.mark.parametrize("form", ["matrix", "bipartite"])
@pytest.mark.parametrize("F", ["hopfield", "dense:3", "exp", "exp:0.5"])
def test_sync_deterministic_identical_to_reference_numpy(F, form):
    xi = _digits()
    ref = simulate(xi, F, steps=25, seed=4, record=ALL)
    run = simulate(xi, F, steps=25, seed=4, record=ALL, backend="numpy", form=form)
    assert ref.spikes.times.size > 100  # a non-trivial trajectory
    assert np.any(ref.states[0] != ref.params["init_state"])  # the dynamics moved
    _assert_identical(ref, run)


# slow: the first run compiles the Cython code objects (minutes on a cold cache)
@pytest.mark.slow
@pytest.mark.parametrize("form", ["matrix", "bipartite"])
def test_sync_identical_on_cython_runtime(form):
    xi = _digits()
    ref = simulate(xi, "exp", steps=25, seed=7, record=ALL, fire_on="flip")
    run = simulate(xi, "exp", steps=25, seed=7, record=ALL, fire_on="flip", backend="runtime",
                   form=form)  # fmt: skip
    _assert_identical(ref, run)


@pytest.mark.parametrize("F", ["hopfield", "exp"])
def test_diluted_patterns_identical(F):
    xi = patterns.diluted(6, 50, 0.3, seed=2)
    assert np.any(xi == 0)
    ref = simulate(xi, F, steps=15, seed=1, record=ALL)
    for form in ("matrix", "bipartite"):
        run = simulate(xi, F, steps=15, seed=1, record=ALL, backend="numpy", form=form)
        _assert_identical(ref, run)


@pytest.mark.parametrize("F", ["hopfield", "dense:3"])
def test_async_sweeps_follow_the_stored_order(F):
    """Asynchronous sweeps = single-neuron updates in the order the network stored."""
    xi = patterns.rademacher(4, 24, seed=3)
    inter = parse_interaction(F)
    s0 = patterns.flip(xi[0], 0.4, seed=5).astype(float)
    steps = 3
    with engine.backend("numpy"):
        net = build_memory_network(xi, F, schedule="async", steps=steps, init=s0, seed=9,
                                   record=("overlaps", "states"))  # fmt: skip
        net.run()
        states = np.asarray(net.monitors["states"].s[:]).T[1:]
    # independent sequential implementation with the exact fields of interactions.py
    s = s0.copy()
    expected = []
    for k in range(steps * 24):
        i = net.order[k]
        h = inter.local_fields(s, xi)[i]
        if h != 0:
            s[i] = np.sign(h)
        if (k + 1) % 24 == 0:
            expected.append(s.copy())
    np.testing.assert_array_equal(states, np.array(expected))
    assert sorted(net.order[:24]) == list(range(24))  # a permutation per sweep


def _se_mean(x):
    """Standard error of a time average, with a batch-means estimate of autocorrelation."""
    x = np.asarray(x, float)
    b = x[: x.size // 20 * 20].reshape(20, -1).mean(axis=1)
    return b.std(ddof=1) / np.sqrt(20)


@pytest.mark.parametrize("noise_mode", ["flip", "reset"])
def test_sedam_noise_statistics_match_reference_and_theory(noise_mode):
    """Rademacher patterns, small p: the pattern is restored every step and the noise
    then flips Binomial(N, p_eff) neurons, so Q_bar = 1 - 2 p_eff (p_eff = p for flips,
    p/2 for resets) with SE 2 sqrt(p_eff (1 - p_eff) / (N T))."""
    N, K, p, T = 200, 5, 0.1, 400
    xi = patterns.rademacher(K, N, seed=0)
    kw = dict(noise=p, steps=T, init=0, noise_mode=noise_mode)
    ref = simulate(xi, "exp", seed=1, **kw)
    run = simulate(xi, "exp", seed=2, backend="numpy", **kw)
    p_eff = p if noise_mode == "flip" else p / 2
    se = 2 * np.sqrt(p_eff * (1 - p_eff) / (N * T))
    for r in (ref, run):
        assert abs(r.Q_bar - (1 - 2 * p_eff)) < 5 * se
    assert abs(run.Q_bar - ref.Q_bar) < 5 * np.sqrt(2) * se
    # activity: number of +1 neurons; same mean within 5 combined standard errors
    se_a = np.hypot(_se_mean(ref.activity), _se_mean(run.activity))
    assert abs(run.activity.mean() - ref.activity.mean()) < 5 * se_a


def test_glauber_hopfield_mean_field_overlap():
    """Hopfield at low load, T=0.5: m solves m = tanh(m / T) (m = 0.9575), both engines."""
    N, K, T, steps = 400, 2, 0.5, 300
    xi = patterns.rademacher(K, N, seed=3)
    m_theory = 1.0
    for _ in range(200):
        m_theory = np.tanh(m_theory / T)
    ref = simulate(xi, "hopfield", temperature=T, steps=steps, init=0, seed=1)
    run = simulate(xi, "hopfield", temperature=T, steps=steps, init=0, seed=2, backend="numpy")
    for r in (ref, run):
        m = r.overlaps[20:, 0]
        # finite N: fluctuations O(1/sqrt(N)) around m*, plus the O(K/N) crosstalk
        assert abs(m.mean() - m_theory) < 5 * _se_mean(m) + 0.01
    assert abs(run.overlaps[20:, 0].mean() - ref.overlaps[20:, 0].mean()) < 0.02


def test_glauber_exp_statistics_match_reference():
    xi = patterns.rademacher(3, 60, seed=4)
    kw = dict(temperature=0.8, steps=300, init=0)
    ref = simulate(xi, "exp:0.05", seed=1, **kw)
    run = simulate(xi, "exp:0.05", seed=2, backend="numpy", **kw)
    se = np.hypot(_se_mean(ref.Q), _se_mean(run.Q))
    assert 0.2 < ref.Q_bar < 0.99  # a genuinely stochastic regime
    assert abs(run.Q_bar - ref.Q_bar) < 5 * se + 0.01


def test_monitors_and_run_args():
    xi = patterns.rademacher(3, 30, seed=1)
    with engine.backend("numpy"):
        net = build_memory_network(
            xi, "hopfield", noise=0.1, steps=5, record=ALL, seed=0, form="bipartite"
        )
        assert set(net.monitors) == {"spikes", "overlaps", "activity", "states"}
        assert net.up is not None and net.down is not None
        assert len(net.up) == 90 and len(net.down) == 90
        args = {k.name: v for k, v in net.run_args(noise=0.2, init=xi[1]).items()}
        assert args["p"] == 0.2
        np.testing.assert_array_equal(args["a"], xi @ xi[1])
        np.testing.assert_array_equal(args["sigma"], xi[1])
        with pytest.raises(ValueError, match="noise"):
            net.run_args(noise=0.8)
        with pytest.raises(ValueError, match="temperature"):
            net.run_args(temperature=1.0)
        with pytest.raises(ValueError, match="init"):
            net.run_args(init=np.ones(7))
        with pytest.raises(ValueError, match="F"):
            net.run_args(F="dense:3")
        with pytest.raises(ValueError, match="order"):
            net.run_args(order=np.arange(30))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(noise=0.6), "noise"),
        (dict(noise=-0.1), "noise"),
        (dict(temperature=-1.0), "temperature"),
        (dict(schedule="parallel"), "schedule"),
        (dict(F="cubic"), "F"),
        (dict(form="dense"), "form"),
        (dict(record=("voltage",)), "record"),
        (dict(noise_mode="salt"), "noise_mode"),
        (dict(fire_on="down"), "fire_on"),
        (dict(init=np.ones(5)), "init"),
        (dict(steps=0), "steps"),
        (dict(F="exp", temperature=1.0, xi=patterns.diluted(3, 20, 0.3, seed=0)), "temperature"),
    ],
)
def test_bad_input(kwargs, match):
    args = dict(F="hopfield", noise=0.0, steps=5)
    args.update(kwargs)
    xi = args.pop("xi", patterns.rademacher(3, 20, seed=1))
    with engine.backend("numpy"), pytest.raises(ValueError, match=match):
        build_memory_network(xi, **args)


def test_bad_patterns():
    with engine.backend("numpy"):
        with pytest.raises(ValueError, match="patterns"):
            build_memory_network(np.zeros((0, 10)), "hopfield")
        with pytest.raises(ValueError, match="patterns"):
            build_memory_network(np.full((2, 10), np.nan), "hopfield")


def test_exp_large_overlaps_no_overflow():
    """lam * N = 2000 >> 709: a naive exp overflows; the shifted fields stay finite."""
    xi = patterns.rademacher(30, 400, seed=2)
    ref = simulate(xi, "exp:5", steps=5, init=(0, 0.2), seed=1, record=ALL)
    run = simulate(xi, "exp:5", steps=5, init=(0, 0.2), seed=1, record=ALL, backend="numpy",
                   form="matrix")  # fmt: skip
    assert np.all(np.isfinite(run.energy))
    assert run.overlaps[-1, 0] == 1.0
    _assert_identical(ref, run)


# ------------------------------------------------------------------ standalone
@pytest.mark.standalone
def test_cpp_standalone_identical_then_rerun_with_new_noise(tmp_path):
    """One compilation: deterministic run identical to the reference, then reruns with a
    new noise level and a new initial state through run_args (binary not rebuilt)."""
    import brian2 as b2

    N, K, T, p = 100, 10, 300, 0.1
    xi = patterns.rademacher(K, N, seed=0)
    s0 = patterns.flip(xi[0], 0.3, seed=1)
    ref = simulate(xi, "exp", steps=T, init=s0, record=ALL)
    with engine.backend("cpp_standalone", build_dir=tmp_path / "b") as be:
        net = build_memory_network(xi, "exp", steps=T, init=s0, record=ALL, form="matrix")
        b2.seed(5)
        net.run()
        be.build()
        det = net.collect()
        binary = tmp_path / "b" / "main"
        mtime = os.path.getmtime(binary)
        be.rerun(run_args=net.run_args(noise=p))
        noisy = net.collect()
        be.rerun(run_args=net.run_args(noise=0.0, init=xi[3]))
        back = net.collect()
        assert os.path.getmtime(binary) == mtime
    np.testing.assert_array_equal(det.states, ref.states)
    np.testing.assert_array_equal(det.overlaps, ref.overlaps)
    assert det.spikes == ref.spikes
    se = 2 * np.sqrt(p * (1 - p) / (N * T))
    assert abs(noisy.Q_bar - (1 - 2 * p)) < 5 * se
    np.testing.assert_array_equal(back.overlaps[:, 3], np.ones(T, np.float32))


@pytest.mark.standalone
def test_cpp_standalone_bipartite_identical():
    xi = _digits(10)
    ref = simulate(xi, "dense:3", steps=20, seed=3, record=ALL)
    run = simulate(xi, "dense:3", steps=20, seed=3, record=ALL, backend="cpp_standalone",
                   form="bipartite")  # fmt: skip
    _assert_identical(ref, run)
    assert run.params["timing"]["compile"] > 0


@pytest.mark.gpu
def test_cuda_standalone_identical():
    if not engine.gpu_available():
        pytest.skip("no CUDA device / brian2cuda")
    xi = _digits(10)
    ref = simulate(xi, "exp", steps=20, seed=3, record=ALL)
    run = simulate(xi, "exp", steps=20, seed=3, record=ALL, backend="cuda_standalone",
                   form="bipartite")  # fmt: skip
    _assert_identical(ref, run)


def test_reference_is_the_oracle_here():
    """Guard: the reference used above is the numpy engine, not a Brian2 run."""
    r = reference.run(_digits(5), "hopfield", steps=2, seed=0)
    assert r.params["backend"] == "reference"


def test_every_clock_ticks_once_per_step():
    # A monitor on a clock with dt = steps*dt ends within Brian2's epsilon (1e-4 dt) of the
    # run's end, and when it wins the tie for the next clock the whole run stops one step
    # early (seen: 19999 of 20000 steps recorded in about 1 run of 4). Synchronous networks
    # must therefore run every object on the step clock.
    xi = patterns.rademacher(3, 30, seed=1)
    with engine.backend("numpy"):
        net = build_memory_network(xi, "exp", noise=0.1, steps=20000, record=ALL, seed=0)
        dts = {float(obj.clock.dt_) for obj in net.network.objects}
    assert dts == {1e-3}


# ------------------------------------------------ diluted and real-valued patterns
@pytest.mark.parametrize("F", ["exp", "hopfield"])
def test_neuron_outside_every_pattern_keeps_its_state_on_brian2(F):
    """A neuron with no entry in any pattern has no field and keeps its state (F=exp used
    to set it to +1); both forms, identical to the reference engine."""
    xi = patterns.diluted(5, 40, 0.3, seed=3)
    xi[:, 3] = 0
    init = patterns.rademacher(1, 40, seed=4)[0]
    init[3] = -1
    ref = simulate(xi, F, init=init, steps=5, seed=1, record=ALL)
    np.testing.assert_array_equal(ref.states[:, 3], -1)
    for form in ("matrix", "bipartite"):
        run = simulate(xi, F, init=init, steps=5, seed=1, record=ALL, backend="numpy", form=form)
        _assert_identical(ref, run)


def _example_averages(K=6, N=48, M=4, seed=0):
    """Archetypes' averages over M=4 noisy examples: values in {0, +-1/2, +-1} (dyadic, so
    every sum is exact in float64 and float32 and every engine computes the same numbers)."""
    arch = patterns.rademacher(K, N, seed=seed)
    return patterns.noisy_examples(arch, M, 0.3, seed=seed + 1).mean(axis=1)


@pytest.mark.parametrize("F", ["hopfield", "dense:3", "dense:4"])
@pytest.mark.parametrize("form", ["matrix", "bipartite"])
def test_real_valued_patterns_identical_to_reference(F, form):
    """Couplings from examples (real-valued patterns): the Brian2 model (n powers of Xi for
    x^n) runs the same deterministic trajectory as the reference engine."""
    xi = _example_averages()
    assert set(np.unique(np.abs(xi))) == {0.0, 0.5, 1.0}
    ref = simulate(xi, F, init=(0, 0.35), steps=12, seed=2, record=ALL)
    assert np.any(ref.states[0] != ref.params["init_state"])
    run = simulate(xi, F, init=(0, 0.35), steps=12, seed=2, record=ALL, backend="numpy",
                   form=form)  # fmt: skip
    _assert_identical(ref, run)


def test_real_valued_patterns_exp_identical_to_reference():
    xi = _example_averages(seed=5)
    ref = simulate(xi, "exp:0.5", init=(1, 0.3), steps=10, seed=3, record=ALL)
    run = simulate(xi, "exp:0.5", init=(1, 0.3), steps=10, seed=3, record=ALL, backend="numpy")
    _assert_identical(ref, run)


def test_a_registered_interaction_runs_on_brian2():
    """An interaction defined by F and its Brian2 expression alone (the generic kernel):
    the Brian2 model follows the reference engine step for step."""
    from neurodam.memory.interactions import (
        Interaction,
        register_interaction,
        registered_interactions,
    )

    class Relu3(Interaction):
        name = "relu3b"
        exact_integer = True

        def F(self, x):
            return np.maximum(np.asarray(x, dtype=float), 0.0) ** 3

        def brian_F(self, x):
            return f"clip({x}, 0, inf)**3"

    if "relu3b" not in registered_interactions():
        register_interaction("relu3b", lambda arg: Relu3())
    xi = _digits(8)
    ref = simulate(xi, "relu3b", steps=10, seed=6, record=ALL)
    assert np.any(ref.states[0] != ref.params["init_state"])
    for form in ("matrix", "bipartite"):
        _assert_identical(ref, simulate(xi, "relu3b", steps=10, seed=6, record=ALL,
                                        backend="numpy", form=form))  # fmt: skip
