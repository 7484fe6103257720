"""Events from spike trains: population activity, avalanches, transitions, coincidences.

Population activity
-------------------
population_activity      spike counts on a regular time grid (default bin: mean pooled ISI)
resolve_threshold        a number, ``"percentile:q"`` or ``"sd:k"`` -> an activity threshold

Avalanches and events
---------------------
avalanches               maximal runs of bins with activity above a threshold (Beggs & Plenz 2003)
avalanches_from_activity the same, from an already binned activity
Avalanches               frozen result: sizes, durations, start/end times, shapes()
transition_events        births (upward) and deaths (downward crossings of the threshold)
coincidence_events       onsets of windows in which at least k distinct neurons fire

Everything is vectorised over bins (``np.bincount`` / ``np.diff`` on the binned
activity); there is no Python loop over bins or avalanches.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from neurodam.analysis._checks import check_seconds
from neurodam.spikes import SpikeTrains

__all__ = [
    "Avalanches",
    "avalanches",
    "avalanches_from_activity",
    "coincidence_events",
    "default_bin_width",
    "population_activity",
    "resolve_threshold",
    "transition_events",
]


# ----------------------------------------------------------------- helpers
def _check_spikes(spikes) -> SpikeTrains:
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a neurodam.SpikeTrains, got {type(spikes).__name__}")
    if spikes.duration <= 0:
        raise ValueError(
            f"spikes: expected an observation window of length > 0, got t_start={spikes.t_start}, "
            f"t_stop={spikes.t_stop}"
        )
    return spikes


def default_bin_width(spikes: SpikeTrains) -> float:
    r"""Mean inter-spike interval of the pooled population (Beggs & Plenz 2003).

    :math:`\overline{\Delta t} = (t_{\mathrm{last}} - t_{\mathrm{first}}) / (n - 1)`
    over all spikes of all neurons merged.
    """
    spikes = _check_spikes(spikes)
    n = len(spikes)
    if n < 2:
        raise ValueError(
            f"spikes: the default bin_width (mean pooled inter-spike interval) needs at least "
            f"2 spikes, got {n}; pass bin_width explicitly"
        )
    width = float(spikes.times[-1] - spikes.times[0]) / (n - 1)
    if width <= 0:
        raise ValueError(
            "spikes: all spikes are simultaneous, so the mean inter-spike interval is 0; "
            "pass bin_width explicitly"
        )
    return width


def _bin_width(spikes: SpikeTrains, bin_width) -> float:
    """``bin_width`` checked, or the default (mean pooled ISI) when it is None."""
    return default_bin_width(spikes) if bin_width is None else check_seconds(bin_width, "bin_width")


def population_activity(
    spikes: SpikeTrains, bin_width: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Spike counts of the whole population on a regular grid.

    :math:`A_k = \#\{\text{spikes with } t_0 + k\,\Delta t \le t < t_0 + (k+1)\,\Delta t\}`,
    bins starting at ``spikes.t_start``; the last bin is closed on the right so a
    spike at ``t_stop`` is counted. The number of bins is
    :math:`\lceil (t_{\mathrm{stop}} - t_{\mathrm{start}}) / \Delta t \rceil`, so the
    last bin may extend past ``t_stop``.

    Parameters
    ----------
    spikes : SpikeTrains
    bin_width : float, optional
        :math:`\Delta t` in seconds. Default: the mean inter-spike interval of the
        pooled population (Beggs & Plenz 2003), see :func:`default_bin_width`.

    Returns
    -------
    bin_edges : ndarray of float, shape (n_bins + 1,)
    counts : ndarray of int64, shape (n_bins,)
    """
    spikes = _check_spikes(spikes)
    width = _bin_width(spikes, bin_width)
    counts = _bin_counts(spikes, width)
    edges = spikes.t_start + width * np.arange(counts.size + 1, dtype=np.float64)
    return edges, counts


def _bin_index(spikes: SpikeTrains, width: float) -> tuple[np.ndarray, int]:
    """Bin of each spike on the grid of ``width`` from ``t_start``, and the number of bins.

    ``ceil(duration / width)`` bins (at least 1); the last bin is closed on the right, so a
    spike at ``t_stop`` lands in it.
    """
    n_bins = max(1, math.ceil(spikes.duration / width - 1e-9))
    scaled = spikes.times - spikes.t_start
    scaled /= width
    idx = scaled.astype(np.int64)
    del scaled
    if idx.size and idx[-1] >= n_bins:  # spikes at t_stop fall on the closing edge
        np.minimum(idx, n_bins - 1, out=idx)
    return idx, n_bins


def _bin_counts(spikes: SpikeTrains, width: float) -> np.ndarray:
    """Spike counts per bin of ``width`` from ``t_start`` (see population_activity)."""
    idx, n_bins = _bin_index(spikes, width)
    return np.bincount(idx, minlength=n_bins)


def resolve_threshold(threshold, activity: np.ndarray, name: str = "threshold") -> float:
    """Turn a threshold specification into a number of spikes per bin.

    Parameters
    ----------
    threshold : float, int or str
        A number >= 0 (used as is), ``"percentile:q"`` (the q-th percentile of the
        activity over all bins, 0 <= q <= 100) or ``"sd:k"`` (mean + k standard
        deviations of the activity; a negative k must still give >= 0), the choices
        for always-active networks.
    activity : ndarray
        Binned activity the percentile / mean / sd are taken over.
    name : str
        Argument name used in error messages.
    """
    if isinstance(threshold, str):
        kind, sep, value = threshold.partition(":")
        kind = kind.strip().lower()
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or kind not in ("percentile", "sd") or not math.isfinite(number):
            raise ValueError(
                f"{name}: expected a number, 'percentile:Q' or 'sd:K', got {threshold!r}"
            )
        activity = np.asarray(activity, dtype=np.float64)
        if activity.size == 0:
            raise ValueError(f"{name}: {threshold!r} needs a non-empty activity")
        if kind == "percentile":
            if not 0 <= number <= 100:
                raise ValueError(f"{name}: expected a percentile in [0, 100], got {threshold!r}")
            return float(np.percentile(activity, number))
        value = float(activity.mean() + number * activity.std())
        if value < 0:  # the same bound as a plain number: every bin (empty ones too) is above
            raise ValueError(
                f"{name}: {threshold!r} resolves to {value:g}; expected a threshold >= 0"
            )
        return value
    if isinstance(threshold, bool) or not isinstance(threshold, int | float | np.number):
        raise TypeError(
            f"{name}: expected a number, 'percentile:Q' or 'sd:K', got {type(threshold).__name__}"
        )
    value = float(threshold)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: expected a finite threshold >= 0, got {threshold!r}")
    return value


def _runs(active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) indices of the runs of True in ``active``."""
    d = np.diff(active.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


# -------------------------------------------------------------- avalanches
@dataclass(frozen=True, repr=False, eq=False)
class Avalanches:
    """Avalanches: maximal runs of bins with activity above ``threshold``.

    Attributes
    ----------
    sizes : ndarray of int64
        Spikes in each avalanche (all spikes of its bins, not only the excess
        over the threshold).
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

    def __len__(self) -> int:
        return int(self.sizes.size)

    def __repr__(self) -> str:
        if not len(self):
            return f"Avalanches(0 avalanches, bin_width={self.bin_width:g} s)"
        return (
            f"Avalanches({len(self)} avalanches, bin_width={self.bin_width:g} s, "
            f"threshold={self.threshold:g}, sizes {self.sizes.min()}..{self.sizes.max()}, "
            f"durations {self.durations.min()}..{self.durations.max()} bins)"
        )

    @property
    def censored(self) -> np.ndarray:
        """True for avalanches touching the first or last bin (possibly cut by the window)."""
        end = self.start_bins + self.durations
        return (self.start_bins == 0) | (end == self.activity.size)

    def shapes(self, min_count: int = 1) -> dict[int, np.ndarray]:
        """Activity profile of each avalanche, grouped by duration.

        Returns ``{T: array of shape (n_T, T)}``: row ``i`` holds the activity in
        the ``T`` bins of the ``i``-th avalanche of duration ``T`` (in time order).
        Durations with fewer than ``min_count`` avalanches are left out.
        """
        out: dict[int, np.ndarray] = {}
        if not len(self):
            return out
        uniq, counts = np.unique(self.durations, return_counts=True)
        for T, c in zip(uniq.tolist(), counts.tolist(), strict=True):  # loop over durations
            if c < min_count:
                continue
            starts = self.start_bins[self.durations == T]
            out[int(T)] = self.activity[starts[:, None] + np.arange(T)]
        return out

    def mean_size_by_duration(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(T, <S>(T), n(T))``: the distinct durations, the mean size and the count of each."""
        uniq, inv, counts = np.unique(self.durations, return_inverse=True, return_counts=True)
        sums = np.bincount(inv, weights=self.sizes.astype(np.float64), minlength=uniq.size)
        return uniq, sums / np.maximum(counts, 1), counts


def avalanches_from_activity(
    activity: np.ndarray,
    bin_width: float = 1.0,
    threshold: float | str = 0,
    t_start: float = 0.0,
) -> Avalanches:
    """Avalanches of an already binned activity ``A(t)`` (e.g. firing neurons per step).

    See :func:`avalanches`; ``bin_width`` and ``t_start`` only set the time axis.
    """
    a = np.asarray(activity)
    if a.ndim != 1:
        raise ValueError(f"activity: expected a 1-D array, got shape {a.shape}")
    if a.size and not (np.issubdtype(a.dtype, np.number) and np.all(np.isfinite(a))):
        raise ValueError("activity: expected finite numbers")
    if a.size and a.min() < 0:
        raise ValueError(f"activity: expected counts >= 0, got minimum {a.min()}")
    if np.issubdtype(a.dtype, np.floating) and not np.all(np.mod(a, 1) == 0):
        raise ValueError("activity: expected integer counts")
    av = _avalanches(
        a.astype(np.int64, copy=False),
        check_seconds(bin_width, "bin_width"),
        threshold,
        float(t_start),
    )
    if not len(av):
        warnings.warn(
            f"threshold={threshold!r} (resolved to {av.threshold:g}) leaves no bin above it: "
            "no avalanches",
            stacklevel=2,
        )
    return av


def _avalanches(a: np.ndarray, width: float, threshold, t0: float) -> Avalanches:
    """Avalanches of the int64 counts ``a`` (checked), without the no-avalanche warning."""
    theta = resolve_threshold(threshold, a)
    starts, ends = _runs(a > theta)
    cs = np.cumsum(a)
    sizes = cs[ends - 1] - cs[starts] + a[starts]
    del cs
    return Avalanches(
        sizes=sizes,
        durations=ends - starts,
        start_times=t0 + starts * width,
        end_times=t0 + ends * width,
        bin_width=width,
        threshold=theta,
        activity=a,
        start_bins=starts,
        t_start=t0,
    )


def avalanches(
    spikes: SpikeTrains, bin_width: float | None = None, threshold: float | str = 0
) -> Avalanches:
    r"""Neuronal avalanches: maximal runs of bins with activity above a threshold.

    With ``threshold=0`` this is the definition of Beggs & Plenz (2003): a run of
    non-empty bins bounded by empty bins; size :math:`S` = spikes in the run,
    duration :math:`T` = bins in the run. For always-active networks give a
    threshold :math:`\theta > 0` (a number of spikes per bin, ``"percentile:q"`` or
    ``"sd:k"`` = mean + k sd of the activity); a bin belongs to an avalanche when
    :math:`A_k > \theta`.

    Parameters
    ----------
    spikes : SpikeTrains
    bin_width : float, optional
        Seconds; default the mean pooled inter-spike interval.
    threshold : float or str
        See above.

    Returns
    -------
    Avalanches
        Empty (with a warning) when no bin exceeds the threshold.
    """
    spikes = _check_spikes(spikes)
    width = _bin_width(spikes, bin_width)
    av = _avalanches(_bin_counts(spikes, width), width, threshold, spikes.t_start)
    if not len(av):
        warnings.warn(
            f"threshold={threshold!r} (resolved to {av.threshold:g} spikes per bin) leaves no "
            f"bin above it: no avalanches",
            stacklevel=2,
        )
    return av


def transition_events(
    spikes: SpikeTrains,
    bin_width: float | None = None,
    threshold: float | str = 0,
    kind: str = "both",
) -> np.ndarray:
    r"""Times of the threshold crossings of the population activity.

    A *birth* is an upward crossing (bin :math:`k-1` at or below :math:`\theta`,
    bin :math:`k` above; event time = left edge of bin :math:`k`), a *death* a
    downward crossing (event time = right edge of the last supra-threshold bin).
    Only crossings seen inside the window count: an avalanche already running at
    the first bin has no birth, one still running at the last bin no death.

    Parameters
    ----------
    spikes, bin_width, threshold
        As in :func:`avalanches`.
    kind : {"both", "birth", "death"}
        Births, deaths, or their sorted union.

    Returns
    -------
    ndarray of float
        Sorted event times in seconds (empty, with a warning, when there are none).
    """
    if kind not in ("both", "birth", "death"):
        raise ValueError(f"kind: expected 'both', 'birth' or 'death', got {kind!r}")
    edges, counts = population_activity(spikes, bin_width)
    theta = resolve_threshold(threshold, counts)
    d = np.diff((counts > theta).view(np.int8))
    births = edges[1:-1][d == 1]
    deaths = edges[1:-1][d == -1]
    if kind == "birth":
        out = births
    elif kind == "death":
        out = deaths
    else:
        out = np.sort(np.concatenate([births, deaths]), kind="stable")
    if not out.size:
        warnings.warn(
            f"threshold={threshold!r} (resolved to {theta:g}): no {kind} transitions",
            stacklevel=2,
        )
    return out


def coincidence_events(
    spikes: SpikeTrains, window: float, min_neurons: int | float | str
) -> np.ndarray:
    r"""Onsets of windows in which at least ``min_neurons`` distinct neurons fire.

    Time is cut into windows of length ``window`` from ``spikes.t_start``;
    :math:`N_k` = number of distinct neurons firing in window :math:`k`. A window is
    coincident when :math:`N_k \ge k_{\min}`; the events are the onsets (left
    edges) of the runs of coincident windows, so a long supra-threshold run is
    one event. A coincident first window counts as an onset.

    Parameters
    ----------
    spikes : SpikeTrains
    window : float
        Window length in seconds (> 0).
    min_neurons : int, float or str
        :math:`k_{\min}` as a number (>= 1), or ``"percentile:q"`` / ``"sd:k"`` of
        :math:`N_k` over all windows.

    Returns
    -------
    ndarray of float
        Onset times in seconds (empty, with a warning, when there are none).
    """
    spikes = _check_spikes(spikes)
    width = check_seconds(window, "window")
    idx, n_bins = _bin_index(spikes, width)
    # distinct (window, neuron) pairs -> distinct neurons per window
    key = idx * np.int64(max(spikes.n_neurons, 1)) + spikes.senders
    if key.size > 1 and np.any(key[1:] < key[:-1]):
        key = np.sort(key)
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    n_distinct = np.bincount(key[first] // np.int64(max(spikes.n_neurons, 1)), minlength=n_bins)
    if not isinstance(min_neurons, str):
        if isinstance(min_neurons, bool) or not isinstance(min_neurons, int | float | np.number):
            raise TypeError(f"min_neurons: expected a number or a string, got {min_neurons!r}")
        if not math.isfinite(min_neurons) or min_neurons < 1:
            raise ValueError(f"min_neurons: expected a number >= 1, got {min_neurons!r}")
    k = resolve_threshold(min_neurons, n_distinct, name="min_neurons")
    if k < 1:  # only a percentile / sd rule gets here: every window would be coincident
        raise ValueError(
            f"min_neurons: {min_neurons!r} resolves to {k:g} distinct neurons, which every "
            "window meets; expected a rule resolving to >= 1"
        )
    starts, _ = _runs(n_distinct >= k)
    out = spikes.t_start + starts * width
    if not out.size:
        warnings.warn(
            f"min_neurons={min_neurons!r} (resolved to {k:g}): no window has that many "
            "distinct neurons firing",
            stacklevel=2,
        )
    return out
