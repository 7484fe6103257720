"""The data models: :class:`SpikeTrains` and :class:`EventTimes`.

Every simulator output and every recorded dataset becomes a ``SpikeTrains``:
sorted spike times in seconds (float64), the id of the neuron that emitted each
spike (int64 in ``[0, n_neurons)``), the number of neurons, the observation
window ``[t_start, t_stop]`` and a free-form ``meta`` dict.

Spikes on a time lattice
------------------------
A ``SpikeTrains`` produced by a model that advances in steps carries the lattice in its
``meta``: ``meta["dt"]`` is the step in seconds and ``meta["stamp"]`` says where in its
step a spike is stamped: ``"start"`` (Brian2's convention: the spikes of step k,
k = 0 .. n-1, at ``t_start + k dt``), ``"end"`` (the associative memories: the spikes
of step k at ``t_start + (k + 1) dt``, so that the state after step t is seen at t dt)
or ``"centre"`` (at ``t_start + (k + 1/2) dt``, e.g. the synthetic branching process).
The window holds exactly n = (t_stop - t_start) / dt steps. The event functions of
:mod:`neurodam.analysis` default to this step and count the spikes of each step exactly,
never re-binning lattice times by a floating-point floor (:mod:`neurodam.analysis.binning`;
without ``meta["stamp"]`` the stamp is read from the times there).

An ``EventTimes`` is what the event detectors return (avalanche transitions,
coincidence onsets, memory switches) and what the temporal-complexity estimators
take: sorted event times in seconds, the observation window they were detected
in, the kind of event and the parameters of its definition.

Both objects are immutable: their arrays are read-only, and every method that
changes something returns a new object.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

__all__ = ["EventTimes", "SpikeTrains"]


def _readonly(a: np.ndarray) -> np.ndarray:
    # always a private copy: never freeze (or alias) an array the caller still holds
    a = np.array(a, copy=True, order="C")
    a.setflags(write=False)
    return a


@dataclass(frozen=True, repr=False, eq=False)
class SpikeTrains:
    """Spikes of a population of neurons, as sorted (time, sender) pairs.

    Parameters
    ----------
    times : array_like of float
        Spike times in seconds. Need not be sorted: unsorted times are sorted
        together with ``senders`` (stable sort, so simultaneous spikes keep
        their order). NaN or infinite times are rejected.
    senders : array_like of int
        Neuron id of each spike, in ``[0, n_neurons)``.
    n_neurons : int, optional
        Number of neurons (including silent ones). Default: ``max(senders) + 1``
        (0 for an empty train).
    t_start, t_stop : float, optional
        Observation window in seconds. Defaults: ``min(0, first spike)`` and the
        last spike time. ``t_stop`` must not lie before the last spike, nor
        ``t_start`` after the first.
    meta : mapping, optional
        Free-form metadata (source file, electrode positions, model parameters).

    Raises
    ------
    ValueError
        For mismatched lengths, NaN/inf times, negative ids, ids >= n_neurons,
        or a window that does not contain every spike; the message names the
        argument and the offending value.

    Examples
    --------
    >>> st = SpikeTrains([0.3, 0.1, 0.2], [1, 0, 1], n_neurons=3, t_stop=1.0)
    >>> st.times
    array([0.1, 0.2, 0.3])
    >>> st.rates()
    array([1., 2., 0.])
    """

    times: np.ndarray
    senders: np.ndarray
    n_neurons: int | None = None
    t_start: float | None = None
    t_stop: float | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        times = np.asarray(self.times, dtype=np.float64).ravel()
        senders_in = np.asarray(self.senders)
        if senders_in.size and not np.issubdtype(senders_in.dtype, np.integer):
            if not np.issubdtype(senders_in.dtype, np.floating) or not np.all(
                np.isfinite(senders_in) & (np.floor(senders_in) == senders_in)
            ):
                raise ValueError(
                    f"senders: expected integer neuron ids, got dtype {senders_in.dtype}"
                )
        senders = senders_in.astype(np.int64).ravel()
        if times.shape != senders.shape:
            raise ValueError(
                f"times and senders: expected the same length, got {times.size} times "
                f"and {senders.size} senders"
            )
        bad = ~np.isfinite(times)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"times: expected finite values, got {times[i]} at index {i}")
        if senders.size and senders.min() < 0:
            i = int(np.argmin(senders))
            raise ValueError(f"senders: expected neuron ids >= 0, got {senders[i]} at index {i}")
        n = self.n_neurons
        if n is None:
            n = int(senders.max()) + 1 if senders.size else 0
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"n_neurons: expected a non-negative integer, got {n!r}")
        n = int(n)
        if senders.size and senders.max() >= n:
            i = int(np.argmax(senders))
            raise ValueError(
                f"senders: expected ids < n_neurons={n}, got {senders[i]} at index {i}"
            )
        if times.size > 1 and np.any(np.diff(times) < 0):
            order = np.argsort(times, kind="stable")
            times, senders = times[order], senders[order]
        t_first = float(times[0]) if times.size else 0.0
        t_last = float(times[-1]) if times.size else 0.0
        t_start = min(0.0, t_first) if self.t_start is None else float(self.t_start)
        t_stop = t_last if self.t_stop is None else float(self.t_stop)
        for name, val in (("t_start", t_start), ("t_stop", t_stop)):
            if not math.isfinite(val):
                raise ValueError(f"{name}: expected a finite time in seconds, got {val}")
        if t_stop < t_start:
            raise ValueError(f"t_stop: expected t_stop >= t_start={t_start}, got {t_stop}")
        if times.size and t_last > t_stop:
            raise ValueError(
                f"t_stop: expected t_stop >= the last spike time {t_last}, got {t_stop}"
            )
        if times.size and t_first < t_start:
            raise ValueError(
                f"t_start: expected t_start <= the first spike time {t_first}, got {t_start}"
            )
        object.__setattr__(self, "times", _readonly(times))
        object.__setattr__(self, "senders", _readonly(senders))
        object.__setattr__(self, "n_neurons", n)
        object.__setattr__(self, "t_start", t_start)
        object.__setattr__(self, "t_stop", t_stop)
        meta = {} if self.meta is None else self.meta
        if not isinstance(meta, Mapping):
            raise TypeError(f"meta: expected a mapping (dict), got {type(meta).__name__}")
        object.__setattr__(self, "meta", MappingProxyType(dict(meta)))

    def __reduce__(self):
        # MappingProxyType cannot be pickled; rebuild through the (validating) constructor
        return (
            type(self),
            (self.times, self.senders, self.n_neurons, self.t_start, self.t_stop, dict(self.meta)),
        )

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.times.size)

    @property
    def duration(self) -> float:
        """Length of the observation window ``t_stop - t_start`` in seconds."""
        return self.t_stop - self.t_start

    def __repr__(self) -> str:
        rate = self.mean_rate()
        return (
            f"SpikeTrains({len(self)} spikes, {self.n_neurons} neurons, "
            f"t=[{self.t_start:g}, {self.t_stop:g}] s, mean rate {rate:.3g} Hz)"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpikeTrains):
            return NotImplemented
        return (
            self.n_neurons == other.n_neurons
            and self.t_start == other.t_start
            and self.t_stop == other.t_stop
            and np.array_equal(self.times, other.times)
            and np.array_equal(self.senders, other.senders)
        )

    __hash__ = None  # type: ignore[assignment]

    # ----------------------------------------------------------- derived data
    def rates(self) -> np.ndarray:
        """Firing rate of each neuron in Hz (spike count / duration), length ``n_neurons``.

        Raises ``ValueError`` when the observation window has zero length.
        """
        if self.duration <= 0:
            raise ValueError(
                f"t_stop: rates need t_stop > t_start, got a window of length {self.duration}"
            )
        return np.bincount(self.senders, minlength=self.n_neurons) / self.duration

    def mean_rate(self) -> float:
        """Mean firing rate per neuron in Hz (nan for an empty window or no neurons)."""
        if self.duration <= 0 or self.n_neurons == 0:
            return float("nan")
        return len(self) / (self.duration * self.n_neurons)

    def per_neuron(self) -> list[np.ndarray]:
        """Spike times of each neuron: a list of ``n_neurons`` sorted arrays."""
        if self.n_neurons == 0:
            return []
        order = np.argsort(self.senders, kind="stable")
        counts = np.bincount(self.senders, minlength=self.n_neurons)
        return np.split(self.times[order], np.cumsum(counts)[:-1])

    def select(
        self,
        neurons: Iterable[int] | np.ndarray | None = None,
        t_start: float | None = None,
        t_stop: float | None = None,
        relabel: bool = False,
    ) -> SpikeTrains:
        """A sub-population and/or a time window.

        Parameters
        ----------
        neurons : array_like of int, optional
            Neuron ids to keep. With ``relabel=True`` they are renumbered
            ``0..len(neurons)-1`` in the given order; otherwise ids and
            ``n_neurons`` are kept.
        t_start, t_stop : float, optional
            Window to keep, ``t_start <= t < t_stop``; ``t_stop`` is inclusive when it
            reaches the current ``t_stop`` (and the window has positive length), so
            splitting a train at any time partitions its spikes.
        """
        t0 = self.t_start if t_start is None else float(t_start)
        t1 = self.t_stop if t_stop is None else float(t_stop)
        if t1 < t0:
            raise ValueError(f"t_stop: expected t_stop >= t_start={t0}, got {t1}")
        lo = np.searchsorted(self.times, t0, side="left")
        # half-open [t0, t1), closed at the train's own t_stop so that no spike is lost there;
        # a zero-length window [t_stop, t_stop] stays empty (so splits at t_stop partition)
        closed = t1 >= self.t_stop and (t1 > t0 or self.duration == 0)
        hi = np.searchsorted(self.times, t1, side="right" if closed else "left")
        times, senders = self.times[lo:hi], self.senders[lo:hi]
        n = self.n_neurons
        if neurons is not None:
            ids = np.asarray(list(neurons) if not isinstance(neurons, np.ndarray) else neurons)
            if ids.size and not np.issubdtype(ids.dtype, np.integer):
                raise ValueError(f"neurons: expected integer neuron ids, got dtype {ids.dtype}")
            ids = ids.astype(np.int64).ravel()
            if ids.size and (ids.min() < 0 or ids.max() >= n):
                raise ValueError(
                    f"neurons: expected ids in [0, {n}), got values in [{ids.min()}, {ids.max()}]"
                )
            keep = np.isin(senders, ids)
            times, senders = times[keep], senders[keep]
            if relabel:
                if np.unique(ids).size != ids.size:
                    raise ValueError("neurons: relabel=True needs distinct ids, got duplicates")
                lut = np.full(n, -1, dtype=np.int64)
                lut[ids] = np.arange(ids.size)
                senders = lut[senders]
                n = int(ids.size)
        return SpikeTrains(times, senders, n_neurons=n, t_start=t0, t_stop=t1, meta=dict(self.meta))

    # ------------------------------------------------------------------ plots
    def raster_plot(self, ax=None, **scatter_kwargs):
        """Raster plot (time vs neuron id) on ``ax`` (a new figure if None). Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3))
        kw = {"s": 2, "c": "k", "marker": "|", "linewidths": 0.8}
        kw.update(scatter_kwargs)
        ax.scatter(self.times, self.senders, **kw)
        ax.set_xlim(self.t_start, self.t_stop)
        ax.set_ylim(-0.5, max(self.n_neurons, 1) - 0.5)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("neuron")
        return ax


# ------------------------------------------------------------------ events
@dataclass(frozen=True, repr=False, eq=False)
class EventTimes:
    """A sequence of event times and the definition that produced it.

    Parameters
    ----------
    times : array_like of float
        Event times in seconds, sorted (non-decreasing) and finite.
    t_start, t_stop : float, optional
        Observation window in seconds (defaults: the first and last event). Every event
        lies in ``[t_start, t_stop]``; the window is needed for rates and for the
        censored first and last waiting times.
    kind : str
        What the events are (``"transitions"``, ``"coincidences"``, ``"switches"``, ...).
    params : mapping, optional
        The parameters of the event definition (bin width, threshold, ...), JSON-like.

    Notes
    -----
    ``numpy.asarray(events)`` gives the times, so every function that takes an array of
    event times also takes an ``EventTimes``.

    Raises
    ------
    ValueError
        For NaN/inf or unsorted times, or a window that does not contain every event;
        the message names the argument.
    """

    times: np.ndarray
    t_start: float | None = None
    t_stop: float | None = None
    kind: str = "events"
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        t = np.asarray(self.times)
        if t.dtype == object or not (
            np.issubdtype(t.dtype, np.floating) or np.issubdtype(t.dtype, np.integer)
        ):
            raise TypeError(f"times: expected numeric event times in seconds, got dtype {t.dtype}")
        if t.ndim != 1:
            raise ValueError(f"times: expected a 1-D array of event times, got shape {t.shape}")
        t = t.astype(np.float64)
        bad = ~np.isfinite(t)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"times: expected finite values, got {t[i]} at index {i}")
        if t.size > 1:
            down = np.flatnonzero(np.diff(t) < 0)
            if down.size:
                i = int(down[0]) + 1
                raise ValueError(
                    f"times: expected sorted event times, got t[{i}]={t[i]!r} after "
                    f"t[{i - 1}]={t[i - 1]!r}"
                )
        first = float(t[0]) if t.size else 0.0
        last = float(t[-1]) if t.size else 0.0
        t0 = first if self.t_start is None else float(self.t_start)
        t1 = last if self.t_stop is None else float(self.t_stop)
        for name, val in (("t_start", t0), ("t_stop", t1)):
            if not math.isfinite(val):
                raise ValueError(f"{name}: expected a finite time in seconds, got {val}")
        if t1 < t0:
            raise ValueError(f"t_stop: expected t_stop >= t_start={t0}, got {t1}")
        if t.size and (first < t0 or last > t1):
            raise ValueError(
                f"t_start, t_stop: expected a window containing every event "
                f"[{first}, {last}], got [{t0}, {t1}]"
            )
        if not isinstance(self.kind, str):
            raise TypeError(f"kind: expected a string, got {type(self.kind).__name__}")
        params = {} if self.params is None else self.params
        if not isinstance(params, Mapping):
            raise TypeError(f"params: expected a mapping (dict), got {type(params).__name__}")
        object.__setattr__(self, "times", _readonly(t))
        object.__setattr__(self, "t_start", t0)
        object.__setattr__(self, "t_stop", t1)
        object.__setattr__(self, "params", MappingProxyType(dict(params)))

    def __reduce__(self):
        return (
            type(self),
            (self.times, self.t_start, self.t_stop, self.kind, dict(self.params)),
        )

    def __len__(self) -> int:
        return int(self.times.size)

    @property
    def size(self) -> int:
        """Number of events (as ``ndarray.size``)."""
        return int(self.times.size)

    def __array__(self, dtype=None, copy=None):
        if dtype is None or np.dtype(dtype) == self.times.dtype:
            return self.times.copy() if copy else self.times
        return self.times.astype(dtype)

    def __getitem__(self, index):
        return self.times[index]

    def __iter__(self):
        return iter(self.times)

    @property
    def duration(self) -> float:
        """Length of the observation window ``t_stop - t_start`` in seconds."""
        return self.t_stop - self.t_start

    @property
    def rate(self) -> float:
        """Events per second over the window (nan for a zero-length window)."""
        return len(self) / self.duration if self.duration > 0 else float("nan")

    def waiting_times(self) -> np.ndarray:
        """Inter-event times ``t_{k+1} - t_k`` (the censored first and last waits excluded)."""
        return np.diff(self.times)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventTimes):
            return NotImplemented
        return (
            self.kind == other.kind
            and self.t_start == other.t_start
            and self.t_stop == other.t_stop
            and np.array_equal(self.times, other.times)
            and dict(self.params) == dict(other.params)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"EventTimes({len(self)} {self.kind}, t=[{self.t_start:g}, {self.t_stop:g}] s, "
            f"rate {self.rate:.4g} /s)"
        )
