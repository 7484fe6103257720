"""Retrieval tools and the Hopfield / exponential-memory theory they are checked against."""

import math

import numpy as np
import pytest

from neurodam import patterns as P
from neurodam.memory import reference
from neurodam.memory.retrieval import (
    BasinResult,
    CapacityCurve,
    basin_of_attraction,
    capacity_curve,
    retrieval_overlap,
)
from neurodam.memory.theory import (
    HOPFIELD_ALPHA_C,
    exp_one_step_radius,
    hopfield_rs_overlap,
    stability_probability,
)


def test_rs_overlap_reference_values():
    """science.md: alpha_c = 0.1379 with m = 0.967 there; m -> 1 at low load; 0 above."""
    assert hopfield_rs_overlap(HOPFIELD_ALPHA_C) == pytest.approx(0.967, abs=0.003)
    assert hopfield_rs_overlap(0.05) > 0.9999
    assert hopfield_rs_overlap(0.14) == 0.0
    m = hopfield_rs_overlap(np.linspace(0.01, 0.137, 20))
    assert np.all(np.diff(m) < 0)
    with pytest.raises(ValueError, match="alpha"):
        hopfield_rs_overlap(-0.1)


def test_exp_radius():
    def ient(x):
        return 0.5 * ((1 + x) * math.log1p(x) + (1 - x) * math.log1p(-x))

    for alpha in (0.05, 0.1, 0.2, 0.3):
        r = exp_one_step_radius(alpha)
        assert ient(1 - 2 * r) / 2 == pytest.approx(alpha, abs=1e-9)
    assert exp_one_step_radius(0.0) == pytest.approx(0.5)
    assert exp_one_step_radius(math.log(2) / 2) == 0.0


@pytest.mark.parametrize(("N", "K"), [(100, 8), (100, 11), (100, 15), (200, 15), (200, 20)])
def test_hopfield_pattern_stability_matches_binomial_theory(N, K):
    """Fraction of stored patterns that are exact fixed points vs (1 - P_err)^N with the
    exact binomial crosstalk (McEliece et al. 1987). Tolerance: 4 binomial sigma plus 0.03
    for the independent-bits approximation of the theory."""
    rng = np.random.default_rng(N * 100 + K)
    stable = []
    for _ in range(20):
        xi = P.rademacher(K, N, seed=rng)
        fin, _, _ = reference.iterate(xi, xi, "hopfield", "sync", max_steps=1)
        stable.append(np.all(fin == xi, axis=1))
    frac = np.concatenate(stable).mean()
    theo = stability_probability(N, K)
    sig = math.sqrt(max(theo * (1 - theo), 1e-4) / (20 * K))
    assert abs(frac - theo) < 4 * sig + 0.03


def test_error_free_storage_scaling():
    """K = c N / (2 ln N): per-pattern stability -> 1 for c < 1 and -> 0 for c > 1 as N
    grows (McEliece et al. 1987). Simulated at N = 100, 400: with c = 0.7 patterns stay
    fixed points; with c = 2.5 stability is low and falls with N."""
    res = {}
    for N in (100, 400):
        for c in (0.7, 2.5):
            K = int(round(c * N / (2 * math.log(N))))
            xi = P.rademacher(K, N, seed=N + int(10 * c))
            fin, _, _ = reference.iterate(xi, xi, "hopfield", "sync", max_steps=1)
            res[N, c] = np.all(fin == xi, axis=1).mean()
    assert res[100, 0.7] >= 0.9 and res[400, 0.7] >= 0.9
    assert res[400, 2.5] < res[100, 2.5] < 0.5


def test_retrieval_overlap_forms():
    xi = P.rademacher(5, 100, seed=0)
    r = reference.run(xi, "hopfield", init=(3, 0.1), steps=5, seed=0)
    assert retrieval_overlap(r) == pytest.approx(1.0)
    assert retrieval_overlap(r, 3) == pytest.approx(1.0)
    assert retrieval_overlap(r, xi[3]) == pytest.approx(1.0)
    assert retrieval_overlap(r, -xi[3]) == pytest.approx(-1.0)
    r2 = reference.run(xi, "hopfield", init=xi[1], steps=2)
    assert retrieval_overlap(r2) == pytest.approx(r2.Q[-1])
    with pytest.raises(ValueError, match="pattern"):
        retrieval_overlap(r, 9)
    with pytest.raises(ValueError, match="pattern"):
        retrieval_overlap(r, np.ones(7))
    with pytest.raises(TypeError, match="run"):
        retrieval_overlap("run")


def test_basin_hopfield_vs_exponential():
    """Low load (K/N = 0.05): a 10% corrupted cue is retrieved; 60% flipped bits lead to the
    mirror pattern (overlap -1), never to the pattern. At K = 40 > 0.138 N (N=200) Hopfield
    basins vanish while the exponential memory still retrieves from 20% corruption."""
    xi = P.rademacher(10, 200, seed=1)
    b = basin_of_attraction("hopfield", xi, [0.0, 0.1, 0.6], n_trials=10, seed=2)
    assert isinstance(b, BasinResult)
    np.testing.assert_array_equal(b.success_rate, [1.0, 1.0, 0.0])
    assert 0.1 <= b.radius() < 0.6
    xi = P.rademacher(40, 200, seed=3)
    bh = basin_of_attraction("hopfield", xi, [0.2], n_trials=20, seed=4)
    be = basin_of_attraction("exp", xi, [0.2], n_trials=20, seed=4)
    assert be.success_rate[0] == 1.0 and bh.success_rate[0] < 0.5
    ax = be.plot()
    assert ax.get_xlabel()
    with pytest.raises(ValueError, match="flip_fractions"):
        basin_of_attraction("exp", xi, [1.5], n_trials=2)
    with pytest.raises(ValueError, match="n_trials"):
        basin_of_attraction("exp", xi, [0.1], n_trials=0)


def test_capacity_curve_small():
    c = capacity_curve("hopfield", 100, [0.05, 0.3], n_trials=3, seed=0, n_starts=5)
    assert isinstance(c, CapacityCurve)
    np.testing.assert_array_equal(c.K, [5, 30])
    assert c.mean_overlap[0] > 0.99 and c.mean_overlap[1] < c.mean_overlap[0]
    ax = c.plot()
    assert len(ax.lines) >= 2
    with pytest.raises(ValueError, match="loads"):
        capacity_curve("hopfield", 100, [-0.1], n_trials=1)
    with pytest.raises(ValueError, match="N"):
        capacity_curve("hopfield", 0, [0.1], n_trials=1)


@pytest.mark.slow
def test_hopfield_capacity_curve_matches_replica_theory():
    """N=500, T=0 asynchronous dynamics started at stored patterns (Amit, Gutfreund &
    Sompolinsky 1985, 1987). Below alpha_c the mean final overlap follows the RS m(alpha)
    (tolerance 0.005: RSB corrections are < 1e-3, finite-N ones a few 1e-3); the load where
    the mean overlap falls below m_c = 0.967 lies within 0.02 of alpha_c = 0.138 (finite-size
    corrections O(N^-1/2); science.md quotes 0.14-0.15 from simulations). About 20 s."""
    loads = [0.06, 0.08, 0.1, 0.12, 0.13, 0.14, 0.15, 0.16, 0.18, 0.2]
    c = capacity_curve("hopfield", 500, loads, n_trials=8, seed=0, steps=100)
    low = c.alpha <= 0.1
    np.testing.assert_allclose(c.mean_overlap[low], hopfield_rs_overlap(c.alpha[low]), atol=0.005)
    assert c.overlap_crossing(0.967) == pytest.approx(HOPFIELD_ALPHA_C, abs=0.02)
    # well above alpha_c retrieval is lost in most starts
    assert c.success_rate[-1] < 0.5
