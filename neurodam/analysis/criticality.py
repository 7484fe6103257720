"""Signatures of criticality from avalanches and population activity.

crackling_relation   size and duration exponents, predicted and fitted <S>(T) exponent
Crackling            frozen result of crackling_relation
shape_collapse       collapse exponent and error of the mean avalanche shapes
ShapeCollapse        frozen result of shape_collapse

The branching ratio (naive and multistep regression) is in :mod:`neurodam.analysis.branching`.

Mean-field (critical branching) reference values: tau = 3/2, alpha = 2, and
(alpha - 1)/(tau - 1) = 1/(sigma nu z) = 2 (Sethna, Dahmen & Myers 2001;
Friedman et al. 2012).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize

from neurodam._validate import check_int
from neurodam.analysis.branching import BranchingRatio, branching_ratio
from neurodam.analysis.events import Avalanches
from neurodam.analysis.powerlaw import PowerLawFit, fit_power_law
from neurodam.analysis.scaling import fit_scaling

__all__ = [
    "BranchingRatio",
    "Crackling",
    "ShapeCollapse",
    "branching_ratio",
    "crackling_relation",
    "shape_collapse",
]


def _check_avalanches(av) -> Avalanches:
    if not isinstance(av, Avalanches):
        raise TypeError(f"avalanches: expected an Avalanches result, got {type(av).__name__}")
    if len(av) < 2:
        raise ValueError(f"avalanches: expected at least 2 avalanches, got {len(av)}")
    return av


@dataclass(frozen=True, repr=False, eq=False)
class Crackling:
    r"""Crackling-noise relation :math:`(\alpha-1)/(\tau-1) = \gamma` (Sethna et al. 2001).

    Attributes
    ----------
    tau, tau_se : float
        Size exponent, :math:`P(S) \sim S^{-\tau}`, and its standard error.
    alpha, alpha_se : float
        Duration exponent, :math:`P(T) \sim T^{-\alpha}`.
    predicted, predicted_se : float
        :math:`(\alpha-1)/(\tau-1)` and its propagated standard error.
    gamma, gamma_se : float
        Fitted exponent of :math:`\langle S\rangle(T) \sim T^{\gamma}` (log-log least
        squares over ``gamma_range``) and its standard error.
    difference : float
        ``gamma - predicted`` (0 when the relation holds).
    gamma_range : tuple of int
        Smallest and largest duration (bins) used for ``gamma``.
    size_fit, duration_fit : PowerLawFit
        The two power-law fits.
    T, mean_size : ndarray
        Every distinct duration and the mean size of its avalanches.
    intercept : float
        :math:`c` of the fit :math:`\log\langle S\rangle = c + \gamma \log T`.
    size_definition : str
        Which sizes were fitted: those the :class:`Avalanches` carry, ``"spikes"`` (all
        spikes of the run) or ``"above_threshold"`` (the area above the threshold).
    """

    tau: float
    tau_se: float
    alpha: float
    alpha_se: float
    predicted: float
    predicted_se: float
    gamma: float
    gamma_se: float
    difference: float
    gamma_range: tuple[int, int]
    size_fit: PowerLawFit
    duration_fit: PowerLawFit
    T: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mean_size: np.ndarray = field(default_factory=lambda: np.zeros(0))
    intercept: float = float("nan")
    size_definition: str = "spikes"

    def __repr__(self) -> str:
        return (
            f"Crackling(sizes={self.size_definition!r}, tau={self.tau:.3f}+-{self.tau_se:.3f}, "
            f"alpha={self.alpha:.3f}+-{self.alpha_se:.3f}, "
            f"predicted={self.predicted:.3f}+-{self.predicted_se:.3f}, "
            f"gamma={self.gamma:.3f}+-{self.gamma_se:.3f} over T={self.gamma_range}, "
            f"difference={self.difference:+.3f})"
        )


def crackling_relation(
    avalanches: Avalanches,
    *,
    size_fit: PowerLawFit | None = None,
    duration_fit: PowerLawFit | None = None,
    min_count: int = 10,
    **fit_kwargs,
) -> Crackling:
    r"""Size and duration exponents and the crackling-noise relation.

    Fits :math:`P(S) \sim S^{-\tau}` and :math:`P(T) \sim T^{-\alpha}` (discrete,
    Clauset et al. 2009), predicts :math:`\gamma = (\alpha-1)/(\tau-1)`, and fits
    :math:`\log\langle S\rangle(T) = c + \gamma \log T` over the durations of the
    duration fit's range that hold at least ``min_count`` avalanches (Sethna,
    Dahmen & Myers 2001; Friedman et al. 2012). Mean field: 2 and 2.

    The sizes are those ``avalanches.sizes`` carries, as ``avalanches.size_definition``
    says (the result repeats it): the spike count at threshold 0, and by default the
    size above threshold for a threshold > 0. With raw spike counts above a threshold
    :math:`\theta > 0`, :math:`S \ge \theta T` and :math:`\gamma` is trivially near 1.

    Parameters
    ----------
    avalanches : Avalanches
    size_fit, duration_fit : PowerLawFit, optional
        Fits to reuse; by default ``fit_power_law(..., discrete=True, **fit_kwargs)``.
    min_count : int
        Least number of avalanches of a duration for its mean size to enter the fit.
    """
    av = _check_avalanches(avalanches)
    min_count = check_int(min_count, "min_count", min=1)
    if size_fit is None:
        size_fit = fit_power_law(av.sizes, discrete=True, **fit_kwargs)
    if duration_fit is None:
        duration_fit = fit_power_law(av.durations, discrete=True, **fit_kwargs)
    tau, ts = size_fit.alpha, size_fit.alpha_se
    alpha, a_se = duration_fit.alpha, duration_fit.alpha_se
    pred = (alpha - 1.0) / (tau - 1.0)
    pred_se = math.hypot(a_se / (tau - 1.0), (alpha - 1.0) * ts / (tau - 1.0) ** 2)
    T, mean_s, count = av.mean_size_by_duration()
    hi = np.inf if duration_fit.xmax is None else duration_fit.xmax
    use = (T >= duration_fit.xmin) & (T <= hi) & (count >= min_count)
    if use.sum() < 3:
        # fall back to every duration with enough avalanches, and say so
        use = count >= min_count
        warnings.warn(
            "crackling_relation: fewer than 3 durations in the duration fit range hold "
            f"{min_count} avalanches; <S>(T) is fitted over all such durations",
            stacklevel=2,
        )
    if use.sum() < 3:
        gamma = gamma_se = c = float("nan")
        rng = (0, 0)
        warnings.warn(
            f"crackling_relation: fewer than 3 durations hold {min_count} avalanches; gamma is nan",
            stacklevel=2,
        )
    else:
        line = fit_scaling(T[use], mean_s[use], None, method="<S>(T)")
        gamma, gamma_se, c = line.exponent, line.stderr, line.intercept
        rng = (int(T[use].min()), int(T[use].max()))
    return Crackling(
        tau=float(tau),
        tau_se=float(ts),
        alpha=float(alpha),
        alpha_se=float(a_se),
        predicted=float(pred),
        predicted_se=float(pred_se),
        gamma=float(gamma),
        gamma_se=float(gamma_se),
        difference=float(gamma - pred),
        gamma_range=rng,
        size_fit=size_fit,
        duration_fit=duration_fit,
        T=T,
        mean_size=mean_s,
        intercept=float(c),
        size_definition=av.size_definition,
    )


# ----------------------------------------------------------- shape collapse
@dataclass(frozen=True, repr=False, eq=False)
class ShapeCollapse:
    r"""Result of :func:`shape_collapse`.

    Attributes
    ----------
    exponent : float
        :math:`\gamma` minimising the collapse error of
        :math:`\langle s(t, T)\rangle\, T^{1-\gamma}` against :math:`t/T`.
    error : float
        Collapse error at ``exponent``: mean variance across durations of the
        rescaled shapes, over the squared range of their mean (0 = perfect).
    durations : ndarray of int
        Durations used.
    grid : ndarray
        Points :math:`t/T` where the rescaled shapes were compared.
    scaled_shapes : ndarray, shape (n_durations, n_points)
        Rescaled mean shapes at ``exponent``.
    """

    exponent: float
    error: float
    durations: np.ndarray
    grid: np.ndarray
    scaled_shapes: np.ndarray

    def __repr__(self) -> str:
        return (
            f"ShapeCollapse(exponent={self.exponent:.3f}, error={self.error:.4f}, "
            f"durations {self.durations.min()}..{self.durations.max()} ({self.durations.size}))"
        )


def shape_collapse(
    avalanches: Avalanches,
    min_duration: int = 4,
    max_duration: int | None = None,
    min_count: int = 20,
    n_points: int = 40,
    bounds: tuple[float, float] = (0.5, 4.0),
) -> ShapeCollapse:
    r"""Collapse of the mean avalanche shapes (Sethna et al. 2001; Friedman et al. 2012).

    The mean activity profile of avalanches of duration :math:`T` scales as
    :math:`\langle s(t, T)\rangle = T^{\gamma - 1} \mathcal{F}(t/T)` with
    :math:`\gamma = 1/(\sigma\nu z)`. Each mean shape (bin centres at
    :math:`t/T = (i - 1/2)/T`) is interpolated on a common grid; the collapse
    error (Marshall et al. 2016) is the variance across durations of
    :math:`\langle s\rangle T^{1-\gamma}`, averaged over the grid and divided by the
    squared range of the mean curve; :math:`\gamma` minimises it (a coarse grid
    search over ``bounds`` then bounded scalar minimisation).

    Parameters
    ----------
    avalanches : Avalanches
    min_duration, max_duration : int
        Durations (bins) considered; short ones are dominated by discreteness.
    min_count : int
        Least number of avalanches of a duration for its mean shape to be used.
    n_points : int
        Grid points in :math:`t/T`.
    bounds : (float, float)
        Search interval for :math:`\gamma`.
    """
    av = _check_avalanches(avalanches)
    min_duration = check_int(min_duration, "min_duration", min=1)
    min_count = check_int(min_count, "min_count", min=1)
    n_points = check_int(n_points, "n_points", min=2)
    groups = av.shapes(min_count=min_count)
    hi = np.inf if max_duration is None else max_duration
    Ts = np.array(sorted(T for T in groups if min_duration <= T <= hi), dtype=np.int64)
    if Ts.size < 2:
        raise ValueError(
            f"avalanches: shape collapse needs at least 2 durations in [{min_duration}, {hi}] "
            f"with >= min_count={min_count} avalanches, got {Ts.size}"
        )
    lo_x = 0.5 / Ts.min()
    grid = np.linspace(lo_x, 1.0 - lo_x, n_points)
    prof = np.empty((Ts.size, n_points))
    for i, T in enumerate(Ts.tolist()):  # loop over durations (tens), not avalanches
        mean_shape = groups[T].mean(axis=0)
        prof[i] = np.interp(grid, (np.arange(T) + 0.5) / T, mean_shape)
    logT = np.log(Ts.astype(np.float64))[:, None]

    def err(g):
        g = np.atleast_1d(np.asarray(g, np.float64))
        scaled = prof[None] * np.exp((1.0 - g)[:, None, None] * logT[None])
        mean = scaled.mean(axis=1)
        rng2 = (mean.max(axis=1) - mean.min(axis=1)) ** 2
        return scaled.var(axis=1).mean(axis=1) / np.where(rng2 > 0, rng2, np.nan)

    coarse = np.linspace(*bounds, 351)
    e = err(coarse)
    k = int(np.nanargmin(e))
    lo, up = coarse[max(k - 1, 0)], coarse[min(k + 1, coarse.size - 1)]
    res = optimize.minimize_scalar(
        lambda g: float(err(g)[0]), bounds=(lo, up), method="bounded", options={"xatol": 1e-6}
    )
    g = float(res.x)
    if k in (0, coarse.size - 1):
        warnings.warn(f"shape_collapse: exponent {g:.3g} sits at a bound of {bounds}", stacklevel=2)
    scaled = prof * np.exp((1.0 - g) * logT)
    return ShapeCollapse(g, float(err(g)[0]), Ts, grid, scaled)
