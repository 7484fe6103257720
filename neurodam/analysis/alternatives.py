r"""Alternatives to a power law and the likelihood-ratio tests between them.

Each alternative is fitted by maximum likelihood to the same tail as the power law
(its range :math:`[x_{\min}, x_{\max}]`), as Clauset, Shalizi & Newman (2009, sec. 5) do:

exponential           :math:`p(x) \propto e^{-\lambda x}`
lognormal             :math:`p(x) \propto x^{-1} e^{-(\ln x - \mu)^2 / 2\sigma^2}`, through its
                      natural parameters so that the fit reaches the maximum, including the
                      power-law limit :math:`\sigma \to \infty` (see ``_lognormal``)
truncated_power_law   :math:`p(x) \propto x^{-\alpha} e^{-\lambda x}`

Discrete data use the discrete analogues: geometric, the lognormal mass of
:math:`[k - 1/2, k + 1/2]`, and the normalised sum of :math:`k^{-\alpha} e^{-\lambda k}`.

The test (:func:`compare_distributions`) sums the pointwise log-likelihood differences,
:math:`R = \sum_i [\ln p_{PL}(x_i) - \ln p_{alt}(x_i)]`; for the non-nested exponential and
lognormal its significance is Vuong's (1989) normal test of
:math:`R / (\sigma \sqrt n)`, for the nested truncated power law Wilks' :math:`\chi^2_1`
test of :math:`2|R|`. The ``powerlaw`` package (Alstott, Bullmore & Plenz 2014) makes the
same comparisons.

References
----------
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data.
SIAM Review 51:661-703.
Vuong QH (1989) Likelihood ratio tests for model selection and non-nested hypotheses.
Econometrica 57:307-333.
Alstott J, Bullmore E, Plenz D (2014) powerlaw: a Python package for analysis of
heavy-tailed distributions. PLoS ONE 9:e85777.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import integrate, optimize, special, stats

from neurodam._validate import check_choice
from neurodam.analysis import _lognormal
from neurodam.analysis._zeta import ALPHA_BOUNDS

__all__ = ["ALTERNATIVES", "LikelihoodRatio", "compare_distributions"]

ALTERNATIVES = ("exponential", "lognormal", "truncated_power_law")
_NESTED = ("truncated_power_law",)
_SAME = 1e-9  # pointwise log-likelihood differences below this are rounding


def _json_float(x) -> float | str | None:
    """A float for JSON: finite as is, non-finite as ``"inf"``, ``"-inf"`` or ``"nan"``."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else str(x)


def _float(x) -> float | None:
    """Inverse of :func:`_json_float`."""
    return None if x is None else float(x)


@dataclass(frozen=True)
class LikelihoodRatio:
    """Likelihood-ratio test of a power law against an alternative.

    Attributes
    ----------
    R : float
        Sum of pointwise log-likelihood differences, power law minus alternative: ``R > 0``
        favours the power law. 0 when both fitted laws coincide (the lognormal at its
        power-law limit, the truncated power law at lambda = 0).
    p : float
        Significance of the sign of R (Vuong's normal test; Wilks' for the nested
        truncated power law). 1 when the fitted laws coincide.
    alternative : str
        ``"exponential"``, ``"lognormal"`` or ``"truncated_power_law"``.
    params : dict
        The alternative's fitted parameters: ``lambda``; ``mu``, ``sigma`` (natural log
        scale; ``-inf``/``inf`` at the power-law limit); ``alpha``, ``lambda``.
    n_tail : int
        Number of values compared (the power law's fit range).
    normalized_R : float
        :math:`R / (\\sigma \\sqrt{n})` with :math:`\\sigma` the standard deviation of the
        pointwise differences: the statistic of Clauset et al. (2009, Table 6.2) for the
        non-nested alternatives.
    """

    R: float
    p: float
    alternative: str = ""
    params: dict = field(default_factory=dict)
    n_tail: int = 0
    normalized_R: float = math.nan

    def verdict(self, significance: float = 0.1) -> str:
        """``"power law"``, the alternative's name, or ``"inconclusive"`` (p >= significance)."""
        if not self.p < significance:
            return "inconclusive"
        return "power law" if self.R > 0 else self.alternative

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (non-finite numbers as strings); inverse of :meth:`from_dict`."""
        return {
            "R": _json_float(self.R),
            "p": _json_float(self.p),
            "alternative": self.alternative,
            "params": {k: _json_float(v) for k, v in self.params.items()},
            "n_tail": int(self.n_tail),
            "normalized_R": _json_float(self.normalized_R),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LikelihoodRatio:
        """The LikelihoodRatio that :meth:`to_dict` wrote."""
        return cls(
            R=_float(d["R"]),
            p=_float(d["p"]),
            alternative=str(d.get("alternative", "")),
            params={k: _float(v) for k, v in d.get("params", {}).items()},
            n_tail=int(d.get("n_tail", 0)),
            normalized_R=_float(d.get("normalized_R", math.nan)),
        )


# ------------------------------------------------------------------ the fits
def _fit_exponential(t, xmin, xmax, discrete):
    """MLE of p(x) ~ exp(-lam x) on the fit range; returns per-value log-likelihoods."""
    d = t - xmin

    def ll(lam):
        if discrete:
            # sum_{k=xmin}^{xmax} e^{-lam k} = e^{-lam xmin} (1 - e^{-lam(K)})/(1 - e^{-lam})
            lz = -np.log(-np.expm1(-lam))
            if xmax is not None:
                lz += np.log(-np.expm1(-lam * (xmax - xmin + 1)))
        else:
            lz = -np.log(lam)
            if xmax is not None:
                lz += np.log(-np.expm1(-lam * (xmax - xmin)))
        return -lam * d - lz

    mean = float(d.mean())
    if xmax is None and mean > 0:
        lam = math.log1p(1.0 / mean) if discrete else 1.0 / mean
    else:
        res = optimize.minimize_scalar(
            lambda u: -float(ll(math.exp(u)).sum()), bounds=(-30.0, 10.0), method="bounded"
        )
        lam = math.exp(res.x)
    return ll(lam), {"lambda": lam}


def _fit_lognormal(t, xmin, xmax, discrete):
    """MLE of the lognormal on the fit range (see ``_lognormal``); log-likelihoods, params."""
    if discrete:
        a, b = _lognormal.fit_discrete(t, xmin, xmax)
        ll = _lognormal.loglik_discrete(t, xmin, xmax, a, b)
        x0 = xmin - 0.5
    else:
        y = np.log(t / xmin)
        Y = math.inf if xmax is None else math.log(xmax / xmin)
        a, b = _lognormal.fit_continuous(y, Y)
        ll = _lognormal.loglik_continuous(t, y, Y, a, b)
        x0 = xmin
    mu, sigma = _lognormal.natural_to_mu_sigma(a, b, x0)
    return ll, {"mu": mu, "sigma": sigma}


def _fit_truncated_power_law(t, xmin, xmax, discrete, alpha0):
    """MLE of p(x) ~ x^-a exp(-lam x) on the fit range."""
    lt = np.log(t)
    if discrete:
        # exact sum over xmin <= k <= k_end, then the midpoint integral from k_end + 1/2
        # (Euler-Maclaurin: relative error ~ f''/24 f, below 1e-8 for k_end >= xmin + 5000)
        k_end = xmin + 5000.0 if xmax is None else min(xmax, xmin + 5000.0)
        k = np.arange(xmin, k_end + 1.0)
        log_k = np.log(k)

        def log_z(a, lam):
            terms = -a * log_k - lam * k
            top = terms.max()
            z = np.exp(terms - top).sum()
            y0 = k_end + 0.5
            upper = np.inf if xmax is None else xmax + 0.5
            if y0 < upper and lam * y0 < 700:
                # y = y0 e^u: integral of exp(-a log y - lam y - top) dy, cut where < e^-800
                u_max = math.log1p(800.0 / (lam * y0))
                if xmax is not None:
                    u_max = min(u_max, math.log(upper / y0))
                c = -a * math.log(y0) - lam * y0 - top + math.log(y0)
                z += integrate.quad(
                    lambda u: math.exp(c + (1.0 - a) * u - lam * y0 * math.expm1(u)),
                    0.0,
                    u_max,
                    limit=200,
                )[0]
            return top + math.log(z)
    else:

        def log_z(a, lam):
            upper = math.log1p(800.0 / (lam * xmin))  # beyond it the integrand is < e^-800
            if xmax is not None:
                upper = min(upper, math.log(xmax / xmin))
            # x = xmin e^u: integral of xmin^(1-a) e^((1-a)u - lam xmin e^u) du
            shift = (1.0 - a) * math.log(xmin) - lam * xmin
            val = integrate.quad(
                lambda u: math.exp((1.0 - a) * u - lam * xmin * math.expm1(u)), 0.0, upper
            )[0]
            return shift + math.log(val)

    def nll(p):
        a, lam = p[0], math.exp(p[1])
        return float(a * lt.sum() + lam * t.sum() + t.size * log_z(a, lam))

    best = None
    for u0 in (math.log(0.1 / t.mean()), math.log(1.0 / t.max())):
        with warnings.catch_warnings():  # quad complains in far corners the optimiser probes
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            res = optimize.minimize(
                nll,
                np.array([alpha0, u0]),
                method="L-BFGS-B",
                bounds=[
                    (-5.0, ALPHA_BOUNDS[1]),
                    (math.log(1e-12 / t.max()), math.log(50.0 / xmin)),
                ],
            )
        if best is None or res.fun < best.fun:
            best = res
    a, lam = best.x[0], math.exp(best.x[1])
    return -a * lt - lam * t - log_z(a, lam), {"alpha": float(a), "lambda": lam}


# ------------------------------------------------------------------ the test
def compare_distributions(x, fit, alternative: str = "exponential") -> LikelihoodRatio:
    r"""Likelihood-ratio test of the power law ``fit`` against an alternative (CSN 2009 sec. 5).

    Both laws are fitted by maximum likelihood to the same tail (``fit``'s range).
    :math:`R = \sum_i [\ln p_{PL}(x_i) - \ln p_{alt}(x_i)]`; ``R > 0`` favours the power
    law. For the non-nested alternatives (exponential, lognormal)
    :math:`p = \mathrm{erfc}(|R| / \sqrt{2 n \sigma^2})` with :math:`\sigma^2` the variance
    of the pointwise differences (Vuong 1989); for the nested truncated power law
    :math:`p = P(\chi^2_1 > 2|R|)` (Wilks). A small p means the sign of R is significant.
    When the two fitted laws coincide to rounding (e.g. the best lognormal is the power
    law itself), ``R = 0`` and ``p = 1``.

    Parameters
    ----------
    x : array_like
        The data (only values in ``[fit.xmin, fit.xmax]`` are used).
    fit : PowerLawFit
    alternative : {"exponential", "lognormal", "truncated_power_law"}

    Returns
    -------
    LikelihoodRatio
        With the alternative's fitted parameters in ``params``.
    """
    from neurodam.analysis.powerlaw import PowerLawFit, _check_data

    check_choice(alternative, "alternative", ALTERNATIVES)
    if not isinstance(fit, PowerLawFit):
        raise TypeError(f"fit: expected a PowerLawFit, got {type(fit).__name__}")
    data = _check_data(x, fit.discrete)
    t = data[(data >= fit.xmin) & (data <= (np.inf if fit.xmax is None else fit.xmax))]
    if np.unique(t).size < 2:
        raise ValueError(f"x: fewer than 2 distinct values in the fit range [{fit.xmin:g}, ...]")
    l_pl = fit.loglikelihoods(t)
    if alternative == "exponential":
        l_alt, params = _fit_exponential(t, fit.xmin, fit.xmax, fit.discrete)
    elif alternative == "lognormal":
        l_alt, params = _fit_lognormal(t, fit.xmin, fit.xmax, fit.discrete)
    else:
        l_alt, params = _fit_truncated_power_law(t, fit.xmin, fit.xmax, fit.discrete, fit.alpha)
    diff = l_pl - l_alt
    n = t.size
    bad = ~np.isfinite(diff)
    if bad.any():
        raise ValueError(
            f"x: the {alternative} fit gives a non-finite log-likelihood at x = "
            f"{t[bad][0]:g}; the comparison is undefined"
        )
    if np.max(np.abs(diff)) <= _SAME:
        return LikelihoodRatio(0.0, 1.0, alternative, params, n, 0.0)
    R = float(diff.sum())
    sd = float(diff.std())
    z = R / (math.sqrt(n) * sd) if sd > 0 else math.nan
    if alternative in _NESTED:
        p = float(stats.chi2.sf(2.0 * abs(R), 1))
    else:  # a constant difference (sd = 0) carries no evidence either way
        p = float(special.erfc(abs(z) / math.sqrt(2.0))) if sd > 0 else 1.0
    return LikelihoodRatio(R, p, alternative, params, n, z)
