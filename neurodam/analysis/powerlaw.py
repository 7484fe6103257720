"""Power-law fits after Clauset, Shalizi & Newman (2009).

Fitting
-------
fit_power_law          maximum-likelihood exponent, xmin by minimum KS distance, optional xmax
PowerLawFit            frozen result: alpha, alpha_se, xmin, xmax, n_tail, ks, and the data

Analysis carried by the fit
---------------------------
PowerLawFit.p_value    goodness of fit by the semi-parametric bootstrap (CSN sec. 4.1)
PowerLawFit.compare    likelihood-ratio test against an alternative (see ``alternatives``)
PowerLawFit.plot       empirical CCDF and the fitted law
PowerLawFit.to_dict    JSON-safe summary; ``PowerLawFit.from_dict`` reads it back

The exponents of all candidate xmins are found at once (closed form, or a vectorised
golden-section search of the concave discrete log-likelihood) and their KS distances are
scanned exactly with bounds that skip most of the work (``_xmin_scan``). Conventions follow
the ``powerlaw`` package (Alstott, Bullmore & Plenz 2014), so the two agree.

References
----------
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data.
SIAM Review 51:661-703.
Alstott J, Bullmore E, Plenz D (2014) powerlaw: a Python package for analysis of
heavy-tailed distributions. PLoS ONE 9:e85777.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special

from neurodam._validate import check_int, check_number
from neurodam.analysis._xmin_scan import ks_one, scan, tail_terms
from neurodam.analysis._zeta import ALPHA_BOUNDS, log_norm
from neurodam.analysis.alternatives import (
    LikelihoodRatio,
    _float,
    _json_float,
    compare_distributions,
)

__all__ = ["LikelihoodRatio", "PowerLawFit", "compare_distributions", "fit_power_law"]


def _mle_alpha(sumlog, n, xmin, xmax, discrete: bool) -> float:
    """Exact MLE of alpha for one tail (bounded scalar minimisation, or closed form)."""
    if not discrete and xmax is None:
        return 1.0 + n / (sumlog - n * math.log(xmin))
    mean_log = sumlog / n

    def nll(a):
        return float(a * mean_log + log_norm(a, xmin, xmax, discrete))

    res = optimize.minimize_scalar(
        nll, bounds=ALPHA_BOUNDS, method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x)


def _alpha_se(alpha, n, xmin, xmax, discrete) -> float:
    r"""Standard error from the Fisher information :math:`n\, \partial^2_\alpha \log Z`.

    CSN (2009) eq. 3.2 (continuous, :math:`(\alpha-1)/\sqrt{n}`) and eq. 3.6 (discrete).
    """
    if not discrete and xmax is None:
        return (alpha - 1.0) / math.sqrt(n)
    h = 1e-4 * max(1.0, alpha)
    lo = max(alpha - h, 1.0 + 1e-9)
    hi = lo + 2 * h
    mid = lo + h
    f = [float(log_norm(a, xmin, xmax, discrete)) for a in (lo, mid, hi)]
    d2 = (f[0] - 2 * f[1] + f[2]) / h**2
    return 1.0 / math.sqrt(n * d2) if d2 > 0 else float("nan")


def _check_data(x, discrete: bool) -> np.ndarray:
    """``x`` as a sorted float array of positive values (integers when ``discrete``)."""
    a = np.asarray(x)
    if a.ndim != 1:
        raise ValueError(f"x: expected a 1-D array of values, got shape {a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"x: expected numbers, got dtype {a.dtype}")
    a = a.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError("x: expected finite values, got NaN or inf")
    if a.size and a.min() <= 0:
        raise ValueError(
            f"x: a power law needs positive values, got minimum {a.min():g} "
            f"({int((a <= 0).sum())} values <= 0)"
        )
    if discrete and a.size and np.any(a != np.round(a)):
        raise ValueError(
            "x: discrete=True expects integer values (>= 1), got non-integers; "
            "use discrete=False for continuous data"
        )
    if np.unique(a).size < 2:
        raise ValueError(
            f"x: a power-law fit needs at least 2 distinct values, got {np.unique(a).size} "
            f"distinct among {a.size}"
        )
    return np.sort(a)


@dataclass(frozen=True, repr=False, eq=False)
class PowerLawFit:
    r"""A fitted power law :math:`p(x) \propto x^{-\alpha}` on :math:`x_{\min} \le x \le x_{\max}`.

    Attributes
    ----------
    alpha : float
        Maximum-likelihood exponent.
    alpha_se : float
        Its standard error (Fisher information; CSN 2009 eqs. 3.2, 3.6).
    xmin, xmax : float
        Fit range (``xmax`` None: no upper truncation).
    n_tail : int
        Number of values in the fit range.
    ks : float
        Kolmogorov-Smirnov distance between the tail data and the fit.
    discrete : bool
        Discrete (zeta-normalised) or continuous fit.
    n : int
        Number of values used (values above ``xmax`` excluded).
    xmin_scanned : bool
        True when xmin was chosen by the KS scan (the bootstrap then scans too).
    min_tail, max_candidates
        The scan settings, reused by the bootstrap.
    data : ndarray
        The values used, sorted (read-only); empty for a fit read by :meth:`from_dict`
        without its data.
    """

    alpha: float
    alpha_se: float
    xmin: float
    xmax: float | None
    n_tail: int
    ks: float
    discrete: bool = True
    n: int = 0
    xmin_scanned: bool = False
    min_tail: int = 10
    max_candidates: int | None = None
    data: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def __repr__(self) -> str:
        rng = f"[{self.xmin:g}, {'inf' if self.xmax is None else f'{self.xmax:g}'}]"
        return (
            f"PowerLawFit(alpha={self.alpha:.4f} +- {self.alpha_se:.4f}, range {rng}, "
            f"n_tail={self.n_tail}/{self.n}, ks={self.ks:.4f}, "
            f"{'discrete' if self.discrete else 'continuous'})"
        )

    def _data(self, what: str) -> np.ndarray:
        if not self.data.size:
            raise ValueError(
                f"{what}: this fit holds no data (read by from_dict without it); "
                "write it with to_dict(include_data=True)"
            )
        return self.data

    @property
    def tail(self) -> np.ndarray:
        """The data in the fit range."""
        return self.data[self.data >= self.xmin]

    def loglikelihoods(self, x: np.ndarray) -> np.ndarray:
        """Log-probability (mass or density) of each value of ``x`` (inside the fit range)."""
        x = np.asarray(x, np.float64)
        return -self.alpha * np.log(x) - log_norm(self.alpha, self.xmin, self.xmax, self.discrete)

    def ccdf(self, x: np.ndarray) -> np.ndarray:
        r""":math:`P(X \ge x \mid X \ge x_{\min})` of the fitted law, for x in the fit range."""
        x = np.asarray(x, np.float64)
        g, gi, gmax = tail_terms(self.alpha, x, self.xmin, self.xmax, self.discrete)
        return (g - gmax) / (gi - gmax)

    def sample(self, size: int, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Random values from the fitted law (exact inverse CDF; discrete: table + tail)."""
        size = check_int(size, "size", min=0)
        rng = np.random.default_rng(seed)
        a, xmin, xmax = self.alpha, self.xmin, self.xmax
        v = rng.random(size)
        if not self.discrete:
            e = 1.0 - a
            top = 0.0 if xmax is None else xmax**e
            return (xmin**e - v * (xmin**e - top)) ** (1.0 / e)
        # exact table for xmin <= k < k_end, the continuous approximation above it
        k_end = xmin + 100_000.0 if xmax is None else min(xmax + 1.0, xmin + 100_000.0)
        ks = np.arange(xmin, k_end)
        z_all = special.zeta(a, xmin) - (0.0 if xmax is None else special.zeta(a, xmax + 1.0))
        cdf = np.cumsum(ks**-a) / z_all
        out = np.empty(size)
        in_table = v < cdf[-1]
        out[in_table] = ks[np.searchsorted(cdf, v[in_table], side="right")]
        m = int((~in_table).sum())
        if m:
            lo = k_end - 0.5
            e = 1.0 - a
            top = 0.0 if xmax is None else (xmax + 0.5) ** e
            w = rng.random(m)
            vals = np.floor((lo**e - w * (lo**e - top)) ** (1.0 / e) + 0.5)
            out[~in_table] = np.maximum(vals, k_end)
        return out

    def p_value(
        self, n_boot: int = 1000, seed: int | np.random.Generator | None = None, progress=False
    ) -> float:
        r"""Goodness-of-fit p-value by the semi-parametric bootstrap (CSN 2009, sec. 4.1).

        Each synthetic data set has :math:`n` values: with probability
        :math:`n_{tail}/n` a value drawn from the fitted power law, otherwise one
        drawn uniformly from the data below :math:`x_{\min}`. It is refitted the
        same way (xmin scanned if it was scanned), and p is the fraction of
        synthetic KS distances at least as large as the observed one. CSN rule of
        thumb: the power law is ruled out when p <= 0.1; ``n_boot`` of 2500 gives
        p to about +-0.01.
        """
        n_boot = check_int(n_boot, "n_boot", min=1)
        data = self._data("p_value")
        rng = np.random.default_rng(seed)
        below = data[data < self.xmin]
        p_tail = self.n_tail / self.n
        ks_syn = np.full(n_boot, np.nan)
        it = range(n_boot)
        if progress:
            from tqdm.auto import tqdm

            it = tqdm(it, desc="bootstrap")
        for b in it:  # loop over bootstrap replicates, each one a vectorised fit
            n_pl = int(rng.binomial(self.n, p_tail)) if below.size else self.n
            syn = np.concatenate([rng.choice(below, self.n - n_pl), self.sample(n_pl, rng)])
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f = fit_power_law(
                        syn,
                        discrete=self.discrete,
                        xmin=None if self.xmin_scanned else self.xmin,
                        xmax=self.xmax,
                        min_tail=self.min_tail,
                        max_candidates=self.max_candidates,
                    )
                ks_syn[b] = f.ks
            except ValueError:
                pass
        failed = int(np.isnan(ks_syn).sum())
        if failed:
            warnings.warn(
                f"p_value: {failed} of {n_boot} synthetic data sets could not be fitted and "
                "were left out",
                stacklevel=2,
            )
        ok = ks_syn[~np.isnan(ks_syn)]
        return float(np.mean(ok >= self.ks)) if ok.size else float("nan")

    def compare(self, alternative: str = "exponential") -> LikelihoodRatio:
        """Likelihood-ratio test of this fit against ``alternative``, on its own data.

        Same as ``compare_distributions(fit.data, fit, alternative)``; the returned
        :class:`LikelihoodRatio` keeps the alternative's fitted parameters in ``params``.
        """
        return compare_distributions(self._data("compare"), self, alternative)

    def plot(self, ax=None, *, color: str = "r", label: str | None = None):
        r"""Empirical :math:`P(X \ge x)` of the data (dots) and the fitted law (line).

        The fit is drawn over its range, scaled by the fraction ``n_tail / n`` of the data
        in it so that it lies on the dots; a dotted line marks ``xmin``. Nothing is
        refitted. Returns the Axes (a new figure when ``ax`` is None).
        """
        import matplotlib.pyplot as plt

        data = self._data("plot")
        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.6))
        u, first = np.unique(data, return_index=True)
        ax.loglog(u, 1.0 - first / data.size, ".", ms=3, color="0.3", label=f"data (n={data.size})")
        hi = u[-1] if self.xmax is None else self.xmax
        xs = np.geomspace(self.xmin, hi, 200)
        if self.discrete:
            xs = np.unique(np.round(xs))
        if label is None:
            label = f"α = {self.alpha:.2f} ± {self.alpha_se:.2f}, x ≥ {self.xmin:g}"
        ax.loglog(xs, self.n_tail / self.n * self.ccdf(xs), "-", color=color, lw=1.5, label=label)
        ax.axvline(self.xmin, color=color, ls=":", lw=0.8)
        ax.set_xlabel("x")
        ax.set_ylabel("P(X ≥ x)")
        ax.legend(fontsize=8, frameon=False)
        return ax

    def to_dict(self, include_data: bool = False) -> dict[str, Any]:
        """JSON-safe dict of the fit (the data only with ``include_data``).

        Non-finite numbers are written as strings (``"nan"``, ``"inf"``), so the dict passes
        ``json.dumps(..., allow_nan=False)``; :meth:`from_dict` reads it back.
        """
        d = {
            "alpha": _json_float(self.alpha),
            "alpha_se": _json_float(self.alpha_se),
            "xmin": _json_float(self.xmin),
            "xmax": _json_float(self.xmax),
            "n_tail": int(self.n_tail),
            "ks": _json_float(self.ks),
            "discrete": bool(self.discrete),
            "n": int(self.n),
            "xmin_scanned": bool(self.xmin_scanned),
            "min_tail": int(self.min_tail),
            "max_candidates": None if self.max_candidates is None else int(self.max_candidates),
        }
        if include_data:
            d["data"] = self.data.tolist()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PowerLawFit:
        """The fit that :meth:`to_dict` wrote (without data unless it was included)."""
        data = np.asarray(d.get("data", []), np.float64)
        data.setflags(write=False)
        mc = d.get("max_candidates")
        return cls(
            alpha=_float(d["alpha"]),
            alpha_se=_float(d["alpha_se"]),
            xmin=_float(d["xmin"]),
            xmax=_float(d.get("xmax")),
            n_tail=int(d["n_tail"]),
            ks=_float(d["ks"]),
            discrete=bool(d["discrete"]),
            n=int(d["n"]),
            xmin_scanned=bool(d.get("xmin_scanned", False)),
            min_tail=int(d.get("min_tail", 10)),
            max_candidates=None if mc is None else int(mc),
            data=data,
        )


def fit_power_law(
    x,
    discrete: bool = True,
    xmin: float | None = None,
    xmax: float | None = None,
    *,
    min_tail: int = 10,
    max_candidates: int | None = None,
) -> PowerLawFit:
    r"""Fit :math:`p(x) \propto x^{-\alpha}` for :math:`x_{\min} \le x \le x_{\max}` (CSN 2009).

    Maximum likelihood: continuous without ``xmax`` in closed form,
    :math:`\hat\alpha = 1 + n\,[\sum_i \ln(x_i/x_{\min})]^{-1}` (CSN eq. 3.1);
    discrete with the Hurwitz-zeta normaliser,
    :math:`\ln L = -\alpha \sum_i \ln x_i - n \ln[\zeta(\alpha, x_{\min}) -
    \zeta(\alpha, x_{\max}+1)]` (CSN eq. 3.5), maximised by bounded scalar
    minimisation over :math:`1 < \alpha \le 20`; continuous with ``xmax`` likewise
    with :math:`Z = (x_{\min}^{1-\alpha} - x_{\max}^{1-\alpha})/(\alpha-1)`.

    When ``xmin`` is None it is the candidate (a distinct data value) minimising
    the KS distance between the tail and its fit (CSN sec. 3.3). Every candidate is
    considered; bounds on the KS distance skip those that cannot be the minimum, so
    the result is that of the exhaustive scan.

    Parameters
    ----------
    x : array_like
        Positive values (positive integers when ``discrete``).
    discrete : bool
        Discrete (e.g. avalanche sizes, durations in bins) or continuous data.
    xmin : float, optional
        Lower bound of the power-law range; scanned when None.
    xmax : float, optional
        Upper truncation. Values above it are excluded from the fit (and from ``n``).
        With ``xmax`` and a scanned ``xmin`` the KS criterion can prefer a narrow
        window just below ``xmax`` (any exponent fits a short range): check
        ``xmin`` or give it.
    min_tail : int
        Candidate xmins must leave at least this many values in the tail.
    max_candidates : int or None
        None (default): scan every distinct value. An integer thins the candidates to the
        values nearest to that many log-spaced points, an approximation that can miss the
        KS minimum.

    Returns
    -------
    PowerLawFit
        Warns when fewer than 50 values are in the tail, or alpha sits at a bound.
    """
    discrete = bool(discrete)
    data = _check_data(x, discrete)
    min_tail = check_int(min_tail, "min_tail", min=2)
    if max_candidates is not None:
        max_candidates = check_int(max_candidates, "max_candidates", min=2)
    if xmax is not None:
        xmax = check_number(xmax, "xmax")
        if xmax <= data[0]:
            raise ValueError(
                f"xmax: expected a finite value above the smallest value {data[0]:g}, got {xmax}"
            )
        data = data[data <= xmax]
    if xmin is not None:
        xmin = check_number(xmin, "xmin", min=0.0, min_open=True)
        if discrete and xmin != round(xmin):
            raise ValueError(f"xmin: expected an integer for a discrete fit, got {xmin}")
        if xmax is not None and xmin >= xmax:
            raise ValueError(f"xmin: expected xmin < xmax={xmax:g}, got {xmin:g}")
        tail = data[data >= xmin]
        if np.unique(tail).size < 2:
            raise ValueError(
                f"xmin: the tail x >= {xmin:g} holds {tail.size} values with "
                f"{np.unique(tail).size} distinct; a fit needs at least 2 distinct values"
            )
        scanned = False
    else:
        xms, _, ks = scan(data, discrete, xmax, min_tail, max_candidates)
        if np.all(np.isnan(ks)):
            raise ValueError("x: the KS distance is undefined for every candidate xmin")
        xmin = float(xms[int(np.nanargmin(ks))])
        tail = data[data >= xmin]
        scanned = True
    n_tail = int(tail.size)
    alpha = _mle_alpha(float(np.log(tail).sum()), n_tail, xmin, xmax, discrete)
    ks_val = ks_one(data, alpha, xmin, xmax, discrete)
    se = _alpha_se(alpha, n_tail, xmin, xmax, discrete)
    if n_tail < 50:
        warnings.warn(
            f"fit_power_law: only {n_tail} values in the tail x >= {xmin:g}; "
            "the exponent is unreliable",
            stacklevel=2,
        )
    if alpha <= ALPHA_BOUNDS[0] + 1e-4 or alpha >= ALPHA_BOUNDS[1] - 1e-4:
        warnings.warn(
            f"fit_power_law: alpha={alpha:.4g} sits at the bound of {ALPHA_BOUNDS}",
            stacklevel=2,
        )
    data.setflags(write=False)
    return PowerLawFit(
        alpha=float(alpha),
        alpha_se=float(se),
        xmin=xmin,
        xmax=xmax,
        n_tail=n_tail,
        ks=ks_val,
        discrete=discrete,
        n=int(data.size),
        xmin_scanned=scanned,
        min_tail=min_tail,
        max_candidates=max_candidates,
        data=data,
    )
