"""Modern (continuous) Hopfield networks, their Brian2 model, and the linear-attention view."""

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

from neurodam import config, patterns
from neurodam.memory import modern, simulate
from neurodam.memory.attention import (
    attention_capacity,
    bit_error,
    linear_capacity,
    linear_recall,
    outer_product_memory,
    softmax_recall,
)
from neurodam.memory.modern_brian import passes, run_modern

MODELS = Path(__file__).resolve().parents[1] / "models"


def _gaussian(K, N, seed=0, scale=1.0):
    return scale * np.random.default_rng(seed).normal(size=(K, N))


# ------------------------------------------------------------------ numpy reference
def test_lse_and_softmax_are_stable():
    z = np.array([1000.0, 999.0, -1e6])
    assert modern.lse(1.0, z) == pytest.approx(1000 + math.log(1 + math.exp(-1)), rel=1e-15)
    np.testing.assert_allclose(modern.softmax(1.0, z).sum(), 1.0)
    Z = np.random.default_rng(1).normal(size=(7, 4)) * 50
    for beta in (0.01, 1.0, 30.0):
        val = modern.lse(beta, Z)
        assert np.all(val >= Z.max(axis=0)) and np.all(val <= Z.max(axis=0) + math.log(7) / beta)


@pytest.mark.parametrize("beta", [0.01, 0.3, 3.0, 30.0])
def test_energy_never_increases(beta):
    """The update is the concave-convex procedure of E (Ramsauer et al. 2021, Theorem 1):
    E(xi_{t+1}) <= E(xi_t) along every trajectory (rounding: 1e-12 of |E|), and
    0 <= E <= 2 M^2 once xi is in the convex hull of the patterns (after one update)."""
    X = _gaussian(30, 40, seed=2)
    M2 = float((X * X).sum(axis=1).max())
    rng = np.random.default_rng(3)
    for _ in range(10):
        run = modern.retrieve(X, 3 * rng.normal(size=40), beta, steps=12)
        assert np.all(np.diff(run.energy) <= 1e-12 * np.abs(run.energy[:-1]))
        assert np.all(run.energy[1:] >= -1e-9) and np.all(run.energy[1:] <= 2 * M2)


def test_small_beta_returns_the_mean_pattern():
    """beta -> 0: the softmax weights lie within a factor exp(beta (max z - min z)) of 1/K,
    so ||update - mean|| <= (exp(beta span z) - 1) M; the error falls linearly with beta."""
    X = _gaussian(12, 20, seed=4)
    M = float(np.sqrt((X * X).sum(axis=1).max()))
    xi = np.random.default_rng(5).normal(size=20)
    z = X @ xi
    errs = []
    for beta in (1e-1, 1e-3, 1e-5, 1e-7):
        err = float(np.linalg.norm(modern.update(X, xi, beta) - X.mean(axis=0)))
        assert err <= math.expm1(beta * np.ptp(z)) * M
        errs.append(err)
    assert errs[-1] < 1e-5 and all(e1 < e0 / 50 for e0, e1 in zip(errs[:-1], errs[1:], strict=True))


def test_one_step_retrieval_below_the_bound():
    """Well separated patterns (K = 200 Gaussian patterns in N = 128, separation > 30 with
    M ~ 13): a query within 0.5 of x_i is retrieved in one update with an error below
    2 (K - 1) M exp(-beta (Delta_i - 2 M ||xi - x_i||)) (Ramsauer et al. 2021, Theorem 5),
    which is exponentially small (< 1e-3 here); a second update changes nothing."""
    X = _gaussian(200, 128, seed=6)
    beta = 2.0
    rng = np.random.default_rng(7)
    worst = 0.0
    for i in range(0, 200, 7):
        noise = rng.normal(size=128)
        q = X[i] + 0.5 * noise / np.linalg.norm(noise)
        bound = modern.retrieval_bound(X, i, q, beta)
        run = modern.retrieve(X, q, beta, steps=2)
        err = float(np.linalg.norm(run.states[1] - X[i]))
        assert err <= bound < 1e-3
        assert np.linalg.norm(run.states[2] - run.states[1]) <= bound
        assert run.retrieved == i and run.metastable_size() == 1
        worst = max(worst, err / bound)
    assert worst < 1


def test_metastable_averages_over_clusters():
    """Three clusters of 5 patterns (centres with N(0, 9) entries, |c| ~ 16; members 0.05
    per entry around them): at beta = 0.1 (beta times the spread of x . xi within a cluster
    well below 1, between clusters above 20) the fixed point from a query near cluster 0 is
    the cluster's average within (exp(beta span_C z) - 1) max_C ||x - mean_C|| +
    (1 - q) max_out ||x - mean_C|| (q the cluster's softmax weight), closer to it than to any
    single pattern: a metastable state carried by the 5 patterns of the cluster. At beta =
    50 the same query retrieves one pattern."""
    rng = np.random.default_rng(8)
    N = 30
    centres = 3 * rng.normal(size=(3, N))
    X = np.concatenate([c + 0.05 * rng.normal(size=(5, N)) for c in centres])
    q = X[:5].mean(axis=0) + 0.05 * rng.normal(size=N)
    beta = 0.1
    run = modern.retrieve(X, q, beta, steps=30)
    xi = run.final
    z = X @ xi
    qw = modern.softmax(beta, z)[:5].sum()
    mean_c = X[:5].mean(axis=0)
    bound = math.expm1(beta * np.ptp(z[:5])) * np.linalg.norm(X[:5] - mean_c, axis=1).max()
    bound += (1 - qw) * np.linalg.norm(X[5:] - mean_c, axis=1).max()
    dist = np.linalg.norm(xi - mean_c)
    assert dist <= bound
    assert dist < np.linalg.norm(X[:5] - xi, axis=1).min()
    assert run.metastable_size(0.9) == 5
    assert modern.retrieve(X, q, 50.0, steps=5).metastable_size(0.9) == 1


# ------------------------------------------------------------------ Brian2 model
def test_passes_cover_any_beta():
    """Exponent of each pass: b_1 A <= 300, b_{j+1} ln K / b_j <= 300, last b = beta."""
    for beta, A, K in ((1.0, 10.0, 5), (1e4, 1e4, 1000), (1e-3, 1e6, 2)):
        b = passes(beta, A, K)
        assert b[-1] == beta and b[0] * A <= 300 * (1 + 1e-12)
        assert all(
            b1 * max(1, math.log(K)) <= 300 * b0 * (1 + 1e-12)
            for b0, b1 in zip(b[:-1], b[1:], strict=True)
        )


@pytest.mark.parametrize("beta", [0.02, 0.5, 40.0])
def test_brian2_numpy_device_equals_reference(beta):
    """The Brian2 model (numpy code generation) follows the numpy reference; the sums run in
    another order, so agreement is to rounding (1e-12 of the pattern scale). beta = 40 on
    patterns of norm ~8 needs two log-sum-exp passes."""
    X = _gaussian(12, 24, seed=9, scale=1.5)
    q = X[2] + 0.8 * np.random.default_rng(10).normal(size=24)
    ref = modern.retrieve(X, q, beta, steps=4)
    run = modern.simulate_modern(X, q, beta, steps=4, backend="numpy")
    np.testing.assert_allclose(run.states, ref.states, rtol=0, atol=1e-12 * np.abs(X).max())
    np.testing.assert_allclose(run.energy, ref.energy, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(run.weights, ref.weights, atol=1e-12)
    if beta == 40.0:
        assert run.params["passes"] >= 2


def test_brian2_reruns_with_new_beta():
    X = _gaussian(8, 16, seed=11)
    q = X[0] + 0.5 * np.random.default_rng(12).normal(size=16)
    runs = run_modern(X, q, 0.05, 3, backend="numpy", betas=[1.0, 30.0])
    for run in runs:
        ref = modern.retrieve(X, q, run.beta, steps=3)
        np.testing.assert_allclose(run.states, ref.states, atol=1e-12 * np.abs(X).max())
    assert [r.beta for r in runs] == [0.05, 1.0, 30.0]


@pytest.mark.slow
def test_brian2_runtime_equals_reference():
    X = _gaussian(10, 20, seed=13)
    q = X[4] + 0.7 * np.random.default_rng(14).normal(size=20)
    ref = modern.retrieve(X, q, 2.0, steps=3)
    run = modern.simulate_modern(X, q, 2.0, steps=3, backend="runtime")
    np.testing.assert_allclose(run.states, ref.states, atol=1e-12 * np.abs(X).max())


@pytest.mark.slow
@pytest.mark.standalone
def test_brian2_cpp_standalone_equals_reference_and_reruns_without_compiling():
    X = _gaussian(10, 20, seed=15)
    q = X[7] + 0.7 * np.random.default_rng(16).normal(size=20)
    runs = run_modern(X, q, 0.1, 3, backend="cpp_standalone", betas=[3.0])
    for run in runs:
        ref = modern.retrieve(X, q, run.beta, steps=3)
        np.testing.assert_allclose(run.states, ref.states, atol=1e-12 * np.abs(X).max())
    assert runs[0].params["timing"]["compile"] > 0 and runs[1].params["timing"]["compile"] == 0


# ------------------------------------------------------------------ binary states: "lse"
def test_lse_interaction_is_the_binary_modern_network():
    """F = "lse:beta": the trajectory of "exp:beta", energy -lse(beta, a) + N/2, i.e. the
    modern energy of the +-1 state without its constant ln(K)/beta + M^2/2 (M^2 = N)."""
    xi = patterns.rademacher(6, 40, seed=1)
    a = simulate(xi, "lse:0.5", init=(0, 0.3), steps=6, seed=2, record=("overlaps", "states"))
    b = simulate(xi, "exp:0.5", init=(0, 0.3), steps=6, seed=2, record=("overlaps", "states"))
    np.testing.assert_array_equal(a.states, b.states)
    E = modern.energy(xi, a.states.T.astype(float), 0.5) - math.log(6) / 0.5 - 40 / 2
    np.testing.assert_allclose(a.energy, E, rtol=1e-9)
    c = simulate(xi, "lse:0.5", init=(0, 0.3), steps=6, seed=2, record=("overlaps", "states"),
                 backend="numpy")  # fmt: skip
    np.testing.assert_array_equal(c.states, a.states)
    np.testing.assert_allclose(c.energy, a.energy, rtol=1e-9)


# ------------------------------------------------------------------ linear attention
def test_linear_memory_bit_error_matches_the_exact_theory():
    """Measured bit error of sign(W k_mu) against P(B <= ((K-1)d - d)/2): tolerance 4
    standard errors over the independent trials (bits of one trial share the key
    overlaps) plus 0.002."""
    c = attention_capacity([16, 64], [2, 4, 8, 16, 32], trials=40, seed=0)
    theory = c.theory()
    rng = np.random.default_rng(0)  # per-trial spread, re-measured for the error bars
    for i, d in enumerate(c.dims):
        for j, K in enumerate(c.Ks):
            per = []
            for _ in range(40):
                k = np.where(rng.random((K, d)) < 0.5, 1.0, -1.0)
                v = np.where(rng.random((K, d)) < 0.5, 1.0, -1.0)
                out = linear_recall(outer_product_memory(k, v), k)
                per.append(np.mean(np.sign(out) != v))
            se = np.std(per, ddof=1) / math.sqrt(40)
            assert abs(c.errors[i, j] - theory[i, j]) < 4 * se + 0.002


def test_linear_capacity_grows_linearly_softmax_exponentially():
    """Linear memory: K_c(d) = largest K with bit error <= 1 %, ~ 1 + d/z^2 (z = 2.33); the
    softmax memory (beta = 2) stores 1000 pairs at d = 16 with error < 1 %."""
    z = norm.isf(0.01)
    for d in (64, 256, 1024):
        kc = linear_capacity(d, 0.01)
        assert bit_error(d, kc) <= 0.01 < bit_error(d, kc + 1)
        assert abs(kc - (1 + d / z**2)) < 0.15 * (1 + d / z**2) + 2
    s = attention_capacity([16], [1000], kind="softmax", beta=2.0, trials=2, seed=1)
    assert s.errors[0, 0] < 0.01 and linear_capacity(16, 0.01) < 10


# ------------------------------------------------------------------ model file
def test_modern_model_file():
    model = config.load(MODELS / "modern_hopfield.yaml")
    assert model.kind == "modern"
    run = model.run()
    assert run.retrieved == model.config.init and run.metastable_size() == 1
    assert np.all(np.diff(run.energy) <= 1e-12)
    lines = config.get_kind("modern").summary(model.config, run)
    assert lines[0].startswith("retrieved  pattern 3")
    small = config.load(MODELS / "modern_hopfield.yaml", ["beta=0.01"]).run()
    assert small.metastable_size() >= 8
    brian = config.load(MODELS / "modern_hopfield.yaml", ["backend=numpy"]).run()
    np.testing.assert_allclose(brian.states, run.states, atol=1e-10)


@pytest.mark.parametrize(
    ("override", "exc", "name"),
    [
        ("beta=0", ValueError, "beta"),
        ("beta=-1", ValueError, "beta"),
        ("init=10", ValueError, "init"),
        ("N=100", ValueError, "N"),
        ("noise=-1", ValueError, "noise"),
        ("patterns=images", ValueError, "patterns"),
        ("F=exp", ValueError, "F"),
        ("steps=1.5", TypeError, "steps"),
    ],
)
def test_modern_model_file_bad_keys(override, exc, name):
    with pytest.raises(exc, match=name):
        config.load(MODELS / "modern_hopfield.yaml", [override])


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("call", "exc", "name"),
    [
        (lambda X: modern.update(X, X[0], 0.0), ValueError, "beta"),
        (lambda X: modern.energy(X, X[0], -1.0), ValueError, "beta"),
        (lambda X: modern.retrieve(X, X[0], "1"), TypeError, "beta"),
        (lambda X: modern.simulate_modern(X, X[0], 0.0, backend="numpy"), ValueError, "beta"),
        (lambda X: modern.update(X, np.ones(5), 1.0), ValueError, "state"),
        (lambda X: modern.retrieve(X, X[0], 1.0, steps=0), ValueError, "steps"),
        (lambda X: modern.retrieval_bound(X, 9, X[0], 1.0), ValueError, "i"),
        (lambda X: modern.metastable_size([0.5, 0.5], mass=0), ValueError, "mass"),
        (lambda X: modern.simulate_modern(X, X[0], 1.0, backend="gpu"), ValueError, "backend"),
        (lambda X: simulate(np.sign(X), "lse:0"), ValueError, "F"),
        (lambda X: simulate(np.sign(X), "lse:x"), ValueError, "F"),
        (lambda X: outer_product_memory(X, X[:2]), ValueError, "values"),
        (lambda X: softmax_recall(X, X, np.ones((1, 3)), 1.0), ValueError, "queries"),
        (lambda X: bit_error(0, 3), ValueError, "d"),
        (lambda X: linear_capacity(16, 0.6), ValueError, "error"),
    ],
)
def test_bad_input(call, exc, name):
    X = _gaussian(4, 10, seed=1)
    with pytest.raises(exc, match=name):
        call(X)
