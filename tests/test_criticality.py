"""Criticality: branching processes with known exponents and branching ratio (issue 3).

Known answers: the Poisson Galton-Watson process. At m = 1 (mean field) the
total progeny has P(S) ~ S^-3/2 and the extinction time P(T) ~ T^-2, and
<S>(T) ~ T^2 (Harris 1963; Zapperi et al. 1995). Below m = 1 sizes are cut off
exponentially at S* = 1/(m - 1 - ln m) (~190 for m = 0.9). For a driven process
A_{t+1} ~ Poisson(m A_t + h), the regression slope of A_{t+k} on A_t is m^k
(Wilting & Priesemann 2018). ``mrestimator`` is the independent implementation.
"""

import warnings

import numpy as np
import pytest
from scipy import stats

from neurodam import SpikeTrains
from neurodam.analysis import (
    Avalanches,
    avalanches,
    avalanches_from_activity,
    branching_process,
    branching_ratio,
    compare_distributions,
    crackling_relation,
    fit_power_law,
    population_activity,
    shape_collapse,
)

DT = 1e-3


@pytest.fixture(scope="module")
def critical():
    # 2e4 avalanches, capped at 1e4 spikes (0.8 % stopped, sqrt(2/(pi*1e4)));
    # sizes are fitted below xmax = 1e3 so the cap does not censor the fitted range
    st = branching_process(1.0, 100, n_avalanches=20000, seed=1, max_size=10**4)
    return st, avalanches(st, bin_width=DT)


def test_generator_layout(critical):
    st, av = critical
    assert len(av) == 20000  # one empty step between avalanches: each one is recovered
    assert av.sizes.sum() == len(st)
    assert st.meta["n_truncated"] < 0.02 * 20000
    again = branching_process(1.0, 100, n_avalanches=200, seed=5)
    assert again == branching_process(1.0, 100, n_avalanches=200, seed=5)


def test_critical_exponents(critical):
    _, av = critical
    sizes = fit_power_law(av.sizes, xmax=1000)
    durations = fit_power_law(av.durations)
    # the tolerances; the statistical errors here are ~0.005 (tau) and ~0.015 (alpha)
    assert abs(sizes.alpha - 1.5) < 0.1
    assert abs(durations.alpha - 2.0) < 0.15
    c = crackling_relation(av, size_fit=sizes, duration_fit=durations)
    assert abs(c.predicted - 2.0) < 0.15
    # <S>(T) approaches T^2 from below: E[S | T] has O(1/T) corrections, and the fit range
    # starts at T ~ 7 here, so the fitted gamma sits ~0.1-0.15 under 2 at this sample size
    assert 1.75 < c.gamma < 2.05
    assert abs(c.difference) < 0.15
    # gamma and its se are ordinary least squares of ln <S> on ln T over gamma_range:
    # scipy's linregress is the independent implementation (agreement to rounding)
    use = (c.T >= c.gamma_range[0]) & (c.T <= c.gamma_range[1])
    _, _, counts = av.mean_size_by_duration()
    use &= counts >= 10
    ref = stats.linregress(np.log(c.T[use]), np.log(c.mean_size[use]))
    assert c.gamma == pytest.approx(ref.slope, rel=1e-10)
    assert c.gamma_se == pytest.approx(ref.stderr, rel=1e-8)
    assert c.intercept == pytest.approx(ref.intercept, rel=1e-8, abs=1e-10)


@pytest.mark.slow
def test_critical_exponents_large_sample():
    # 5e4 avalanches with a 1e5 size cap (0.25 % stopped; ~2.5e7 spikes, ~2 GB peak, ~10 s).
    # A lower cap censors the longest avalanches and biases <S>(T) upwards at large T.
    st = branching_process(1.0, 100, n_avalanches=50000, seed=2, max_size=10**5)
    av = avalanches(st, bin_width=DT)
    c = crackling_relation(av, size_fit=fit_power_law(av.sizes, xmax=10**4))
    # statistical errors: tau +-0.005, alpha +-0.012 -> well inside these
    assert abs(c.tau - 1.5) < 0.05
    assert abs(c.alpha - 2.0) < 0.1
    assert abs(c.predicted - 2.0) < 0.15
    # <S>(T)/T^2 still decreases over T = 10..130 (corrections to scaling), so the fitted
    # slope sits under 2 (1.88 here, 1.92 with 1e5 avalanches): allow 0.15
    assert abs(c.gamma - 2.0) < 0.15
    assert abs(c.difference) < 0.1


def test_subcritical_is_cut_off():
    st = branching_process(0.9, 100, n_avalanches=20000, seed=3)
    av = avalanches(st, bin_width=DT)
    fit1 = fit_power_law(av.sizes, xmin=1)
    lr = compare_distributions(av.sizes, fit1, "truncated_power_law")
    # the exponential cut-off at S* ~ 190 is decisive against a pure power law
    assert lr.R < 0 and lr.p < 1e-6
    # and the power law from xmin = 1 fails the CSN bootstrap outright
    assert fit1.p_value(n_boot=30, seed=7) == 0.0
    # with xmin scanned, the KS minimum lands either on the bulk or on the far tail; either
    # way the exponent is clearly steeper than at criticality (1.63 vs 1.49 for this seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert fit_power_law(av.sizes).alpha > 1.6
    # the same test at m = 1 finds no significant cut-off below the size cap
    crit = branching_process(1.0, 100, n_avalanches=20000, seed=4, max_size=10**4)
    crit = avalanches(crit, bin_width=DT)
    fitc = fit_power_law(crit.sizes, xmin=1, xmax=1000)
    assert compare_distributions(crit.sizes, fitc, "truncated_power_law").p > 1e-3


@pytest.mark.parametrize("m", [0.9, 0.95])
def test_branching_ratio_driven(m):
    # drive h = 0.005 spikes/step: avalanches mostly start from one spike, so the naive
    # estimator's bias (~h) stays well under the 0.02 tolerance; MR is unbiased
    st = branching_process(m, 200, n_steps=2 * 10**6, drive=0.005, seed=6)
    naive = branching_ratio(st, "naive", bin_width=DT).m
    mr = branching_ratio(st, "mr", bin_width=DT, k_max=40).m
    assert abs(naive - m) < 0.02
    assert abs(mr - m) < 0.02
    mre = pytest.importorskip("mrestimator")
    _, act = population_activity(st, DT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rk = mre.coefficients(act[None].astype(float), steps=(1, 40), method="sm")
        ref = mre.fit(rk, fitfunc=mre.f_exponential)
    # the same estimator (stationary-mean slopes, exponential fit): the issue asks 0.02;
    # we see agreement to ~1e-8, so check 1e-3
    assert abs(mr - ref.mre) < 1e-3
    assert branching_ratio(act, "mr", k_max=40).m == pytest.approx(mr)


def test_naive_branching_ratio_hand():
    # avalanches [1, 2] -> 2/1, [2, 1, 1] -> 1/2, [3] -> 0: mean 5/6
    act = np.array([0, 1, 2, 0, 2, 1, 1, 0, 3, 0])
    assert branching_ratio(act, "naive").m == pytest.approx(5 / 6)


def _synthetic_shapes(gamma):
    # mean shape T^(gamma-1) * 4x(1-x) at bin centres, 3 identical avalanches per duration
    act, T_all = [], list(range(4, 40))
    for T in T_all:
        x = (np.arange(T) + 0.5) / T
        prof = np.round(1000 * T ** (gamma - 1) * 4 * x * (1 - x)).astype(np.int64) + 1
        for _ in range(3):
            act.extend(prof.tolist() + [0])
    return avalanches_from_activity(np.array(act))


@pytest.mark.parametrize("gamma", [1.5, 2.0, 2.5])
def test_shape_collapse_known_exponent(gamma):
    sc = shape_collapse(_synthetic_shapes(gamma), min_count=3)
    # rounding to integers (+1 offset) perturbs the shapes by < 1e-3 relative
    assert sc.exponent == pytest.approx(gamma, abs=0.02)
    assert sc.error < 1e-3


def test_shape_collapse_critical_branching(critical):
    _, av = critical
    sc = shape_collapse(av, min_duration=4, min_count=20)
    # mean field: gamma = 2; discreteness of short avalanches pulls the estimate down
    # (1.82 here, 1.89 with 1e5 avalanches), so allow 0.25
    assert abs(sc.exponent - 2.0) < 0.25


# ------------------------------------------------------------------ bad input
def test_bad_inputs():
    st = SpikeTrains([0.1, 0.2], [0, 1], t_stop=1.0)
    with pytest.raises(ValueError, match="method"):
        branching_ratio(st, method="ols", bin_width=0.1)
    with pytest.raises(ValueError, match="k_max"):
        branching_ratio(np.ones(10), "mr", k_max=8)
    with pytest.raises(ValueError, match="spikes_or_activity"):
        branching_ratio(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="spikes_or_activity: the activity is constant"):
        branching_ratio(np.full(200, 3), "mr", k_max=5)  # 0/0 slope: an error, not a warning
    with pytest.raises(TypeError, match="avalanches"):
        crackling_relation(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="avalanches"):
        shape_collapse(avalanches_from_activity(np.array([0, 1, 0, 2, 2, 0])))
    with pytest.raises(ValueError, match="^m: "):
        branching_process(-0.5, 10, n_avalanches=5)
    with pytest.raises(ValueError, match="n_steps, n_avalanches"):
        branching_process(0.5, 10)
    assert isinstance(avalanches_from_activity(np.array([1, 0, 1])), Avalanches)


def test_cli_analyse_avalanches_synthetic(tmp_path, capsys):
    from neurodam import io
    from neurodam.cli import main

    st = branching_process(1.0, 50, n_avalanches=3000, seed=8, max_size=10**4)
    path = tmp_path / "bp.npz"
    io.write(st, path)
    fig = tmp_path / "av.png"
    args = ["analyse", str(path), "--avalanches", "--bin-width", str(DT), "--figure", str(fig)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "avalanches    3000 " in out and "tau=" in out and "alpha=" in out
    assert fig.is_file()
    assert main(["analyse", str(path)]) == 2  # no analysis chosen
    assert "--avalanches" in capsys.readouterr().err
    assert main(["analyse", str(path), "--avalanches", "--threshold", "pct:3"]) == 2
    assert "threshold" in capsys.readouterr().err
