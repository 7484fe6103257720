"""The avalanche pipeline as one library function: :func:`avalanche_report`.

spikes -> avalanches -> power-law fits of sizes and durations (Clauset, Shalizi & Newman
2009), likelihood ratios against the alternatives, bootstrap goodness of fit, crackling
relation (Sethna et al. 2001), branching ratio (Wilting & Priesemann 2018), verdict
-> :class:`AvalancheReport` (``to_dict``/``from_dict``, ``summary``, ``plot``, text).

References
----------
Beggs JM, Plenz D (2003) Neuronal avalanches in neocortical circuits. J Neurosci 23:11167.
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data. SIAM
Review 51:661.
Sethna JP, Dahmen KA, Myers CR (2001) Crackling noise. Nature 410:242.
Wilting J, Priesemann V (2018) Inferring collective dynamical states from widely unobserved
systems. Nat Commun 9:2325.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from neurodam._validate import check_int, check_probability
from neurodam.analysis._results import as_float as _f
from neurodam.analysis._results import fmt_value as _fmt
from neurodam.analysis._results import jsonable
from neurodam.analysis.alternatives import LikelihoodRatio
from neurodam.analysis.branching import BranchingRatio, branching_ratio
from neurodam.analysis.criticality import crackling_relation
from neurodam.analysis.events import avalanches
from neurodam.analysis.powerlaw import PowerLawFit, fit_power_law
from neurodam.spikes import SpikeTrains

__all__ = ["ALTERNATIVES", "AvalancheReport", "avalanche_report"]

#: The alternatives every fitted power law is compared with (likelihood-ratio tests).
ALTERNATIVES = ("exponential", "lognormal", "truncated_power_law")


@dataclass(frozen=True, eq=False)
class AvalancheReport:
    """Avalanches of a spike train and the tests of their power laws.

    Attributes
    ----------
    n_avalanches : int
    bin_width : float
        Seconds; ``bin_rule`` says how it was chosen (``"given"``, ``"model step"`` or
        ``"mean pooled ISI"``).
    threshold : float or str
        As given; ``theta`` is the resolved number of spikes per bin.
    size_definition : str
        ``"spikes"`` (Beggs & Plenz) or ``"above_threshold"`` (always-active networks).
    size_fit, duration_fit : PowerLawFit
        Discrete fits with xmin by minimum KS distance (Clauset et al. 2009).
    comparisons : dict
        ``{"size": {alt: LikelihoodRatio}, "duration": {...}}`` against the exponential,
        lognormal and truncated power law (R > 0 favours the power law).
    p_boot : dict
        ``{"size": p, "duration": p}``: semi-parametric bootstrap goodness of fit (nan when
        ``n_boot=0``); p <= 0.1 rules the power law out.
    crackling : dict
        ``predicted`` = (alpha - 1)/(tau - 1) and its ``predicted_se``, the fitted ``gamma`` of
        <S>(T) ~ T^gamma with ``gamma_se`` and ``gamma_range`` (Sethna et al. 2001).
    branching : dict
        ``{"naive": BranchingRatio, "mr": BranchingRatio or None}``.
    supported : bool
        False when any reason below rules the power law out.
    reasons : tuple of str
        Why a power law is not supported (an alternative preferred, the exponential not
        rejected, a bootstrap p <= 0.1).
    warnings : tuple of str
        Warnings raised by the estimators (short tails, degenerate fits).
    """

    n_avalanches: int
    bin_width: float
    bin_rule: str
    threshold: Any
    theta: float
    size_definition: str
    size_fit: PowerLawFit
    duration_fit: PowerLawFit
    comparisons: dict
    p_boot: dict
    crackling: dict
    branching: dict
    supported: bool
    reasons: tuple = ()
    warnings: tuple = ()

    @property
    def tau(self) -> float:
        """Size exponent, P(S) ~ S^-tau."""
        return self.size_fit.alpha

    @property
    def alpha(self) -> float:
        """Duration exponent, P(T) ~ T^-alpha."""
        return self.duration_fit.alpha

    def summary(self) -> dict:
        """The headline numbers in one flat dict (floats, ints, bools, strings)."""
        mr = self.branching.get("mr")
        return {
            "n_avalanches": self.n_avalanches,
            "bin_width": self.bin_width,
            "theta": self.theta,
            "tau": self.tau,
            "tau_se": self.size_fit.alpha_se,
            "tau_xmin": self.size_fit.xmin,
            "tau_tail": self.size_fit.n_tail,
            "alpha": self.alpha,
            "alpha_se": self.duration_fit.alpha_se,
            "alpha_xmin": self.duration_fit.xmin,
            "alpha_tail": self.duration_fit.n_tail,
            "crackling_predicted": self.crackling["predicted"],
            "crackling_gamma": self.crackling["gamma"],
            "m_naive": self.branching["naive"].m,
            "m_mr": float("nan") if mr is None else mr.m,
            "power_law": self.supported,
        }

    def to_dict(self, include_data: bool = False) -> dict:
        """JSON-safe dict; :meth:`from_dict` rebuilds it. The fits keep their data (needed by
        :meth:`plot` and new comparisons after a round trip) only with ``include_data``."""
        mr = self.branching.get("mr")
        return {
            "type": "AvalancheReport",
            "n_avalanches": self.n_avalanches,
            "bin_width": self.bin_width,
            "bin_rule": self.bin_rule,
            "threshold": jsonable(self.threshold),
            "theta": jsonable(self.theta),
            "size_definition": self.size_definition,
            "size_fit": self.size_fit.to_dict(include_data=include_data),
            "duration_fit": self.duration_fit.to_dict(include_data=include_data),
            "comparisons": {
                what: {alt: lr.to_dict() for alt, lr in lrs.items()}
                for what, lrs in self.comparisons.items()
            },
            "p_boot": jsonable(self.p_boot),
            "crackling": jsonable(self.crackling),
            "branching": {
                "naive": self.branching["naive"].to_dict(),
                "mr": None if mr is None else mr.to_dict(),
            },
            "supported": self.supported,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, d: dict) -> AvalancheReport:
        """Rebuild a report written by :meth:`to_dict`."""
        if not isinstance(d, dict) or d.get("type") != "AvalancheReport":
            raise ValueError("d: expected a dict written by AvalancheReport.to_dict()")
        cr = d["crackling"]
        mr = d["branching"]["mr"]
        return cls(
            n_avalanches=int(d["n_avalanches"]),
            bin_width=_f(d["bin_width"]),
            bin_rule=d["bin_rule"],
            threshold=d["threshold"],
            theta=_f(d["theta"]),
            size_definition=d["size_definition"],
            size_fit=PowerLawFit.from_dict(d["size_fit"]),
            duration_fit=PowerLawFit.from_dict(d["duration_fit"]),
            comparisons={
                what: {alt: LikelihoodRatio.from_dict(v) for alt, v in lrs.items()}
                for what, lrs in d["comparisons"].items()
            },
            p_boot={k: _f(v) for k, v in d["p_boot"].items()},
            crackling={
                k: (tuple(int(x) for x in v) if k == "gamma_range" else _f(v))
                for k, v in cr.items()
            },
            branching={
                "naive": BranchingRatio.from_dict(d["branching"]["naive"]),
                "mr": None if mr is None else BranchingRatio.from_dict(mr),
            },
            supported=bool(d["supported"]),
            reasons=tuple(d["reasons"]),
            warnings=tuple(d["warnings"]),
        )

    def __str__(self) -> str:
        lines = [
            f"avalanches    {self.n_avalanches} (bin width {self.bin_width * 1e3:.4g} ms, "
            f"{self.bin_rule}; threshold {self.threshold!r} = {self.theta:g} spikes/bin; "
            f"size: {self.size_definition.replace('_', ' ')})",
            f"{'':9} {'exponent':>16} {'range':>12} {'tail':>13} {'KS':>6} {'p_boot':>6}",
        ]
        rows = (("size", "tau", self.size_fit), ("duration", "alpha", self.duration_fit))
        for name, sym, fit in rows:
            hi = "inf" if fit.xmax is None else f"{fit.xmax:g}"
            tail = f"{fit.n_tail} ({100 * fit.n_tail / max(fit.n, 1):.1f}%)"
            p = self.p_boot.get(name, float("nan"))
            lines.append(
                f"{name:9} {sym + '=' + format(fit.alpha, '.3f'):>10}±{fit.alpha_se:<5.3f} "
                f"{'[' + format(fit.xmin, 'g') + ', ' + hi + ']':>12} {tail:>13} "
                f"{fit.ks:>6.4f} {_fmt(p, '.2f') if math.isfinite(p) else '-':>6}"
            )
            for lr in self.comparisons[name].values():
                lines.append(
                    f"{'':11}vs {lr.alternative:<20} R = {lr.R:>9.2f}  p = {lr.p:<9.3g} "
                    f"-> {lr.verdict()}"
                )
        c = self.crackling
        lines.append(
            f"crackling     (alpha-1)/(tau-1) = {_fmt(c['predicted'])} ± "
            f"{_fmt(c['predicted_se'])}; <S>(T) ~ T^gamma, gamma = {_fmt(c['gamma'])} ± "
            f"{_fmt(c['gamma_se'])} over T = {c['gamma_range'][0]}..{c['gamma_range'][1]} bins"
        )
        mr = self.branching.get("mr")
        lines.append(
            f"branching     naive {self.branching['naive'].m:.3f}   multistep regression "
            f"{_fmt(float('nan') if mr is None else mr.m)}"
        )
        if self.supported:
            lines.append(
                "power law     not ruled out over the fit ranges (exponential rejected, no "
                "alternative preferred; check the tail fractions and other bin widths)"
            )
        else:
            lines.append("power law     not supported: " + "; ".join(self.reasons))
        lines += [f"warning       {w}" for w in self.warnings]
        return "\n".join(lines)

    def plot(self, spikes: SpikeTrains | None = None, av=None, axes=None, title: str | None = None):
        """Size and duration CCDFs with their fits, and <S>(T); a raster when ``spikes``.

        Parameters
        ----------
        spikes : SpikeTrains, optional
            The spikes the report was made from: adds a raster around the largest avalanche.
        av : Avalanches, optional
            The avalanches (recomputed from ``spikes`` when None and spikes are given).
        axes : four Axes, optional
        title : str, optional

        Returns
        -------
        array of Axes
        """
        import matplotlib.pyplot as plt

        from neurodam import plots

        if axes is None:
            _, axes = plt.subplots(2, 2, figsize=(10, 7))
        axes = np.ravel(axes)
        self.size_fit.plot(ax=axes[0], label=f"tau = {self.tau:.2f}")
        axes[0].set_xlabel("size S")
        self.duration_fit.plot(ax=axes[1], label=f"alpha = {self.alpha:.2f}")
        axes[1].set_xlabel("duration T (bins)")
        if spikes is not None and av is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                av = avalanches(spikes, self.bin_width, self.threshold, size=self.size_definition)
        if av is not None:
            crack = crackling_relation(av, size_fit=self.size_fit, duration_fit=self.duration_fit)
            plots.size_vs_duration(crack, ax=axes[2])
        else:
            axes[2].set_axis_off()
        if spikes is not None and av is not None and len(av):
            big = int(av.sizes.argmax())
            t0 = max(spikes.t_start, float(av.start_times[big]) - 2.0)
            plots.raster_with_avalanches(
                spikes, av, ax=axes[3], window=(t0, min(spikes.t_stop, t0 + 5.0))
            )
        else:
            axes[3].set_axis_off()
        if title:
            axes[0].figure.suptitle(title, fontsize=10)
        return axes


def _bin_rule(spikes: SpikeTrains, bin_width) -> tuple[float, str]:
    from neurodam.analysis.binning import default_bin_width

    if bin_width is not None:
        return float(bin_width), "given"
    rule = "model step" if "dt" in spikes.meta else "mean pooled ISI"
    return default_bin_width(spikes), rule


def avalanche_report(
    spikes: SpikeTrains,
    bin_width: float | None = None,
    threshold: float | str = 0,
    *,
    size: str = "auto",
    n_boot: int = 0,
    seed: int | np.random.Generator | None = 0,
    significance: float = 0.1,
) -> AvalancheReport:
    """Avalanches of ``spikes`` and the tests of their size and duration power laws.

    Pipeline: :func:`~neurodam.analysis.avalanches` (Beggs & Plenz 2003; bin = the model's
    step for model output, the mean pooled ISI for recordings) -> discrete power-law fits
    with xmin by minimum KS distance (Clauset et al. 2009) -> Vuong / Wilks likelihood
    ratios against the exponential, lognormal and truncated power law -> optional bootstrap
    goodness of fit -> crackling relation (alpha - 1)/(tau - 1) = gamma of <S>(T) ~ T^gamma
    (Sethna et al. 2001) -> branching ratio, naive and multistep regression (Wilting &
    Priesemann 2018).

    A power law is "not supported" when an alternative is significantly preferred, the
    exponential is not rejected, or a bootstrap p-value is <= 0.1, for sizes or durations.

    Parameters
    ----------
    spikes : SpikeTrains
    bin_width : float, optional
        Seconds (default: ``meta["dt"]`` of model output, else the mean pooled ISI).
    threshold : float or str
        Spikes per bin, ``"percentile:q"`` or ``"sd:k"`` (always-active networks).
    size : {"auto", "spikes", "above_threshold"}
        Avalanche size definition (:func:`~neurodam.analysis.avalanches`).
    n_boot : int
        Bootstrap replicates for the goodness-of-fit p-values (0: skip).
    seed : int, Generator or None
        Seed of the bootstrap.
    significance : float
        Level of the likelihood-ratio verdicts.

    Returns
    -------
    AvalancheReport

    Raises
    ------
    ValueError
        Fewer than 2 avalanches (nothing to fit), or the errors of the estimators.
    """
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a neurodam.SpikeTrains, got {type(spikes).__name__}")
    n_boot = check_int(n_boot, "n_boot", min=0)
    significance = check_probability(significance, "significance")
    width, rule = _bin_rule(spikes, bin_width)
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        av = avalanches(spikes, width, threshold=threshold, size=size)
        if len(av) < 2:
            raise ValueError(
                f"spikes: {len(av)} avalanches at bin width {width:g} s and threshold "
                f"{threshold!r}; at least 2 are needed for the fits"
            )
        data = (av.sizes, av.durations)
        fits = tuple(fit_power_law(x, discrete=True) for x in data)
        crack = crackling_relation(av, size_fit=fits[0], duration_fit=fits[1])
        comparisons, p_boot, reasons = {}, {}, []
        for name, fit in zip(("size", "duration"), fits, strict=True):
            lrs = {alt: fit.compare(alt) for alt in ALTERNATIVES}
            comparisons[name] = lrs
            p = fit.p_value(n_boot=n_boot, seed=rng) if n_boot else float("nan")
            p_boot[name] = p
            reasons += [
                f"{name}s prefer {lr.alternative}"
                for lr in lrs.values()
                if lr.verdict(significance) == lr.alternative
            ]
            if lrs["exponential"].verdict(significance) != "power law":
                reasons.append(f"{name}s: exponential not rejected")
            if p <= 0.1:
                reasons.append(f"{name}s: bootstrap p = {p:.2f} <= 0.1")
        naive = branching_ratio(av.activity, "naive", width)
        try:
            mr = branching_ratio(av.activity, "mr", width)
        except ValueError as exc:
            mr = None
            caught.append(
                warnings.WarningMessage(f"multistep regression: {exc}", UserWarning, "", 0)
            )
    return AvalancheReport(
        n_avalanches=len(av),
        bin_width=width,
        bin_rule=rule,
        threshold=threshold,
        theta=float(av.threshold),
        size_definition=av.size_definition,
        size_fit=fits[0],
        duration_fit=fits[1],
        comparisons=comparisons,
        p_boot=p_boot,
        crackling={
            "predicted": crack.predicted,
            "predicted_se": crack.predicted_se,
            "gamma": crack.gamma,
            "gamma_se": crack.gamma_se,
            "gamma_range": tuple(int(v) for v in crack.gamma_range),
        },
        branching={"naive": naive, "mr": mr},
        supported=not reasons,
        reasons=tuple(dict.fromkeys(reasons)),
        warnings=tuple(dict.fromkeys(str(c.message) for c in caught)),
    )
