"""Population activity on a time grid, and the time lattice of model output.

default_bin_width    the model's step ``meta["dt"]``, or the mean pooled inter-spike interval
population_activity  spike counts per bin
resolve_threshold    a number, ``"percentile:q"`` or ``"sd:k"`` -> an activity threshold

Binning rule
------------
*Recordings* (no ``meta["dt"]``): spike times are continuous and bin ``k`` holds the spikes
with ``t_start + k w <= t < t_start + (k + 1) w`` (a spike at ``t_stop`` goes to the last
bin). The default width ``w`` is the mean pooled inter-spike interval (Beggs & Plenz 2003).

*Model output* (``meta["dt"]`` present, see :mod:`neurodam.spikes`): the spikes sit on the
step lattice, and the step of every spike is read exactly, ``k = rint((t - t_start)/dt - s)``
with ``s`` = 0 (``meta["stamp"] == "start"``, Brian2), 1 (``"end"``, the associative
memories) or 1/2 (``"centre"``, e.g. :func:`~neurodam.analysis.branching_process`). Every
time must lie within ``1e-6`` steps of its lattice point, otherwise a ``ValueError`` names
the first spike off the lattice (a floating-point floor would silently move such spikes
between bins). Without ``meta["stamp"]`` the stamp is read from the times: on the half-step
lattice ``"centre"``; on the step lattice ``"end"`` when a spike lies at ``t_stop`` and
``"start"`` otherwise. Step ``k`` is the interval ``[t_start + k dt, t_start + (k+1) dt)``;
a bin of ``q`` steps (``w = q dt``) holds steps ``q b .. q b + q - 1`` exactly. A width that
is not a whole number of steps assigns each step to the bin that holds its midpoint (with
a warning: such bins hold unequal numbers of steps). The default width is ``dt``, so the
activity of a model is its number of spikes per step, identical to the model's own count.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from neurodam._validate import check_choice, check_number, check_seconds
from neurodam.spikes import SpikeTrains

__all__ = ["default_bin_width", "population_activity", "resolve_threshold"]

#: how far (in steps) a spike time may lie from its lattice point
LATTICE_TOL = 1e-6
STAMPS = {"start": 0.0, "end": 1.0, "centre": 0.5}


def _check_spikes(spikes) -> SpikeTrains:
    if not isinstance(spikes, SpikeTrains):
        raise TypeError(f"spikes: expected a neurodam.SpikeTrains, got {type(spikes).__name__}")
    if spikes.duration <= 0:
        raise ValueError(
            f"spikes: expected an observation window of length > 0, got t_start={spikes.t_start}, "
            f"t_stop={spikes.t_stop}"
        )
    return spikes


def lattice_step(spikes: SpikeTrains) -> float | None:
    """The lattice step ``spikes.meta["dt"]`` in seconds, or None for a recording."""
    dt = spikes.meta.get("dt")
    if dt is None:
        return None
    return check_number(dt, "spikes.meta['dt']", min=0.0, min_open=True, what="a step in seconds")


def default_bin_width(spikes: SpikeTrains) -> float:
    r"""The default bin width: the model's step, or the mean pooled inter-spike interval.

    * Model output (``spikes.meta["dt"]`` present): ``dt``, so that every bin is one step
      of the model and the activity is its exact count of spikes per step.
    * Recordings: the mean inter-spike interval of the pooled population (Beggs & Plenz
      2003), :math:`\overline{\Delta t} = (t_{\mathrm{last}} - t_{\mathrm{first}}) / (n-1)`
      over all spikes of all neurons merged.
    """
    spikes = _check_spikes(spikes)
    dt = lattice_step(spikes)
    if dt is not None:
        return dt
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


def bin_width_of(spikes: SpikeTrains, bin_width, name: str = "bin_width") -> float:
    """``bin_width`` checked, or :func:`default_bin_width` when it is None."""
    if bin_width is None:
        return default_bin_width(spikes)
    return check_seconds(bin_width, name, "a width")


def _n_steps(duration: float, dt: float) -> int:
    span = duration / dt
    near = round(span)
    return max(1, int(near) if abs(span - near) <= LATTICE_TOL else math.ceil(span))


def step_index(spikes: SpikeTrains, dt: float) -> tuple[np.ndarray, int, str]:
    """Step of every spike on the lattice of ``dt`` (module docstring), steps, and the stamp.

    Raises ``ValueError`` naming ``spikes`` when a time lies off the lattice or a step falls
    outside the window.
    """
    stamp = spikes.meta.get("stamp")
    if stamp is not None:
        check_choice(stamp, "spikes.meta['stamp']", tuple(STAMPS))
    n_steps = _n_steps(spikes.duration, dt)
    times, t0 = spikes.times, spikes.t_start
    if not times.size:
        return np.zeros(0, np.int64), n_steps, stamp or "start"
    if stamp is None:
        # the phase from the first spike (on a step or half a step off it), and for a
        # whole-step phase "end" when the last spike sits at t_stop (step n), else "start"
        first, last = (times[0] - t0) / dt, (times[-1] - t0) / dt
        if abs(first - math.floor(first) - 0.5) <= LATTICE_TOL:
            stamp = "centre"
        else:
            stamp = "end" if round(last) >= n_steps else "start"
    # x = (t - t_start)/dt - offset + 1/2 = step + 1/2 on the lattice: its integer part is
    # the step and its fractional part must be 1/2 (a few passes, no temporaries beyond x)
    x = times - (t0 + (STAMPS[stamp] - 0.5) * dt)
    x /= dt
    if x[0] < 0 or x[-1] >= n_steps:  # times are sorted, so x is too
        bad = 0 if x[0] < 0 else x.size - 1
        raise ValueError(
            f"spikes: the spike at t={float(times[bad])!r} s is step "
            f"{math.floor(x[bad])} of a lattice of {n_steps} steps of {dt:g} s stamped at the "
            f"{stamp!r} of each step (window [{t0:g}, {spikes.t_stop:g}] s); check "
            "meta['stamp']"
        )
    idx = x.astype(np.int64)
    x -= idx
    if x.min() < 0.5 - LATTICE_TOL or x.max() > 0.5 + LATTICE_TOL:
        i = int(np.argmax(np.abs(x - 0.5) > LATTICE_TOL))
        raise ValueError(
            f"spikes: meta['dt']={dt:g} s declares a step lattice (stamp {stamp!r}) from "
            f"t_start={t0:g}, but spike {i} at t={float(times[i])!r} s lies "
            f"{abs(x[i] - 0.5):.3g} steps off it; re-create the SpikeTrains without "
            "meta['dt'] to bin its times as a recording"
        )
    return idx, n_steps, stamp


def bin_index(spikes: SpikeTrains, width: float) -> tuple[np.ndarray, int]:
    """Bin of each spike on the grid of ``width`` from ``t_start``, and the number of bins.

    Lattice spikes (``meta["dt"]``) are binned by their step (module docstring); recordings
    by ``floor((t - t_start) / width)`` with ``ceil(duration / width)`` bins (at least 1), the
    last bin closed on the right so that a spike at ``t_stop`` lands in it.
    """
    dt = lattice_step(spikes)
    if dt is None:
        n_bins = max(1, math.ceil(spikes.duration / width - 1e-9))
        scaled = spikes.times - spikes.t_start
        scaled /= width
        idx = scaled.astype(np.int64)
        del scaled
        if idx.size and idx[-1] >= n_bins:  # spikes at t_stop fall on the closing edge
            np.minimum(idx, n_bins - 1, out=idx)
        return idx, n_bins
    idx, n_steps, _ = step_index(spikes, dt)
    q = width / dt
    qi = round(q)
    if qi >= 1 and abs(q - qi) <= 1e-9 * q:
        if qi > 1:
            idx //= qi
        return idx, -(-n_steps // qi)
    warnings.warn(
        f"bin_width={width:g} s is not a whole number of lattice steps (meta['dt']={dt:g} s): "
        "each step goes to the bin holding its midpoint, so bins hold unequal numbers of steps",
        stacklevel=3,
    )
    n_bins = max(1, math.ceil(spikes.duration / width - 1e-9))
    mid = idx + 0.5
    mid *= dt / width
    out = np.floor(mid).astype(np.int64)
    np.minimum(out, n_bins - 1, out=out)
    return out, n_bins


def bin_counts(spikes: SpikeTrains, width: float) -> np.ndarray:
    """Spike counts per bin of ``width`` from ``t_start`` (see :func:`population_activity`)."""
    idx, n_bins = bin_index(spikes, width)
    return np.bincount(idx, minlength=n_bins)


def population_activity(
    spikes: SpikeTrains, bin_width: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Spike counts of the whole population on a regular grid.

    :math:`A_k` = number of spikes in bin :math:`k = [t_0 + k\,\Delta t, t_0 + (k+1)\,\Delta t)`,
    bins starting at ``spikes.t_start``. Recordings: a spike belongs to the bin its time
    falls in (the last bin closed on the right, so a spike at ``t_stop`` is counted).
    Model output on a step lattice (``meta["dt"]``): a spike belongs to the bin of its
    step, read exactly from the lattice (module docstring), never by a floating-point
    floor of its time. The last bin may extend past ``t_stop``.

    Parameters
    ----------
    spikes : SpikeTrains
    bin_width : float, optional
        :math:`\Delta t` in seconds. Default: :func:`default_bin_width` (the model's step
        ``meta["dt"]``, else the mean pooled inter-spike interval, Beggs & Plenz 2003).

    Returns
    -------
    bin_edges : ndarray of float, shape (n_bins + 1,)
    counts : ndarray of int64, shape (n_bins,)
    """
    spikes = _check_spikes(spikes)
    width = bin_width_of(spikes, bin_width)
    counts = bin_counts(spikes, width)
    edges = spikes.t_start + width * np.arange(counts.size + 1, dtype=np.float64)
    return edges, counts


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


def threshold_spec(threshold) -> float | int | str:
    """A JSON-safe copy of a threshold specification (numpy numbers become Python ones)."""
    if isinstance(threshold, str):
        return threshold
    if isinstance(threshold, int | np.integer):
        return int(threshold)
    return float(threshold)


def runs(active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start (inclusive) and end (exclusive) indices of the runs of True in ``active``."""
    d = np.diff(active.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)
