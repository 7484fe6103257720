"""Event sequences as the temporal-complexity estimators see them.

Every estimator of :mod:`neurodam.analysis.waiting`, :mod:`~neurodam.analysis.walks`,
:mod:`~neurodam.analysis.eddis` and :mod:`~neurodam.analysis.renewal` takes either a plain
array of event times in seconds or a :class:`neurodam.EventTimes`, and turns it into a
:class:`Sequence`: the checked times, the observation window (an ``EventTimes`` brings its
own; a plain array is observed from its first to its last event), the kind of the events and
the lattice step when the times sit on a lattice.

Lattice rule
------------
Events of a model that advances in steps (and events found on a time grid, such as
avalanche transitions at bin edges) sit on a lattice t = t_0 + k h: their waiting times are
integer multiples of h, and a fit that treats them as continuous is biased. The step h is

1. ``params["dt"]`` of an ``EventTimes``, when every waiting time is a multiple of it;
2. otherwise the approximate greatest common divisor of the waiting times (Euclid's
   algorithm with a tolerance), accepted when every waiting time is an integer multiple K
   of it to within 1e-6 of a step plus (K + 1) times the float64 rounding of the times
   (4 ulp of the largest time, in steps, at most 1e-3), and when it is not below 1e-6 of
   the shortest waiting time;
3. None (continuous times) when neither holds.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from neurodam._validate import check_finite

__all__ = ["MIN_EVENTS", "Sequence", "as_sequence", "lattice_step"]

MIN_EVENTS = 50  # fewest events the fits and scaling estimators accept
_REL_TOL = 1e-6  # a waiting time is on the lattice when within this fraction of a step
_MAX_RATIO = 1e6  # steps finer than shortest wait / this count as continuous


@dataclass(frozen=True)
class Sequence:
    """Checked event times with their window, kind and lattice step (see the module doc)."""

    t: np.ndarray
    t_start: float
    t_stop: float
    kind: str | None
    step: float | None

    @property
    def span(self) -> float:
        """Length of the observation window in seconds."""
        return self.t_stop - self.t_start

    @property
    def waits(self) -> np.ndarray:
        """Waiting times between successive events (the censored ends excluded)."""
        return np.diff(self.t)

    def lattice_index(self) -> np.ndarray:
        """Integer positions ``round((t - t[0]) / step)`` of the events on the lattice."""
        return np.rint((self.t - self.t[0]) / self.step).astype(np.int64)

    def with_times(self, t: np.ndarray) -> Sequence:
        """The same window, kind and step with other times (shuffled surrogates)."""
        return Sequence(t, self.t_start, self.t_stop, self.kind, self.step)


def _resolution(t: np.ndarray, g: float) -> float:
    """Float64 rounding of a waiting time, in units of ``g`` (4 ulp of the largest time)."""
    return 4.0 * np.finfo(float).eps * float(max(abs(t[0]), abs(t[-1]))) / g


def _off_lattice(w: np.ndarray, g: float, res: float) -> np.ndarray:
    """Waiting times that are not integer multiples of ``g``.

    A multiple K of the true step, divided by an estimate of it that is itself off by the
    rounding ``res`` (in steps), lies within (K + 1) res of K.
    """
    r = w / g
    return np.abs(r - np.rint(r)) > _REL_TOL + (np.abs(r) + 1.0) * res


def _fgcd(a: float, b: float, tol: float) -> float | None:
    """Greatest common divisor of two positive floats with an absolute tolerance (Euclid)."""
    a, b = max(a, b), min(a, b)
    while b > tol:
        r = math.fmod(a, b)
        if r <= tol or b - r <= tol:
            return b
        a, b = b, r
    return None


def _detect_step(t: np.ndarray) -> float | None:
    w = np.diff(t)
    if w.size == 0:
        return None
    wmin = float(w.min())
    g = wmin
    for _ in range(64):
        res = _resolution(t, g)
        if res > 1e-3:
            return None  # float64 cannot resolve steps this fine at these times
        bad = _off_lattice(w, g, res)
        if not bad.any():
            k = np.rint(w / g)
            return float(np.sum(w) / np.sum(k))  # least-squares step
        g = _fgcd(g, float(w[np.argmax(bad)]), (_REL_TOL + res) * g)
        if g is None or g < wmin / _MAX_RATIO:
            return None
    return None


def _step_from_params(t: np.ndarray, params, name: str) -> float | None:
    dt = params.get("dt") if params is not None else None
    if dt is None:
        return None
    try:
        dt = float(dt)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(dt) and dt > 0):
        return None
    w = np.diff(t)
    if w.size and _off_lattice(w, dt, _resolution(t, dt)).any():
        warnings.warn(
            f"{name}: params['dt'] = {dt:g} s, but the waiting times are not multiples of it; "
            "the lattice is detected from the times instead",
            stacklevel=4,
        )
        return None
    return dt


def lattice_step(event_times) -> float | None:
    """The lattice step h of event times t = t_0 + k h, or None for continuous times.

    Uses ``params["dt"]`` of a :class:`neurodam.EventTimes` when the waiting times are
    multiples of it, else the approximate greatest common divisor of the waiting times (the
    rule is in :mod:`neurodam.analysis._sequence`).

    Examples
    --------
    >>> lattice_step([0.0, 0.03, 0.05, 0.12])
    0.01
    """
    seq = as_sequence(event_times, min_events=2)
    return seq.step


def _times_of(event_times, name: str) -> np.ndarray:
    t = np.asarray(event_times)
    if t.dtype == object or not (
        np.issubdtype(t.dtype, np.floating) or np.issubdtype(t.dtype, np.integer)
    ):
        raise TypeError(f"{name}: expected numeric event times in seconds, got dtype {t.dtype}")
    t = t.astype(np.float64, copy=False)
    if t.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of event times, got shape {t.shape}")
    check_finite(t, name, "times")
    return t


def as_sequence(
    event_times,
    min_events: int = MIN_EVENTS,
    name: str = "event_times",
    discrete: bool | None = None,
) -> Sequence:
    """Check event times (array or ``EventTimes``) and return a :class:`Sequence`.

    Parameters
    ----------
    event_times : array_like or EventTimes
        Strictly increasing, finite times in seconds.
    min_events : int
        Fewest events accepted.
    name : str
        Argument name for the error messages.
    discrete : bool or None
        None: detect the lattice; True: require one (``ValueError`` naming ``discrete``
        otherwise); False: treat the times as continuous.
    """
    from neurodam.spikes import EventTimes

    if isinstance(event_times, EventTimes):
        t = event_times.times.astype(np.float64)
        t_start, t_stop = float(event_times.t_start), float(event_times.t_stop)
        kind, params = event_times.kind, event_times.params
    else:
        t = _times_of(event_times, name)
        t_start = t_stop = None
        kind, params = None, None
    if t.size < min_events:
        raise ValueError(f"{name}: expected at least {min_events} events, got {t.size}")
    d = np.diff(t)
    if d.size and not np.all(d > 0):
        i = int(np.flatnonzero(d <= 0)[0]) + 1
        raise ValueError(
            f"{name}: expected strictly increasing times, got t[{i}]={t[i]!r} after "
            f"t[{i - 1}]={t[i - 1]!r} (sort them and merge coincident events)"
        )
    if t_start is None:
        t_start, t_stop = float(t[0]), float(t[-1])
    step = None
    if discrete is not False and t.size >= 2:
        step = _step_from_params(t, params, name)
        if step is None:
            step = _detect_step(t)
        if step is None and discrete:
            raise ValueError(
                f"discrete: the waiting times of {name} are not integer multiples of a common "
                "step (give an EventTimes with params['dt'], or discrete=None)"
            )
    return Sequence(t, t_start, t_stop, kind, step)
