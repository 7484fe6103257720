"""The temporal-complexity pipeline as one library function: :func:`complexity_report`.

events -> waiting-time fit, EDDiS (AJ/AJL/SJ walks), resolved mu, diffusion entropy,
renewal test, inter-event CV -> :class:`ComplexityReport` (``to_dict``/``from_dict``,
``summary``, ``plot``, text).

References
----------
Paradisi P, Allegrini P et al. (2012) Rep Math Phys 70:205 (EDDiS); Allegrini P et al. (2009)
Phys Rev E 80:061914 (renewal and aging); Scafetta N, Grigolini P (2002) Phys Rev E 66:036130.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from neurodam._validate import check_int
from neurodam.analysis._results import as_float as _f
from neurodam.analysis._results import fmt_value as _fmt
from neurodam.analysis._results import jsonable
from neurodam.analysis._sequence import MIN_EVENTS, lattice_step
from neurodam.analysis.eddis import EddisResult, diffusion_entropy, eddis_all
from neurodam.analysis.renewal import RenewalTest, renewal_test
from neurodam.analysis.scaling import ScalingFit
from neurodam.spikes import EventTimes

__all__ = ["ComplexityReport", "complexity_report"]


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
    errors; mu resolved with its branch and reason) ->
    :func:`~neurodam.analysis.diffusion_entropy` (delta, AJ rule, same grid) ->
    :func:`~neurodam.analysis.renewal_test`
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
