"""Alternatives to the power law and the likelihood-ratio tests (alternatives, _lognormal).

Known answers: the lognormal fit against a brute-force maximum of the same likelihood,
written independently here in (mu, sigma) with scipy's normal distribution; the published
likelihood-ratio table of Clauset, Shalizi & Newman (2009, Table 6.2) on the data sets that
the ``powerlaw`` package ships; interval integrals against mpmath; the discrete comparison
against the continuous one where the discretisation is negligible (values ~1e15).
"""

import json
import math
import warnings

import numpy as np
import pytest
from scipy import stats

from neurodam.analysis import LikelihoodRatio, compare_distributions, fit_power_law
from neurodam.analysis._lognormal import _log_gauss_integral, _log_z


def load(name, factor=1.0):
    powerlaw = pytest.importorskip("powerlaw")
    return powerlaw.load_test_dataset(name) * factor


# ------------------------------------------------------------ interval integrals
def test_log_gauss_integral_matches_mpmath_in_every_branch():
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(120):
        # kappa (change of the exponent over the interval) picks the branch: series
        # (<= 0.03), Gauss-Legendre (<= 1) or closed form; frac splits it between the
        # linear and the quadratic part
        kappa = 10 ** rng.uniform(-4, 3)
        frac = rng.random()
        w = 10 ** rng.uniform(-8, 1.5)
        b = frac * kappa / w**2
        slope = (1 - frac) * kappa / w * rng.choice([-1.0, 1.0])
        lo = 10 ** rng.uniform(-3, 1.5)
        a = slope + 2 * b * lo
        ref = a * lo - b * lo * lo
        c = slope / (2 * b) if b > 0 else -1.0
        pts = [0, c, w] if 0 < c < w else [0, w]
        f = lambda u, g=slope, q=b: mpmath.exp(g * u - q * u * u)  # noqa: E731
        ref += mpmath.log(mpmath.quad(f, pts))
        ours = float(_log_gauss_integral(a, b, lo, w))
        worst = max(worst, abs(ours - float(ref)) / max(1.0, abs(float(ref))))
    # double precision with a few roundings: 1e-13 relative
    assert worst < 1e-13


@pytest.mark.parametrize(
    "a, b, Y",
    [(-1.0, 0.0, math.inf), (-1.0, 1e-30, math.inf), (-0.3, 2.0, math.inf), (0.5, 0.0, 3.0),
     (2.0, 0.7, 5.0), (-40.0, 1e-3, 1e4), (0.0, 0.0, 2.5), (3.0, 1e-20, 0.1)],
)  # fmt: skip
def test_normaliser_matches_mpmath(a, b, Y):
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    f = lambda y: mpmath.exp(a * y - b * y * y)  # noqa: E731
    upper = mpmath.inf if math.isinf(Y) else Y
    ref = float(mpmath.log(mpmath.quad(f, [0, 1, upper])))
    assert _log_z(a, b, Y) == pytest.approx(ref, rel=1e-13, abs=1e-13)
    assert float(_log_gauss_integral(a, b, 0.0, Y)) == pytest.approx(ref, rel=1e-13, abs=1e-13)


# ------------------------------------------------------------ brute-force optimum
def _log_diff_sf(za, dz):
    """log(Phi(za + dz) - Phi(za)) from scipy's normal distribution.

    Narrow intervals (|z| dz < 0.01) from the midpoint rule with its second-order term,
    phi(z) dz [1 + (z^2 - 1) dz^2 / 24] (error below 1e-11), since the difference of two
    nearly equal tail probabilities would keep only a few digits.
    """
    zb, zm = za + dz, za + 0.5 * dz
    narrow = dz * (np.abs(zm) + 1.0) < 0.01
    right = za > 0
    hi = np.where(right, stats.norm.logsf(za), stats.norm.logcdf(zb))
    lo = np.where(right, stats.norm.logsf(zb), stats.norm.logcdf(za))
    with np.errstate(divide="ignore", invalid="ignore"):
        wide = hi + np.log1p(-np.exp(lo - hi))
        mid = stats.norm.logpdf(zm) + np.log(dz) + np.log1p((zm * zm - 1.0) * dz * dz / 24.0)
    return np.where(narrow, mid, wide)


def grid_loglik(u, c, xmin, discrete, mu, sigma, xmax=None):
    """Log-likelihoods of the lognormal truncated to [xmin, xmax] (discrete: CSN's code) for
    arrays of (mu, sigma), in double precision: distinct tail values ``u``, counts ``c``."""
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    n = c.sum()
    lo, hi = (xmin - 0.5, None if xmax is None else xmax + 0.5) if discrete else (xmin, xmax)
    z_lo = (math.log(lo) - mu) / sigma
    if hi is None:
        log_norm = stats.norm.logsf(z_lo)
    else:
        log_norm = _log_diff_sf(z_lo, (math.log(hi) - math.log(lo)) / sigma)
    if discrete:
        m, s = mu[:, None], sigma[:, None]
        # interval widths from log1p: ln(u + 1/2) - ln(u - 1/2) loses all digits at 1e11
        num = _log_diff_sf((np.log(u - 0.5) - m) / s, np.log1p(1.0 / (u - 0.5)) / s) @ c
        return num - n * log_norm
    lu = np.log(u)
    s1, s2, sl = c @ lu, c @ lu**2, c @ lu
    quad = (s2 - 2 * mu * s1 + n * mu**2) / (2 * sigma**2)
    num = -quad - n * np.log(sigma) - 0.5 * n * math.log(2 * math.pi) - sl
    return num - n * log_norm


def exact_loglik(u, c, xmin, discrete, mu, sigma, xmax=None):
    """The same log-likelihood with mpmath at 40 digits (no cancellation far down the ridge)."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(40):
        mu, sigma = mpmath.mpf(mu), mpmath.mpf(sigma)

        def sf(v):
            return 0 if v is None else mpmath.ncdf(-(mpmath.log(v) - mu) / sigma)

        n = int(c.sum())
        if discrete:
            num = sum(
                int(k) * mpmath.log(sf(v - 0.5) - sf(v + 0.5)) for v, k in zip(u, c, strict=True)
            )
            top = None if xmax is None else xmax + 0.5
            return float(num - n * mpmath.log(sf(xmin - 0.5) - sf(top)))
        lu = [mpmath.log(v) for v in u]
        num = sum(
            int(k) * (-((x - mu) ** 2) / (2 * sigma**2) - mpmath.log(sigma) - x)
            for x, k in zip(lu, c, strict=True)
        )
        num -= n * mpmath.log(mpmath.sqrt(2 * mpmath.pi))
        return float(num - n * mpmath.log(sf(xmin) - sf(xmax)))


def brute_force_lognormal(t, xmin, discrete, xmax=None):
    """Best log-likelihood over (mu, sigma) by dense grids, zoomed in on the best point.

    A first grid spans sigma from 0.02 to 30 times the spread s of ln(x), and mu from the
    data down the ridge of near-power-law lognormals (mu = ln xmin + (1 - alpha) sigma^2,
    alpha in 1..5); then 41 x 41 grids in (ln sigma, mu) around the best point, recentred
    while the best point sits on an edge and shrunk 4-fold otherwise. The best point is
    re-evaluated with mpmath.
    """
    u, c = np.unique(t, return_counts=True)
    c = c.astype(float)
    x0 = xmin - 0.5 if discrete else xmin
    lt = np.log(t) - math.log(x0)
    sig = lt.std() * np.geomspace(0.02, 30, 60)
    rel = [np.linspace(-4, 4, 17)[None, :] * sig[:, None] + lt.mean(),
           -np.linspace(0, 4, 41)[None, :] * sig[:, None] ** 2]  # fmt: skip
    mus = np.concatenate([np.broadcast_to(r, (sig.size, r.shape[1])) for r in rel], axis=1)
    sigmas = np.broadcast_to(sig[:, None], mus.shape).ravel()
    mus = mus.ravel() + math.log(x0)
    vals = grid_loglik(u, c, xmin, discrete, mus, sigmas, xmax)
    i = int(np.nanargmax(vals))
    ls, mu = math.log(sigmas[i]), mus[i]
    w_ls, w_mu = 0.3, 0.3 * sigmas[i] + 2 * sigmas[i] ** 2 * 0.3
    step = np.linspace(-1.0, 1.0, 41)
    for _ in range(80):  # at most 80 grids: along the ridge to sigma ~ e^24 s
        g_ls, g_mu = np.meshgrid(ls + w_ls * step, mu + w_mu * step, indexing="ij")
        v = grid_loglik(u, c, xmin, discrete, g_mu.ravel(), np.exp(g_ls.ravel()), xmax)
        j = int(np.nanargmax(v))
        a, b = divmod(j, step.size)
        ls, mu = g_ls.ravel()[j], g_mu.ravel()[j]
        if a in (0, step.size - 1) or b in (0, step.size - 1):
            continue  # recentre on the edge point, same size
        w_ls, w_mu = w_ls / 4, w_mu / 4
        if w_ls < 1e-10:
            break
    return exact_loglik(u, c, xmin, discrete, mu, math.exp(ls), xmax)


def _zipf(seed):
    return np.random.default_rng(seed).zipf(1.5, 5000).astype(float)


CASES = {
    # name: (data, discrete, xmin) or (data, discrete, xmin, xmax)
    "flares": (lambda: load("flares"), False, 323.0),
    "pareto": (lambda: 1.0 / (1.0 - np.random.default_rng(5).random(5000)), False, 1.0),
    "lognormal": (lambda: np.exp(np.random.default_rng(3).normal(2, 1.5, 4000)), False, 8.0),
    "terrorism": (lambda: load("terrorism"), True, 12.0),
    "quakes": (lambda: load("quakes", 1e-3), False, 10.0),
    "rounded lognormal": (
        lambda: np.round(np.exp(np.random.default_rng(16).normal(3.0, 0.8, 3000))),
        True,
        5.0,
    ),
    "flares, xmax": (lambda: load("flares"), False, 323.0, 20000.0),
    "rounded lognormal, xmax": (
        lambda: np.round(np.exp(np.random.default_rng(17).normal(2.0, 1.2, 3000))) + 1.0,
        True,
        3.0,
        60.0,
    ),
}
SLOW_CASES = {
    "words": (lambda: load("words"), True, 7.0),
    "zipf seed 0": (lambda: _zipf(0), True, 1.0),
    "zipf seed 2": (lambda: _zipf(2), True, 1.0),
    "zipf seed 4": (lambda: _zipf(4), True, 1.0),
}


def _check_against_brute_force(name, cases):
    data, discrete, xmin, *top = cases[name]
    xmax = top[0] if top else None
    x = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_power_law(x, discrete=discrete, xmin=xmin, xmax=xmax)
    t = fit.tail
    lr = compare_distributions(x, fit, "lognormal")
    ll_pl = float(fit.loglikelihoods(t).sum())
    ours = ll_pl - lr.R  # the lognormal's log-likelihood
    brute = brute_force_lognormal(t, xmin, discrete, xmax)
    # no (mu, sigma) found by the brute force does better than our fit; 1e-6 allows for the
    # optimiser tolerances of both
    assert brute <= ours + 1e-6, (name, brute, ours)
    mu, sigma = lr.params["mu"], lr.params["sigma"]
    if math.isfinite(sigma):
        # the reported parameters give the reported likelihood (independent formula)
        u, c = np.unique(t, return_counts=True)
        exact = exact_loglik(u, c, xmin, discrete, mu, sigma, xmax)
        assert exact == pytest.approx(ours, abs=1e-6)
        if sigma < 30 * np.log(t).std():
            # inside the brute force's box the brute force reaches it too
            assert brute >= ours - 1e-6
    else:
        # the power-law limit (sigma = inf): no finite lognormal beats it, and for
        # continuous data it is the fitted power law itself (up to the 1e-8 to which the
        # two exponents are optimised)
        assert discrete or (abs(lr.R) < 1e-6 and lr.p > 0.5)
    return lr


@pytest.mark.parametrize("name", sorted(CASES))
def test_lognormal_reaches_the_brute_force_maximum(name):
    _check_against_brute_force(name, CASES)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SLOW_CASES))
def test_lognormal_reaches_the_brute_force_maximum_slow(name):
    _check_against_brute_force(name, SLOW_CASES)


# ------------------------------------------------------------ the reproductions
def test_quakes_lognormal_is_not_a_false_power_law():
    # quakes x 1e-3, xmin = 10 (the KS choice): the two-start optimiser stopped on the ridge
    # and reported R = +1.684, p = 4e-16, "power law"; at the maximum the lognormal
    # collapses onto the power law itself (its profile likelihood decreases for every
    # sigma < inf), so the two cannot be told apart
    x = load("quakes", 1e-3)
    fit = fit_power_law(x, discrete=False)
    assert fit.xmin == 10.0
    lr = compare_distributions(x, fit, "lognormal")
    assert lr.verdict() == "inconclusive"
    assert lr.R <= 1e-9 and lr.p > 0.5


def test_exact_pareto_sample_is_not_a_false_power_law():
    # an exact Pareto sample: a lognormal can only tie with (R = 0) or beat (R < 0) the
    # fitted power law on continuous data, since it contains it as a limit
    x = 1.0 / (1.0 - np.random.default_rng(5).random(5000))
    lr = compare_distributions(x, fit_power_law(x, discrete=False, xmin=1.0), "lognormal")
    assert lr.R <= 1e-9 and lr.verdict() == "inconclusive"


# ------------------------------------------------------------ CSN Table 6.2
# Clauset, Shalizi & Newman (2009), SIAM Review 51:661-703, Table 6.2, lognormal column:
# normalised log-likelihood ratio n^-1/2 R / sigma and its p-value (R > 0 favours the power
# law). The same values are the reference of the powerlaw package's own tests
# (testing/test_reference_data.py). Data as shipped by powerlaw, scaled as CSN Table 6.1
# (blackouts, cities, quakes, surnames in thousands), continuous except words and
# terrorism. xmin: the KS choice, which equals CSN's for six sets; for quakes and surnames
# CSN's plfit computes the empirical CDF of continuous data with ties differently and
# chooses 0.794 and 111.92 where the powerlaw convention (ours) chooses 10 and 14.92, so
# those two rows are tested at CSN's xmin.
CSN_LOGNORMAL = {
    # name: (factor, discrete, xmin at which to test or None, CSN normalised R, CSN p)
    "blackouts": (1e-3, False, None, -0.412, 0.68),
    "cities": (1e-3, False, None, -0.090, 0.93),
    "fires": (1.0, False, None, -1.78, 0.08),
    "flares": (1.0, False, None, -0.803, 0.42),
    "quakes": (1e-3, False, 0.794, -7.14, 0.00),
    "surnames": (1e-3, False, 111.92, -0.836, 0.40),
    "terrorism": (1.0, True, None, -0.278, 0.78),
    "words": (1.0, True, None, 0.395, 0.69),
}


@pytest.mark.parametrize("name", sorted(CSN_LOGNORMAL))
def test_lognormal_column_of_csn_table_6_2(name):
    factor, discrete, xmin, z_csn, p_csn = CSN_LOGNORMAL[name]
    x = load(name, factor)
    if xmin is not None:  # the data value CSN's rounded xmin stands for
        u = np.unique(x)
        xmin = float(u[np.argmin(np.abs(u - xmin))])
    fit = fit_power_law(x, discrete=discrete, xmin=xmin)
    lr = compare_distributions(x, fit, "lognormal")
    # the verdict of the table: sign of R and whether p < 0.1
    assert np.sign(lr.R) == np.sign(z_csn)
    assert (lr.p < 0.1) == (p_csn < 0.1)
    if name == "words":
        # CSN's 0.395 comes from a lognormal fit that stopped short of the maximum (nlm
        # from the moments of ln x); ours has a higher likelihood (brute-force check in
        # test_lognormal_reaches_the_brute_force_maximum_slow), so R is smaller: 0.056
        assert 0.0 < lr.normalized_R < z_csn
    else:
        # same data, same xmin, same maximum: the table's three decimals (its rounding)
        # and the p-value to its two decimals
        assert lr.normalized_R == pytest.approx(z_csn, abs=0.005 + 0.002 * abs(z_csn))
        assert lr.p == pytest.approx(p_csn, abs=0.006)


# ------------------------------------------------------------ verdicts, large values
def test_zipf_verdicts_follow_the_maximum():
    # discrete zeta(1.5) samples from xmin = 1: the discretised lognormal does not contain
    # the zeta law, so "power law" can be a correct verdict; at the maximum |R| stays of
    # order sqrt(n) * small instead of the hundreds the stalled optimiser gave (seed 0:
    # R = 716, p = 1e-57)
    for seed in (0, 2, 4):
        x = _zipf(seed)
        lr = compare_distributions(x, fit_power_law(x, xmin=1), "lognormal")
        assert abs(lr.R) < 20 and lr.p > 0.05


def test_discrete_lognormal_for_values_beyond_1e15():
    # at these scales the half-unit intervals are negligible: the discrete comparison must
    # equal the continuous one (to the 1e-8 of the two alpha optimisers), finite, without
    # warnings (the old code returned R = inf, p = 1 with divide-by-zero warnings)
    rng = np.random.default_rng(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scale in (1e15, 1e16, 1e17):
            x = np.floor(scale / (1.0 - rng.random(2000)) ** (1.0 / 1.5))
            fd = fit_power_law(x, xmin=float(x.min()))
            fc = fit_power_law(x, discrete=False, xmin=float(x.min()))
            d = compare_distributions(x, fd, "lognormal")
            c = compare_distributions(x, fc, "lognormal")
            assert math.isfinite(d.R) and 0.0 < d.p <= 1.0
            assert d.R == pytest.approx(c.R, abs=1e-6)


# ------------------------------------------------------------ the result object
def test_likelihood_ratio_keeps_parameters_and_round_trips():
    x = load("flares")
    fit = fit_power_law(x, discrete=False, xmin=323.0)
    for alt, keys in (
        ("exponential", {"lambda"}),
        ("lognormal", {"mu", "sigma"}),
        ("truncated_power_law", {"alpha", "lambda"}),
    ):
        lr = fit.compare(alt)
        assert set(lr.params) == keys and lr.alternative == alt and lr.n_tail == fit.n_tail
        d = json.loads(json.dumps(lr.to_dict(), allow_nan=False))
        assert LikelihoodRatio.from_dict(d) == lr
    # the flares lognormal sits far down the ridge, but at a finite maximum (CSN: -0.803)
    lr = fit.compare("lognormal")
    assert lr.params["mu"] == pytest.approx(-30.836, abs=0.01)
    assert lr.params["sigma"] == pytest.approx(7.0404, abs=1e-3)
    # the power-law limit serialises as strings and reads back as infinities
    limit = LikelihoodRatio(0.0, 1.0, "lognormal", {"mu": -math.inf, "sigma": math.inf}, 5, 0.0)
    d = json.loads(json.dumps(limit.to_dict(), allow_nan=False))
    assert d["params"] == {"mu": "-inf", "sigma": "inf"}
    assert LikelihoodRatio.from_dict(d) == limit


def test_bad_alternative_and_fit():
    x = np.arange(1.0, 100.0)
    fit = fit_power_law(x, xmin=1)
    with pytest.raises(ValueError, match="alternative"):
        compare_distributions(x, fit, "gamma")
    with pytest.raises(ValueError, match="alternative"):
        fit.compare("stretched_exponential")
    with pytest.raises(TypeError, match="fit"):
        compare_distributions(x, "fit", "lognormal")
