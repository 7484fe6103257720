r"""Memory switches of an associative memory: changes of the retrieved memory.

switch_events   times at which the retrieved memory argmax_mu m_mu(t) changes
                (:class:`~neurodam.spikes.EventTimes` of kind ``"switches"``)
retrieved_memory the retrieved memory of every step, after blip removal

The overlaps :math:`m_\mu(t) = \xi^\mu \cdot \sigma(t) / N` of a memory run give the
retrieved memory :math:`\hat\mu(t) = \arg\max_\mu m_\mu(t)`; with a threshold
:math:`q`, steps with :math:`Q(t) = \max_\mu m_\mu(t) < q` are the "no memory" state.
In the intermittent regime of the stochastic exponential dense associative memory the
network wanders between memories, and the inter-switch intervals measure its temporal
complexity: Poisson-like switching gives a coefficient of variation near 1, bursty
switching well above 1 (Cafiso & Paradisi 2026). This module takes plain arrays and does
not import :mod:`neurodam.memory`.
"""

from __future__ import annotations

import numpy as np

from neurodam._validate import check_choice, check_int, check_number, check_seconds
from neurodam.spikes import EventTimes

__all__ = ["NO_MEMORY", "retrieved_memory", "switch_events"]

#: label of the "no memory" state (Q below the threshold)
NO_MEMORY = -1


def _labels(overlaps, q_threshold) -> tuple[np.ndarray, float | None]:
    ov = np.asarray(overlaps)
    if ov.dtype == bool or not np.issubdtype(ov.dtype, np.number):
        raise TypeError(f"overlaps: expected a numeric (T, K) array, got dtype {ov.dtype}")
    if ov.ndim != 2 or ov.shape[0] < 1 or ov.shape[1] < 1:
        raise ValueError(f"overlaps: expected a (T, K) array with T, K >= 1, got {ov.shape}")
    if not np.all(np.isfinite(ov)):
        i = int(np.flatnonzero(~np.isfinite(ov).all(axis=1))[0])
        raise ValueError(f"overlaps: expected finite values, got a NaN/inf in row {i}")
    labels = np.argmax(ov, axis=1).astype(np.int64)
    if q_threshold is not None:
        q_threshold = check_number(q_threshold, "q_threshold", min=-1.0, max=1.0)
        labels[ov.max(axis=1) < q_threshold] = NO_MEMORY
    return labels, q_threshold


def _kept_runs(labels: np.ndarray, min_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """First step and label of each run of at least ``min_steps`` equal labels."""
    starts = np.flatnonzero(np.diff(labels, prepend=labels[0] - 1) != 0)
    lengths = np.diff(starts, append=labels.size)
    keep = lengths >= min_steps
    return starts[keep], labels[starts[keep]]


def retrieved_memory(
    overlaps: np.ndarray, *, min_steps: int = 3, q_threshold: float | None = None
) -> np.ndarray:
    """The retrieved memory of every step after blip removal (see :func:`switch_events`).

    Returns an int64 array of length T: the memory index, :data:`NO_MEMORY` (-1) for the
    "no memory" state, and -2 for the steps before the first run of ``min_steps`` steps
    (no state established yet).
    """
    min_steps = check_int(min_steps, "min_steps", min=1)
    labels, _ = _labels(overlaps, q_threshold)
    starts, kept = _kept_runs(labels, min_steps)
    out = np.full(labels.size, -2, dtype=np.int64)
    if starts.size:
        seg = np.searchsorted(starts, np.arange(labels.size), side="right") - 1
        ok = seg >= 0
        out[ok] = kept[seg[ok]]
    return out


def switch_events(
    overlaps: np.ndarray,
    dt: float,
    *,
    min_steps: int = 3,
    q_threshold: float | None = None,
    t_start: float = 0.0,
    stamp: str = "end",
) -> EventTimes:
    r"""Times at which an associative memory switches from one retrieved memory to another.

    Each step :math:`t` gets the label :math:`\hat\mu(t) = \arg\max_\mu m_\mu(t)` (ties go
    to the lowest index) or, with ``q_threshold`` given, "no memory" when
    :math:`Q(t) = \max_\mu m_\mu(t) <` ``q_threshold``. A maximal run of equal labels
    shorter than ``min_steps`` steps is a *blip*: it is merged into the run before it (the
    network is taken to stay in its last established state). Equivalently, the runs of at
    least ``min_steps`` steps are kept, and a switch happens at the first step of every
    kept run whose label differs from that of the previous kept run; the first kept run
    establishes the initial state and is not a switch. So A..A B A..A (B a blip) has no
    switch, and A..A B C..C (B a blip) has one switch, A -> C, at the first step of C.
    Entries to and exits from "no memory" are switches like any other. Runs cut by the
    end of the record count by their observed length.

    Parameters
    ----------
    overlaps : array, shape (T, K)
        :math:`m_\mu(t)` of each recorded step (``MemoryRun.overlaps``).
    dt : float
        Seconds per step (``MemoryRun.dt``).
    min_steps : int
        Shortest run that counts as a state (>= 1; 1 counts every change).
    q_threshold : float, optional
        :math:`q` in [-1, 1]; None (default): no "no memory" state.
    t_start : float
        Start of the record in seconds.
    stamp : {"end", "start"}
        Where step :math:`t` (row :math:`t`, 0-based) lies in time: ``"end"`` (the
        associative memories: the state after step :math:`t+1` is seen at
        ``t_start + (t + 1) dt``, like its spikes) or ``"start"`` (at ``t_start + t dt``).

    Returns
    -------
    EventTimes
        ``kind="switches"``, window ``[t_start, t_start + T dt]``, and ``params``:
        ``dt``, ``min_steps``, ``q_threshold``, ``stamp`` and ``n_memories`` (K). The
        events lie on the step lattice (``params["dt"]``).

    Examples
    --------
    >>> ov = np.zeros((12, 2)); ov[:, 0] = 1; ov[5, 1] = 2; ov[8:, 1] = 2
    >>> switch_events(ov, 1.0).times   # the one-step excursion at row 5 is a blip
    array([9.])
    """
    dt = check_seconds(dt, "dt", "a step")
    min_steps = check_int(min_steps, "min_steps", min=1)
    t0 = check_number(t_start, "t_start", what="a time in seconds")
    check_choice(stamp, "stamp", ("end", "start"))
    labels, q = _labels(overlaps, q_threshold)
    starts, kept = _kept_runs(labels, min_steps)
    change = np.flatnonzero(kept[1:] != kept[:-1]) + 1
    offset = 1 if stamp == "end" else 0
    times = t0 + (starts[change] + offset) * dt
    params = {
        "dt": dt,
        "min_steps": min_steps,
        "q_threshold": q,
        "stamp": stamp,
        "n_memories": int(np.shape(overlaps)[1]),
    }
    return EventTimes(times, t0, t0 + labels.size * dt, "switches", params)
