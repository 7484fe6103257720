"""Events from spike trains: avalanches, transitions, coincidences.

Avalanches
----------
avalanches               maximal runs of bins with activity above a threshold (Beggs & Plenz 2003)
avalanches_from_activity the same, from an already binned activity
Avalanches               frozen result: sizes, durations, start/end times, shapes()

Event times (:class:`~neurodam.spikes.EventTimes`)
--------------------------------------------------
transition_events        births (upward) and deaths (downward crossings of the threshold)
coincidence_events       onsets of windows in which at least k distinct neurons fire
events_from_activity     the same events straight from an activity array (no binning)

The binning (:mod:`neurodam.analysis.binning`): recordings on a grid of the mean pooled
inter-spike interval; model output on its own step lattice (``meta["dt"]``), each spike
counted in its step exactly. So the events of a model's spikes at its step are exactly the
threshold crossings of its activity. Memory switches are in :mod:`neurodam.analysis.switches`.

Everything is vectorised over bins (``np.bincount`` / ``np.diff`` on the binned
activity); there is no Python loop over bins or avalanches.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from neurodam._validate import check_choice, check_number, check_seconds
from neurodam.analysis.binning import (
    _check_spikes,
    bin_counts,
    bin_index,
    bin_width_of,
    default_bin_width,
    population_activity,
    resolve_threshold,
    runs,
    threshold_spec,
)
from neurodam.spikes import EventTimes, SpikeTrains

__all__ = [
    "Avalanches",
    "avalanches",
    "avalanches_from_activity",
    "coincidence_events",
    "default_bin_width",
    "events_from_activity",
    "population_activity",
    "resolve_threshold",
    "transition_events",
]

SIZES = ("auto", "spikes", "above_threshold")


# -------------------------------------------------------------- avalanches
@dataclass(frozen=True, repr=False, eq=False)
class Avalanches:
    r"""Avalanches: maximal runs of bins with activity above ``threshold``.

    Attributes
    ----------
    sizes : ndarray of int64
        Size of each avalanche, as ``size_definition`` says: ``"spikes"``, every spike of
        its bins (Beggs & Plenz 2003); ``"above_threshold"``, the area above the
        baseline, :math:`S = \sum_{k \in \text{run}} (A_k - b)` with ``b = baseline``.
    durations : ndarray of int64
        Bins in each avalanche.
    start_times, end_times : ndarray of float
        Left edge of the first bin and right edge of the last bin (seconds).
    bin_width : float
        Bin width in seconds.
    threshold : float
        The resolved threshold: a bin belongs to an avalanche when its activity
        is strictly greater than this.
    activity : ndarray of int64
        The binned population activity the avalanches were read from.
    start_bins : ndarray of int64
        Index of the first bin of each avalanche in ``activity``.
    t_start : float
        Time of the left edge of bin 0.
    size_definition : str
        ``"spikes"`` or ``"above_threshold"``.
    baseline : int
        What each bin's activity is counted above in ``sizes`` and ``shapes()``:
        0 for ``"spikes"``, ``floor(threshold)`` for ``"above_threshold"``.

    Notes
    -----
    Runs touching the first or the last bin are kept; they may be cut by the
    observation window (``censored`` tells which).
    """

    sizes: np.ndarray
    durations: np.ndarray
    start_times: np.ndarray
    end_times: np.ndarray
    bin_width: float
    threshold: float
    activity: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    start_bins: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    t_start: float = 0.0
    size_definition: str = "spikes"
    baseline: int = 0

    def __len__(self) -> int:
        return int(self.sizes.size)

    def __repr__(self) -> str:
        if not len(self):
            return f"Avalanches(0 avalanches, bin_width={self.bin_width:g} s)"
        return (
            f"Avalanches({len(self)} avalanches, bin_width={self.bin_width:g} s, "
            f"threshold={self.threshold:g}, sizes ({self.size_definition}) "
            f"{self.sizes.min()}..{self.sizes.max()}, "
            f"durations {self.durations.min()}..{self.durations.max()} bins)"
        )

    @property
    def censored(self) -> np.ndarray:
        """True for avalanches touching the first or last bin (possibly cut by the window)."""
        end = self.start_bins + self.durations
        return (self.start_bins == 0) | (end == self.activity.size)

    def shapes(self, min_count: int = 1) -> dict[int, np.ndarray]:
        """Activity profile of each avalanche, grouped by duration.

        Returns ``{T: array of shape (n_T, T)}``: row ``i`` holds ``activity - baseline`` in
        the ``T`` bins of the ``i``-th avalanche of duration ``T`` (in time order), so each
        row sums to the avalanche's size. Durations with fewer than ``min_count``
        avalanches are left out.
        """
        out: dict[int, np.ndarray] = {}
        if not len(self):
            return out
        uniq, counts = np.unique(self.durations, return_counts=True)
        for T, c in zip(uniq.tolist(), counts.tolist(), strict=True):  # loop over durations
            if c < min_count:
                continue
            starts = self.start_bins[self.durations == T]
            out[int(T)] = self.activity[starts[:, None] + np.arange(T)] - self.baseline
        return out

    def mean_size_by_duration(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(T, <S>(T), n(T))``: the distinct durations, the mean size and the count of each."""
        uniq, inv, counts = np.unique(self.durations, return_inverse=True, return_counts=True)
        sums = np.bincount(inv, weights=self.sizes.astype(np.float64), minlength=uniq.size)
        return uniq, sums / np.maximum(counts, 1), counts


def _check_activity(activity, integer: bool) -> np.ndarray:
    a = np.asarray(activity)
    if a.ndim != 1:
        raise ValueError(f"activity: expected a 1-D array, got shape {a.shape}")
    if a.dtype == bool or not np.issubdtype(a.dtype, np.number):
        raise TypeError(f"activity: expected numbers, got dtype {a.dtype}")
    if a.size and not np.all(np.isfinite(a)):
        raise ValueError("activity: expected finite numbers")
    if a.size and a.min() < 0:
        raise ValueError(f"activity: expected counts >= 0, got minimum {a.min()}")
    if integer and np.issubdtype(a.dtype, np.floating) and not np.all(np.mod(a, 1) == 0):
        raise ValueError("activity: expected integer counts")
    return a


def avalanches_from_activity(
    activity: np.ndarray,
    bin_width: float = 1.0,
    threshold: float | str = 0,
    t_start: float = 0.0,
    *,
    size: str = "auto",
) -> Avalanches:
    """Avalanches of an already binned activity ``A(t)`` (e.g. firing neurons per step).

    See :func:`avalanches`; ``bin_width`` and ``t_start`` only set the time axis.
    """
    a = _check_activity(activity, integer=True)
    check_choice(size, "size", SIZES)
    av = _avalanches(
        a.astype(np.int64, copy=False),
        check_seconds(bin_width, "bin_width", "a width"),
        threshold,
        check_number(t_start, "t_start", what="a time in seconds"),
        size,
    )
    if not len(av):
        warnings.warn(
            f"threshold={threshold!r} (resolved to {av.threshold:g}) leaves no bin above it: "
            "no avalanches",
            stacklevel=2,
        )
    return av


def _avalanches(a: np.ndarray, width: float, threshold, t0: float, size: str) -> Avalanches:
    """Avalanches of the int64 counts ``a`` (checked), without the no-avalanche warning."""
    theta = resolve_threshold(threshold, a)
    if size == "auto":
        size = "above_threshold" if theta > 0 else "spikes"
    starts, ends = runs(a > theta)
    cs = np.cumsum(a)
    sizes = cs[ends - 1] - cs[starts] + a[starts]
    del cs
    durations = ends - starts
    # integer counts: A > theta exactly when A > floor(theta), so floor(theta) is the
    # integer baseline of the same avalanches, and every bin adds at least 1 to the size
    baseline = int(math.floor(theta)) if size == "above_threshold" else 0
    if baseline:
        sizes -= baseline * durations
    return Avalanches(
        sizes=sizes,
        durations=durations,
        start_times=t0 + starts * width,
        end_times=t0 + ends * width,
        bin_width=width,
        threshold=theta,
        activity=a,
        start_bins=starts,
        t_start=t0,
        size_definition=size,
        baseline=baseline,
    )


def avalanches(
    spikes: SpikeTrains,
    bin_width: float | None = None,
    threshold: float | str = 0,
    *,
    size: str = "auto",
) -> Avalanches:
    r"""Neuronal avalanches: maximal runs of bins with activity above a threshold.

    With ``threshold=0`` this is the definition of Beggs & Plenz (2003): a run of
    non-empty bins bounded by empty bins; size :math:`S` = spikes in the run,
    duration :math:`T` = bins in the run. For always-active networks give a
    threshold :math:`\theta > 0` (a number of spikes per bin, ``"percentile:q"`` or
    ``"sd:k"`` = mean + k sd of the activity); a bin belongs to an avalanche when
    :math:`A_k > \theta`. Its size is then by default the area above the threshold:
    the raw spike count of an always-active network grows as :math:`\theta T`, so
    that :math:`\langle S\rangle(T) \sim T` whatever the dynamics.

    Size above threshold: :math:`S = \sum_{k \in \text{run}} (A_k - \lfloor\theta\rfloor)`.
    The activity is an integer count, so :math:`A_k > \theta` exactly when
    :math:`A_k > \lfloor\theta\rfloor`: the integer baseline :math:`\lfloor\theta\rfloor`
    defines the same avalanches as a non-integer :math:`\theta` (e.g. a percentile), every
    bin of a run adds at least 1, and sizes stay integers :math:`S \ge T`, so the discrete
    power-law fit applies to them as to spike counts.

    Parameters
    ----------
    spikes : SpikeTrains
    bin_width : float, optional
        Seconds; default :func:`default_bin_width` (the model's step ``meta["dt"]`` for
        model output, else the mean pooled inter-spike interval).
    threshold : float or str
        See above.
    size : {"auto", "spikes", "above_threshold"}
        ``"spikes"``: every spike of the run (Beggs & Plenz 2003); ``"above_threshold"``:
        the area above :math:`\lfloor\theta\rfloor`; ``"auto"`` (default): above threshold
        when :math:`\theta > 0`, spikes when :math:`\theta = 0` (the two then coincide).

    Returns
    -------
    Avalanches
        Empty (with a warning) when no bin exceeds the threshold;
        ``size_definition`` says which size it holds.
    """
    spikes = _check_spikes(spikes)
    check_choice(size, "size", SIZES)
    width = bin_width_of(spikes, bin_width)
    av = _avalanches(bin_counts(spikes, width), width, threshold, spikes.t_start, size)
    if not len(av):
        warnings.warn(
            f"threshold={threshold!r} (resolved to {av.threshold:g} spikes per bin) leaves no "
            f"bin above it: no avalanches",
            stacklevel=2,
        )
    return av


# ------------------------------------------------------------------ events
EVENT_KINDS = ("transitions", "births", "deaths", "coincidences")


def _crossings(active: np.ndarray, t0: float, width: float, which: str) -> np.ndarray:
    """Times of births (left edge of the first active bin) and/or deaths (right edge of
    the last one), only for crossings inside the array."""
    d = np.diff(active.view(np.int8))
    births = t0 + (np.flatnonzero(d == 1) + 1) * width
    deaths = t0 + (np.flatnonzero(d == -1) + 1) * width
    if which == "births":
        return births
    if which == "deaths":
        return deaths
    return np.sort(np.concatenate([births, deaths]), kind="stable")


def _onsets(active: np.ndarray, t0: float, width: float) -> np.ndarray:
    starts, _ = runs(active)
    return t0 + starts * width


def _coincidence_level(value: float, spec, name: str) -> float:
    if value <= 0:  # only a percentile / sd rule gets here: every bin would be coincident
        raise ValueError(
            f"{name}: {spec!r} resolves to {value:g}, which every bin meets; expected a rule "
            "resolving to a level > 0"
        )
    return value


def events_from_activity(
    activity: np.ndarray,
    bin_width: float = 1.0,
    threshold: float | str = 0,
    *,
    kind: str = "transitions",
    t_start: float = 0.0,
) -> EventTimes:
    r"""Events read straight from an activity array ``A_k`` (no binning).

    For a model that records its population activity (firing neurons per step) this
    gives the events of its spikes without binning them: the result equals
    :func:`transition_events` / :func:`coincidence_events` of its spikes at its step.

    * ``"transitions"``: births and deaths, the crossings of :math:`A_k > \theta`; a birth
      at the left edge of the first supra-threshold bin, a death at the right edge of the
      last one. Only crossings inside the array count.
    * ``"births"``, ``"deaths"``: one of the two.
    * ``"coincidences"``: onsets (left edges) of the runs of bins with
      :math:`A_k \ge \theta` (a coincident first bin counts). For model output (one spike
      per neuron per step) :math:`A_k` is the number of distinct neurons firing, as in
      :func:`coincidence_events`.

    Parameters
    ----------
    activity : 1-D array of numbers >= 0
    bin_width : float
        Seconds per bin (the model's ``dt``).
    threshold : float or str
        :math:`\theta`: a number >= 0, ``"percentile:q"`` or ``"sd:k"`` of the activity.
        For coincidences it must resolve to a level > 0.
    kind : {"transitions", "births", "deaths", "coincidences"}
    t_start : float
        Time of the left edge of bin 0.

    Returns
    -------
    EventTimes
        ``kind`` ``"transitions"`` (``params["crossings"]`` = ``"both"``, ``"births"`` or
        ``"deaths"``) or ``"coincidences"``; window ``[t_start, t_start + n bin_width]``;
        ``params`` hold ``bin_width``, the ``threshold`` as given, ``threshold_value`` as
        resolved, and ``dt`` = ``bin_width`` (the events lie on the bin grid).
    """
    a = _check_activity(activity, integer=False)
    if a.size == 0:
        raise ValueError("activity: expected at least one bin, got an empty array")
    check_choice(kind, "kind", EVENT_KINDS)
    width = check_seconds(bin_width, "bin_width", "a width")
    t0 = check_number(t_start, "t_start", what="a time in seconds")
    theta = resolve_threshold(threshold, a)
    params = {"bin_width": width, "threshold": threshold_spec(threshold)}
    if kind == "coincidences":
        theta = _coincidence_level(theta, threshold, "threshold")
        times = _onsets(a >= theta, t0, width)
        params.update(threshold_value=theta, count="activity", dt=width)
        ev_kind = "coincidences"
    else:
        which = "both" if kind == "transitions" else kind
        times = _crossings(a > theta, t0, width, which)
        params.update(threshold_value=theta, crossings=which, dt=width)
        ev_kind = "transitions"
    if not times.size:
        warnings.warn(f"threshold={threshold!r} (resolved to {theta:g}): no {kind}", stacklevel=2)
    return EventTimes(times, t0, t0 + a.size * width, ev_kind, params)


_CROSSINGS = {"both": "both", "birth": "births", "death": "deaths"}


def transition_events(
    spikes: SpikeTrains,
    bin_width: float | None = None,
    threshold: float | str = 0,
    kind: str = "both",
) -> EventTimes:
    r"""Times of the threshold crossings of the population activity.

    A *birth* is an upward crossing (bin :math:`k-1` at or below :math:`\theta`,
    bin :math:`k` above; event time = left edge of bin :math:`k`), a *death* a
    downward crossing (event time = right edge of the last supra-threshold bin).
    Only crossings seen inside the window count: an avalanche already running at
    the first bin has no birth, one still running at the last bin no death.

    Parameters
    ----------
    spikes, bin_width, threshold
        As in :func:`avalanches` (the default bin is the model's step for model output,
        whose spikes are counted per step exactly).
    kind : {"both", "birth", "death"}
        Births, deaths, or their sorted union.

    Returns
    -------
    EventTimes
        ``kind="transitions"``, the spikes' window, and ``params``: ``bin_width``,
        ``threshold`` (as given), ``threshold_value`` (resolved, spikes per bin),
        ``crossings`` (``"both"``, ``"births"`` or ``"deaths"``) and ``dt`` = ``bin_width``
        (the events lie on the bin grid). Empty, with a warning, when there are none.
    """
    check_choice(kind, "kind", tuple(_CROSSINGS))
    spikes = _check_spikes(spikes)
    width = bin_width_of(spikes, bin_width)
    counts = bin_counts(spikes, width)
    theta = resolve_threshold(threshold, counts)
    which = _CROSSINGS[kind]
    times = _crossings(counts > theta, spikes.t_start, width, which)
    if not times.size:
        warnings.warn(
            f"threshold={threshold!r} (resolved to {theta:g}): no {kind} transitions",
            stacklevel=2,
        )
    params = {
        "bin_width": width,
        "threshold": threshold_spec(threshold),
        "threshold_value": theta,
        "crossings": which,
        "dt": width,
    }
    return EventTimes(times, spikes.t_start, spikes.t_stop, "transitions", params)


def coincidence_events(
    spikes: SpikeTrains,
    window: float | None = None,
    min_neurons: int | float | str | None = None,
) -> EventTimes:
    r"""Onsets of windows in which at least ``min_neurons`` distinct neurons fire.

    Time is cut into windows of length ``window`` from ``spikes.t_start`` (model output:
    the windows hold whole steps, counted exactly, as in :func:`population_activity`);
    :math:`N_k` = number of distinct neurons firing in window :math:`k`. A window is
    coincident when :math:`N_k \ge k_{\min}`; the events are the onsets (left
    edges) of the runs of coincident windows, so a long supra-threshold run is
    one event. A coincident first window counts as an onset.

    Parameters
    ----------
    spikes : SpikeTrains
    window : float, optional
        Window length in seconds (> 0). Default :func:`default_bin_width` (the model's
        step for model output, else the mean pooled inter-spike interval).
    min_neurons : int, float or str
        :math:`k_{\min}` as a number (>= 1), or ``"percentile:q"`` / ``"sd:k"`` of
        :math:`N_k` over all windows (required).

    Returns
    -------
    EventTimes
        ``kind="coincidences"``, the spikes' window, and ``params``: ``bin_width`` (the
        window), ``threshold`` (``min_neurons`` as given), ``threshold_value`` (resolved),
        ``count="distinct_neurons"`` and ``dt`` = the window (the onsets lie on its grid).
        Empty, with a warning, when there are none.
    """
    spikes = _check_spikes(spikes)
    if min_neurons is None:
        raise TypeError(
            "min_neurons: expected a number >= 1, 'percentile:Q' or 'sd:K', got None "
            "(the argument is required)"
        )
    if not isinstance(min_neurons, str):
        if isinstance(min_neurons, bool) or not isinstance(min_neurons, int | float | np.number):
            raise TypeError(f"min_neurons: expected a number or a string, got {min_neurons!r}")
        if not math.isfinite(min_neurons) or min_neurons < 1:
            raise ValueError(f"min_neurons: expected a number >= 1, got {min_neurons!r}")
    width = bin_width_of(spikes, window, "window")
    idx, n_bins = bin_index(spikes, width)
    # distinct (window, neuron) pairs -> distinct neurons per window
    n = np.int64(max(spikes.n_neurons, 1))
    key = idx * n
    key += spikes.senders
    del idx
    if key.size > 1 and np.any(key[1:] < key[:-1]):
        key.sort()
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    n_distinct = np.bincount(key[first] // n, minlength=n_bins)
    k = resolve_threshold(min_neurons, n_distinct, name="min_neurons")
    if k < 1:  # only a percentile / sd rule gets here: every window would be coincident
        raise ValueError(
            f"min_neurons: {min_neurons!r} resolves to {k:g} distinct neurons, which every "
            "window meets; expected a rule resolving to >= 1"
        )
    times = _onsets(n_distinct >= k, spikes.t_start, width)
    if not times.size:
        warnings.warn(
            f"min_neurons={min_neurons!r} (resolved to {k:g}): no window has that many "
            "distinct neurons firing",
            stacklevel=2,
        )
    params = {
        "bin_width": width,
        "threshold": threshold_spec(min_neurons),
        "threshold_value": k,
        "count": "distinct_neurons",
        "dt": width,
    }
    return EventTimes(times, spikes.t_start, spikes.t_stop, "coincidences", params)
