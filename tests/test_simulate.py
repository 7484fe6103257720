"""simulate(): one entry point for the reference engine and the Brian2 devices."""

import numpy as np
import pytest

from neurodam import patterns
from neurodam.memory import simulate
from neurodam.memory.results import MemoryRun

ALL = ("spikes", "overlaps", "activity", "states")


@pytest.mark.parametrize("backend", ["reference", "numpy"])
def test_hopfield_low_load_retrieves_corrupted_cue(backend):
    """K/N = 0.05 is far below alpha_c = 0.138 (Amit et al. 1985): a cue with 20% of its
    bits flipped converges to the stored pattern (overlap 1 at N=400)."""
    xi = patterns.rademacher(20, 400, seed=0)
    r = simulate(xi, "hopfield", steps=10, init=(3, 0.2), seed=1, backend=backend)
    assert isinstance(r, MemoryRun)
    assert r.overlaps.shape == (10, 20)
    assert r.overlaps[-1, 3] == 1.0
    assert r.params["backend"] == backend
    assert r.params["init_pattern"] == 3


def test_exponential_stores_more_patterns_than_neurons_brian2():
    """Exponential DAM, N=40, K=2^(N/4)=1024 >> N (Demircigil et al. 2017): alpha = ln K / N
    = 0.17 < ln2/2, and a cue with 10% flipped bits is corrected (one-step radius bound:
    I(1 - 2 rho)/2 = 0.18 > alpha at rho = 0.1)."""
    xi = patterns.rademacher(1024, 40, seed=2)
    r = simulate(xi, "exp", steps=3, init=(7, 0.1), seed=3, backend="numpy", form="matrix")
    assert r.overlaps[0, 7] == 1.0  # corrected in one step
    assert np.all(np.isfinite(r.energy))


def test_same_init_on_every_backend_for_the_same_seed():
    xi = patterns.rademacher(5, 60, seed=1)
    a = simulate(xi, "hopfield", steps=3, seed=11)
    b = simulate(xi, "hopfield", steps=3, seed=11, backend="numpy")
    np.testing.assert_array_equal(a.params["init_state"], b.params["init_state"])
    c = simulate(xi, "hopfield", steps=3, seed=12, backend="numpy")
    assert not np.array_equal(b.params["init_state"], c.params["init_state"])


def test_same_seed_same_noisy_result_on_brian2():
    xi = patterns.rademacher(5, 60, seed=1)
    kw = dict(noise=0.2, steps=30, init=0, backend="numpy", record=ALL)
    a = simulate(xi, "exp", seed=4, **kw)
    b = simulate(xi, "exp", seed=4, **kw)
    c = simulate(xi, "exp", seed=5, **kw)
    np.testing.assert_array_equal(a.states, b.states)
    assert not np.array_equal(a.states, c.states)


def test_brian2_runtime_leaves_numpy_global_random_stream_alone():
    # brian2.seed() reseeds numpy's legacy global generator; simulate restores it, so the
    # caller's np.random draws after a run are those it would have got without the run
    xi = patterns.rademacher(2, 20, seed=0)
    legacy = np.random.RandomState(123)  # reference for the expected draw
    expected = legacy.random_sample(3)
    np.random.seed(123)  # noqa: NPY002 (the global stream is what is tested)
    simulate(xi, "hopfield", noise=0.1, steps=5, seed=1, backend="numpy")
    np.testing.assert_array_equal(np.random.random_sample(3), expected)  # noqa: NPY002


def test_record_and_run_layout():
    """Spikes lie on the step grid t*dt, t=1..T; counts equal the +1 neurons per step."""
    xi = patterns.rademacher(4, 50, seed=2)
    r = simulate(xi, "exp", noise=0.1, steps=12, seed=3, backend="numpy", record=ALL, dt=2e-3)
    assert r.states.shape == (12, 50)
    np.testing.assert_allclose(r.spikes.times / 2e-3, np.rint(r.spikes.times / 2e-3))
    assert r.spikes.times.min() >= 2e-3 and r.spikes.t_stop == pytest.approx(12 * 2e-3)
    np.testing.assert_array_equal(r.activity, (r.states > 0).sum(axis=1))
    np.testing.assert_array_equal(r.final_state, r.states[-1])
    assert set(r.params["timing"]) == {"codegen", "compile", "run", "collect"}
    assert r.spikes.meta["dt"] == 2e-3 and r.spikes.meta["stamp"] == "end"
    only = simulate(xi, "exp", steps=12, seed=3, backend="numpy", record=("overlaps",))
    assert len(only.spikes) == 0 and only.states is None
    np.testing.assert_array_equal(only.activity.size, 12)


def test_async_brian2_reaches_the_reference_fixed_point():
    """Deterministic asynchronous sweeps from a mildly corrupted cue end at the pattern on
    both engines (their random orders differ, their fixed point does not)."""
    xi = patterns.rademacher(3, 40, seed=5)
    for backend in ("reference", "numpy"):
        r = simulate(xi, "dense:3", schedule="async", steps=3, init=(1, 0.15), seed=2,
                     backend=backend)  # fmt: skip
        assert r.overlaps[-1, 1] == 1.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(backend="gpu_magic"), "backend"),
        (dict(backend="cython"), "runtime"),  # the old alias: the message names the backend
        (dict(backend="numpy", steps=0), "steps"),
        (dict(backend="numpy", init=np.ones(3)), "init"),
        (dict(backend="numpy", noise=0.7), "noise"),
        (dict(backend="numpy", F="dense:1"), "F"),
        (dict(backend="numpy", schedule="random"), "schedule"),
        (dict(backend="numpy", temperature=-2), "temperature"),
        (dict(backend="cpp_standalone", threads=2, form="matrix"), "threads"),
        (dict(record="voltages"), "record"),
    ],
)
def test_bad_input(kwargs, match):
    xi = patterns.rademacher(3, 20, seed=1)
    args = dict(F="hopfield", steps=3)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        simulate(xi, **args)


@pytest.mark.parametrize(
    "kwargs, match",
    [(dict(steps=2.5), "steps"), (dict(noise="0.1"), "noise"), (dict(voltage=1), "voltage")],
)
def test_wrong_kind_of_argument_is_a_type_error(kwargs, match):
    xi = patterns.rademacher(3, 20, seed=1)
    with pytest.raises(TypeError, match=match):
        simulate(xi, "hopfield", **kwargs)


def test_default_interaction_is_exp_everywhere():
    """One default F (the exponential memory) for simulate, reference.run, iterate and
    MemoryParams."""
    import inspect

    from neurodam.memory import DEFAULT_F, MemoryParams, reference

    xi = patterns.rademacher(4, 30, seed=0)
    assert DEFAULT_F == "exp"
    assert MemoryParams().F.name == "exp:1"
    assert simulate(xi, steps=2, seed=0).params["F"] == "exp:1"
    assert reference.run(xi, steps=2, seed=0).params["F"] == "exp:1"
    assert inspect.signature(reference.iterate).parameters["F"].default == "exp"


def test_bad_patterns_on_brian2_backend():
    with pytest.raises(ValueError, match="patterns"):
        simulate(np.full((2, 10), np.inf), "hopfield", backend="numpy")
    with pytest.raises(ValueError, match="patterns"):
        simulate(np.zeros((0, 10)), "hopfield", backend="numpy")
