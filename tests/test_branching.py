"""Branching ratio: the BranchingRatio result, numerics under offsets, degenerate MR fits.

Known answers: for A_{t+1} ~ Poisson(m A_t + h) the regression slope of A_{t+k} on A_t is
m^k (Wilting & Priesemann 2018); a constant added to the activity changes no slope. An
MA(1) activity A_t = e_t + 0.2 e_{t-1} (e white) has r_1 = 0.19 and r_k = 0 beyond, like
the uncorrelated trial ``activity_mat_0`` of mrestimator's own tests (r_1 = 0.19, then
noise; that file is not shipped with the installed package): no exponential decay to fit.
``mrestimator`` (trial-separated coefficients) is the independent implementation of r_k.
"""

import json
import warnings

import numpy as np
import pytest

from neurodam.analysis import (
    BranchingRatio,
    branching_process,
    branching_ratio,
    population_activity,
)


@pytest.fixture(scope="module")
def driven():
    st = branching_process(0.9, 200, n_steps=2 * 10**5, drive=0.05, seed=6)
    return population_activity(st, 1e-3)[1]


def test_result_object(driven):
    res = branching_ratio(driven, "mr", bin_width=1e-3, k_max=30)
    assert isinstance(res, BranchingRatio) and res.method == "mr"
    assert abs(res.m - 0.9) < 0.01  # 2e5 bins: m_se ~ 1e-4, the estimator is unbiased
    assert float(res) == res.m and not res.degenerate and res.reason == ""
    np.testing.assert_array_equal(res.k, np.arange(1, 31))
    assert res.r_k.shape == (30,) and 0 < res.m_se < 0.01 and abs(res.b - 1) < 0.05
    assert res.autocorrelation_time == pytest.approx(-1e-3 / np.log(res.m))
    d = json.loads(json.dumps(res.to_dict()))
    back = BranchingRatio.from_dict(d)
    assert back.m == res.m and np.array_equal(back.r_k, res.r_k) and back.k.dtype == np.int64
    ax = res.plot()
    assert len(ax.lines) == 2
    naive = branching_ratio(driven, "naive")
    assert naive.method == "naive" and naive.n_avalanches > 1000 and naive.k.size == 0
    assert naive.m_se > 0 and naive.n_bins == driven.size
    with pytest.raises(ValueError, match="plot"):
        naive.plot()


def test_naive_hand_counts():
    # avalanches [1, 2] -> 2/1, [2, 1, 1] -> 1/2, [3] -> 0: mean 5/6 over 3 avalanches
    res = branching_ratio(np.array([0, 1, 2, 0, 2, 1, 1, 0, 3, 0]), "naive")
    assert res.m == pytest.approx(5 / 6) and res.n_avalanches == 3
    assert res.m_se == pytest.approx(np.std([2, 0.5, 0], ddof=1) / np.sqrt(3))


@pytest.mark.parametrize("offset", [1e8, 1e9, 1e12])
def test_mr_is_unchanged_by_a_constant_offset(driven, offset):
    # centred sums: one-pass sums of A and A^2 lost the variance under a large offset
    # ("activity is constant" at 1e9; m moved from 0.977 to 0.973 at 1e8 in mrestimator's
    # simulated activity). The slopes are shift invariant, so only rounding may differ.
    base = branching_ratio(driven, "mr")
    shifted = branching_ratio(driven + offset, "mr")
    assert shifted.m == pytest.approx(base.m, rel=1e-9)
    np.testing.assert_allclose(shifted.r_k, base.r_k, rtol=1e-8, atol=1e-10)


def test_r_k_match_mrestimator_with_offset(driven):
    mre = pytest.importorskip("mrestimator")
    steps = np.arange(1, 21)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = mre.coefficients(driven[None].astype(float), steps=steps, method="ts").coefficients
    ours = branching_ratio(driven + 1e9, "mr", k_max=20).r_k
    # the same estimator (per-window means, one trial): agreement to rounding
    np.testing.assert_allclose(ours, ref, rtol=1e-9)


def test_degenerate_fit_is_flagged():
    rng = np.random.default_rng(0)
    e = rng.poisson(20, 2001).astype(float)
    ma = e[1:] + 0.2 * e[:-1]
    with pytest.warns(UserWarning, match="branching_ratio: degenerate MR fit"):
        res = branching_ratio(ma, "mr")
    # the least-squares fit puts m ~ 4e-6 (b ~ 5e4): r_k = b m^k is nonzero at lag 1 only
    assert res.degenerate and res.m < 1e-3 and res.m_se > res.m
    assert "not resolved" in res.reason
    assert res.r_k[0] == pytest.approx(0.2 / 1.04, abs=0.05)  # r_1 of MA(1), 2000 samples


@pytest.mark.parametrize("m", [0.3, 0.5, 0.98])
def test_good_fits_are_not_flagged(m):
    st = branching_process(m, 200, n_steps=10**4, drive=0.5, seed=1)
    act = population_activity(st, 1e-3)[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no degeneracy warning
        res = branching_ratio(act, "mr")
    assert not res.degenerate
    # 1e4 bins: m_se <= 0.023 at m = 0.3 (measured); 4 sd
    assert abs(res.m - m) < max(4 * res.m_se, 0.01)


def test_non_stationary_activity_is_flagged():
    # a linear ramp: r_k ~ 1 at every lag, m ~ 1, no finite autocorrelation time
    ramp = np.arange(2000, dtype=float) + np.random.default_rng(1).normal(0, 1, 2000) + 10
    with pytest.warns(UserWarning, match="degenerate"):
        res = branching_ratio(ramp, "mr")
    assert res.degenerate and "exceeds" in res.reason


def test_bad_input(driven):
    with pytest.raises(ValueError, match="method"):
        branching_ratio(driven, "ols")
    with pytest.raises(TypeError, match="k_max"):
        branching_ratio(driven, "mr", k_max=4.0)
    with pytest.raises(ValueError, match="k_max"):
        branching_ratio(driven, "mr", k_max=1)
    with pytest.raises(ValueError, match="bin_width"):
        branching_ratio(driven, "mr", bin_width=-1.0)
    with pytest.raises(ValueError, match="spikes_or_activity"):
        branching_ratio(np.array([1.0, np.nan, 2.0, 3.0]))
    with pytest.raises(ValueError, match="spikes_or_activity: no avalanches"):
        branching_ratio(np.zeros(10), "naive")
