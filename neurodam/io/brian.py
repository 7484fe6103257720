"""Spikes from a Brian2 ``SpikeMonitor`` (runtime or standalone devices).

This module never imports brian2 itself; it only reads the monitor's arrays
(``monitor.t_`` in seconds, ``monitor.i``), which works after a runtime run and
after ``be.build()`` of a ``cpp_standalone``/``cuda_standalone`` project.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam.spikes import SpikeTrains

__all__ = ["from_brian"]


def from_brian(
    spike_monitor: Any,
    t_stop: float | None = None,
    n_neurons: int | None = None,
    t_start: float = 0.0,
) -> SpikeTrains:
    """:class:`SpikeTrains` from a Brian2 ``SpikeMonitor``.

    Parameters
    ----------
    spike_monitor : brian2.SpikeMonitor
        A monitor that recorded spikes (``record=True``). For standalone
        devices, call ``be.build()`` first.
    t_stop : float, optional
        End of the window in seconds. Default: the monitor clock's current
        time (the end of the last ``run``).
    n_neurons : int, optional
        Default: ``len(spike_monitor.source)`` (silent neurons included).
    t_start : float
        Start of the window in seconds (Brian2 runs start at 0).

    Returns
    -------
    SpikeTrains
        ``meta`` holds ``source="brian2"``, the monitor and group names and ``dt``.
    """
    for attr in ("t_", "i", "source", "clock"):
        if not hasattr(spike_monitor, attr):
            raise TypeError(
                f"spike_monitor: expected a brian2 SpikeMonitor, got {type(spike_monitor).__name__}"
                f" (no attribute {attr!r})"
            )
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
    meta = {
        "source": "brian2",
        "monitor": spike_monitor.name,
        "group": getattr(spike_monitor.source, "name", str(spike_monitor.source)),
        "dt": float(clock.dt_),
    }
    return SpikeTrains(
        times, senders, n_neurons=n_neurons, t_start=t_start, t_stop=t_stop, meta=meta
    )
