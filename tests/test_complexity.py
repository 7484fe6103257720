"""Temporal complexity: waiting times, EDDiS, DEA, renewal and aging tests.

Known answers are the renewal predictions of science.md section 6 (module docstring of
neurodam.analysis.complexity) on synthetic renewal processes with
Psi(tau) = (T/(T+tau))^(mu-1), Poisson processes (H = delta = 1/2, no aging), and a
non-renewal sequence (waiting times modulated by long-range correlated fractional Gaussian
noise), plus hand-made walks.
"""

import numpy as np
import pytest

from neurodam.analysis import complexity as C
from neurodam.analysis.complexity import (
    MIN_EVENTS,
    aging_test,
    diffusion_entropy,
    eddis,
    eddis_all,
    event_walk,
    fit_waiting_times,
    renewal_test,
    survival,
    waiting_times,
)
from neurodam.analysis.synthetic import poisson_process, renewal_process, superpose


def fgn(n, H, seed):
    """Fractional Gaussian noise by circulant embedding (Davies & Harte 1987)."""
    rng = np.random.default_rng(seed)
    k = np.arange(n + 1, dtype=float)
    g = 0.5 * (np.abs(k + 1) ** (2 * H) - 2 * k ** (2 * H) + np.abs(k - 1) ** (2 * H))
    c = np.concatenate([g, g[-2:0:-1]])
    lam = np.maximum(np.fft.fft(c).real, 0)
    w = np.sqrt(lam / c.size) * (rng.standard_normal(c.size) + 1j * rng.standard_normal(c.size))
    return np.fft.fft(w)[:n].real


def modulated_events(n, seed):
    """Non-renewal: waiting times exp(g_k) * Exp(1), g an fGn with H = 0.9 (correlated)."""
    g = fgn(n, 0.9, seed)
    return np.cumsum(np.exp(g) * np.random.default_rng(seed + 1).exponential(size=n))


def renewal_H(mu, rule):
    """Renewal predictions (science.md section 6) for the ensemble scaling."""
    if rule == "SJ" or mu > 3:
        return 0.5
    if mu < 2:
        return mu / 2 if rule == "AJ" else 1.0
    return (4 - mu) / 2


def renewal_delta(mu):
    return mu - 1 if mu < 2 else 1 / (mu - 1) if mu < 3 else 0.5


# ------------------------------------------------------------------ generators
def test_renewal_process_has_the_stated_survival():
    t = renewal_process(2.5, 50_000, T=2.0, seed=0)
    w = np.diff(np.concatenate([[0.0], t]))
    from scipy import stats

    # Lomax(c = mu - 1, scale = T): exactly the stated Psi = (T/(T+tau))^(mu-1)
    assert stats.kstest(w, "lomax", args=(1.5, 0, 2.0)).pvalue > 0.01
    np.testing.assert_array_equal(t, renewal_process(2.5, 50_000, T=2.0, seed=0))


def test_poisson_process_and_superpose():
    t = poisson_process(4.0, 40_000, seed=1)
    assert abs(np.diff(t).mean() - 0.25) < 0.25 * 4 / np.sqrt(40_000)  # 4 standard errors
    u = superpose(t, [0.1, 1e9])
    assert u.size == t.size + 2 and np.all(np.diff(u) >= 0) and u[-1] == 1e9
    with pytest.raises(ValueError, match="rate"):
        poisson_process(0.0, 10)
    with pytest.raises(ValueError, match="mu"):
        renewal_process(1.0, 10)
    with pytest.raises(TypeError, match="n_events"):
        renewal_process(2.0, 10.5)
    with pytest.raises(ValueError, match="b: expected finite"):
        superpose(t, [np.nan])


# --------------------------------------------------------------- waiting times
def test_waiting_times_and_survival_by_hand():
    w = waiting_times([0.0, 1.0, 3.0, 4.0, 8.0])
    np.testing.assert_array_equal(w, [1.0, 2.0, 1.0, 4.0])
    t, psi = survival(w)
    np.testing.assert_array_equal(t, [1.0, 2.0, 4.0])
    np.testing.assert_array_equal(psi, [1.0, 0.5, 0.25])  # P(tau >= t)


def test_fit_waiting_times_recovers_mu_with_given_tau_min():
    # tau_min = 30 T, where the Lomax local exponent mu tau/(T+tau) is within 3% of mu;
    # 2e5 events leave ~1100 tail values, se ~ 0.045, so 0.1 is ~2 se
    t = renewal_process(2.5, 200_000, seed=2)
    fit = fit_waiting_times(t, tau_min=30.0)
    assert abs(fit.mu - 2.5) < 0.1
    assert fit.tau_min == 30.0 and fit.preferred == "power law"
    assert fit.n == t.size - 1 and fit.n_tail < fit.n
    fit.plot()


def test_fit_waiting_times_poisson_prefers_exponential():
    t = poisson_process(1.0, 20_000, seed=3)
    fit = fit_waiting_times(t)
    assert fit.preferred == "exponential"
    assert fit.p_exponential > 0.05


@pytest.mark.slow
@pytest.mark.parametrize("mu", [2.2, 2.5, 2.8])
def test_fit_waiting_times_ks_selected_recovers_mu(mu):
    # KS-selected tau_min needs ~1e6 events here: with 1e5 it settles at a few T, inside the
    # smooth crossover, and mu comes out 0.05-0.25 low (documented in fit_waiting_times).
    # Measured at 1e6 (seeds 1, 2): errors <= 0.045; tolerance 0.1 as the issue asks.
    fit = fit_waiting_times(renewal_process(mu, 1_000_000, seed=1))
    assert abs(fit.mu - mu) < 0.1


# ------------------------------------------------------------------------ walks
def test_event_walk_rules_by_hand():
    t = np.array([0.0, 1.0, 1.2, 3.0, 5.0])
    xi = event_walk(t, "AJ", dt=1.0, increments=True)
    assert xi.dtype == np.int8
    np.testing.assert_array_equal(xi, [1, 2, 0, 1, 0, 1])  # bins [0,1), [1,2), ...
    np.testing.assert_array_equal(event_walk(t, "AJ", dt=1.0), np.cumsum(xi))
    sj = event_walk(t, "SJ", dt=1.0, seed=1, increments=True)
    assert sj.dtype == np.int8 and sj.sum() % 2 == 1 and np.all(np.abs(sj) <= xi)
    v = event_walk(t, "AJL", dt=0.5, seed=2, increments=True)
    assert v.dtype == np.int8 and v.size == 11 and set(np.unique(v)) <= {-1, 1}
    # velocity is constant between events: grid points 0,1 | 2 | 3..5 | 6..9 | 10
    for block in (v[0:2], v[3:6], v[6:10]):
        assert np.all(block == block[0])
    np.testing.assert_array_equal(v, event_walk(t, "AJL", dt=0.5, seed=2, increments=True))


def test_event_walk_wide_counts_use_a_wider_dtype():
    t = np.linspace(0, 1, 1000)  # 1000 events in about 2 bins
    assert event_walk(t, "AJ", dt=0.6, increments=True).dtype == np.int16


def test_event_walk_grid_is_bounded():
    t = np.array([0.0, 1.0, 1e6])
    with pytest.raises(ValueError, match="max_points=1000; use dt >= 1001"):
        event_walk(t, "AJ", dt=1.0, max_points=1000)


# ---------------------------------------------------------- renewal predictions
def _measure(t, seed, dt=None):
    res = eddis_all(t, dt=dt, seed=seed, fit=False)
    delta = diffusion_entropy(t, dt=res.dt, seed=seed).exponent
    return res.H, delta


# Fast subset (1e5 events; each ~1 s). Predicted -> measured over seeds 1-3 (our runs):
#   mu=2.5: AJ .75 -> .70-.76, AJL .75 -> .77-.82, SJ .5 -> .49-.52, delta .667 -> .63-.71
#   mu=3.5: AJ .5 -> .55-.59, AJL .5 -> .60-.62, SJ .5 -> .48-.52, delta .5 -> .50-.54
# Near mu = 3 the approach to 1/2 is slow (corrections ~ l^(3-mu)), so AJ/AJL read high
# at mu = 3.5; the tolerances below are the seed spread (~0.03) plus that measured bias.
FAST = {
    2.5: {"AJ": 0.07, "AJL": 0.1, "SJ": 0.05, "delta": 0.07},
    3.5: {"AJ": 0.1, "AJL": 0.14, "SJ": 0.05, "delta": 0.07},
}


@pytest.mark.parametrize("mu", sorted(FAST))
def test_eddis_renewal_predictions_fast(mu):
    H, delta = _measure(renewal_process(mu, 100_000, seed=1), seed=1)
    tol = FAST[mu]
    for rule in ("AJ", "AJL", "SJ"):
        assert abs(H[rule] - renewal_H(mu, rule)) < tol[rule], (rule, H[rule])
    assert abs(delta - renewal_delta(mu)) < tol["delta"]


def test_poisson_gives_half_for_every_rule():
    t = poisson_process(1.0, 100_000, seed=4)
    H, delta = _measure(t, seed=4)
    # Poisson increments are uncorrelated: H = delta = 1/2; seed spread ~0.02, tol 0.05
    for rule in ("AJ", "AJL", "SJ"):
        assert abs(H[rule] - 0.5) < 0.05, (rule, H[rule])
    assert abs(delta - 0.5) < 0.05


def test_eddis_all_resolves_mu_and_reports_fit_range():
    t = renewal_process(2.5, 100_000, seed=5)
    res = eddis_all(t, seed=5)
    aj = res.aj.exponent
    assert res.mu_candidates["AJ"] == pytest.approx((2 * aj, 4 - 2 * aj))
    assert res.branch_ajl == "2<mu<3"
    assert res.mu == pytest.approx(4 - 2 * aj) and res.consistent
    assert abs(res.mu - 2.5) < 0.15  # 2 |bias of H_AJ| + 2 sd at 1e5 events
    lo, hi = res.aj.fit_range
    span = t[-1] - t[0]
    assert lo >= 10 * span / (t.size - 1) * 0.8 and hi <= span / 10
    assert res.aj.method == "DFA1 AJ" and res.waiting is not None


def test_eddis_moment_method_and_scales_in_seconds():
    t = poisson_process(10.0, 20_000, seed=6)
    fit = eddis(t, "SJ", method="moment", seed=6)
    assert abs(fit.exponent - 0.5) < 0.05
    fit2 = eddis(t, "AJ", scales=np.geomspace(1.0, 100.0, 12), fit_range=(1.0, 100.0))
    assert fit2.scales[0] == pytest.approx(1.0, rel=0.05) and fit2.fit_range[1] <= 100.0


def test_extra_poisson_events_pull_long_scales_to_half():
    """science.md: added Poisson events drive the long-time scaling to 1/2."""
    t = renewal_process(2.5, 50_000, seed=7)
    noisy = superpose(t, poisson_process(2.0 * t.size / t[-1], 2 * t.size, seed=8))
    noisy = noisy[noisy <= t[-1]]
    clean = eddis(t, "AJ").exponent
    span = t[-1] - t[0]
    # short and long scales of the noisy sequence (windows in seconds)
    short = eddis(noisy, "AJ", fit_range=(span / 2000, span / 200)).exponent
    long = eddis(noisy, "AJ", fit_range=(span / 100, span / 8)).exponent
    assert long < clean and abs(long - 0.5) < abs(clean - 0.5)
    assert short < clean


# ----------------------------------------------------------------- renewal test
def test_renewal_test_accepts_renewal_and_is_shuffle_invariant():
    t = renewal_process(2.5, 20_000, seed=9)
    r = renewal_test(t, n_shuffles=19, seed=9)
    assert r.is_renewal and r.p_value >= 0.01
    # shuffle invariance: the data's H and delta sit inside the shuffled spread
    assert abs(r.z_H) < 3 and abs(r.z_delta) < 3
    assert r.H_shuffled.shape == (19,)


def test_renewal_test_rejects_correlated_waiting_times():
    r = renewal_test(modulated_events(20_000, seed=10), n_shuffles=19, seed=10)
    assert not r.is_renewal
    assert r.z_H > 5  # correlated waiting times raise H; shuffling brings it to ~0.55
    assert "non-renewal" in r.verdict


def test_aging_poisson_does_not_age_and_renewal_matches_prediction():
    t = poisson_process(1.0, 20_000, seed=11)
    a = aging_test(t, t_age=3.0, seed=11)
    # memoryless: the aged survival is exp(-tau); KS sd ~ 1/sqrt(n) = 0.007, tol 4 sd
    assert np.max(np.abs(a.psi_aged - np.exp(-a.tau))) < 0.03
    assert a.is_renewal
    r = aging_test(renewal_process(2.5, 20_000, seed=12), t_age=3.0, seed=12)
    assert r.is_renewal
    # a power-law renewal process ages: its hazard rate decreases, so aged waits are
    # stochastically longer than fresh ones (psi_aged >= psi up to sampling noise
    # ~1/sqrt(n) = 0.007), by far more than the noise somewhere
    diff = r.psi_aged - r.psi
    assert diff.min() > -0.02 and diff.max() > 0.1
    r.plot()


def test_aging_rejects_correlated_waiting_times():
    t = modulated_events(20_000, seed=13)
    a = aging_test(t, t_age=3 * np.median(np.diff(t)), seed=13)
    assert not a.is_renewal and a.p_value <= 0.02


# ------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "func", [eddis, diffusion_entropy, eddis_all, renewal_test, fit_waiting_times]
)
def test_too_few_events(func):
    with pytest.raises(ValueError, match=f"event_times: expected at least {MIN_EVENTS} events"):
        func(np.arange(MIN_EVENTS - 1, dtype=float))


def test_bad_event_times():
    t = np.arange(100, dtype=float)
    bad = t.copy()
    bad[10] = np.nan
    with pytest.raises(ValueError, match="event_times: expected finite"):
        eddis(bad)
    bad = t.copy()
    bad[10] = bad[9]
    with pytest.raises(ValueError, match="event_times: expected strictly increasing"):
        eddis(bad)
    with pytest.raises(ValueError, match="event_times: expected strictly increasing"):
        waiting_times(t[::-1])
    with pytest.raises(ValueError, match="event_times: expected at least 2"):
        waiting_times([1.0])
    with pytest.raises(ValueError, match="rule"):
        eddis(t, rule="XJ")
    with pytest.raises(ValueError, match="rule"):
        event_walk(t, rule="aj")
    with pytest.raises(ValueError, match="dt"):
        event_walk(t, dt=-1.0)
    with pytest.raises(ValueError, match="method"):
        eddis(t, method="wavelet")
    with pytest.raises(ValueError, match="t_age"):
        aging_test(t, t_age=0.0)
    with pytest.raises(ValueError, match="t_age"):
        aging_test(t, t_age=80.0)  # leaves fewer than MIN_EVENTS origins
    with pytest.raises(ValueError, match="n_shuffles"):
        renewal_test(t, n_shuffles=2)
    # fit_waiting_times speaks of its own arguments, not fit_power_law's x / xmin / xmax
    with pytest.raises(ValueError, match="^event_times .*at least 2 distinct"):
        fit_waiting_times(t)  # every waiting time is 1
    waits = np.cumsum(np.arange(1.0, 101.0))  # waiting times 2, 3, ..., 100
    with pytest.raises(ValueError, match="^tau_min: "):
        fit_waiting_times(waits, tau_min=-1.0)
    with pytest.raises(ValueError, match="^tau_min: the tail"):
        fit_waiting_times(waits, tau_min=1e9)
    with pytest.raises(ValueError, match="^tau_max: "):
        fit_waiting_times(waits, tau_max=0.5)
    with pytest.raises(ValueError, match="waiting_times"):
        survival([1.0, -2.0])
    with pytest.raises(TypeError, match="event_times"):
        eddis(np.array(["a"] * 100))
    assert C.RULES == ("AJ", "AJL", "SJ")


# ------------------------------------------------ full validation (slow, big samples)
# n events, grid step (None: half the median wait; mu < 2 needs a coarser grid to fit
# max_points), and per-rule tolerance. Measured (seed 1, our runs) -> documented bias:
#   mu=1.5 (1e5): AJ .717 (pred .75); AJL(moment) .87 (pred 1); SJ .49
#   mu=1.8 (1e6): AJ .887 (pred .90); AJL(moment) .94 at 3e5 (pred 1); SJ .51
#   mu=2.2 (1e6): AJ .832 (pred .90, slow near mu=2); AJL .905; SJ .508; delta .808 (.833)
#   mu=2.5 (1e6): AJ .766 (.75); AJL .809 (.75); SJ .508; delta .674 (.667)
#   mu=2.8 (1e6): AJ .681 (.60, slow near mu=3); AJL .711 (.60); SJ .505; delta .577 (.556)
#   mu=3.5 (1e6): AJ .554 (.50); AJL .579 (.50); SJ .506; delta .486 (.50)
# Tolerance = |measured bias| + about 2 sd of the seed spread (0.02-0.03 at 1e6); the AJL
# rule for mu < 2 is checked with the second moment (ballistic, H = 1): time-averaged DFA of
# the Levy walk exceeds 1 there (1.18-1.24 at mu = 1.5, 1.06-1.11 at mu = 1.8, close to
# (4 - mu)/2), which eddis_all uses to pick the AJ branch.
SLOW = {
    1.5: (100_000, {"AJ": 0.06, "AJL": 0.16, "SJ": 0.05}),
    1.8: (1_000_000, {"AJ": 0.05, "AJL": 0.09, "SJ": 0.04}),
    2.2: (1_000_000, {"AJ": 0.1, "AJL": 0.04, "SJ": 0.04, "delta": 0.05}),
    2.5: (1_000_000, {"AJ": 0.05, "AJL": 0.09, "SJ": 0.04, "delta": 0.04}),
    2.8: (1_000_000, {"AJ": 0.11, "AJL": 0.14, "SJ": 0.04, "delta": 0.05}),
    3.5: (1_000_000, {"AJ": 0.08, "AJL": 0.1, "SJ": 0.04, "delta": 0.04}),
}


def _grid(t):
    span = t[-1] - t[0]
    return max(span / 1.9e7, float(np.median(np.diff(t))) / 2)


@pytest.mark.slow
@pytest.mark.parametrize("mu", sorted(SLOW))
def test_eddis_renewal_predictions_full(mu):
    n, tol = SLOW[mu]
    t = renewal_process(mu, n, seed=1)
    dt = _grid(t)
    for rule in ("AJ", "AJL", "SJ"):
        method = "moment" if (rule == "AJL" and mu < 2) else "dfa"
        h = eddis(t, rule, dt=dt, method=method, seed=1).exponent
        assert abs(h - renewal_H(mu, rule)) < tol[rule], (rule, h)
    if "delta" in tol:
        delta = diffusion_entropy(t, dt=dt).exponent
        assert abs(delta - renewal_delta(mu)) < tol["delta"], delta


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="time-averaged DEA (sliding windows over one sequence) does not reach the "
    "ensemble prediction delta = mu - 1 for mu < 2: the sequence ages (infinite mean wait) "
    "and most windows are empty; measured 0.14-0.40 (mu=1.5, 1e5) and 0.23-0.85 (mu=1.8)",
)
@pytest.mark.parametrize("mu", [1.5, 1.8])
def test_dea_below_mu_2_known_limitation(mu):
    n = 100_000
    t = renewal_process(mu, n, seed=1)
    delta = diffusion_entropy(t, dt=_grid(t)).exponent
    assert abs(delta - renewal_delta(mu)) < 0.05
