"""Renewal and aging tests: Monte Carlo p-values from shuffled waiting times.

Known answers: renewal processes and Poisson processes are renewal (the rejection rate at
the default settings is the nominal level, the tests being exact); waiting times modulated by
long-range correlated noise are not (power).
"""

import numpy as np
import pytest
from _event_cases import modulated_events

from neurodam.analysis import aging_test, renewal_test
from neurodam.analysis.renewal import default_shuffles
from neurodam.analysis.synthetic import poisson_process, renewal_process
from neurodam.spikes import EventTimes


# ----------------------------------------------------------------- renewal test
def test_renewal_test_accepts_renewal_and_is_shuffle_invariant():
    t = renewal_process(2.5, 10_000, seed=9)
    r = renewal_test(t, seed=9)
    assert r.n_shuffles == 39 and r.significance == 0.05  # 2 / 0.05 - 1 by default
    assert r.is_renewal and r.p_value > 0.05 and "not rejected" in r.verdict
    # rank-based: multiples of 1 / (n_shuffles + 1)
    for p in (r.p_value, r.p_H, r.p_delta):
        assert abs(p * 40 - round(p * 40)) < 1e-9 and 1 / 40 <= p <= 1
    # shuffle invariance: the data's H and delta sit inside the shuffled spread
    assert abs(r.z_H) < 3 and abs(r.z_delta) < 3
    assert r.H_shuffled.shape == (39,) and r.fit_range[0] < r.fit_range[1]


def test_renewal_test_rejects_correlated_waiting_times():
    r = renewal_test(modulated_events(20_000, seed=10), seed=10)
    assert not r.is_renewal and r.p_value == pytest.approx(1 / 40)  # the most extreme of 40
    assert r.z_H > 5  # correlated waiting times raise H; shuffling brings it to ~0.55
    assert "non-renewal" in r.verdict


def test_renewal_test_refuses_shuffles_that_cannot_reject():
    """19 shuffles give p >= 1/20: they cannot reject at 0.01; the old test accepted them and
    reported a normal-approximation p-value (liberal: 3 of 30 renewal sequences rejected at
    nominal 5 %)."""
    t = renewal_process(2.5, 2_000, seed=1)
    with pytest.raises(ValueError, match=r"^n_shuffles: 9 shuffles give p-values of at least"):
        renewal_test(t, n_shuffles=9)
    with pytest.raises(ValueError, match=r"^n_shuffles: .* use n_shuffles >= 99"):
        renewal_test(t, n_shuffles=19, significance=0.01)
    r = renewal_test(t, n_shuffles=19, seed=1)  # 19 can reject at 0.05 (p = 1/20)
    assert r.n_shuffles == 19
    assert default_shuffles(0.01) == 199 and default_shuffles(0.05) == 39
    with pytest.raises(ValueError, match="^significance: "):
        renewal_test(t, significance=1.5)
    with pytest.raises(TypeError, match="^n_shuffles: "):
        renewal_test(t, n_shuffles=19.0)


def test_renewal_test_on_a_lattice_and_event_times():
    """Shuffles of lattice events stay on the lattice (integer steps); the kind is recorded."""
    k = np.random.default_rng(3).zipf(2.5, 5_000)
    ev = EventTimes(0.01 * np.cumsum(k), kind="switches", params={"dt": 0.01})
    r = renewal_test(ev, n_shuffles=19, seed=3)
    assert r.kind == "switches" and r.is_renewal
    assert r.dt == pytest.approx(0.01 * max(1, np.floor(np.median(k) / 2)))


# ------------------------------------------------------------------- aging test
def test_aging_poisson_does_not_age_and_renewal_matches_prediction():
    t = poisson_process(1.0, 20_000, seed=11)
    a = aging_test(t, t_age=3.0, seed=11)
    # memoryless: the aged survival is exp(-tau); KS sd ~ 1/sqrt(n) = 0.007, tol 4 sd
    assert np.max(np.abs(a.psi_aged - np.exp(-a.tau))) < 0.03
    assert a.is_renewal and a.n_shuffles == 99
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
    t_age = 3 * np.median(np.diff(t))
    a = aging_test(t, t_age=t_age, seed=13)
    assert not a.is_renewal and a.p_value <= 0.02
    # 19 shuffles reach p = 1/20 = 0.05, which rejects at 0.05 (the old test required
    # p < significance and so could never reject with 19 shuffles)
    a = aging_test(t, t_age=t_age, n_shuffles=19, seed=13)
    assert a.p_value == pytest.approx(0.05) and not a.is_renewal
    with pytest.raises(ValueError, match=r"^n_shuffles: 9 shuffles .* use n_shuffles >= 19"):
        aging_test(t, t_age=t_age, n_shuffles=9)


def test_bad_input():
    t = np.arange(100, dtype=float)
    with pytest.raises(ValueError, match="t_age"):
        aging_test(t, t_age=0.0)
    with pytest.raises(ValueError, match="t_age"):
        aging_test(t, t_age=80.0)  # leaves fewer than MIN_EVENTS origins
    with pytest.raises(ValueError, match="n_shuffles"):
        renewal_test(t, n_shuffles=2)
    with pytest.raises(ValueError, match="event_times: expected at least 50 events"):
        renewal_test(t[:49])
    with pytest.raises(ValueError, match="rule"):
        renewal_test(t, rule="XJ")


# ------------------------------------------------------ size and power (slow)
@pytest.mark.slow
def test_false_positive_rate_at_the_default_settings():
    """Renewal sequences (mu = 2.5 and Poisson, 2000 events each) at the defaults.

    The Monte Carlo tests are exact, so the number of rejections among 100 sequences is at
    most Binomial(100, 0.05): its 99.9th percentile is 13.
    """
    rejected = {"renewal": 0, "aging": 0}
    for seed in range(100):
        if seed % 2:
            t = renewal_process(2.5, 2_000, seed=seed)
        else:
            t = poisson_process(1.0, 2_000, seed=seed)
        rejected["renewal"] += not renewal_test(t, seed=seed).is_renewal
        rejected["aging"] += not aging_test(
            t, t_age=3 * np.median(np.diff(t)), seed=seed
        ).is_renewal
    assert rejected["renewal"] <= 13 and rejected["aging"] <= 13, rejected


@pytest.mark.slow
def test_power_on_correlated_waiting_times():
    """Waiting times modulated by fGn (H = 0.9), 5000 events: every seed is rejected."""
    for seed in range(10):
        t = modulated_events(5_000, seed=100 + seed)
        assert not renewal_test(t, seed=seed).is_renewal
        assert not aging_test(t, t_age=3 * np.median(np.diff(t)), seed=seed).is_renewal
