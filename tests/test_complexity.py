"""Temporal complexity: waiting times, lattices, walks, EDDiS, DEA and the resolution of mu.

Known answers are the renewal predictions of science.md section 6 (module docstring of
neurodam.analysis.eddis) on synthetic renewal processes with Psi(tau) = (T/(T+tau))^(mu-1),
Poisson processes (H = delta = 1/2), discrete power laws on a lattice (zeta waiting times),
and hand-made walks. The renewal and aging tests are in test_renewal.py.
"""

import json
import warnings

import numpy as np
import pytest
from _event_cases import renewal_delta, renewal_H

from neurodam.analysis import (
    EddisResult,
    ScalingFit,
    WaitingTimeFit,
    diffusion_entropy,
    eddis,
    eddis_all,
    event_walk,
    fit_waiting_times,
    lattice_step,
    resolve_mu,
    survival,
    waiting_times,
)
from neurodam.analysis import walks as W
from neurodam.analysis.synthetic import poisson_process, renewal_process, superpose
from neurodam.analysis.waiting import MIN_EVENTS
from neurodam.spikes import EventTimes


def _unique_renewal(mu, n, seed):
    """Renewal times with float64-coincident events merged (mu < 2 grows as n^(1/(mu-1)))."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.unique(renewal_process(mu, n, seed=seed))


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


def test_renewal_process_on_a_lattice():
    h, T, mu = 0.01, 0.05, 2.5
    t = renewal_process(mu, 50_000, T=T, seed=3, lattice=h)
    k = np.diff(np.concatenate([[0.0], t])) / h
    np.testing.assert_allclose(k, np.rint(k), atol=1e-6)  # whole steps
    k = np.rint(k)
    assert k.min() >= 1
    # P(K >= k) = (T / (T + (k - 1) h))^(mu - 1); binomial sd <= 0.5/sqrt(n) = 0.0022, tol 4 sd
    for kk in (1, 2, 5, 20):
        assert abs(np.mean(k >= kk) - (T / (T + (kk - 1) * h)) ** (mu - 1)) < 0.009
    assert lattice_step(t) == pytest.approx(h, rel=1e-12)
    with pytest.raises(ValueError, match="lattice"):
        renewal_process(mu, 10, lattice=0.0)


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


def test_lattice_step_detection():
    assert lattice_step([0.0, 0.03, 0.05, 0.12]) == pytest.approx(0.01, rel=1e-12)
    assert lattice_step(3.7 + 0.1 * np.arange(1000)) == pytest.approx(0.1, rel=1e-12)
    # the step is the greatest common divisor, not the shortest wait: waits 6, 9, 12, ... x 0.25
    k = np.random.default_rng(1).integers(2, 50, 1000) * 3
    assert lattice_step(0.25 * np.cumsum(k)) == pytest.approx(0.75, rel=1e-12)
    # a 1 ms lattice over 1e6 s: float64 rounding of the times stays far below a step
    k = np.random.default_rng(2).zipf(1.8, 20_000)
    assert lattice_step(1e-3 * np.cumsum(k)) == pytest.approx(1e-3, rel=1e-9)
    assert lattice_step(renewal_process(2.5, 10_000, seed=1)) is None
    assert lattice_step(poisson_process(3.0, 10_000, seed=1)) is None
    # an EventTimes brings its step; a false claim is ignored with a warning
    ev = EventTimes(0.02 * np.arange(1, 101), 0.0, 3.0, kind="switches", params={"dt": 0.02})
    assert lattice_step(ev) == 0.02
    bad = EventTimes(np.cumsum(np.full(100, 0.3)), params={"dt": 0.7})
    with pytest.warns(UserWarning, match="not multiples"):
        assert lattice_step(bad) == pytest.approx(0.3, rel=1e-9)


@pytest.mark.parametrize("mu", [2.5, 3.0])
def test_fit_waiting_times_on_a_lattice_is_discrete(mu):
    """Zeta-distributed waits on a 10 ms lattice: the discrete fit is the exact MLE.

    The continuous fit of the same waits (the old behaviour) reads mu = 2.58-2.76 (mu = 2.5)
    and 3.96-4.06 (mu = 3) with tau_min at one step.
    """
    for seed in range(3):
        k = np.random.default_rng(seed).zipf(mu, 20_000)
        t = 0.01 * np.cumsum(k)
        fit = fit_waiting_times(t, tau_min=0.01)
        assert fit.discrete and fit.step == pytest.approx(0.01, rel=1e-9)
        assert fit.tau_min == pytest.approx(0.01)
        assert abs(fit.mu - mu) < 3 * fit.mu_se  # exact MLE: sampling error only
        cont = fit_waiting_times(t, tau_min=0.01, discrete=False)
        assert not cont.discrete and cont.mu - mu > 0.05  # the bias the lattice rule removes


def test_lattice_poisson_is_geometric():
    """A Bernoulli process on a lattice has geometric waits: the memoryless law of a lattice."""
    rng = np.random.default_rng(4)
    t = 1e-3 * np.flatnonzero(rng.random(200_000) < 0.3)
    fit = fit_waiting_times(t)
    assert fit.discrete
    assert fit.p_exponential > 0.01 and fit.preferred == "exponential"
    # the continuous KS test against an exponential rejects the same waits outright
    assert fit_waiting_times(t, discrete=False).p_exponential < 1e-6


def test_fit_waiting_times_discrete_argument_and_mu_err():
    t = renewal_process(2.5, 20_000, seed=5)
    with pytest.raises(ValueError, match="^discrete: "):
        fit_waiting_times(t, discrete=True)
    with pytest.raises(TypeError, match="^discrete: "):
        fit_waiting_times(t, discrete="yes")
    fit = fit_waiting_times(t)
    assert not fit.discrete and fit.step is None
    assert np.isfinite(fit.mu_3) and fit.mu_err == pytest.approx(
        np.hypot(fit.mu_se, fit.mu_3 - fit.mu)
    )
    assert fit.mu_err >= fit.mu_se


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


def test_event_walk_bins_lattice_times_exactly():
    """Times k * 0.1 built by float sums sit a rounding error off the bin edges."""
    k = np.cumsum(np.random.default_rng(6).integers(1, 4, 500))
    t = np.cumsum(np.full(k[-1], 0.1))[k - 1]  # float sums, as a stepping model records them
    xi = event_walk(t, "AJ", dt=0.1, increments=True)
    expected = np.bincount(k - k[0], minlength=xi.size)
    np.testing.assert_array_equal(xi, expected)
    assert (np.floor((t - t[0]) / 0.1) != k - k[0]).any()  # a float floor misplaces some


def test_event_walk_covers_the_window_of_event_times():
    ev = EventTimes([2.0, 3.0, 5.0], t_start=0.0, t_stop=10.0, kind="births")
    xi = event_walk(ev, "AJ", dt=1.0, increments=True)
    np.testing.assert_array_equal(xi, [0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0])
    v = event_walk(ev, "AJL", dt=1.0, seed=3, increments=True)
    assert v.size == 11 and set(np.unique(v)) <= {-1, 1}
    for block in (v[0:2], v[2:3], v[3:5], v[5:]):  # a velocity before the first event too
        assert np.all(block == block[0])
    # a plain array is observed from its first to its last event
    assert event_walk(ev.times, "AJ", dt=1.0, increments=True).size == 4


def test_default_grid_is_coarsened_to_fit_max_points():
    """A heavy-tailed renewal sequence (mu = 1.5, 1e4 events) spans ~1e8 median waits.

    max_points is lowered to 1e6 to keep the test fast; the default 2e7 works the same way.
    """
    t = _unique_renewal(1.5, 10_000, seed=1)
    span = t[-1] - t[0]
    half_median = np.median(np.diff(t)) / 2
    assert span / half_median > W.DEFAULT_MAX_POINTS  # the old default refused this
    fit = eddis(t, max_points=10**6)
    assert fit.dt == pytest.approx(span / (10**6 - 1), rel=1e-9)
    assert "coarser than half the median waiting time" in fit.note
    assert np.floor(span / fit.dt) + 1 <= 10**6
    assert abs(fit.exponent - 0.75) < 0.05  # mu/2; measured 0.740 (seed spread ~0.02)
    with pytest.raises(ValueError, match="^dt: a grid step of .* use dt >= "):
        eddis(t, dt=half_median)  # an explicit dt that does not fit is still refused
    res = eddis_all(t, seed=1, max_points=10**6)
    assert res.note == fit.note and res.dt == fit.dt


# ---------------------------------------------------------- renewal predictions
def _measure(t, seed, dt=None):
    res = eddis_all(t, dt=dt, seed=seed, fit=False)
    delta = diffusion_entropy(t, dt=res.dt, seed=seed).exponent
    return res.H, delta


# Fast subset (1e5 events; each ~2 s). Predicted -> measured over seeds 0-3 with the default
# grid and fit range (benchmarks/known_answers_complexity.py):
#   mu=2.5: AJ .75 -> .69-.78, AJL .75 -> .75-.83, SJ .5 -> .48-.52, delta .667 -> .62-.71
#   mu=3.5: AJ .5 -> .54-.58, AJL .5 -> .58-.60, SJ .5 -> .47-.53, delta .5 -> .49-.54
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
    assert res.branch == "2<mu<3" and res.branch_ajl == "2<mu<3" and res.complex
    assert res.mu == pytest.approx(4 - 2 * aj)
    assert res.mu_se == pytest.approx(2 * res.aj.stderr_jackknife)
    assert abs(res.mu - 2.5) < 0.15  # 2 |bias of H_AJ| + 2 sd at 1e5 events
    assert "2<mu<3" in res.reason and "direct fit" in res.reason
    # default fit range: max(min(50 median waits, hi / 10^1.5), 10 dt) .. span / 10
    span, med = t[-1] - t[0], np.median(np.diff(t))
    lo, hi = res.aj.fit_range  # the scales actually used, inside the default range
    assert 50 * med <= lo < 50 * med * 10 ** (1 / 8) and span / 10 / 10 ** (1 / 8) < hi <= span / 10
    assert res.aj.scales[0] <= lo / 9  # scales start a decade below the fit range
    assert res.aj.method == "DFA1 AJ" and res.waiting is not None
    assert res.boundary_H is None and res.renewal_H is None  # no surrogates were needed
    # consistent means: the AJ candidate agrees with the direct fit within 2 combined errors
    z = abs(res.mu - res.waiting.mu) / np.hypot(res.mu_se, res.waiting.mu_err)
    assert res.consistent == (z <= 2)


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


# ----------------------------------------------------------- resolution of mu
def test_mu_3_5_is_not_called_complex():
    """mu = 3.5, 1e5 events: H_AJ reads 0.56, above 1/2 by several jackknife errors.

    The old resolution took H_AJ < 0.55 for mu > 3, and otherwise the AJ candidate nearest
    the direct fit: 2<mu<3 with mu = 2.85 and consistent=True (seed 0). Against renewal
    processes with mu = 3 of the same size H_AJ allows mu > 3, and so does the direct fit.
    """
    t = renewal_process(3.5, 100_000, seed=0)
    res = eddis_all(t, seed=0)
    assert res.aj.exponent - 0.5 > 3 * res.aj.stderr_jackknife  # not 1/2 by its own error
    assert res.branch == "mu>3" and res.complex is False and np.isnan(res.mu)
    assert res.boundary_H is not None and res.boundary_H[-1] == 9
    assert res.boundary_H[0] > res.aj.exponent - 2 * res.aj.stderr_jackknife
    assert "mu = 3" in res.reason and "not complex" in res.reason


def test_mu_1_3_and_1_5_default_fit_range():
    """The old default range started at 10 mean waits, undefined for mu < 2.

    mu = 1.3 (1e4 events) raised; mu = 1.5 read H_AJ = 0.789, 0.738, 0.700, 0.754 over
    seeds 1-4 (1e4 events, the grid below), theory 0.75.
    """
    for seed in (1, 2, 3, 4):
        t = _unique_renewal(1.5, 10_000, seed)
        span = t[-1] - t[0]
        dt = max(span / 1.9e6, float(np.median(np.diff(t))) / 2)
        fit = eddis(t, "AJ", dt=dt)
        # measured 0.729-0.750; seed spread of H_AJ ~0.01-0.02 at this size, tol 0.035
        assert abs(fit.exponent - 0.75) < 0.035, (seed, fit.exponent)
    res = eddis_all(_unique_renewal(1.3, 10_000, 1), seed=1, max_points=2 * 10**6)
    assert res.branch == "1<mu<2" and abs(res.waiting.mu - 1.3) < 0.05
    assert abs(res.aj.exponent - 0.65) < 0.05  # mu / 2; measured 0.632


def test_resolve_mu_by_hand():
    # 2 < mu < 3: H_AJ = 0.75 gives 2.5 or 1.5; the direct fit and the Levy walk pick 2.5
    r = resolve_mu(0.75, 0.02, 0.76, 0.02, 2.45, 0.05)
    assert r.branch == "2<mu<3" and r.mu == pytest.approx(2.5) and r.mu_se == 0.04
    assert r.consistent and r.branch_ajl == "2<mu<3"
    # 1 < mu < 2: the Levy walk reads above 1 and the direct fit says 1.5
    r = resolve_mu(0.75, 0.02, 1.2, 0.03, 1.52, 0.02)
    assert r.branch == "1<mu<2" and r.mu == pytest.approx(1.5) and r.consistent
    # the direct fit decides the branch but the values disagree: branch kept, not consistent
    r = resolve_mu(0.75, 0.01, 0.76, 0.01, 2.2, 0.03)
    assert r.branch == "2<mu<3" and not r.consistent and "do not all agree" in r.reason
    # H_AJ compatible with 1/2 and exponential waits: not complex, consistent
    r = resolve_mu(0.51, 0.02, 0.5, 0.02, 6.0, 1.0, exponential=True)
    assert r.branch == "mu>3" and np.isnan(r.mu) and r.consistent and "Poisson" in r.reason
    # without the direct fit the Levy walk arbitrates
    r = resolve_mu(0.75, 0.02, 0.74, 0.02)
    assert r.branch == "2<mu<3" and r.consistent and "no direct fit" in r.reason
    # anti-persistent: no renewal reading
    assert resolve_mu(0.3, 0.02, 0.5, 0.02, 2.5, 0.1).branch == "inconclusive"
    # undefined H error: the direct fit decides, nothing is consistent
    r = resolve_mu(0.2, float("inf"), 0.6, 0.1, 1.3, 0.01)
    assert r.branch == "1<mu<2" and np.isnan(r.mu) and not r.consistent


def test_resolve_mu_draws_surrogates_only_when_needed():
    calls = []

    def boundary():
        calls.append("boundary")
        return (0.60, 0.03, 0.62, 0.03, 9)

    def renewal():
        calls.append("renewal")
        return (0.75, 0.02, 9)

    # H_AJ = 0.56 +- 0.01 is not 1/2, but is what mu = 3 gives at this size: mu > 3
    r = resolve_mu(0.56, 0.01, 0.58, 0.01, 3.3, 0.2, boundary=boundary, renewal=renewal)
    assert (
        r.branch == "mu>3" and calls == ["boundary"] and r.boundary_H == (0.6, 0.03, 0.62, 0.03, 9)
    )
    assert "2<mu<3 not excluded either" in r.reason
    calls.clear()
    # a clear 2 < mu < 3 needs no surrogate
    resolve_mu(0.75, 0.02, 0.76, 0.02, 2.45, 0.05, boundary=boundary, renewal=renewal)
    assert calls == []
    # H_AJ = 0.75 against a direct fit of 3.5 +- 0.05: no common branch; the shuffles give
    # the data's H_AJ, so the walk and the direct fit disagree on psi: inconclusive
    r = resolve_mu(0.75, 0.02, 0.76, 0.02, 3.5, 0.05, boundary=boundary, renewal=renewal)
    assert r.branch == "inconclusive" and calls == ["boundary", "renewal"]
    assert "disagree on psi" in r.reason and r.renewal_H == (0.75, 0.02, 9)
    calls.clear()
    r = resolve_mu(
        0.75, 0.02, 0.76, 0.02, 3.5, 0.05, boundary=boundary, renewal=lambda: (0.55, 0.02, 9)
    )
    assert r.branch == "inconclusive" and "correlated" in r.reason


# ------------------------------------------------- event times and serialisation
def test_event_times_are_accepted_and_recorded():
    t = renewal_process(2.5, 20_000, seed=8)
    ev = EventTimes(t, kind="births", params={"bin_width": 0.1})  # window = first..last event
    a, b = eddis(t, "AJ"), eddis(ev, "AJ")
    assert a.exponent == b.exponent and b.kind == "births" and a.kind is None
    assert fit_waiting_times(ev).kind == "births"
    assert eddis_all(ev, seed=1).kind == "births"
    np.testing.assert_array_equal(waiting_times(ev), np.diff(t))
    # a longer window adds the censored waits at both ends to the walk
    wide = EventTimes(t, t_start=t[0] - 100.0, t_stop=t[-1] + 100.0, kind="births")
    assert eddis(wide, "AJ").dt == a.dt
    assert event_walk(wide, "AJ", increments=True).size > event_walk(t, "AJ", increments=True).size


def test_results_round_trip_through_json():
    from neurodam.analysis import aging_test, renewal_test

    t = renewal_process(2.5, 5_000, seed=9)
    objects = [
        eddis(t, "AJ"),
        fit_waiting_times(t),
        eddis_all(t, seed=1),
        renewal_test(t, n_shuffles=19, seed=1),
        aging_test(t, t_age=2.0, n_shuffles=19, seed=1),
    ]
    for obj in objects:
        d = json.loads(json.dumps(obj.to_dict(), allow_nan=False))  # strict JSON
        back = type(obj).from_dict(d)
        assert type(back) is type(obj)
        assert json.dumps(back.to_dict(), allow_nan=False) == json.dumps(d, allow_nan=False)
    res = objects[2]
    back = EddisResult.from_dict(res.to_dict())
    assert back.H == res.H and back.branch == res.branch and back.reason == res.reason
    np.testing.assert_array_equal(back.aj.scales, res.aj.scales)
    assert np.isnan(EddisResult.from_dict(res.to_dict()).waiting.mu_3) == np.isnan(res.waiting.mu_3)
    # the raw waiting times travel only on request; without them there is nothing to plot
    w = objects[1]
    assert "waiting_times" not in w.to_dict()
    np.testing.assert_array_equal(
        WaitingTimeFit.from_dict(w.to_dict(raw=True)).waiting_times, w.waiting_times
    )
    with pytest.raises(ValueError, match="waiting_times"):
        WaitingTimeFit.from_dict(w.to_dict()).plot()
    # curves can be left out; non-finite floats are strings
    slim = objects[0].to_dict(curves=False)
    assert "scales" not in slim and ScalingFit.from_dict(slim).scales.size == 0
    assert ScalingFit.from_dict({**slim, "stderr_jackknife": "inf"}).stderr_jackknife == np.inf


# ------------------------------------------------------------------- bad input
@pytest.mark.parametrize("func", [eddis, diffusion_entropy, eddis_all, fit_waiting_times])
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
    assert W.RULES == ("AJ", "AJL", "SJ")
    with pytest.raises(ValueError, match="^n_sigma: "):
        eddis_all(t + 0.5 * np.sin(t), n_sigma=0.0)
    with pytest.raises(ValueError, match="^n_surrogates: "):
        eddis_all(t + 0.5 * np.sin(t), n_surrogates=-1)
    with pytest.raises(TypeError, match="^max_points: "):
        eddis(t, max_points=1e7)
    with pytest.raises(ValueError, match="^d: expected a ScalingFit"):
        ScalingFit.from_dict({"type": "EddisResult"})


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
