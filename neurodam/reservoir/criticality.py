"""Criticality of a reservoir as a function of its coupling scale.

The reservoir is built once and rerun for each value of its ``(shared, constant)``
``coupling`` (a factor on every recurrent weight; a compiled program is not rebuilt),
and its spikes go through the analysis modules unchanged:

* avalanches (Beggs & Plenz 2003): number, mean size and duration
  (:func:`neurodam.analysis.avalanches`), optionally the power-law exponent of the sizes
  (:func:`neurodam.analysis.fit_power_law`);
* the branching ratio by multistep regression (Wilting & Priesemann 2018;
  :func:`neurodam.analysis.branching_ratio`), m -> 1 at criticality;
* temporal complexity (Paradisi et al. 2012): the transition events of the population
  activity (:func:`neurodam.analysis.transition_events`) and the EDDiS scaling exponent H
  of their AJ walk (:func:`neurodam.analysis.eddis`; 1/2 for Poisson events).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam._validate import check_number
from neurodam.reservoir.model import Reservoir

__all__ = ["CouplingSweep", "coupling_sweep", "criticality_indicators"]


@dataclass(frozen=True)
class CouplingSweep:
    """Criticality indicators of a reservoir at each coupling scale.

    Attributes
    ----------
    scales : ndarray
        The coupling factors.
    rate : ndarray
        Mean firing rate (Hz).
    n_avalanches, mean_size, mean_duration : ndarray
        Avalanches above the activity threshold (duration in bins).
    size_exponent : ndarray
        Power-law exponent of the avalanche sizes (nan unless ``fit_sizes``).
    branching : ndarray
        Branching ratio m (multistep regression; nan when the estimate fails).
    n_events : ndarray
        Transition events of the population activity.
    eddis_h : ndarray
        EDDiS exponent H of the AJ walk of the events (nan with too few events).
    params : dict
        Bin width, threshold, duration, seeds.
    spikes : tuple of SpikeTrains
        The spikes of each scale (when ``keep_spikes``).
    """

    scales: np.ndarray
    rate: np.ndarray
    n_avalanches: np.ndarray
    mean_size: np.ndarray
    mean_duration: np.ndarray
    size_exponent: np.ndarray
    branching: np.ndarray
    n_events: np.ndarray
    eddis_h: np.ndarray
    params: dict
    spikes: tuple = field(default=(), repr=False)


def criticality_indicators(
    spikes, bin_width: float, threshold: Any = "percentile:50", *, fit_sizes: bool = False,
    k_max: int = 20,
) -> dict[str, float]:  # fmt: skip
    """The indicators of :class:`CouplingSweep` for one SpikeTrains (nan where undefined)."""
    from neurodam import analysis

    out = dict.fromkeys(
        ("n_avalanches", "mean_size", "mean_duration", "size_exponent", "branching"),
        float("nan"),
    )
    out.update(rate=spikes.mean_rate(), n_events=0.0, eddis_h=float("nan"))
    if len(spikes) < 2:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no avalanches / events: reported as 0 and nan
        av = analysis.avalanches(spikes, bin_width, threshold)
        out["n_avalanches"] = float(len(av))
        if len(av):
            out["mean_size"] = float(np.mean(av.sizes))
            out["mean_duration"] = float(np.mean(av.durations))
        if fit_sizes and len(av) >= 50:
            try:
                out["size_exponent"] = float(analysis.fit_power_law(av.sizes).alpha)
            except ValueError:
                pass
        try:
            m = analysis.branching_ratio(spikes, "mr", bin_width, k_max=k_max)
            out["branching"] = float(getattr(m, "m", m))
        except ValueError:
            pass
        events = np.asarray(analysis.transition_events(spikes, bin_width, threshold))
        out["n_events"] = float(events.size)
        try:
            out["eddis_h"] = float(analysis.eddis(events, rule="AJ", seed=0).exponent)
        except ValueError:
            pass
    return out


def coupling_sweep(
    model: Reservoir,
    scales: Any,
    duration: float,
    seed: Any = None,
    *,
    inputs: Any = None,
    bin_width: float | None = None,
    threshold: Any = "percentile:50",
    fit_sizes: bool = False,
    keep_spikes: bool = False,
    backend: str = "runtime",
    progress: bool = False,
) -> CouplingSweep:
    """Criticality indicators of ``model`` over coupling scales (one build, reruns).

    Parameters
    ----------
    model : Reservoir
    scales : sequence of float
        Values of the shared ``coupling`` factor (>= 0; 1 is the model as built).
    duration : float
        Seconds per scale.
    seed : int or None
        Brian2's seed, the same for every scale (so the noise is shared).
    inputs : optional
        Encoder outputs driving the reservoir (the liquid is silent without input).
    bin_width : float, optional
        Seconds; default the model's step (the lattice).
    threshold : float or str
        Activity threshold of avalanches and transition events (``"percentile:50"``: the
        median, suited to always-active networks; 0 for Beggs & Plenz' empty bins).
    fit_sizes : bool
        Fit the avalanche-size exponent (slower).
    keep_spikes : bool
        Keep the spikes of every scale in the result.
    backend : str
    progress : bool
        A progress bar over the scales.
    """
    from tqdm.auto import tqdm

    from neurodam.reservoir.simulate import ReservoirSession

    if not isinstance(model, Reservoir):
        raise TypeError(f"model: expected a Reservoir, got {type(model).__name__}")
    s = np.atleast_1d(np.asarray(scales, dtype=np.float64))
    if s.ndim != 1 or s.size == 0 or not np.all(np.isfinite(s)) or s.min() < 0:
        raise ValueError(f"scales: expected one or more finite values >= 0, got {scales!r}")
    width = model.dt if bin_width is None else check_number(bin_width, "bin_width", min=0.0)
    if width <= 0:
        raise ValueError(f"bin_width: expected a width in seconds > 0, got {bin_width!r}")
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31 - 1))
    rows, kept = [], []
    with ReservoirSession(model, duration, inputs, backend=backend) as session:
        for k, scale in enumerate(tqdm(s, disable=not progress, desc="coupling")):
            if k == 0:  # the first run builds (and compiles) with the model's coupling
                run = session.run(seed=seed)
            if k > 0 or scale != model.params["coupling"]:
                run = session.rerun(params={"coupling": float(scale)}, seed=seed)
            rows.append(criticality_indicators(run.spikes, width, threshold, fit_sizes=fit_sizes))
            if keep_spikes:
                kept.append(run.spikes)
    col = {key: np.array([r[key] for r in rows]) for key in rows[0]}
    params = dict(bin_width=width, threshold=threshold, duration=duration, seed=seed)
    return CouplingSweep(scales=s, params=params, spikes=tuple(kept), **col)
