"""Conversion to and from Neo: a list of ``neo.SpikeTrain``, one per neuron.

Neo carries units with ``quantities``; times of any unit (s, ms, ...) are
converted to seconds on the way in, and ``to_neo`` writes seconds.

Reference: Garcia S, et al. (2014) "Neo: an object model for handling
electrophysiology data in multiple formats", Front. Neuroinform. 8:10.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neurodam.spikes import SpikeTrains

__all__ = ["from_neo", "to_neo"]


def _neo():
    try:
        import neo
        import quantities as pq
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Neo conversion needs neo and quantities: pip install 'neurodam[neo]'"
        ) from exc
    return neo, pq


def to_neo(spikes: SpikeTrains) -> list:
    """One ``neo.SpikeTrain`` per neuron (silent neurons give empty trains).

    Times, ``t_start`` and ``t_stop`` are in seconds; train ``k`` has
    ``name="neuron k"`` and the annotation ``neuron=k``.
    """
    neo, pq = _neo()
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a SpikeTrains, got {type(spikes).__name__}")
    return [
        neo.SpikeTrain(
            times,
            units=pq.s,
            t_start=spikes.t_start * pq.s,
            t_stop=spikes.t_stop * pq.s,
            name=f"neuron {k}",
            neuron=k,
        )
        for k, times in enumerate(spikes.per_neuron())
    ]


def from_neo(spiketrains: Sequence, meta: dict | None = None) -> SpikeTrains:
    """:class:`SpikeTrains` from a list of ``neo.SpikeTrain`` (train ``k`` = neuron ``k``).

    Parameters
    ----------
    spiketrains : sequence of neo.SpikeTrain
        One train per neuron, any time unit (converted to seconds).
    meta : dict, optional
        Metadata for the result.

    Returns
    -------
    SpikeTrains
        ``n_neurons = len(spiketrains)``; the window is the union of the
        trains' ``[t_start, t_stop]`` (``[0, 0]`` for an empty list, which
        carries no window).
    """
    neo, pq = _neo()
    if isinstance(spiketrains, neo.SpikeTrain):
        spiketrains = [spiketrains]
    trains = list(spiketrains)
    for k, st in enumerate(trains):
        if not isinstance(st, neo.SpikeTrain):
            raise TypeError(
                f"spiketrains: expected neo.SpikeTrain items, got {type(st).__name__} at index {k}"
            )
    if not trains:
        return SpikeTrains([], [], n_neurons=0, meta=meta or {})
    times = [np.asarray(st.times.rescale(pq.s).magnitude, dtype=np.float64) for st in trains]
    counts = [t.size for t in times]
    t_start = min(float(st.t_start.rescale(pq.s).magnitude) for st in trains)
    t_stop = max(float(st.t_stop.rescale(pq.s).magnitude) for st in trains)
    return SpikeTrains(
        np.concatenate(times),
        np.repeat(np.arange(len(trains), dtype=np.int64), counts),
        n_neurons=len(trains),
        t_start=t_start,
        t_stop=t_stop,
        meta=meta or {},
    )
