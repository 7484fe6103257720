"""Replica batching: R runs of one memory as one (matrix-matrix products per step).

Reference engine: each replica draws from its own generator in the order of a single run,
so batched replicas equal single runs bit for bit, noise included (the fields are summed
by a GEMM instead of a GEMV; integer overlaps are exact and F=exp fields differ at most in
the last bits, inside the tie band: the rate of differing decisions is measured below).
Brian2: bit-identical without noise; with noise one rand() stream serves all replicas, so
batched and single runs are compared statistically.
"""

import os

import numpy as np
import pytest

from neurodam import patterns
from neurodam.memory import MemoryParams, MemorySession, reference, simulate
from neurodam.memory.replicas import (
    batch_key,
    check_replicas,
    group_replicas,
    iter_replicas,
    replica_draws,
    replica_params,
    simulate_replicas,
)
from neurodam.memory.session import ReplicaSession

ALL = ("spikes", "overlaps", "activity", "states")


def _mnist(K):
    """K binarised MNIST digits from the shipped subset (image k // 10 of class k % 10)."""
    from pathlib import Path

    z = np.load(Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz")
    bits = np.unpackbits(z["packed"], axis=1)[:, :784]
    by_class = [np.flatnonzero(z["labels"] == c) for c in range(10)]
    return np.where(bits[[by_class[k % 10][k // 10] for k in range(K)]] > 0, 1, -1)


def _identical(single, batched, energy_exact=True):
    np.testing.assert_array_equal(batched.states, single.states)
    np.testing.assert_array_equal(batched.overlaps, single.overlaps)
    if energy_exact:
        np.testing.assert_array_equal(batched.energy, single.energy)
    else:  # same overlaps, same formula; another summation of the K terms
        np.testing.assert_allclose(batched.energy, single.energy, rtol=1e-12, atol=1e-9)
    assert batched.spikes == single.spikes
    np.testing.assert_array_equal(batched.activity, single.activity)
    np.testing.assert_array_equal(batched.final_state, single.final_state)


def _same_params(single, batched):
    skip = {"timing", "batch", "init_state", "brian_seed"}
    a = {k: v for k, v in single.params.items() if k not in skip}
    b = {k: v for k, v in batched.params.items() if k not in skip}
    assert a == b
    np.testing.assert_array_equal(single.params["init_state"], batched.params["init_state"])
    assert dict(single.spikes.meta) == dict(batched.spikes.meta)


# ------------------------------------------------------------------ reference engine
@pytest.mark.parametrize(
    "F, mode, T, fire_on",
    [
        ("exp", "flip", None, "plus"),
        ("exp", "reset", None, "flip"),
        ("exp:0.5", "flip", 0.8, "plus"),
        ("hopfield", "flip", None, "flip"),
        ("hopfield", "reset", 0.8, "plus"),
        ("dense:3", "flip", None, "plus"),
    ],
)
def test_reference_replicas_equal_single_runs_bit_for_bit(F, mode, T, fire_on):
    """Noise 0 and noise > 0 in one batch; each replica is its single run, draw for draw."""
    xi = patterns.digits()[0][:20]
    Ps = replica_params(F, noises=[0.0, 0.05, 0.2, 0.3, 0.0], seeds=[1, 2, 3, 4, 5],
                        inits=[None, 0, (3, 0.2), None, 7], steps=120, record=ALL,
                        noise_mode=mode, temperature=T, fire_on=fire_on)  # fmt: skip
    runs = reference.run_replicas(xi, Ps)
    assert len(runs) == len(Ps)
    for r, (P, run) in enumerate(zip(Ps, runs, strict=True)):
        single = reference.run(xi, P)
        _identical(single, run)
        _same_params(single, run)
        assert run.params["batch"]["size"] == 5 and run.params["batch"]["index"] == r
    assert np.any(runs[0].states[-1] != runs[0].params["init_state"])  # non-trivial dynamics


@pytest.mark.parametrize("F", ["exp", "hopfield", "exp:0.3"])
def test_reference_replicas_diluted_and_real_valued_patterns(F):
    """Two kernel matrices (diluted: the even sums per neuron; real values: sinh/cosh or
    powers): decisions and overlaps as in the single runs."""
    for xi in (patterns.diluted(6, 50, 0.3, seed=1), 0.5 * patterns.rademacher(5, 61, seed=3)):
        Ps = replica_params(F, noises=[0.0, 0.1, 0.25], seeds=[1, 2, 3], steps=60, record=ALL)
        for P, run in zip(Ps, reference.run_replicas(xi, Ps), strict=True):
            single = reference.run(xi, P)
            np.testing.assert_array_equal(run.states, single.states)
            # real-valued overlaps: a GEMM and a GEMV may round differently (last bits)
            np.testing.assert_allclose(run.overlaps, single.overlaps, rtol=1e-6, atol=1e-6)


def test_reference_replicas_float32_equal_single_float32():
    xi = patterns.digits()[0][:20]
    Ps = replica_params("exp", noises=[0.0, 0.15, 0.3], seeds=[4, 5, 6], steps=100, record=ALL)
    runs = reference.run_replicas(xi, Ps, dtype="float32")
    for P, run in zip(Ps, runs, strict=True):
        _identical(reference.run(xi, P, dtype="float32"), run)
        assert run.params["dtype"] == "float32"


def test_reference_difference_rate_mnist():
    """The measured rate of GEMM-vs-GEMV differences: binarised MNIST (N=784, K=50),
    p from 0 to 0.35 (retrieval, switching, disorder), 12 replicas x 300 steps = 2.8e6
    neuron updates: no replica leaves its single run (a difference needs a field within a
    few ulps of the tie band's edge)."""
    xi = _mnist(50)
    noises = list(np.linspace(0.0, 0.35, 12))
    Ps = replica_params("exp", noises=noises, seeds=range(12), init=0, steps=300,
                        record=("overlaps", "activity", "states"))  # fmt: skip
    runs = reference.run_replicas(xi, Ps)
    differing = [r for r, (P, run) in enumerate(zip(Ps, runs, strict=True))
                 if not np.array_equal(reference.run(xi, P).states, run.states)]  # fmt: skip
    assert differing == []
    assert runs[0].Q_bar == 1.0 and runs[-1].Q_bar < 0.6  # the range of regimes


def test_reference_replicas_of_one_and_timing():
    xi = patterns.rademacher(4, 40, seed=0)
    (run,) = reference.run_replicas(xi, [MemoryParams(noise=0.1, seed=3, steps=20)])
    _identical(reference.run(xi, MemoryParams(noise=0.1, seed=3, steps=20)), run)
    assert run.params["batch"]["size"] == 1
    runs = reference.run_replicas(xi, "exp", noises=[0.1, 0.2], seeds=[1, 2], steps=20)
    t = runs[1].params
    assert t["timing"]["run"] == pytest.approx(t["batch"]["timing"]["run"] / 2)


def test_iter_replicas_chunks_in_order():
    xi = patterns.digits()[0][:10]
    Ps = replica_params("exp", noises=[0.05 * k for k in range(5)], seeds=range(5), steps=40,
                        record=ALL)  # fmt: skip
    got = list(iter_replicas(xi, Ps, max_replicas=2))
    assert [k for k, _ in got] == [0, 1, 2, 3, 4]
    assert [r.params["batch"]["size"] for _, r in got] == [2, 2, 2, 2, 1]
    for P, (_, run) in zip(Ps, got, strict=True):
        _identical(reference.run(xi, P), run)
    assert [r.Q_bar for r in simulate_replicas(xi, Ps, max_replicas=3)] == [r.Q_bar for _, r in got]


def test_group_replicas_and_batch_key():
    base = MemoryParams(F="exp", steps=50)
    ps = [base.replace(noise=0.1, seed=1), base.replace(steps=60), base.replace(noise=0.2),
          base.replace(schedule="async"), base.replace(schedule="async"),
          base.replace(init=3, seed=2), base.replace(F="hopfield")]  # fmt: skip
    assert group_replicas(ps) == [[0, 2, 5], [1], [3], [4], [6]]
    assert batch_key(ps[0]) == batch_key(ps[5]) != batch_key(ps[1])
    # the default form is part of the key on Brian2 backends
    cpp = base.replace(backend="cpp_standalone")
    assert batch_key(cpp) == batch_key(cpp.replace(form="matrix"))
    assert batch_key(cpp) != batch_key(cpp.replace(form="bipartite"))


def test_replica_draws_are_the_single_run_draws():
    from neurodam.memory.state import run_draws

    xi = patterns.digits()[0][:5]
    Ps = replica_params("exp", seeds=[3, 4], inits=[None, (1, 0.1)])
    S0, seed, seeds = replica_draws(xi, Ps)
    for r, P in enumerate(Ps):
        s0, brian_seed, _ = run_draws(xi, P)
        np.testing.assert_array_equal(S0[r], s0)
        assert seeds[r] == brian_seed
    assert replica_draws(xi, Ps)[1] == seed  # reproducible
    assert replica_draws(xi, Ps[::-1])[1] != seed


# ------------------------------------------------------------------------ Brian2
def test_brian2_replicas_noise0_identical_numpy_target():
    """One batch on the numpy target: deterministic replicas equal the reference (and so
    the single Brian2 runs, test_memory_brian); a shorter last chunk is padded."""
    cases = [("exp", patterns.digits()[0][:20], "plus"),
             ("dense:3", patterns.diluted(6, 50, 0.3, seed=1), "flip")]  # fmt: skip
    for F, xi, fire in cases:
        Ps = replica_params(F, noises=[0.0] * 3, seeds=[1, 2, 3], inits=[None, 0, (3, 0.2)],
                            steps=25, record=ALL, backend="numpy", fire_on=fire)  # fmt: skip
        runs = simulate_replicas(xi, Ps, max_replicas=2)
        for P, run in zip(Ps, runs, strict=True):
            ref = reference.run(xi, P.replace(backend="reference"))
            _identical(ref, run, energy_exact=False)
            assert run.params["backend"] == "numpy" and run.params["form"] == "matrix"
            assert dict(run.spikes.meta)["stamp"] == "end"
            assert dict(run.spikes.meta)["dt"] == P.dt
        assert runs[0].spikes.times.size > 5  # flips (fire_on="flip") are rarer than +1 states
        assert np.any(runs[0].states[-1] != runs[0].params["init_state"])  # the dynamics moved
        assert [r.params["batch"]["size"] for r in runs] == [2, 2, 2]


def _se_q(p, N, T):
    """Standard error of Q_bar when the pattern is restored every step and Binomial(N, p)
    neurons flip: Q = 1 - 2 flips / N, T independent steps."""
    return 2 * np.sqrt(p * (1 - p) / (N * T))


def test_brian2_replicas_have_their_own_noise_numpy_target():
    """Rademacher patterns at low p: every replica retrieves with Q_bar = 1 - 2 p_r (its
    own p) within 5 standard errors; a rerun with new noises, seeds and initial states
    equals a fresh session with them (same draws, no rebuild)."""
    N, K, T = 100, 3, 200
    xi = patterns.rademacher(K, N, seed=0)
    noises = [0.05, 0.15, 0.25]
    Ps = replica_params("exp", noises=noises, seeds=[1, 2, 3], init=0, steps=T,
                        backend="numpy", record=("overlaps", "activity"))  # fmt: skip
    with ReplicaSession(xi, Ps) as session:
        runs = session.run()
        net = session.network
        again = session.run(noises=noises[::-1], seeds=[7, 8, 9], inits=[1, 2, 0])
        assert session.network is net
    for p, run in zip(noises, runs, strict=True):
        assert abs(run.Q_bar - (1 - 2 * p)) < 5 * _se_q(p, N, T)
    for p, run in zip(noises[::-1], again, strict=True):
        assert abs(run.Q_bar - (1 - 2 * p)) < 5 * _se_q(p, N, T)
    Ps2 = replica_params("exp", noises=noises[::-1], seeds=[7, 8, 9], inits=[1, 2, 0], steps=T,
                         backend="numpy", record=("overlaps", "activity"))  # fmt: skip
    fresh = simulate_replicas(xi, Ps2)
    for a, b in zip(again, fresh, strict=True):
        np.testing.assert_array_equal(a.overlaps, b.overlaps)
        np.testing.assert_array_equal(a.activity, b.activity)
    assert again[0].params["batch"]["brian_seed"] == fresh[0].params["batch"]["brian_seed"]


def test_brian2_padding_with_generator_seeds():
    """A shorter last chunk is padded with its last replica; a Generator seed is not
    shared by the padding (it would be refused as two replicas sharing one Generator)."""
    xi = patterns.rademacher(3, 20, seed=1)
    Ps = replica_params("exp", noises=[0.1] * 3, seeds=[np.random.default_rng(k) for k in range(3)],
                        steps=3, backend="numpy")  # fmt: skip
    runs = simulate_replicas(xi, Ps, max_replicas=2)
    assert [r.params["batch"]["index"] for r in runs] == [0, 1, 0]
    assert [r.params["batch"]["size"] for r in runs] == [2, 2, 2]


# slow: the first runtime run compiles the Cython code objects (minutes on a cold cache)
@pytest.mark.slow
def test_brian2_replicas_noise0_identical_cython_runtime():
    xi = patterns.digits()[0][:20]
    Ps = replica_params("exp", noises=[0.0] * 3, seeds=[1, 2, 3], inits=[None, 0, (3, 0.2)],
                        steps=25, record=ALL, backend="runtime", fire_on="flip")  # fmt: skip
    for P, run in zip(Ps, simulate_replicas(xi, Ps), strict=True):
        _identical(reference.run(xi, P.replace(backend="reference")), run, energy_exact=False)


def _switch_intervals(run):
    """Intervals (steps) between changes of the retrieved memory argmax_mu m_mu."""
    arg = run.overlaps.argmax(axis=1)
    return np.diff(np.flatnonzero(np.diff(arg) != 0))


@pytest.mark.standalone
def test_cpp_standalone_replicas_identical_then_statistics(tmp_path):
    """One compiled program of R=8 replicas (8x8 digits, N=64, K=10, F=exp):

    * run 1: noise 0 in four replicas, bit-identical to the reference engine;
    * run 2 (rerun, binary not rebuilt): all replicas at p=0.15 with new seeds, against
      8 reruns of one compiled single-run program with the same noise and other seeds.
      Independent replicas give independent samples, so per-replica Q_bar, activity mean
      and variance and switch rates are compared with Welch / Mann-Whitney tests and the
      pooled inter-switch intervals with a two-sample Kolmogorov-Smirnov test, each at
      significance 0.001 (a correct implementation fails one of the 5 tests with
      probability < 0.5 %).
    """
    from scipy import stats

    xi = patterns.digits()[0][:10]
    R, T, p = 8, 20000, 0.15
    Ps = replica_params("exp", noises=[0.0, 0.0, 0.1, 0.0, 0.2, 0.0, 0.3, 0.1], seeds=range(R),
                        inits=[None, 0, 3, (4, 0.2)] * 2, steps=T, backend="cpp_standalone",
                        record=("overlaps", "activity"))  # fmt: skip
    with ReplicaSession(xi, Ps, build_dir=tmp_path / "b") as session:
        first = session.run()
        binary = tmp_path / "b" / "main"
        mtime = os.path.getmtime(binary)
        batched = session.run(noises=[p] * R, seeds=range(100, 100 + R))
        assert os.path.getmtime(binary) == mtime
        assert batched[0].params["timing"]["compile"] == 0.0
    for P, run in zip(Ps, first, strict=True):
        if P.noise == 0:
            ref = reference.run(xi, P.replace(backend="reference", record=ALL))
            np.testing.assert_array_equal(run.overlaps, ref.overlaps)
            np.testing.assert_array_equal(run.activity, ref.activity)
            np.testing.assert_array_equal(run.final_state, ref.final_state)
    single_P = Ps[0].replace(noise=p, init=None)
    with MemorySession(xi, single_P) as session:
        singles = [session.run(seed=200 + k, init=Ps[k].init) for k in range(R)]
    alpha = 1e-3

    def per_replica(f):
        return np.array([f(r) for r in batched]), np.array([f(r) for r in singles])

    for f in (lambda r: r.Q_bar, lambda r: r.activity.mean(), lambda r: r.activity.var()):
        a, b = per_replica(f)
        assert stats.ttest_ind(a, b, equal_var=False).pvalue > alpha
    rates_b, rates_s = per_replica(lambda r: _switch_intervals(r).size / T)
    assert rates_b.min() > 0.001 and rates_s.min() > 0.001  # a switching regime
    assert stats.mannwhitneyu(rates_b, rates_s).pvalue > alpha
    iv_b = np.concatenate([_switch_intervals(r) for r in batched])
    iv_s = np.concatenate([_switch_intervals(r) for r in singles])
    assert stats.ks_2samp(iv_b, iv_s).pvalue > alpha


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "params, match, exc",
    [
        ([], "at least one replica", ValueError),
        ([MemoryParams(steps=5), MemoryParams(steps=6)], "differs from replica 0 in steps",
         ValueError),
        ([MemoryParams(), MemoryParams(F="hopfield")], "in F", ValueError),
        ([MemoryParams(schedule="async")] * 2, "schedule", ValueError),
        ([MemoryParams(), "exp"], "item 1", TypeError),
        (MemoryParams(), "sequence of MemoryParams", TypeError),
    ],
)  # fmt: skip
def test_check_replicas_bad_input(params, match, exc):
    with pytest.raises(exc, match=match):
        check_replicas(params)


def test_bad_input_at_every_entry_point():
    xi = patterns.rademacher(3, 20, seed=1)
    gen = np.random.default_rng(0)
    with pytest.raises(ValueError, match="seed: two replicas share"):
        check_replicas([MemoryParams(seed=gen), MemoryParams(seed=gen)])
    with pytest.raises(ValueError, match="noises"):
        replica_params("exp", noises=[0.1, 0.2], seeds=[1])
    with pytest.raises(TypeError, match="noises"):
        replica_params("exp", noises=0.1)
    with pytest.raises(TypeError, match="noises"):
        replica_params([MemoryParams()], noises=[0.1])
    with pytest.raises(ValueError, match="noise"):
        replica_params("exp", noises=[0.1, 0.7])
    with pytest.raises(ValueError, match="schedule"):
        reference.run_replicas(xi, "exp", seeds=[1, 2], schedule="async")
    with pytest.raises(ValueError, match="at least one"):
        reference.run_replicas(xi, [])
    with pytest.raises(ValueError, match="max_replicas"):
        simulate_replicas(xi, "exp", seeds=[1, 2], max_replicas=0)
    with pytest.raises(ValueError, match="form"):
        simulate_replicas(xi, "exp", seeds=[1, 2], backend="numpy", form="bipartite")
    with pytest.raises(ValueError, match="form"):
        ReplicaSession(xi, "exp", seeds=[1, 2], backend="cuda_standalone")
    with pytest.raises(ValueError, match="init"):
        reference.run_replicas(xi, "exp", seeds=[1, 2], init=5)
    with pytest.raises(TypeError, match="params"):
        group_replicas(MemoryParams())
    with ReplicaSession(xi, "exp", seeds=[1, 2], steps=3, backend="numpy") as session:
        session.run()
        with pytest.raises(ValueError, match="seeds: expected 2 values"):
            session.run(seeds=[1, 2, 3])
        with pytest.raises(ValueError, match="runs 2 replicas, got 3"):
            session.run(replica_params("exp", seeds=[1, 2, 3], steps=3, backend="numpy"))
        with pytest.raises(ValueError, match="steps"):
            session.run(steps=4)
        net = session.network
        with pytest.raises(ValueError, match="noise"):
            net.run_args(noise=[0.1])
        with pytest.raises(ValueError, match="noise"):
            net.run_args(noise=[0.1, 0.9])
        with pytest.raises(ValueError, match="init"):
            net.run_args(init=np.ones((3, 20)))
        with pytest.raises(ValueError, match="order"):
            net.run_args(order=np.arange(20))
    with pytest.raises(RuntimeError, match="context manager"):
        ReplicaSession(xi, "exp", seeds=[1, 2], backend="numpy").run()


def test_simulate_still_runs_single_networks():
    """The single-run network is unchanged by the replica code (shared noise p)."""
    xi = patterns.rademacher(3, 30, seed=1)
    run = simulate(xi, "exp", noise=0.1, steps=5, seed=1, backend="numpy")
    assert "batch" not in run.params
