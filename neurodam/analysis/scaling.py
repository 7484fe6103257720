"""Scaling exponents of a signal: detrended fluctuation analysis and second moments.

Functions
---------
dfa                     detrended fluctuation analysis, F(l) ~ l^H (Peng et al. 1994)
second_moment_scaling   standard deviation of the displacement over a lag, sigma(l) ~ l^H
ScalingFit              the result: exponent, its standard error, the curve and the fit range

Both estimators take the **increments** x_i of a process (the "signal": white noise has
H = 1/2), not the walk X_t = sum_{i<=t} x_i; pass ``np.diff(walk)`` if you hold the walk.
DFA of a walk instead of its increments adds one to H (white noise cumulated once gives
H = 3/2). This is the convention of ``fathon`` and ``nolds``, which also cumulate their input.

Realistic errors
----------------
The least-squares ``stderr`` of a fitted exponent treats the scales as independent points;
they are not (each scale uses all the data, and the windows of one scale share the long
waiting times of an event walk), so it understates the error several-fold. Every fit also
carries ``stderr_jackknife``, a delete-a-block jackknife over ``blocks`` (default 10)
contiguous segments of the signal: the fluctuation of each scale is a mean over windows, so
leaving out the windows that start in one segment and refitting the slope costs nothing
extra, and se^2 = (K - 1)/K sum_k (H_(k) - mean H_(.))^2 (Efron & Stein 1981; Kuensch 1989
for blocks of a dependent series). On event walks of renewal processes (1e5 events) it
matches the spread of H_AJ over independent realisations to within about 20 % for
mu = 2.2 ... 3.5, and exceeds it for mu < 2 (where a few gaps fill most of the window). It
is inf when one segment carries all the fluctuation of a fitted scale (a single burst).

Vectorised DFA
--------------
The profile Y_t = sum_{i<=t} x_i is cut into non-overlapping windows of l samples (from the
start, as ``fathon.DFA(..., revSeg=False)``). In each window a polynomial of degree ``order``
is fitted by least squares and F(l)^2 is the mean squared residual over all windows. The
residual sum of squares of a window follows from a handful of window sums,

    RSS = sum Z_j^2 - m^T G^{-1} m,   m_k = sum_j j^k Z_j,   G_kl = sum_j j^(k+l),

with Z_j = Y_{start+j} - Y_start. For **integer** increments (the event walks of
:mod:`neurodam.analysis.walks`) those window sums come from a few cumulative sums of
Y, Y^2 and t^k Y over the whole series, evaluated exactly in 64-bit integer arithmetic, so a
scale costs O(N / l) after an O(N) set-up and no precision is lost however far the walk
wanders. Scales at which an exact integer window sum could overflow int64 (roughly
l^3 max|x|^2 / 3 >= 2^63, i.e. l above about 3e6 for unit steps) and all scales of a
**float** signal use the direct form: the windows are a reshaped view of the profile and the
window sums are matrix products, O(N) per scale but still without a loop over windows.
Detrending of order >= 1 removes the mean of x, so the profile need not be centred.

References
----------
Peng C-K, Buldyrev SV, Havlin S, Simons M, Stanley HE, Goldberger AL (1994) Mosaic
organization of DNA nucleotides. Phys Rev E 49:1685.
Kantelhardt JW, Koscielny-Bunde E, Rego HHA, Havlin S, Bunde A (2001) Detecting long-range
correlations with detrended fluctuation analysis. Physica A 295:441.
Efron B, Stein C (1981) The jackknife estimate of variance. Ann Stat 9:586.
Kuensch HR (1989) The jackknife and the bootstrap for general stationary observations. Ann
Stat 17:1217.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from neurodam._validate import check_finite, check_int
from neurodam.analysis._dfa_sums import (
    _direct_window_moments,
    _exact_window_moments,
    _fits_int64,
    _gather_cumsums,
    _rss_from_moments,
)
from neurodam.analysis._results import ResultDict

__all__ = ["ScalingFit", "dfa", "second_moment_scaling"]

MIN_SAMPLES = 32  # shortest signal dfa / second_moment_scaling accept
BLOCKS = 10  # contiguous segments of the delete-a-block jackknife


@dataclass(frozen=True)
class ScalingFit(ResultDict):
    """A scaling law fitted on a range of scales.

    For ``semilog=False`` (DFA, second moment) the law is ``values ~ scales**exponent`` and the
    fit is ordinary least squares of ``ln values`` on ``ln scales``; for ``semilog=True``
    (diffusion entropy) the values are already logarithmic, ``values = intercept + exponent *
    ln scales``.

    Attributes
    ----------
    exponent : float
        H (DFA, second moment) or delta (diffusion entropy).
    stderr : float
        Standard error of the least-squares slope. It treats the points as independent, which
        they are not (windows overlap or share data), so it understates the error: use
        ``stderr_jackknife``.
    intercept : float
        Intercept of the straight-line fit (in ln units for ``semilog=False``).
    scales : ndarray
        All scales computed (samples for :func:`dfa`, seconds for event-based estimators).
    values : ndarray
        F(l), sigma(l) or S(l) at each scale.
    fit_range : tuple of float
        ``(lo, hi)``: scales with ``lo <= l <= hi`` entered the fit.
    method : str
        ``"DFA1"``, ``"DFA2"``, ``"second moment"``, ``"DEA"``; event-based fits append the
        rule, e.g. ``"DFA1 AJ"``.
    semilog : bool
        Whether ``values`` are logarithmic already (entropy).
    stderr_jackknife : float
        Delete-a-block jackknife standard error of the exponent (see the module docstring):
        the realistic error. nan when not computed, inf when one block holds all the
        fluctuation of a fitted scale.
    dt : float or None
        Grid step in seconds of an event walk (None for a plain signal).
    kind : str or None
        Kind of the events (``EventTimes.kind``) for event-based fits.
    note : str
        How the grid step was chosen, for event-based fits (e.g. coarsened to fit
        ``max_points``).
    """

    exponent: float
    stderr: float
    intercept: float
    scales: np.ndarray
    values: np.ndarray
    fit_range: tuple[float, float]
    method: str = "DFA1"
    semilog: bool = False
    stderr_jackknife: float = float("nan")
    dt: float | None = None
    kind: str | None = None
    note: str = ""

    _arrays = ("scales", "values")
    _tuples = ("fit_range",)
    _floats = ("exponent", "stderr", "intercept", "stderr_jackknife", "dt")

    @property
    def in_fit(self) -> np.ndarray:
        """Boolean mask of the scales used by the fit."""
        lo, hi = self.fit_range
        return (self.scales >= lo) & (self.scales <= hi)

    def predict(self, scales: np.ndarray) -> np.ndarray:
        """The fitted law evaluated at ``scales``."""
        s = np.asarray(scales, dtype=float)
        if self.semilog:
            return self.intercept + self.exponent * np.log(s)
        return np.exp(self.intercept) * s**self.exponent

    def plot(self, ax=None, label: str | None = None, **kwargs):
        """Draw the curve (markers; filled inside the fit range) and the fitted line.

        Returns the axes. Log-log axes for power laws; log-x axis for ``semilog`` fits.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.5))
        name = label or self.method
        mask = self.in_fit
        line = ax.plot(self.scales, self.values, "o", mfc="none", ms=4, **kwargs)[0]
        color = line.get_color()
        ax.plot(self.scales[mask], self.values[mask], "o", color=color, ms=4)
        s = self.scales[mask]
        sym = "delta" if self.semilog else "H"
        err = self.stderr_jackknife if math.isfinite(self.stderr_jackknife) else self.stderr
        ax.plot(
            s,
            self.predict(s),
            "-",
            color=color,
            label=f"{name}: {sym} = {self.exponent:.3f} +- {err:.3f}",
        )
        ax.set_xscale("log")
        if not self.semilog:
            ax.set_yscale("log")
        ax.set_xlabel("scale l")
        ax.set_ylabel("S(l)" if self.semilog else "F(l)")
        ax.legend(fontsize="small")
        return ax


# ---------------------------------------------------------------- helpers
def _as_signal(x, name: str = "x") -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of increments, got shape {a.shape}")
    if a.dtype == bool:
        a = a.astype(np.int8)
    if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.floating):
        check_finite(a, name)
    if a.size < MIN_SAMPLES:
        raise ValueError(f"{name}: expected at least {MIN_SAMPLES} samples, got {a.size}")
    return a


def log_scales(lo: float, hi: float, per_decade: int = 8) -> np.ndarray:
    """Unique integers log-spaced from ``lo`` to ``hi`` (inclusive), ``per_decade`` a decade."""
    lo, hi = max(1, int(math.ceil(lo))), int(math.floor(hi))
    if hi < lo:
        return np.zeros(0, dtype=np.int64)
    n = max(2, int(round(per_decade * math.log10(hi / lo))) + 1) if hi > lo else 1
    return np.unique(np.round(np.geomspace(lo, hi, n)).astype(np.int64))


def _check_scales(scales, n: int, smin: int, name: str = "scales") -> np.ndarray:
    s = np.asarray(scales)
    if s.ndim != 1 or s.size == 0:
        raise ValueError(
            f"{name}: expected a non-empty 1-D array of window lengths, got {scales!r}"
        )
    if not np.all(np.mod(s, 1) == 0):
        raise ValueError(f"{name}: expected integer window lengths (samples), got {s}")
    s = np.unique(s.astype(np.int64))
    if s[0] < smin or s[-1] > n:
        raise ValueError(
            f"{name}: expected window lengths in [{smin}, {n}] samples, got [{s[0]}, {s[-1]}]"
        )
    return s


def _slope(u: np.ndarray, v: np.ndarray) -> float:
    um = u.mean()
    return float(np.sum((u - um) * (v - v.mean())) / np.sum((u - um) ** 2))


def fit_scaling(
    scales: np.ndarray,
    values: np.ndarray,
    fit_range: tuple[float, float] | None,
    method: str,
    semilog: bool = False,
    loo_values: np.ndarray | None = None,
) -> ScalingFit:
    """Least-squares line through (ln l, ln v) (or (ln l, v) for ``semilog``) on ``fit_range``.

    Points with a non-positive value (power-law fits) are left out of the fit with a warning.
    Raises ``ValueError`` naming ``fit_range`` when fewer than 3 points remain.
    ``loo_values`` (blocks x scales) are the curves with one block of the data left out; the
    slope refitted on each gives ``stderr_jackknife`` (see the module docstring).
    """
    scales = np.asarray(scales, dtype=float)
    values = np.asarray(values, dtype=float)
    if fit_range is None:
        lo, hi = float(scales[0]), float(scales[-1])
    else:
        try:
            lo, hi = (float(v) for v in fit_range)
        except (TypeError, ValueError):
            raise ValueError(f"fit_range: expected (lo, hi), got {fit_range!r}") from None
        if not lo < hi:
            raise ValueError(f"fit_range: expected lo < hi, got {fit_range!r}")
    mask = (scales >= lo) & (scales <= hi) & np.isfinite(values)
    if not semilog:
        bad = mask & (values <= 0)
        if bad.any():
            warnings.warn(
                f"{method}: fluctuation is zero at scales {scales[bad]}; left out of the fit",
                stacklevel=3,
            )
            mask &= ~bad
    if mask.sum() < 3:
        raise ValueError(
            f"fit_range: expected at least 3 scales inside ({lo:g}, {hi:g}), got {int(mask.sum())} "
            f"(scales computed: {scales[0]:g} .. {scales[-1]:g})"
        )
    u = np.log(scales[mask])
    v = values[mask] if semilog else np.log(values[mask])
    n = u.size
    um = u.mean()
    sxx = np.sum((u - um) ** 2)
    slope = _slope(u, v)
    intercept = float(v.mean() - slope * um)
    resid = v - (intercept + slope * u)
    stderr = float(np.sqrt(np.sum(resid**2) / (n - 2) / sxx)) if n > 2 else float("nan")
    se_jk = float("nan")
    if loo_values is not None:
        loo = np.asarray(loo_values, dtype=float)[:, mask]
        if not np.all(np.isfinite(loo)) or (not semilog and np.any(loo <= 0)):
            se_jk = float("inf")  # one block carries all the fluctuation of a fitted scale
        else:
            h = np.array([_slope(u, row if semilog else np.log(row)) for row in loo])
            k = h.size
            se_jk = float(np.sqrt((k - 1) / k * np.sum((h - h.mean()) ** 2)))
    used = scales[mask]
    return ScalingFit(
        exponent=slope,
        stderr=stderr,
        intercept=intercept,
        scales=scales,
        values=values,
        fit_range=(float(used[0]), float(used[-1])),
        method=method,
        semilog=semilog,
        stderr_jackknife=se_jk,
    )


def _block_of(starts: np.ndarray, n: int, blocks: int) -> np.ndarray:
    """Index of the contiguous segment (of ``blocks`` over ``n`` samples) of each start."""
    return (starts.astype(np.int64) * blocks) // max(n, 1)


def _in_range(s_arr: np.ndarray, fit_range) -> np.ndarray:
    """Scales inside ``fit_range`` (all for None): only those need the jackknife curves."""
    if fit_range is None:
        return np.ones(s_arr.size, dtype=bool)
    try:
        lo, hi = (float(v) for v in fit_range)
    except (TypeError, ValueError):
        return np.ones(s_arr.size, dtype=bool)  # fit_scaling reports the bad range
    return (s_arr >= lo) & (s_arr <= hi)


def _loo_means(values: np.ndarray, block: np.ndarray, blocks: int):
    """Total and per-block sums and counts: what the leave-one-block-out means need."""
    sums = np.bincount(block, weights=values, minlength=blocks)
    counts = np.bincount(block, minlength=blocks).astype(float)
    return sums, counts


def dfa(
    x,
    scales=None,
    order: int = 1,
    fit_range: tuple[float, float] | None = None,
    *,
    blocks: int = BLOCKS,
) -> ScalingFit:
    """Detrended fluctuation analysis of the increments ``x``: F(l) ~ l^H.

    Parameters
    ----------
    x : array_like, 1-D
        The increments (the signal), integer or float. White noise gives H = 1/2. Do not pass a
        cumulated walk: that measures H + 1.
    scales : array_like of int, optional
        Window lengths l in samples, each in ``[order + 3, len(x)]``. Default: about 8 per
        decade from ``order + 3`` to ``len(x) // 4`` (at least 4 windows per scale).
    order : int
        Degree of the detrending polynomial (1: DFA1, linear; 2: DFA2, quadratic).
    fit_range : (lo, hi), optional
        Scales used for the fit of ln F on ln l; default all.
    blocks : int
        Contiguous segments of the delete-a-block jackknife (``stderr_jackknife``; >= 2).

    Returns
    -------
    ScalingFit
        ``exponent`` is H; ``values`` is F(l) = sqrt(mean over windows of RSS / l).

    Notes
    -----
    F^2(l) = (1/(n_w l)) sum_w sum_{j} (Y_{wl+j} - p_w(j))^2 with p_w the least-squares
    polynomial of degree ``order`` in window w and Y the profile of x (Peng et al. 1994;
    Kantelhardt et al. 2001). Integer input uses exact cumulative sums (O(N) once, then
    O(N/l) per scale); float input a vectorised per-scale form (see the module docstring).
    Agrees with ``fathon.DFA(toAggregated(x)).computeFlucVec(scales, revSeg=False,
    polOrd=order)`` to rounding.
    """
    a = _as_signal(x)
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or not 1 <= order <= 3:
        raise ValueError(f"order: expected 1, 2 or 3 (detrending degree), got {order!r}")
    blocks = check_int(blocks, "blocks", min=2)
    n = a.size
    smin = order + 3
    if scales is None:
        scales = log_scales(smin, n // 4)
        if scales.size < 3:
            raise ValueError(f"x: expected at least {4 * (smin + 2)} samples, got {n}")
    s_arr = _check_scales(scales, n, smin)
    integer = np.issubdtype(a.dtype, np.integer)
    if integer:
        Y = np.cumsum(a, dtype=np.int64)
        m = int(np.max(np.abs(a.astype(np.int64)))) if n else 0
        m = max(m, 1)
        r = max(int(Y.max()) - int(min(Y.min(), 0)), 1)
        exact = [_fits_int64(int(s), m, r, order) for s in s_arr]
    else:
        Y = np.cumsum(a - a.mean(), dtype=np.float64)
        exact = [False] * s_arr.size
    F2 = np.empty(s_arr.size)
    loo = np.full((blocks, s_arr.size), np.nan)
    need = _in_range(s_arr, fit_range)
    G = None
    if any(exact):
        G = _gather_cumsums(Y, [int(s) for s, e in zip(s_arr, exact, strict=True) if e], order)
    for i, s in enumerate(s_arr):
        s = int(s)
        nw = n // s
        if exact[i]:
            B, M = _exact_window_moments(Y, s, nw, G[s], order)
        else:
            B, M = _direct_window_moments(Y, s, nw, order)
        rss = _rss_from_moments(B, M, s, order)
        F2[i] = np.mean(rss) / s
        if not need[i]:
            continue
        sums, counts = _loo_means(rss, _block_of(np.arange(nw) * s, n, blocks), blocks)
        with np.errstate(invalid="ignore", divide="ignore"):
            loo[:, i] = (sums.sum() - sums) / (counts.sum() - counts) / s
    with np.errstate(invalid="ignore"):
        loo = np.sqrt(loo)
    return fit_scaling(s_arr, np.sqrt(F2), fit_range, method=f"DFA{order}", loo_values=loo)


def _displacements(Y: np.ndarray, lag: int, max_windows: int, starts: bool = False):
    """``Y[t + lag] - Y[t]`` over the window starts t, strided to at most ``max_windows``.

    ``Y`` is the walk with its leading 0 (``n + 1`` values for ``n`` increments), so there are
    ``n - lag + 1`` overlapping windows before striding. With ``starts`` also the start t of
    each window.
    """
    n = Y.size - 1
    stride = max(1, (n - lag + 1 + max_windows - 1) // max_windows)
    d = Y[lag::stride] - Y[: n + 1 - lag : stride]
    if starts:
        return d, np.arange(d.size, dtype=np.int64) * stride
    return d


def second_moment_scaling(
    x,
    scales=None,
    fit_range: tuple[float, float] | None = None,
    max_windows: int = 1_000_000,
    *,
    blocks: int = BLOCKS,
) -> ScalingFit:
    """Scaling of the displacement spread: sigma(l) = std(X_{t+l} - X_t) ~ l^H.

    Parameters
    ----------
    x : array_like, 1-D
        Increments of the walk X (as for :func:`dfa`).
    scales : array_like of int, optional
        Lags l in samples, in ``[1, len(x) - 1]``; default about 8 per decade from 1 to
        ``len(x) // 10``.
    fit_range : (lo, hi), optional
        Lags used for the fit; default all.
    max_windows : int
        At most this many (overlapping) windows per lag; above it the window starts are
        taken with a stride, which leaves the estimate unbiased.
    blocks : int
        Contiguous segments of the delete-a-block jackknife (``stderr_jackknife``; >= 2).

    Returns
    -------
    ScalingFit
        ``exponent`` is H from sigma^2(l) ~ l^(2H); ``values`` is sigma(l) (mean displacement
        removed, so a drift does not count).

    Notes
    -----
    For a stationary signal with Hurst exponent H (fractional Gaussian noise) the variance of
    the sum over l samples grows as l^(2H) (Mandelbrot & Van Ness 1968). It is less robust to
    trends than DFA, which is why DFA is the default in :mod:`neurodam.analysis.eddis`.
    """
    a = _as_signal(x)
    n = a.size
    if scales is None:
        scales = log_scales(1, n // 10)
    s_arr = _check_scales(scales, n - 1, 1)
    max_windows = check_int(max_windows, "max_windows", min=2)
    blocks = check_int(blocks, "blocks", min=2)
    if np.issubdtype(a.dtype, np.integer):
        Y = np.concatenate([[0], np.cumsum(a, dtype=np.int64)])
    else:
        Y = np.concatenate([[0.0], np.cumsum(a - a.mean())])
    sig = np.empty(s_arr.size)
    loo = np.full((blocks, s_arr.size), np.nan)
    need = _in_range(s_arr, fit_range)
    for i, s in enumerate(s_arr):
        d, starts = _displacements(Y, int(s), max_windows, starts=True)
        d = d.astype(float)
        sig[i] = d.std()
        if not need[i]:
            continue
        blk = _block_of(starts, n, blocks)
        s1, c = _loo_means(d, blk, blocks)
        s2, _ = _loo_means(d * d, blk, blocks)
        with np.errstate(invalid="ignore", divide="ignore"):
            m1 = (s1.sum() - s1) / (c.sum() - c)
            var = (s2.sum() - s2) / (c.sum() - c) - m1 * m1
            loo[:, i] = np.sqrt(np.maximum(var, 0.0))
    return fit_scaling(s_arr, sig, fit_range, method="second moment", loo_values=loo)
