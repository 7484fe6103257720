"""Multitasking networks on diluted patterns: the hierarchical cascade and its threshold."""

import math

import numpy as np
import pytest

from neurodam import patterns
from neurodam.memory import simulate
from neurodam.memory.multitask import (
    cascade,
    hierarchical_instability,
    hierarchical_overlaps,
    hierarchical_state,
    hierarchical_threshold,
    multitask_scan,
)


# ------------------------------------------------------------------ theory
def test_threshold_values():
    """sum_{k=1}^{K-1} d^(k(P-1)) = 1: K = 2 never, K = 3 the golden ratio (sqrt5 - 1)/2,
    K -> infinity 1/2; dense P = 3: the square roots of the same values."""
    golden = (math.sqrt(5) - 1) / 2
    assert hierarchical_threshold(2) == 1.0
    assert hierarchical_threshold(3) == pytest.approx(golden, abs=1e-12)
    assert hierarchical_threshold(3, P=3) == pytest.approx(math.sqrt(golden), abs=1e-12)
    assert hierarchical_threshold(4) == pytest.approx(0.5436890127, abs=1e-9)  # d+d^2+d^3=1
    assert 0.5 < hierarchical_threshold(30) < 0.5 + 1e-8
    ks = [hierarchical_threshold(K) for K in range(3, 9)]
    assert all(a > b for a, b in zip(ks[:-1], ks[1:], strict=True))


def test_instability_against_sampled_neurons():
    """The exact enumeration against 10^6 sampled neurons (4 binomial standard errors), and
    the closed form for K = 3, P = 2 above the threshold: only neurons (s, -s, -s) flip,
    a fraction 2 ((1 - d)/2)^3 = (1 - d)^3 / 4."""
    rng = np.random.default_rng(0)
    for d, K, P in ((0.7, 3, 2), (0.6, 4, 2), (0.85, 4, 3), (0.3, 3, 2)):
        x = np.where(rng.random((10**6, K)) < d, 0, rng.choice([-1, 1], size=(10**6, K)))
        first = x[np.arange(x.shape[0]), np.argmax(x != 0, axis=1)]
        h = x @ hierarchical_overlaps(d, K) ** (P - 1)
        frac = np.mean(first * h < -1e-12)
        exact = hierarchical_instability(d, K, P)
        assert abs(frac - exact) <= 4 * math.sqrt(max(exact, 1e-6) / 10**6)
    for d in (0.65, 0.8, 0.95):
        assert hierarchical_instability(d, 3) == pytest.approx((1 - d) ** 3 / 4, rel=1e-12)
    for K, P in ((3, 2), (4, 2), (3, 3)):
        dc = hierarchical_threshold(K, P)
        assert hierarchical_instability(dc - 1e-3, K, P) == 0.0
        assert hierarchical_instability(dc + 1e-3, K, P) > 0.0


def test_hierarchical_state_has_the_cascade_overlaps():
    """m_k of the constructed state: the (1 - d) d^(k-1) N sites owned by pattern k, plus
    random +-1 sites shared with the earlier patterns (sd <= 1/sqrt(N)): 4/sqrt(N)."""
    N, K, d = 40_000, 4, 0.4
    xi = patterns.diluted(K, N, d, seed=1)
    s = hierarchical_state(xi, seed=2)
    m = xi @ s.astype(float) / N
    np.testing.assert_allclose(m, hierarchical_overlaps(d, K), atol=4 / math.sqrt(N))


# ------------------------------------------------------------------ Monte Carlo
def test_mild_dilution_cascade_from_one_pattern():
    """T = 0 dynamics from pattern 0 (blank sites random) build the cascade m_k =
    (1 - d) d^(k-1) by themselves (sorted |m_k|; the order of the lower patterns is picked
    by their random initial overlaps). K = 3, N = 20000, 3 pattern sets. Tolerance
    3/sqrt(N): the random overlap of the sites owned by the other patterns (sd <= 1/sqrt(N))
    and the selection of the largest one as the next level of the cascade. (For K >= 4 the
    blank sites of pattern 0 may instead settle in a 3-pattern mixture, an attractor of the
    sub-network they form; the hierarchical state itself stays stable, see below.)"""
    N, K = 20_000, 3
    scan = multitask_scan(K, N, [0.2, 0.3, 0.4], start="pattern", seeds=3)
    np.testing.assert_allclose(scan.overlaps.mean(axis=1), scan.prediction, atol=3 / math.sqrt(N))
    # the run reports its cascade
    xi = patterns.diluted(K, N, 0.3, seed=7)
    c = cascade(simulate(xi, "hopfield", init=0, steps=20, seed=7), d=0.3)
    assert c.order[0] == 0 and c.deviation < 3 / math.sqrt(N)
    assert c.parallel_index == pytest.approx(c.overlaps[-1] / c.overlaps[0])


def _threshold_scan(K, P, seeds):
    dc = hierarchical_threshold(K, P)
    ds = np.round(dc + np.linspace(-0.05, 0.05, 11), 4)
    F = "hopfield" if P == 2 else f"dense:{P}"
    return dc, multitask_scan(K, 20_000, ds, F=F, seeds=seeds)


def test_hierarchical_to_parallel_threshold_k3():
    """K = 3 Hebbian: the hierarchical state stops being a fixed point at the golden ratio.
    Measured (N = 20000, 8 pattern sets): the d where half the sets lose it; tolerance
    0.015, the shift of the margin m_1 - m_2 - m_3 by the random overlaps (sd 1/sqrt(N),
    margin slope ~2.5 per unit d). The first-step flip fraction well above it matches the
    exact N -> infinity value (4 binomial standard errors + 10 %)."""
    dc, scan = _threshold_scan(3, 2, 8)
    assert abs(scan.threshold() - dc) < 0.015
    assert np.all(scan.stable_fraction[scan.d < dc - 0.02] == 1.0)
    assert np.all(scan.stable_fraction[scan.d > dc + 0.02] == 0.0)
    far = multitask_scan(3, 20_000, [0.75, 0.85], seeds=3)
    f = far.flipped.mean(axis=1)
    exact = far.instability
    assert np.all(np.abs(f - exact) < 4 * np.sqrt(exact / (20_000 * 3)) + 0.1 * exact)


@pytest.mark.slow
@pytest.mark.parametrize(("K", "P"), [(4, 2), (5, 2), (3, 3), (4, 3)])
def test_threshold_per_k_and_dense(K, P):
    """Measured thresholds against sum_{k<K} d^(k(P-1)) = 1 (table in the report);
    tolerance as for K = 3."""
    dc, scan = _threshold_scan(K, P, 8)
    assert abs(scan.threshold() - dc) < 0.015


def test_parallel_retrieval_beyond_the_threshold():
    """Beyond the threshold the neurons (s, -s, -s) leave the cascade: the final overlaps
    move towards each other, |m_3| / |m_1| above the hierarchical d^2 (by 0.07 at d = 0.7,
    N = 20000: 20 standard errors of the ratio); below it the ratio stays d^2."""
    scan = multitask_scan(3, 20_000, [0.4, 0.7], seeds=3)
    ratio = scan.overlaps[:, :, -1].mean(axis=1) / scan.overlaps[:, :, 0].mean(axis=1)
    assert abs(ratio[0] - 0.4**2) < 0.02
    assert ratio[1] > 0.7**2 + 0.04


def test_bad_input():
    with pytest.raises(ValueError, match="d"):
        hierarchical_overlaps(1.0, 3)
    with pytest.raises(ValueError, match="d"):
        hierarchical_instability(-0.1, 3)
    with pytest.raises(ValueError, match="d"):
        patterns.diluted(3, 10, 1.0)
    with pytest.raises(ValueError, match="d"):
        multitask_scan(3, 100, [0.2, 1.2])
    with pytest.raises(ValueError, match="F"):
        multitask_scan(3, 100, [0.2], F="exp")
    with pytest.raises(ValueError, match="start"):
        multitask_scan(3, 100, [0.2], start="middle")
    with pytest.raises(TypeError, match="K"):
        hierarchical_threshold(3.0)
    with pytest.raises(ValueError, match="run"):
        cascade(np.ones((2, 2)))


def test_multitask_model_file():
    """models/multitask.yaml: K = 3, d = 0.3, N = 10000 from pattern 0: the cascade 0.70,
    0.21, 0.063 within 3/sqrt(N) (as in the Monte Carlo test above)."""
    from pathlib import Path

    from neurodam import config

    path = Path(__file__).resolve().parents[1] / "models" / "multitask.yaml"
    model = config.load(path)
    run = model.run()
    c = cascade(run, d=0.3)
    assert c.order[0] == 0 and c.deviation < 3 / math.sqrt(10_000)
    lines = config.get_kind(model.kind).summary(model.config, run)
    line = next(x for x in lines if x.startswith("cascade"))
    assert "0.700, 0.210, 0.063" in line  # the prediction printed beside the measured cascade
