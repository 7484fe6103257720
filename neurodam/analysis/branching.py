"""Branching ratio of the population activity.

branching_ratio   naive (descendants / ancestors) and multistep-regression estimators
BranchingRatio    frozen result: m, its standard error, the MR slopes r_k and their fit,
                  and a flag for degenerate fits

References: Beggs & Plenz (2003) for the naive estimator; Wilting & Priesemann (2018) for
multistep regression (MR), whose reference implementation is the ``mrestimator`` package
(Spitzner et al. 2021).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize

from neurodam._validate import check_choice, check_int, check_seconds
from neurodam.analysis.binning import population_activity, runs
from neurodam.spikes import SpikeTrains

__all__ = ["BranchingRatio", "branching_ratio"]

METHODS = ("naive", "mr")


@dataclass(frozen=True, repr=False, eq=False)
class BranchingRatio:
    r"""Result of :func:`branching_ratio`.

    Attributes
    ----------
    m : float
        The estimated branching ratio (per bin); ``float(result)`` gives it too.
    method : str
        ``"naive"`` or ``"mr"``.
    bin_width : float
        Seconds per bin of the activity.
    m_se : float
        Standard error of ``m``: for MR from the covariance of the least-squares fit of
        :math:`r_k = b\,m^k`; for naive the standard error of the mean ratio.
    k : ndarray of int
        Lags of the multistep regression (MR only).
    r_k : ndarray of float
        Regression slopes of :math:`A_{t+k}` on :math:`A_t` (MR only).
    b, b_se : float
        Fitted amplitude of :math:`r_k = b\,m^k` and its standard error (MR only).
    degenerate : bool
        True when the fit does not determine ``m`` (``reason`` says why); ``m`` is then
        not an estimate of the branching ratio.
    reason : str
        Why the fit is degenerate ("" otherwise).
    n_avalanches : int
        Avalanches (ancestor bins) averaged over (naive only).
    n_bins : int
        Bins of activity used.
    """

    m: float
    method: str
    bin_width: float
    m_se: float = float("nan")
    k: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    r_k: np.ndarray = field(default_factory=lambda: np.zeros(0))
    b: float = float("nan")
    b_se: float = float("nan")
    degenerate: bool = False
    reason: str = ""
    n_avalanches: int = 0
    n_bins: int = 0

    def __float__(self) -> float:
        return float(self.m)

    def __repr__(self) -> str:
        flag = f", degenerate: {self.reason}" if self.degenerate else ""
        extra = (
            f", b={self.b:.4g}, k=1..{int(self.k[-1])}"
            if self.method == "mr" and self.k.size
            else f", {self.n_avalanches} avalanches"
        )
        return (
            f"BranchingRatio(m={self.m:.4f}+-{self.m_se:.2g}, method={self.method!r}"
            f"{extra}, bin_width={self.bin_width:g} s{flag})"
        )

    @property
    def autocorrelation_time(self) -> float:
        """:math:`\\tau = -\\Delta t / \\ln m` in seconds (inf for m >= 1, nan for m <= 0)."""
        if not self.m > 0:
            return float("nan")
        if self.m >= 1:
            return float("inf")
        return -self.bin_width / math.log(self.m)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (arrays as lists, NaN kept as float nan)."""
        return {
            "m": float(self.m),
            "method": self.method,
            "bin_width": float(self.bin_width),
            "m_se": float(self.m_se),
            "k": [int(x) for x in self.k],
            "r_k": [float(x) for x in self.r_k],
            "b": float(self.b),
            "b_se": float(self.b_se),
            "degenerate": bool(self.degenerate),
            "reason": self.reason,
            "n_avalanches": int(self.n_avalanches),
            "n_bins": int(self.n_bins),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> BranchingRatio:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["k"] = np.asarray(d.get("k", []), dtype=np.int64)
        d["r_k"] = np.asarray(d.get("r_k", []), dtype=np.float64)
        return cls(**d)

    def plot(self, ax=None):
        """MR: the slopes :math:`r_k` against :math:`k` with the fitted :math:`b\\,m^k`.

        Returns the axes (a new figure when ``ax`` is None). Raises ``ValueError`` for the
        naive estimator, which has no :math:`r_k`.
        """
        if self.method != "mr":
            raise ValueError("plot: only a multistep-regression result (method 'mr') has r_k")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(self.k, self.r_k, "o", ms=3, color="k", label="$r_k$")
        kk = np.linspace(self.k[0], self.k[-1], 200)
        ax.plot(kk, self.b * self.m**kk, "-", color="C3", label=f"$b\\,m^k$, m = {self.m:.4f}")
        ax.set_xlabel("lag k (bins)")
        ax.set_ylabel("$r_k$")
        title = "degenerate fit" if self.degenerate else "multistep regression"
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
        return ax


def _activity(spikes_or_activity, bin_width) -> tuple[np.ndarray, float]:
    if isinstance(spikes_or_activity, SpikeTrains):
        edges, counts = population_activity(spikes_or_activity, bin_width)
        return counts, float(edges[1] - edges[0])
    a = np.asarray(spikes_or_activity)
    if a.ndim != 1 or a.size < 3 or a.dtype == bool or not np.issubdtype(a.dtype, np.number):
        raise ValueError(
            "spikes_or_activity: expected a SpikeTrains or a 1-D numeric activity with >= 3 "
            f"bins, got {type(spikes_or_activity).__name__} of shape {a.shape}"
        )
    if not np.all(np.isfinite(a)) or a.min() < 0:
        raise ValueError("spikes_or_activity: expected finite activity values >= 0")
    width = 1.0 if bin_width is None else check_seconds(bin_width, "bin_width", "a width")
    return a, width


def _regression_slopes(a: np.ndarray, k_max: int) -> np.ndarray:
    """Slopes r_k of the linear regression of A_{t+k} on A_t, k = 1..k_max.

    The activity is centred on its mean first, so a large constant offset costs no
    precision (raw running sums of A and A^2 would cancel catastrophically).
    """
    c = np.asarray(a, np.float64) - np.mean(a, dtype=np.float64)
    c -= c.mean()  # a second pass removes the rounding of the first mean
    n = c.size
    s1, s2 = np.cumsum(c), np.cumsum(c * c)
    r = np.empty(k_max)
    for k in range(1, k_max + 1):  # loop over lags, each a vectorised dot product
        m = n - k
        mx, my = s1[m - 1] / m, (s1[-1] - s1[k - 1]) / m
        xx = s2[m - 1] / m
        var = xx - mx * mx
        if not var > 1e-12 * xx:
            raise ValueError(
                f"spikes_or_activity: the activity is constant over its first {m} bins, so the "
                f"regression slope at lag {k} is undefined"
            )
        r[k - 1] = (float(np.dot(c[:m], c[k:])) / m - mx * my) / var
    return r


def _naive(act: np.ndarray, width: float) -> BranchingRatio:
    starts, ends = runs(act > 0)
    if not starts.size:
        raise ValueError("spikes_or_activity: no avalanches, so no branching ratio")
    first = act[starts].astype(np.float64)
    second = np.where(ends - starts >= 2, act[np.minimum(starts + 1, act.size - 1)], 0)
    ratio = second.astype(np.float64) / first
    se = float(ratio.std(ddof=1) / math.sqrt(ratio.size)) if ratio.size > 1 else float("nan")
    return BranchingRatio(
        m=float(ratio.mean()),
        method="naive",
        bin_width=width,
        m_se=se,
        n_avalanches=int(ratio.size),
        n_bins=int(act.size),
    )


def _mr(act: np.ndarray, width: float, k_max: int) -> BranchingRatio:
    r = _regression_slopes(act, k_max)
    k = np.arange(1, k_max + 1, dtype=np.int64)
    kf = k.astype(np.float64)
    pos = r > 0
    if pos.sum() >= 2:
        slope, icpt = np.polyfit(kf[pos], np.log(r[pos]), 1)
        p0 = (math.exp(icpt), min(max(math.exp(slope), 1e-3), 1.5))
    else:
        p0 = (max(r[0], 1e-3), 0.5)
    common = {"method": "mr", "bin_width": width, "k": k, "r_k": r, "n_bins": int(act.size)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optimize.OptimizeWarning)
            (b, m), cov = optimize.curve_fit(
                lambda kk, b, m: b * np.abs(m) ** kk, kf, r, p0=p0, maxfev=20000
            )
    except RuntimeError as exc:
        reason = f"the least-squares fit of r_k = b m^k did not converge ({exc})"
        return BranchingRatio(m=float("nan"), degenerate=True, reason=reason, **common)
    m = abs(float(m))
    se = np.sqrt(np.diag(cov)) if np.all(np.isfinite(cov)) else np.full(2, np.nan)
    b_se, m_se = float(se[0]), float(se[1])
    reason = ""
    if not np.isfinite(m_se):
        reason = "the fit's covariance is not finite: b and m are not determined separately"
    elif m_se >= m:
        reason = (
            f"m = {m:.3g} +- {m_se:.2g}: the decay of r_k is not resolved (r_k falls to noise "
            "within a lag or two, so b and m are not determined separately)"
        )
    elif b * m * m < 1.0 / math.sqrt(act.size):
        reason = (
            f"m = {m:.3g}, b = {b:.3g}: the fitted r_k = b m^k falls below the sampling noise "
            f"of the slopes (1/sqrt(n) = {1.0 / math.sqrt(act.size):.2g}) after lag 1, so the "
            "fit rests on r_1 alone"
        )
    elif m >= math.exp(-1.0 / act.size):
        reason = (
            f"m = {m:.6g}: the autocorrelation time -1/ln m exceeds the {act.size} bins of the "
            "activity (non-stationary or too short)"
        )
    return BranchingRatio(
        m=m,
        m_se=m_se,
        b=float(b),
        b_se=b_se,
        degenerate=bool(reason),
        reason=reason,
        **common,
    )


def branching_ratio(
    spikes_or_activity,
    method: str = "naive",
    bin_width: float | None = None,
    *,
    k_max: int = 40,
) -> BranchingRatio:
    r"""Branching ratio :math:`m` of the population activity.

    * ``"naive"`` (Beggs & Plenz 2003): the mean over avalanches (runs of non-empty
      bins) of the ratio of descendants (spikes in the second bin) to ancestors (spikes
      in the first bin), a one-bin avalanche counting as 0. With external drive :math:`h`
      spikes per bin it is biased upwards by about :math:`h`, and subsampling biases it
      downwards (Priesemann et al. 2014).
    * ``"mr"``, multistep regression (Wilting & Priesemann 2018): slopes :math:`r_k` of
      the linear regression of :math:`A_{t+k}` on :math:`A_t` for
      :math:`k = 1..k_{\max}` (the activity centred on its mean first, so a constant
      offset changes nothing), fitted by :math:`r_k = b\,m^k` (least squares); unbiased
      under subsampling. Needs a stationary activity; choose ``k_max`` a few times the
      autocorrelation time :math:`-1/\ln m`. A fit that does not determine :math:`m`
      (standard error >= m, e.g. uncorrelated activity whose :math:`r_k` are noise
      after lag 1; a non-finite covariance; an autocorrelation time longer than the
      record) is flagged ``degenerate`` with a warning.

    Parameters
    ----------
    spikes_or_activity : SpikeTrains or 1-D array
        Spikes (binned at ``bin_width``, default the model's step ``meta["dt"]`` or the
        mean pooled inter-spike interval) or an already binned activity.
    method : {"naive", "mr"}
    bin_width : float, optional
        Seconds per bin (for an activity array it only labels the result; default 1).
    k_max : int
        Largest lag (bins) of the multistep regression (>= 2, fewer than half the bins).

    Returns
    -------
    BranchingRatio
        ``.m`` is the estimate (per bin).
    """
    check_choice(method, "method", METHODS)
    act, width = _activity(spikes_or_activity, bin_width)
    if method == "naive":
        return _naive(act, width)
    k_max = check_int(k_max, "k_max", min=2)
    if k_max >= act.size // 2:
        raise ValueError(f"k_max: expected fewer lags than half the {act.size} bins, got {k_max}")
    res = _mr(act, width, k_max)
    if res.degenerate:
        warnings.warn(f"branching_ratio: degenerate MR fit: {res.reason}", stacklevel=2)
    return res
