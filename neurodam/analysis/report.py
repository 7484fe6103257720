"""The analysis pipelines as library functions: avalanche and temporal-complexity reports.

avalanche_report     spikes -> avalanches -> power-law fits, likelihood ratios, bootstrap,
                     crackling relation, branching ratio, verdict      -> AvalancheReport
complexity_report    events -> waiting-time fit, EDDiS (AJ/AJL/SJ), resolved mu, diffusion
                     entropy, renewal test, inter-event CV             -> ComplexityReport

Each report is a frozen dataclass holding the fits, the verdicts and the ranges used. It
serialises to JSON-safe dicts (``to_dict()``; the classmethod ``from_dict()`` rebuilds it),
which is what a sweep stores per point; ``summary()`` flattens the headline numbers into one
level; ``plot()`` draws the figure; ``str(report)`` is the text the command line prints.

References
----------
Beggs JM, Plenz D (2003) Neuronal avalanches in neocortical circuits. J Neurosci 23:11167.
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data. SIAM
Review 51:661.
Sethna JP, Dahmen KA, Myers CR (2001) Crackling noise. Nature 410:242.
Wilting J, Priesemann V (2018) Inferring collective dynamical states from widely unobserved
systems. Nat Commun 9:2325.
Paradisi P, Allegrini P et al. (2012) Rep Math Phys 70:205 (EDDiS); Allegrini P et al. (2009)
Phys Rev E 80:061914 (renewal and aging); Scafetta N, Grigolini P (2002) Phys Rev E 66:036130.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam._validate import check_int, check_probability
from neurodam.analysis._results import jsonable
from neurodam.analysis._sequence import MIN_EVENTS, lattice_step
from neurodam.analysis.alternatives import LikelihoodRatio
from neurodam.analysis.branching import BranchingRatio, branching_ratio
from neurodam.analysis.criticality import crackling_relation
from neurodam.analysis.eddis import EddisResult, diffusion_entropy, eddis_all
from neurodam.analysis.events import avalanches
from neurodam.analysis.powerlaw import PowerLawFit, fit_power_law
from neurodam.analysis.renewal import RenewalTest, renewal_test
from neurodam.analysis.scaling import ScalingFit
from neurodam.spikes import EventTimes, SpikeTrains

__all__ = ["AvalancheReport", "ComplexityReport", "avalanche_report", "complexity_report"]

ALTERNATIVES = ("exponential", "lognormal", "truncated_power_law")


def _f(x: Any) -> float:
    """A float read back from a JSON-safe value (``"nan"``/``"inf"`` strings included)."""
    return float("nan") if x is None else float(x)


def _fmt(x: float, spec: str = ".3f") -> str:
    return "n/a" if x is None or not math.isfinite(x) else format(x, spec)


# ------------------------------------------------------------------ avalanches
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


# ------------------------------------------------------------ temporal complexity
@dataclass(frozen=True, eq=False)
class ComplexityReport:
    """Temporal complexity of an event sequence (Paradisi et al. 2012; Allegrini et al. 2009).

    Attributes
    ----------
    kind : str
        The kind of events (``EventTimes.kind``; ``"events"`` for a plain array).
    n_events : int
    t_start, t_stop : float
        Observation window (seconds).
    rate : float
        Events per second over the window.
    cv : float
        Coefficient of variation of the inter-event intervals (1 for a Poisson process,
        above 1 for bursty sequences; nan with fewer than 3 events).
    step : float or None
        Lattice step of the events (seconds), when they lie on one; ``rate * step`` is the
        rate in events per step.
    eddis : EddisResult or None
        H of the AJ, AJL and SJ walks, the direct waiting-time fit (``eddis.waiting``) and
        the resolved mu with its branch and reason. None with too few events.
    dea : ScalingFit or None
        Diffusion entropy of the AJ walk: ``exponent`` = delta.
    renewal : RenewalTest or None
        Shuffled-waiting-time test of the renewal hypothesis (None when skipped).
    note : str
        Why an estimator was skipped (e.g. fewer than the fits accept).
    warnings : tuple of str
    params : dict
        The event definition (``EventTimes.params``).
    """

    kind: str
    n_events: int
    t_start: float
    t_stop: float
    rate: float
    cv: float
    step: float | None = None
    eddis: EddisResult | None = None
    dea: ScalingFit | None = None
    renewal: RenewalTest | None = None
    note: str = ""
    warnings: tuple = ()
    params: dict = field(default_factory=dict)

    @property
    def waiting(self):
        """The direct waiting-time fit (``eddis.waiting``), or None."""
        return None if self.eddis is None else self.eddis.waiting

    def summary(self) -> dict:
        """The headline indicators in one flat dict (nan where not estimated).

        Keys: ``n``, ``rate`` (per second), ``rate_step`` (per lattice step), ``cv``, ``mu``
        (direct fit) with ``mu_err``, ``tau_min``, ``tau_max``, ``mu_vs_exponential`` (the
        likelihood-ratio verdict), ``H_AJ``, ``H_AJL``, ``H_SJ`` and their ``*_err``
        (jackknife), ``branch``, ``mu_eddis``, ``complex``, ``delta``, ``renewal_p`` and
        ``renewal`` (True when not rejected).
        """
        nan = float("nan")
        out = {
            "n": self.n_events,
            "rate": self.rate,
            "rate_step": nan if self.step is None else self.rate * self.step,
            "cv": self.cv,
        }
        w = self.waiting
        out.update(
            mu=nan if w is None else w.mu,
            mu_err=nan if w is None else w.mu_err,
            tau_min=nan if w is None else w.tau_min,
            tau_max=nan if w is None or w.tau_max is None else w.tau_max,
            mu_vs_exponential="" if w is None else w.preferred,
        )
        e = self.eddis
        for rule in ("AJ", "AJL", "SJ"):
            fit = None if e is None else getattr(e, rule.lower())
            out[f"H_{rule}"] = nan if fit is None else fit.exponent
            out[f"H_{rule}_err"] = nan if fit is None else fit.stderr_jackknife
        out.update(
            branch="" if e is None else e.branch,
            mu_eddis=nan if e is None else e.mu,
            complex=None if e is None else e.complex,
            delta=nan if self.dea is None else self.dea.exponent,
            renewal_p=nan if self.renewal is None else self.renewal.p_value,
            renewal=None if self.renewal is None else self.renewal.is_renewal,
        )
        return out

    def to_dict(self, curves: bool = True, raw: bool = False) -> dict:
        """JSON-safe dict; ``curves=False`` leaves out the scaling curves (smaller files),
        ``raw=True`` adds the waiting times (needed to plot the survival function again)."""

        def sub(x):
            return None if x is None else x.to_dict(curves=curves, raw=raw)

        return {
            "type": "ComplexityReport",
            "kind": self.kind,
            "n_events": self.n_events,
            "t_start": self.t_start,
            "t_stop": self.t_stop,
            "rate": jsonable(self.rate),
            "cv": jsonable(self.cv),
            "step": jsonable(self.step),
            "eddis": sub(self.eddis),
            "dea": sub(self.dea),
            "renewal": sub(self.renewal),
            "note": self.note,
            "warnings": list(self.warnings),
            "params": jsonable(dict(self.params)),
        }

    @classmethod
    def from_dict(cls, d: dict) -> ComplexityReport:
        """Rebuild a report written by :meth:`to_dict`."""
        if not isinstance(d, dict) or d.get("type") != "ComplexityReport":
            raise ValueError("d: expected a dict written by ComplexityReport.to_dict()")

        def sub(k, klass):
            return None if d.get(k) is None else klass.from_dict(d[k])

        return cls(
            kind=d["kind"],
            n_events=int(d["n_events"]),
            t_start=_f(d["t_start"]),
            t_stop=_f(d["t_stop"]),
            rate=_f(d["rate"]),
            cv=_f(d["cv"]),
            step=None if d.get("step") is None else _f(d["step"]),
            eddis=sub("eddis", EddisResult),
            dea=sub("dea", ScalingFit),
            renewal=sub("renewal", RenewalTest),
            note=d.get("note", ""),
            warnings=tuple(d.get("warnings", ())),
            params=dict(d.get("params", {})),
        )

    def __str__(self) -> str:
        lines = [
            f"events        {self.n_events} {self.kind} in [{self.t_start:g}, {self.t_stop:g}] s "
            f"(rate {self.rate:.4g} /s, inter-event CV {_fmt(self.cv)})"
        ]
        if self.note:
            lines.append(f"note          {self.note}")
        w = self.waiting
        if w is not None:
            hi = "inf" if w.tau_max is None else f"{w.tau_max:.4g}"
            how = f"discrete, step {w.step:.4g} s" if w.discrete else "continuous"
            lines.append(
                f"waiting times mu = {w.mu:.3f} ± {w.mu_err:.3f} on tau in [{w.tau_min:.4g}, "
                f"{hi}] s ({w.n_tail} of {w.n}; {how}); vs exponential R = {w.R:.2f}, "
                f"p = {w.p:.3g} -> {w.preferred}"
            )
        e = self.eddis
        if e is not None:
            lo, up = e.aj.fit_range
            lines.append(
                f"EDDiS         DFA1 on a grid of dt = {e.dt:.4g} s, fit range {lo:.4g}..{up:.4g} s"
            )
            for rule, fit in (("AJ", e.aj), ("AJL", e.ajl), ("SJ", e.sj)):
                cands = ", ".join(f"{m:.3f}" for m in e.mu_candidates[rule]) or "-"
                lines.append(
                    f"  H({rule:<3})     {fit.exponent:.3f} ± {_fmt(fit.stderr_jackknife)}   "
                    f"mu candidates: {cands}"
                )
            mu = f"{e.mu:.3f} ± {e.mu_se:.3f}" if math.isfinite(e.mu) else "n/a"
            agree = "estimates agree" if e.consistent else "estimates disagree"
            lines.append(f"mu (EDDiS)    branch {e.branch}, mu = {mu} ({agree})")
            lines.append(f"  because     {e.reason}")
        if self.dea is not None:
            lines.append(
                f"DEA           delta = {self.dea.exponent:.3f} ± "
                f"{_fmt(self.dea.stderr_jackknife)} (AJ rule)"
            )
        r = self.renewal
        if r is not None:
            lines.append(
                f"renewal       {r.verdict}; z_H = {r.z_H:+.2f}, z_delta = {r.z_delta:+.2f} "
                f"against {r.H_shuffled.size} shuffles"
            )
        lines += [f"warning       {m}" for m in self.warnings]
        return "\n".join(lines)

    def plot(self, axes=None, title: str | None = None):
        """Survival function with its fit, F(l) of the three walks, and S(l) (three panels)."""
        import matplotlib.pyplot as plt

        from neurodam import plots

        if self.eddis is None:
            if axes is None:
                _, axes = plt.subplots(1, 3, figsize=(13, 3.8))
            axes = np.ravel(axes)
            for ax in axes:
                ax.set_axis_off()
            axes[1].text(0.5, 0.5, self.note or "no estimates", ha="center", va="center")
            return axes
        return plots.complexity_report(self.eddis, dea=self.dea, axes=axes, title=title)


def _cv(t: np.ndarray) -> float:
    w = np.diff(t)
    if w.size < 2 or w.mean() <= 0:
        return float("nan")
    return float(w.std(ddof=1) / w.mean())


def complexity_report(
    events,
    *,
    seed: int | np.random.Generator | None = 0,
    n_shuffles: int | None = None,
    renewal: bool = True,
    significance: float = 0.05,
    dt: float | None = None,
    min_events: int = MIN_EVENTS,
) -> ComplexityReport:
    """Temporal complexity of an event sequence, from waiting times to the renewal test.

    Pipeline (Paradisi et al. 2012; Allegrini et al. 2009; Scafetta & Grigolini 2002):
    :func:`~neurodam.analysis.eddis_all` (the direct waiting-time fit psi(tau) ~ tau^-mu,
    discrete on a lattice; DFA exponents H of the AJ, AJL and SJ walks with jackknife
    errors; mu resolved with its branch and reason) -> :func:`~neurodam.analysis.
    diffusion_entropy` (delta, AJ rule, same grid) -> :func:`~neurodam.analysis.renewal_test`
    (H and delta against shuffled waiting times; rank p-value), plus the inter-event CV.

    With fewer than ``min_events`` events nothing is fitted: the report holds the count, the
    rate and the CV, and ``note`` says why (a sweep point with no events is not a failure).

    Parameters
    ----------
    events : EventTimes or array_like
        Strictly increasing event times in seconds.
    seed : int, Generator or None
        Signs of the SJ/AJL walks and the shuffles.
    n_shuffles : int, optional
        Shuffles of the renewal test (default enough for ``significance``).
    renewal : bool
        Run the renewal test (the slowest step: one DFA and one DEA per shuffle).
    significance : float
        Level of the renewal test.
    dt : float, optional
        Grid step of the walks (default half the median waiting time; see
        :func:`~neurodam.analysis.eddis_all`).
    min_events : int
        Fewest events for the fits.

    Returns
    -------
    ComplexityReport
    """
    min_events = check_int(min_events, "min_events", min=MIN_EVENTS)
    if isinstance(events, EventTimes):
        t = np.asarray(events.times, dtype=float)
        kind, t0, t1, params = events.kind, events.t_start, events.t_stop, dict(events.params)
    else:
        t = np.asarray(events, dtype=float)
        if t.ndim != 1:
            raise ValueError(f"events: expected a 1-D array of event times, got shape {t.shape}")
        kind, params = "events", {}
        t0, t1 = (float(t[0]), float(t[-1])) if t.size else (0.0, 0.0)

    duration = t1 - t0
    rate = t.size / duration if duration > 0 else float("nan")
    base = {
        "kind": kind,
        "n_events": int(t.size),
        "t_start": float(t0),
        "t_stop": float(t1),
        "rate": float(rate),
        "cv": _cv(t),
        "params": params,
    }
    if t.size < min_events:
        step = params.get("dt")
        return ComplexityReport(
            **base,
            step=None if step is None else float(step),
            note=f"{t.size} events, fewer than the {min_events} the fits need",
        )
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        step = lattice_step(events)
        res = eddis_all(events, dt=dt, seed=rng)
        dea = diffusion_entropy(events, dt=res.dt, seed=rng)
        ren = (
            renewal_test(events, n_shuffles, seed=rng, dt=res.dt, significance=significance)
            if renewal
            else None
        )
    return ComplexityReport(
        **base,
        step=step,
        eddis=res,
        dea=dea,
        renewal=ren,
        warnings=tuple(dict.fromkeys(str(c.message) for c in caught)),
    )
