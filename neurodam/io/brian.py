"""Spikes from a Brian2 ``SpikeMonitor`` (runtime or standalone devices): the one path from
Brian2 monitors to :class:`~neurodam.spikes.SpikeTrains`.

This module never imports brian2 itself; it only reads the monitor's arrays
(``monitor.t_`` in seconds, ``monitor.i``), which works after a runtime run and
after ``be.build()`` of a ``cpp_standalone``/``cuda_standalone`` project.

Brian2 advances on a clock of step dt and records a spike at the start of its step, at
``k * dt`` up to the clock's floating-point rounding; :func:`from_brian` snaps the times
to that grid and labels the lattice in ``meta`` (``meta["dt"]``, ``meta["stamp"]``: the
convention of :mod:`neurodam.spikes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from neurodam._validate import check_choice, check_number, check_seconds
from neurodam.spikes import SpikeTrains

__all__ = ["from_brian"]

STAMPS = ("start", "end")


def from_brian(
    spike_monitor: Any,
    t_stop: float | None = None,
    n_neurons: int | None = None,
    t_start: float = 0.0,
    *,
    dt: float | None = None,
    snap: bool = True,
    t_min: float | None = None,
    stamp: str = "start",
    meta: Mapping[str, Any] | None = None,
) -> SpikeTrains:
    """:class:`SpikeTrains` from a Brian2 ``SpikeMonitor``.

    Parameters
    ----------
    spike_monitor : brian2.SpikeMonitor
        A monitor that recorded spikes (``record=True``). For standalone devices, call
        ``be.build()`` first.
    t_stop : float, optional
        End of the window in seconds. Default: the monitor clock's current time (the end
        of the last ``run``).
    n_neurons : int, optional
        Default: ``len(spike_monitor.source)`` (silent neurons included).
    t_start : float
        Start of the window in seconds (Brian2 runs start at 0).
    dt : float, optional
        The step of the time lattice in seconds; default the monitor clock's ``dt``.
    snap : bool
        Snap the spike times to the lattice, ``round(t / dt) * dt`` (Brian2's times are
        ``k * dt`` up to the clock's rounding). Default True.
    t_min : float, optional
        Drop the spikes before ``t_min`` (after snapping), e.g. ``t_min=dt`` drops the
        spikes of the first step (t = 0).
    stamp : {"start", "end"}
        Where in its step a spike is stamped (:mod:`neurodam.spikes`): ``"start"`` for a
        plain Brian2 monitor; ``"end"`` for models whose spike at step k reports the state
        after that step.
    meta : mapping, optional
        Extra metadata, merged over the defaults.

    Returns
    -------
    SpikeTrains
        ``meta`` holds ``source="brian2"``, the monitor and group names, ``dt`` and
        ``stamp``, then ``meta``.

    Raises
    ------
    TypeError
        ``spike_monitor`` is not a SpikeMonitor, or an argument of the wrong kind.
    ValueError
        Standalone arrays not built yet, or an argument out of range (named).
    """
    for attr in ("t_", "i", "source", "clock"):
        if not hasattr(spike_monitor, attr):
            raise TypeError(
                f"spike_monitor: expected a brian2 SpikeMonitor, got {type(spike_monitor).__name__}"
                f" (no attribute {attr!r})"
            )
    check_choice(stamp, "stamp", STAMPS)
    try:
        times = np.asarray(spike_monitor.t_[:], dtype=np.float64)
        senders = np.asarray(spike_monitor.i[:], dtype=np.int64)
    except NotImplementedError as exc:  # standalone arrays before the build
        raise ValueError(
            "spike_monitor: its arrays are not available yet; with a standalone device "
            "call be.build() (device.build) before from_brian"
        ) from exc
    if n_neurons is None:
        n_neurons = len(spike_monitor.source)
    clock = spike_monitor.clock
    if t_stop is None:
        t_stop = float(np.asarray(clock.t_).ravel()[0])
    step = float(clock.dt_) if dt is None else check_seconds(dt, "dt", what="a time step")
    if snap and times.size:
        times = np.rint(times / step) * step
    if t_min is not None:
        keep = times >= check_number(t_min, "t_min", what="a time in seconds")
        times, senders = times[keep], senders[keep]
    info = {
        "source": "brian2",
        "monitor": spike_monitor.name,
        "group": getattr(spike_monitor.source, "name", str(spike_monitor.source)),
        "dt": step,
        "stamp": stamp,
    }
    info.update(meta or {})
    return SpikeTrains(
        times, senders, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop, meta=info
    )
