r"""Events and indicators of one SEDAM run: the analysis half of the study's point function.

:func:`analyse_run` turns a :class:`~neurodam.memory.results.MemoryRun` (overlaps and
population activity) into the events of three kinds and their indicators
(:mod:`neurodam.sweep.sedam` describes them); :class:`StudyAnalysis` holds the analysis
keys of the model file.



Analysis keys (the ``analysis`` mapping of the model file)
----------------------------------------------------------
They come from the model file (defaults :data:`ANALYSIS_DEFAULTS` fill what it leaves out),
are part of every point's parameters (so a changed threshold is a new point, never mixed
with the old ones), can be swept (``--set analysis.activity_threshold=sd:1,sd:2``) and are
stored with each result; the resolved thresholds are result columns (``<kind>_theta``).

``activity_threshold``     :math:`\theta` of the transitions and avalanches: a number of
                           neurons, ``"percentile:q"`` or ``"sd:k"`` of :math:`A(t)`
``coincidence_threshold``  :math:`k` of the coincidences (same forms; must resolve > 0)
``switch_min_steps``       shortest run of one retrieved memory that counts (>= 1)
``no_memory``              "no memory" when :math:`Q(t) < \text{no\_memory}\,(1 - 2p)`, a
                           fraction of the retrieval level :math:`1 - 2p` of the noise
                           (science.md: :math:`\bar Q \approx 1 - 2p` while retrieving);
                           null: no such state
``renewal``                when to run the renewal test: ``"candidates"`` (default: only
                           where the other conditions of the complex window hold,
                           1 < mu < 3 and H(AJ) > 0.5), ``"always"`` or ``"never"``
``n_shuffles``             shuffles of the renewal test (19: the fewest that can reject at
                           ``significance`` 0.05; the rank test is exact for any number)
``significance``           level of the renewal test
``min_events``             fewest events of a kind for its fits (fewer: NaN and a note)
``avalanches``             fit the avalanche sizes and durations (true/false)
``save_events``            store the event times of each point (``points/<key>.npz``)
``transient``              steps left out at the start of every run


References
----------
Cafiso & Paradisi (2026), arXiv 2601.11478; Paradisi et al. (2012) Rep Math Phys 70:205;
Allegrini et al. (2009) Phys Rev E 80:061914.
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_int, check_number, check_probability

__all__ = [
    "ANALYSIS_DEFAULTS",
    "KINDS",
    "StudyAnalysis",
    "analyse_run",
    "encode_events",
    "kind_report",
    "point_events",
    "run_events",
]

#: The kinds of events, in the order of the result columns.
KINDS = ("transitions", "coincidences", "switches")
RENEWAL_POLICIES = ("candidates", "always", "never")

ANALYSIS_DEFAULTS: dict[str, Any] = {
    "activity_threshold": "percentile:50",
    "coincidence_threshold": "sd:2",
    "switch_min_steps": 3,
    "no_memory": 0.5,
    "renewal": "candidates",
    "n_shuffles": 19,
    "significance": 0.05,
    "min_events": 50,
    "avalanches": True,
    "save_events": True,
    "transient": 0,
}


def _threshold(value: Any, name: str) -> float | str:
    """A threshold spec: a number >= 0, ``"percentile:q"`` (0..100) or ``"sd:k"``."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected a number, 'percentile:Q' or 'sd:K', got {value!r}")
    if isinstance(value, int | float):
        return check_number(value, name, min=0.0, what="a threshold")
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a number, 'percentile:Q' or 'sd:K', got {value!r}")
    kind, sep, number = value.partition(":")
    try:
        x = float(number)
    except ValueError:
        x = math.nan
    if not sep or kind not in ("percentile", "sd") or not math.isfinite(x):
        raise ValueError(f"{name}: expected a number, 'percentile:Q' or 'sd:K', got {value!r}")
    if kind == "percentile" and not 0 <= x <= 100:
        raise ValueError(f"{name}: expected a percentile in [0, 100], got {value!r}")
    return value


@dataclass(frozen=True)
class StudyAnalysis:
    """The analysis keys of a SEDAM study, validated (see the module docstring)."""

    activity_threshold: float | str = ANALYSIS_DEFAULTS["activity_threshold"]
    coincidence_threshold: float | str = ANALYSIS_DEFAULTS["coincidence_threshold"]
    switch_min_steps: int = ANALYSIS_DEFAULTS["switch_min_steps"]
    no_memory: float | None = ANALYSIS_DEFAULTS["no_memory"]
    renewal: str = ANALYSIS_DEFAULTS["renewal"]
    n_shuffles: int = ANALYSIS_DEFAULTS["n_shuffles"]
    significance: float = ANALYSIS_DEFAULTS["significance"]
    min_events: int = ANALYSIS_DEFAULTS["min_events"]
    avalanches: bool = ANALYSIS_DEFAULTS["avalanches"]
    save_events: bool = ANALYSIS_DEFAULTS["save_events"]
    transient: int = ANALYSIS_DEFAULTS["transient"]

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "activity_threshold", _threshold(self.activity_threshold, "activity_threshold"))
        put(
            self,
            "coincidence_threshold",
            _threshold(self.coincidence_threshold, "coincidence_threshold"),
        )
        if self.coincidence_threshold == 0:
            raise ValueError("coincidence_threshold: expected a level > 0 (0 is met every step)")
        put(self, "switch_min_steps", check_int(self.switch_min_steps, "switch_min_steps", min=1))
        if self.no_memory is not None:
            put(self, "no_memory", check_number(self.no_memory, "no_memory", min=0.0, max=1.0))
        check_choice(self.renewal, "renewal", RENEWAL_POLICIES)
        put(self, "significance", check_probability(self.significance, "significance"))
        if self.significance == 0:
            raise ValueError("significance: expected a level in (0, 1), got 0")
        put(self, "n_shuffles", check_int(self.n_shuffles, "n_shuffles", min=1))
        if self.renewal != "never" and (self.n_shuffles + 1) * self.significance < 1:
            raise ValueError(
                f"n_shuffles: {self.n_shuffles} shuffles cannot reject at significance "
                f"{self.significance:g}; give at least {math.ceil(1 / self.significance) - 1}"
            )
        put(self, "min_events", check_int(self.min_events, "min_events", min=50))
        for name in ("avalanches", "save_events"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name}: expected true or false, got {getattr(self, name)!r}")
        put(self, "transient", check_int(self.transient, "transient", min=0))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any] | None) -> StudyAnalysis:
        """From the model file's ``analysis`` mapping (unknown keys: ``ValueError``)."""
        if mapping is None:
            return cls()
        if not isinstance(mapping, Mapping):
            raise TypeError(f"analysis: expected a mapping of analysis keys, got {mapping!r}")
        unknown = sorted(set(mapping) - set(ANALYSIS_DEFAULTS))
        if unknown:
            raise ValueError(
                f"analysis.{unknown[0]}: unknown analysis key; expected keys from "
                f"{sorted(ANALYSIS_DEFAULTS)}"
            )
        return cls(**dict(mapping))

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (stored with each point's result)."""
        return dataclasses.asdict(self)


# ------------------------------------------------------------------ analysis
def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def run_events(run, an: StudyAnalysis, noise: float) -> tuple[dict, dict]:
    """The three kinds of events of ``run`` and their resolved thresholds."""
    from neurodam.analysis import events_from_activity, switch_events

    T0 = min(an.transient, run.n_steps - 1)
    dt = run.dt
    act = np.asarray(run.activity[T0:], dtype=np.int64)
    ov = run.overlaps[T0:]
    t0 = T0 * dt
    tr = _quiet(events_from_activity, act, dt, an.activity_threshold, kind="transitions",
                t_start=t0)  # fmt: skip
    co = _quiet(events_from_activity, act, dt, an.coincidence_threshold, kind="coincidences",
                t_start=t0)  # fmt: skip
    q = None if an.no_memory is None else an.no_memory * (1.0 - 2.0 * noise)
    sw = switch_events(ov, dt, min_steps=an.switch_min_steps, q_threshold=q, t_start=t0)
    events = {"transitions": tr, "coincidences": co, "switches": sw}
    thresholds = {
        "transitions": float(tr.params["threshold_value"]),
        "coincidences": float(co.params["threshold_value"]),
        "switches": math.nan if q is None else float(q),
    }
    return events, thresholds


def _kind_result(rep, theta: float, dt: float) -> dict[str, Any]:
    s = rep.summary()
    steps = max(round((rep.t_stop - rep.t_start) / dt), 1)
    out = {
        "n": int(s["n"]),
        "rate": rep.n_events / steps,
        "rate_hz": s["rate"],
        "cv": s["cv"],
        "mu": s["mu"],
        "mu_err": s["mu_err"],
        "tau_min": s["tau_min"],
        "tau_max": s["tau_max"],
        "mu_vs_exponential": s["mu_vs_exponential"],
    }
    for rule in ("AJ", "AJL", "SJ"):
        out[f"H_{rule}"] = s[f"H_{rule}"]
        out[f"H_{rule}_err"] = s[f"H_{rule}_err"]
    out.update(
        mu_eddis=s["mu_eddis"],
        branch=s["branch"],
        delta=s["delta"],
        renewal=s["renewal"],
        renewal_p=s["renewal_p"],
        theta=theta,
        note=rep.note,
    )
    return out


def kind_report(events, analysis: StudyAnalysis, *, seed: Any = 0):
    """The :func:`~neurodam.analysis.complexity_report` of one kind of events, without the
    renewal test; a sequence too short for a fit or a scaling range (more than
    ``min_events`` events, but too few distinct waiting times or too short a record) gives
    the count, rate and CV with NaN estimates and a note, like one with too few events."""
    from neurodam.analysis import complexity_report

    an = analysis
    try:
        return _quiet(complexity_report, events, seed=seed, renewal=False,
                      significance=an.significance, min_events=an.min_events)  # fmt: skip
    except ValueError as exc:
        rep = _quiet(
            complexity_report, events, min_events=max(an.min_events, events.times.size + 1)
        )
        return dataclasses.replace(rep, note=f"not estimated: {exc}")


def _renewal_wanted(rep, an: StudyAnalysis) -> bool:
    if an.renewal == "never" or rep.eddis is None:
        return False
    if an.renewal == "always":
        return True
    s = rep.summary()
    return bool(1.0 < s["mu"] < 3.0 and s["H_AJ"] > 0.5)


def _avalanche_result(act: np.ndarray, dt: float, an: StudyAnalysis) -> dict[str, Any]:
    """Avalanche sizes (above threshold) and durations: discrete power-law fits and the
    verdict of :func:`~neurodam.analysis.avalanche_report` (exponential rejected, no
    alternative preferred at 0.1). The lognormal and truncated power law are compared only
    when the exponential is rejected (otherwise the verdict is already "not supported")."""
    from neurodam.analysis import avalanches_from_activity, fit_power_law

    nan = math.nan
    av = _quiet(avalanches_from_activity, act, dt, an.activity_threshold)
    out: dict[str, Any] = {"n": len(av), "tau": nan, "tau_xmin": nan, "tau_tail": 0,
                           "alpha": nan, "alpha_xmin": nan, "alpha_tail": 0,
                           "power_law": None, "reasons": ""}  # fmt: skip
    if len(av) < an.min_events:
        out["reasons"] = f"{len(av)} avalanches, fewer than {an.min_events}"
        return out
    reasons = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, sym, data in (("size", "tau", av.sizes), ("duration", "alpha", av.durations)):
            if np.unique(data).size < 3:
                reasons.append(f"{name}s take fewer than 3 values")
                continue
            fit = fit_power_law(data, discrete=True)
            out[sym], out[f"{sym}_xmin"], out[f"{sym}_tail"] = fit.alpha, fit.xmin, fit.n_tail
            if fit.compare("exponential").verdict(0.1) != "power law":
                reasons.append(f"{name}s: exponential not rejected")
                continue  # already not supported: the slower comparisons would not change it
            for alt in ("lognormal", "truncated_power_law"):
                if fit.compare(alt).verdict(0.1) == alt:
                    reasons.append(f"{name}s prefer {alt}")
    out["power_law"] = not reasons
    out["reasons"] = "; ".join(reasons)
    return out


def analyse_run(
    run, analysis: StudyAnalysis | Mapping | None = None, *, noise: float, seed: int = 0
) -> tuple[dict[str, Any], dict[str, Any], dict[str, float]]:
    """Events and indicators of one SEDAM run.

    Parameters
    ----------
    run : MemoryRun
        With overlaps and activity.
    analysis : StudyAnalysis or mapping, optional
        The analysis keys (defaults: :data:`ANALYSIS_DEFAULTS`).
    noise : float
        The run's p (sets the "no memory" level ``no_memory * (1 - 2p)``).
    seed : int
        Seed of the walks' random signs and the shuffles (the point's seed).

    Returns
    -------
    result : dict
        ``Q_bar``, ``Q_sd``, ``activity_mean``, ``activity_sd``, ``n_neurons``,
        ``n_patterns``, ``load_alpha`` (ln K / N), ``memories_visited``, and per kind
        (:data:`KINDS`) a dict: ``n``, ``rate`` (events per step), ``rate_hz``, ``cv``,
        ``mu``, ``mu_err``, ``tau_min``, ``tau_max`` (fit range, seconds),
        ``mu_vs_exponential``, ``H_AJ``, ``H_AJL``, ``H_SJ`` (and ``*_err``),
        ``mu_eddis``, ``branch``, ``delta``, ``renewal`` (True / False / None when not
        run), ``renewal_p``, ``theta`` (resolved threshold), ``note``; and ``avalanches``.
        NaN where a kind has too few events (a note says so).
    events : dict of str to EventTimes
    timings : dict
        Seconds: ``analyse`` (all of it) and ``renewal`` (its part).
    """
    from neurodam.analysis import renewal_test
    from neurodam.analysis.switches import retrieved_memory

    t_start = time.perf_counter()
    an = analysis if isinstance(analysis, StudyAnalysis) else StudyAnalysis.from_mapping(analysis)
    T0 = min(an.transient, run.n_steps - 1)
    Q = run.overlaps[T0:].max(axis=1)
    act = np.asarray(run.activity[T0:])
    K, N = run.n_patterns, int(run.params.get("N", run.spikes.n_neurons))
    labels = retrieved_memory(run.overlaps[T0:], min_steps=an.switch_min_steps)
    result: dict[str, Any] = {
        "Q_bar": float(Q.mean()) if Q.size else math.nan,
        "Q_sd": float(Q.std()) if Q.size else math.nan,
        "activity_mean": float(act.mean()),
        "activity_sd": float(act.std()),
        "n_neurons": N,
        "n_patterns": K,
        "load_alpha": math.log(K) / N,
        "memories_visited": int(np.unique(labels[labels >= 0]).size),
    }
    events, thresholds = run_events(run, an, noise)
    t_renewal = 0.0
    for k, kind in enumerate(KINDS):
        ev = events[kind]
        rep = kind_report(ev, an, seed=[seed, k])
        if _renewal_wanted(rep, an):
            t0 = time.perf_counter()
            try:
                ren = _quiet(renewal_test, ev, an.n_shuffles, seed=[seed, k, 1],
                             dt=rep.eddis.dt, significance=an.significance)  # fmt: skip
                rep = dataclasses.replace(rep, renewal=ren)
            except ValueError as exc:
                rep = dataclasses.replace(rep, note=f"renewal test not run: {exc}")
            t_renewal += time.perf_counter() - t0
        result[kind] = _kind_result(rep, thresholds[kind], run.dt)
        if kind == "switches":
            result[kind]["min_steps"] = an.switch_min_steps
    if an.avalanches:
        result["avalanches"] = _avalanche_result(act.astype(np.int64), run.dt, an)
    timings = {"analyse": time.perf_counter() - t_start, "renewal": t_renewal}
    return result, events, timings


# ------------------------------------------------------------------ event files
def encode_events(events: Mapping[str, Any], dt: float) -> dict[str, np.ndarray]:
    """Event times as int32 step counts from the window start (exact on the lattice)."""
    out: dict[str, np.ndarray] = {"dt": np.float64(dt)}
    for kind, ev in events.items():
        k = np.rint((np.asarray(ev.times) - ev.t_start) / dt).astype(np.int32)
        out[kind] = k
        out[f"{kind}_window"] = np.array([ev.t_start, ev.t_stop], dtype=np.float64)
    return out


def point_events(path: str | Path, key: str) -> dict[str, Any]:
    """The events stored with point ``key`` of the study at ``path``, as EventTimes.

    Times are rebuilt as ``t_start + k dt`` (how the events were made), so the report's
    analysis of stored events repeats the sweep's exactly.
    """
    from neurodam.spikes import EventTimes
    from neurodam.sweep.store import load_events

    raw = load_events(path, key)
    dt = float(raw["dt"])
    out = {}
    for kind in KINDS:
        if kind in raw:
            t0, t1 = (float(v) for v in raw[f"{kind}_window"])
            times = t0 + raw[kind].astype(np.int64) * dt
            out[kind] = EventTimes(times, t0, t1, kind, {"dt": dt})
    return out
