"""The liquid state: exponentially filtered spike trains sampled at readout times.

Maass, Natschlaeger & Markram (2002): the state of neuron i at time t is

    x_i(t) = sum over its spikes s <= t of exp(-(t - s) / tau),     tau = 30 ms,

the response of a synapse with a 30 ms decay to its spike train. It is computed from any
:class:`~neurodam.SpikeTrains`, so a recorded population can serve as a reservoir too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neurodam._validate import check_finite, check_seconds
from neurodam.spikes import SpikeTrains

__all__ = ["liquid_state"]


def liquid_state(
    spikes: SpikeTrains, times: Any, tau: float = 0.03, neurons: Any = None
) -> np.ndarray:
    """Exponentially filtered spike trains at the readout ``times``.

    Parameters
    ----------
    spikes : SpikeTrains
    times : array_like of float
        Readout times in seconds (any order; spikes at exactly a readout time count).
    tau : float
        Decay time constant in seconds (Maass et al. 2002: 30 ms).
    neurons : array_like of int, optional
        The neurons to read (default all, in id order).

    Returns
    -------
    ndarray, shape (len(times), n_neurons)
        Row k is the state at ``times[k]``.

    Notes
    -----
    Vectorised: each spike contributes ``exp(-(t_k - s)/tau)`` to the first readout time
    ``t_k >= s`` (one ``bincount``), and the states are carried from one readout time to
    the next by the decay ``exp(-(t_k - t_{k-1})/tau)``: O(spikes + readouts x neurons).
    """
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a SpikeTrains, got {type(spikes).__name__}")
    t = np.asarray(times)
    if t.dtype == object or not np.issubdtype(t.dtype, np.number):
        raise TypeError(f"times: expected readout times in seconds, got dtype {t.dtype}")
    t = t.astype(np.float64).ravel()
    if t.size == 0:
        raise ValueError("times: expected at least one readout time, got none")
    check_finite(t, "times")
    tau = check_seconds(tau, "tau", "a time constant")
    st, ss = spikes.times, spikes.senders
    n = spikes.n_neurons
    if neurons is not None:
        ids = np.asarray(neurons)
        if ids.size == 0 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError("neurons: expected a non-empty array of integer neuron ids")
        ids = ids.astype(np.int64).ravel()
        if ids.min() < 0 or ids.max() >= n:
            raise ValueError(f"neurons: expected ids in [0, {n}), got [{ids.min()}, {ids.max()}]")
        lut = np.full(n, -1, dtype=np.int64)
        lut[ids] = np.arange(ids.size)
        col = lut[ss]
        keep = col >= 0
        st, ss = st[keep], col[keep]
        n = ids.size
    order = np.argsort(t, kind="stable")
    ts = t[order]
    # spikes are sorted: those in (t_{k-1}, t_k] go to readout k (one searchsorted per readout)
    bounds = np.searchsorted(st, ts, side="right")
    k = np.repeat(np.arange(ts.size), np.diff(bounds, prepend=0))
    st, ss = st[: bounds[-1]], ss[: bounds[-1]]
    weight = np.exp((st - ts[k]) / tau)
    state = np.bincount(k * n + ss, weights=weight, minlength=ts.size * n).reshape(ts.size, n)
    decay = np.exp(-np.diff(ts) / tau)
    for m in range(1, ts.size):  # loop over readout times, each a vectorised row update
        state[m] += decay[m - 1] * state[m - 1]
    out = np.empty_like(state)
    out[order] = state
    return out
