"""Learning from examples: supervised and unsupervised couplings against the replica theory."""

import math

import numpy as np
import pytest

from neurodam import patterns
from neurodam.memory import reference, retrieval_overlap


def test_retrieval_overlap_of_a_pattern_matrix():
    """A (K, N) matrix gives the K final overlaps (the old code silently used row 0)."""
    xi = patterns.rademacher(4, 200, seed=0)
    r = reference.run(xi, "hopfield", init=(2, 0.1), steps=5, seed=0)
    m = retrieval_overlap(r, xi)
    assert np.shape(m) == (4,)
    np.testing.assert_allclose(m, r.overlaps[-1], atol=1e-6)
    assert m[2] == 1.0
    with pytest.raises(ValueError, match="pattern"):
        retrieval_overlap(r, np.ones((2, 7)))


# ------------------------------------------------------------------ helpers
from neurodam.memory import MemoryParams, simulate  # noqa: E402
from neurodam.memory import theory as th  # noqa: E402
from neurodam.memory.learning import (  # noqa: E402
    coupling_norm,
    digits_examples,
    from_examples,
    mnist_examples,
    overlaps_with,
)


def _dataset(K, N, M, r, seed):
    xi = patterns.rademacher(K, N, seed=seed)
    return xi, patterns.noisy_examples(xi, M, r, seed=seed + 100)


def _retrieved(xi, eta, rule, F, r, steps=15):
    """Archetype overlaps of T = 0 synchronous runs started at each archetype."""
    K, M, N = eta.shape
    P = 2 if F == "hopfield" else int(F.split(":")[1])
    if rule == "supervised":
        pats = from_examples(eta, "supervised", P=P, r=r)
    else:
        pats = from_examples(eta.reshape(K * M, N), "unsupervised", P=P, r=r, M=M)
    runs = [simulate(pats, F, init=xi[mu], steps=steps, record=("overlaps", "states"))
            for mu in range(K)]  # fmt: skip
    return runs, np.array([retrieval_overlap(run, xi)[mu] for mu, run in enumerate(runs)])


# ------------------------------------------------------------------ known answers
@pytest.mark.parametrize("F", ["hopfield", "dense:3"])
@pytest.mark.parametrize("rule", ["supervised", "unsupervised"])
def test_t0_overlap_is_the_binomial_formula(F, rule):
    """Low load (K = 3, N = 20000), T = 0, M = 5 examples of quality r = 0.4: the network
    started at an archetype stops at sign(class average), whose archetype overlap is
    2 P(Binomial(M, (1+r)/2) > M/2) - 1 = 0.6738. Tolerance: 4 standard errors of the mean
    of 2 x 3 runs, each the mean of N iid +-1 sites (sd sqrt((1 - m^2)/N)); the crosstalk of
    the other classes, O(sqrt(K M / N)), is far below the smallest field |eta_bar| = 1/M."""
    K, N, M, r = 3, 20_000, 5, 0.4
    ms = []
    for seed in (0, 1):
        xi, eta = _dataset(K, N, M, r, seed)
        _, m = _retrieved(xi, eta, rule, F, r)
        ms.extend(m)
    theory = th.supervised_overlap(r, M)
    assert theory == pytest.approx(0.6738, abs=1e-4)
    assert abs(np.mean(ms) - theory) < 4 * math.sqrt((1 - theory**2) / N / len(ms))


def test_overlaps_with_archetypes_and_examples():
    """The retrieved state sign(eta_bar) overlaps every example of its class by E|2B - M|/M
    on average (E[chi^a sign(sum_b chi^b)] = E|sum_b chi^b| / M), the others by ~0; both
    from the recorded states (over time) and the final state. Tolerance: 4 standard errors
    (N M sites)."""
    K, N, M, r = 3, 20_000, 5, 0.4
    xi, eta = _dataset(K, N, M, r, 3)
    runs, m = _retrieved(xi, eta, "supervised", "hopfield", r)
    run = runs[1]
    ex = eta.reshape(K * M, N)
    over_t = overlaps_with(run, ex)
    assert over_t.shape == (run.n_steps, K * M)
    final = overlaps_with(run, ex, final=True)
    np.testing.assert_allclose(over_t[-1], final)
    np.testing.assert_allclose(overlaps_with(run, xi, final=True), retrieval_overlap(run, xi))
    p = (1 + r) / 2
    from scipy.stats import binom

    k = np.arange(M + 1)
    expected = float(binom.pmf(k, M, p) @ np.abs(2 * k - M)) / M
    assert abs(final[M : 2 * M].mean() - expected) < 4 / math.sqrt(N * M)
    others = np.r_[final[:M], final[2 * M :]]
    assert np.abs(others).max() < 5 / math.sqrt(N)


def test_large_m_tends_to_erf():
    """At fixed dataset entropy rho = 0.5 (r = 1/sqrt(1 + M rho)) the T = 0 overlap follows
    the finite-M binomial formula (4 standard errors, as above) and approaches
    erf(1/sqrt(2 rho)) = erf(1) = 0.8427 as M grows: measured |m - erf(1)| falls from
    0.014 (M = 5) to below 0.005 (M = 101; binomial value 0.8417)."""
    K, N, rho = 2, 20_000, 0.5
    gaps = []
    for M in (5, 21, 101):
        r = 1 / math.sqrt(1 + M * rho)
        assert th.dataset_entropy(r, M) == pytest.approx(rho)
        ms = []
        for seed in (0, 1):
            xi, eta = _dataset(K, N, M, r, seed)
            ms.extend(_retrieved(xi, eta, "supervised", "hopfield", r)[1])
        theory = th.supervised_overlap(r, M)
        assert abs(np.mean(ms) - theory) < 4 * math.sqrt((1 - theory**2) / N / len(ms))
        gaps.append(abs(np.mean(ms) - math.erf(1.0)))
    assert gaps[-1] < 0.005 < gaps[0]


def test_normalisations_share_the_t0_dynamics_and_scale_the_energy():
    """ "R", "mean" and "sum" scale the patterns by positive factors: same T = 0 trajectory,
    energies in the ratio lambda of the module table (supervised: M^P R^(P/2) for "sum")."""
    K, N, M, r = 3, 2000, 5, 0.3
    xi, eta = _dataset(K, N, M, r, 4)
    start = patterns.flip(xi[0], 0.3, seed=1)
    for rule, arr in (("supervised", eta), ("unsupervised", eta.reshape(K * M, N))):
        for F, P in (("hopfield", 2), ("dense:3", 3)):
            kw = {"P": P, "M": M}
            R, _ = coupling_norm(arr, rule, r=r, **kw)
            runs = {n: simulate(from_examples(arr, rule, normalisation=n, r=r, **kw), F,
                                init=start, steps=6, record=("overlaps", "states"))
                    for n in ("R", "mean", "sum")}  # fmt: skip
            for n in ("mean", "sum"):
                np.testing.assert_array_equal(runs[n].states, runs["R"].states)
            lam_sum = (M**P if rule == "supervised" else M) * R ** (P / 2)
            np.testing.assert_allclose(runs["sum"].energy, lam_sum * runs["R"].energy, rtol=1e-9)
            np.testing.assert_allclose(runs["mean"].energy, R ** (P / 2) * runs["R"].energy,
                                       rtol=1e-9)  # fmt: skip


def test_couplings_are_the_papers_formulas():
    """Pairwise: (1/N) Xi_hat^T Xi_hat = (1/(N R M^2)) sum_mu sum_ab eta^a eta^b^T
    (supervised) and (1/(N R M)) sum_mu,a eta^a eta^a^T (unsupervised). Dense P = 3: the
    energy of a state is -(1/(P N^(P-1) R^(P/2) M^P)) sum_mu (sum_a eta^a . sigma)^P and
    -(1/(P N^(P-1) R^(P/2) M)) sum_mu,a (eta^a . sigma)^P."""
    K, N, M, r = 2, 40, 3, 0.5
    xi, eta = _dataset(K, N, M, r, 5)
    R = r * r + (1 - r * r) / M
    e = eta.astype(float)
    sup = from_examples(eta, r=r)
    uns = from_examples(eta.reshape(K * M, N), "unsupervised", r=r, M=M)
    J_sup = sum(np.outer(e[mu].sum(0), e[mu].sum(0)) for mu in range(K)) / (N * R * M**2)
    J_uns = sum(np.outer(x, x) for x in e.reshape(K * M, N)) / (N * R * M)
    np.testing.assert_allclose(sup.T @ sup / N, J_sup, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(uns.T @ uns / N, J_uns, rtol=1e-12, atol=1e-15)
    s = patterns.rademacher(1, N, seed=9)[0].astype(float)
    F = MemoryParams(F="dense:3").interaction
    P = 3
    e_sup = -sum((e[mu].sum(0) @ s) ** P for mu in range(K)) / (P * N ** (P - 1) * R**1.5 * M**P)
    e_uns = -sum((x @ s) ** P for x in e.reshape(K * M, N)) / (P * N ** (P - 1) * R**1.5 * M)
    assert F.energy(s, from_examples(eta, P=P, r=r)) == pytest.approx(e_sup, rel=1e-12)
    uns3 = from_examples(eta.reshape(K * M, N), "unsupervised", P=P, r=r, M=M)
    assert F.energy(s, uns3) == pytest.approx(e_uns, rel=1e-12)
    # R measured on +-1 examples estimates r^2 + (1 - r^2)/M without bias
    big = patterns.noisy_examples(patterns.rademacher(4, 50_000, seed=1), M, r, seed=2)
    assert coupling_norm(big)[0] == pytest.approx(R, abs=4 * math.sqrt(2 / (4 * 50_000)))


# ------------------------------------------------------------------ Brian2 == reference
_ALL = ("spikes", "overlaps", "activity", "states")


def _learned(normalisation, M=5):
    K, N, r = 4, 60, 0.4
    xi, eta = _dataset(K, N, M, r, 6)
    sup = from_examples(eta, r=r, normalisation=normalisation)
    uns = from_examples(eta.reshape(K * M, N), "unsupervised", r=r, M=M,
                        normalisation=normalisation)  # fmt: skip
    return xi, sup, uns


def _assert_same(ref, run):
    np.testing.assert_array_equal(run.states, ref.states)
    np.testing.assert_array_equal(run.overlaps, ref.overlaps)
    np.testing.assert_allclose(run.energy, ref.energy, rtol=1e-12)
    np.testing.assert_array_equal(run.final_state, ref.final_state)


@pytest.mark.parametrize("F", ["hopfield", "dense:3"])
def test_brian2_numpy_device_equals_reference(F):
    """Deterministic synchronous runs of the learnt couplings: the Brian2 model (numpy code
    generation, both forms) follows the reference engine step for step. The couplings are
    exactly representable ("sum": integers; "mean" with M = 4: multiples of 1/4), so every
    engine computes the same fields and ties; the "R" normalisation has the same T = 0
    dynamics up to the rounding of exact ties (a field that is 0 in exact arithmetic)."""
    for normalisation, M in (("sum", 5), ("mean", 4)):
        xi, sup, uns = _learned(normalisation, M)
        for pats in (sup, uns):
            start = patterns.flip(xi[1], 0.35, seed=3)
            ref = simulate(pats, F, init=start, steps=10, seed=2, record=_ALL)
            assert np.any(ref.states[-1] != start)
            for form in ("matrix", "bipartite"):
                run = simulate(pats, F, init=start, steps=10, seed=2, record=_ALL,
                               backend="numpy", form=form)  # fmt: skip
                _assert_same(ref, run)


@pytest.mark.slow
def test_brian2_runtime_equals_reference():
    xi, sup, uns = _learned("sum")
    start = patterns.flip(xi[0], 0.35, seed=3)
    for pats in (sup, uns):
        ref = simulate(pats, "dense:3", init=start, steps=8, record=_ALL)
        _assert_same(ref, simulate(pats, "dense:3", init=start, steps=8, record=_ALL,
                                   backend="runtime"))  # fmt: skip


@pytest.mark.slow
@pytest.mark.standalone
def test_brian2_cpp_standalone_equals_reference():
    xi, sup, uns = _learned("mean", M=4)
    start = patterns.flip(xi[2], 0.35, seed=4)
    ref = simulate(sup, "hopfield", init=start, steps=8, record=_ALL)
    _assert_same(ref, simulate(sup, "hopfield", init=start, steps=8, record=_ALL,
                               backend="cpp_standalone"))  # fmt: skip


# ------------------------------------------------------------------ data
@pytest.mark.parametrize("F", ["hopfield", "dense:3"])
@pytest.mark.parametrize("rule", ["supervised", "unsupervised"])
def test_couplings_never_materialise_a_tensor(F, rule):
    """Building the couplings and running 5 steps at N = 2000, K = 5, M = 20 allocates
    O(N K M) memory: the traced peak stays below 8 copies of the examples in float64 (1.5
    MiB; measured at N = 3000: 1.1x supervised, 5.2x unsupervised: the patterns, their cast
    and the kernel's matrices), below half of one N x N float64 matrix, let alone N^3."""
    import tracemalloc

    N, K, M, r = 2000, 5, 20, 0.3
    xi, eta = _dataset(K, N, M, r, 0)
    P = 2 if F == "hopfield" else 3
    tracemalloc.start()
    try:
        ex = eta if rule == "supervised" else eta.reshape(K * M, N)
        pats = from_examples(ex, rule, P=P, r=r, M=M)
        simulate(pats, F, init=xi[0], steps=5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * (K * M * N * 8) < N * N * 8 / 2


def test_digit_and_mnist_examples_are_grouped_by_class():
    from neurodam.patterns import digits

    x = digits_examples(3)
    assert x.shape == (10, 3, 64) and x.dtype == np.int8
    all_x, labels = digits()
    for k in range(10):
        assert np.array_equal(x[k, 0], all_x[np.flatnonzero(labels == k)[0]])
    mn = mnist_examples(4, classes=[3, 7])
    assert mn.shape == (2, 4, 784) and set(np.unique(mn)) == {-1, 1}
    assert 0.05 < (mn > 0).mean() < 0.25  # ~13 % of binarised MNIST pixels are on
    with pytest.raises(FileNotFoundError, match="path"):
        mnist_examples(2, path="/nonexistent/mnist")
    with pytest.raises(ValueError, match="M"):
        digits_examples(500)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("call", "exc", "name"),
    [
        (lambda e: from_examples(e, r=1.5), ValueError, "r"),
        (lambda e: from_examples(e, r=-0.1), ValueError, "r"),
        (lambda e: from_examples(e[:, :0]), ValueError, "M"),
        (lambda e: from_examples(e, M=4), ValueError, "M"),
        (lambda e: from_examples(e, M=2.0), TypeError, "M"),
        (lambda e: from_examples(e.reshape(-1, 30)), ValueError, "examples"),
        (lambda e: from_examples(e.reshape(-1, 30), "unsupervised"), ValueError, "M"),
        (lambda e: from_examples(e.reshape(-1, 30), "unsupervised", M=4), ValueError, "M"),
        (lambda e: from_examples(e.reshape(-1, 30), "unsupervised", M=3), ValueError, "r"),
        (lambda e: from_examples(e, "hebbian"), ValueError, "rule"),
        (lambda e: from_examples(e, normalisation="r"), ValueError, "normalisation"),
        (lambda e: from_examples(e, P=1), ValueError, "P"),
        (lambda e: from_examples(e.astype(str)), TypeError, "examples"),
        (lambda e: from_examples(np.where(e > 0, np.nan, 1.0)), ValueError, "examples"),
    ],
)
def test_bad_input(call, exc, name):
    eta = patterns.noisy_examples(patterns.rademacher(2, 30, seed=0), 3, 0.5, seed=1)
    with pytest.raises(exc, match=name):
        call(eta)


def test_overlaps_with_bad_input():
    xi = patterns.rademacher(2, 30, seed=0)
    run = simulate(xi, "hopfield", steps=2, record=("overlaps",))
    with pytest.raises(ValueError, match="run"):
        overlaps_with(run, xi)  # no states recorded
    with pytest.raises(ValueError, match="patterns"):
        overlaps_with(run, np.ones((2, 31)), final=True)
    with pytest.raises(TypeError, match="run"):
        overlaps_with("run", xi)


# ------------------------------------------------------------------ model files
def test_supervised_digits_model():
    """models/supervised_digits.yaml: class averages of M = 20 digits, F = x^10; the
    20%-corrupted class average 3 is retrieved (the file's comment: 8 of 10 classes)."""
    from pathlib import Path

    from neurodam import config
    from neurodam.memory.config import make_patterns

    path = Path(__file__).resolve().parents[1] / "models" / "supervised_digits.yaml"
    model = config.load(path)
    cfg = model.config
    assert (cfg.patterns, cfg.examples, cfg.K, cfg.N, cfg.M) == ("examples", "digits", 10, 64, 20)
    xi = make_patterns(cfg)
    np.testing.assert_allclose(xi, from_examples(digits_examples(20), P=10))
    run = model.run()
    assert int(np.argmax(run.overlaps[-1])) == 3 and run.overlaps[-1, 3] > 0.95
    retrieved = [int(np.argmax(config.load(path, [f"init=[{k}, 0.2]"]).run().overlaps[-1])) == k
                 for k in range(10)]  # fmt: skip
    assert sum(retrieved) == 8


def test_example_keys_of_memory_model_files():
    from pathlib import Path

    from neurodam import config
    from neurodam.memory.config import make_patterns

    path = Path(__file__).resolve().parents[1] / "models" / "supervised_digits.yaml"
    noisy = ["examples=noisy", "r=0.4", "N=500", "K=3", "M=5", "F=hopfield", "init=0"]
    cfg = config.load(path, noisy).config
    xi = make_patterns(cfg)
    assert xi.shape == (3, 500)
    arch = patterns.rademacher(3, 500, seed=0)
    eta = patterns.noisy_examples(arch, 5, 0.4, seed=1)
    np.testing.assert_allclose(xi, from_examples(eta, r=0.4))
    uns = config.load(path, [*noisy, "rule=unsupervised"]).config
    assert make_patterns(uns).shape == (15, 500)
    for override, match in (
        (["r=0.3"], "r"),  # r only with noisy examples
        (["examples=noisy"], "r"),  # noisy needs r
        (["examples=noisy", "r=1.5", "N=100"], "r"),
        (["K=11"], "K"),
        (["N=100"], "N"),
        (["M=0"], "M"),
        (["rule=teacher"], "rule"),
        (["normalisation=max"], "normalisation"),
        (["examples=faces"], "examples"),
        (["patterns=rademacher"], "examples"),  # learning keys without examples
    ):
        with pytest.raises(ValueError, match=match):
            config.load(path, override)
