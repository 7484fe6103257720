"""The result of an associative-memory simulation: :class:`MemoryRun`.

Conventions (shared by the numpy reference engine and the Brian2 backends)
-------------------------------------------------------------------------
* Steps are numbered t = 1..T; step t ends at time ``t * dt`` seconds (``dt`` default
  1 ms). Row ``t-1`` of ``overlaps``, ``energy`` and ``states`` describes the state
  sigma(t) *after* step t; the initial state sigma(0) is not a row (it is in
  ``params["init_state"]`` when the engine stores it).
* Spikes: with ``fire_on="plus"`` (default, Cafiso & Paradisi 2026) neuron i fires at
  time ``t * dt`` whenever sigma_i(t) = +1; with ``fire_on="flip"`` it fires only when it
  flips -1 -> +1 between steps t-1 and t. ``spikes.t_start = 0``, ``t_stop = T * dt``.
* Observables: overlaps ``m_mu(t) = xi^mu . sigma(t) / N``, ``Q(t) = max_mu m_mu(t)``,
  ``Q_bar`` its time average, population activity ``A(t)`` = number of neurons firing
  in step t.
* The spikes carry the time lattice (:mod:`neurodam.spikes`): ``meta["dt"]`` and
  ``meta["stamp"] = "end"`` (the spikes of step t at ``t * dt``).

Files
-----
:func:`save_observables` writes the overlaps, energies and activity of a run to an
``.npz`` file (``neurodam run --out OUT`` puts it next to the spikes, as
``OUT_overlaps.npz``); :func:`load_observables` reads it back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neurodam.spikes import SpikeTrains

__all__ = ["MemoryRun", "load_observables", "observables_path", "save_observables"]

OBSERVABLES_FORMAT = "neurodam.MemoryObservables/1"


@dataclass(frozen=True, repr=False, eq=False)
class MemoryRun:
    """Trajectory of an associative memory.

    Attributes
    ----------
    spikes : SpikeTrains
        Spikes of the N feature neurons (module docstring for the ``fire_on`` rule).
    overlaps : ndarray, shape (T, K)
        ``m_mu(t) = xi^mu . sigma(t) / N`` after each step t = 1..T.
    energy : ndarray, shape (T,)
        Energy after each step (see :mod:`neurodam.memory.interactions` for its
        normalisation; log-energy for F=exp).
    params : dict
        The parameters of the run (:meth:`MemoryParams.to_dict
        <neurodam.memory.params.MemoryParams.to_dict>`), plus ``N``, ``K``, ``backend``,
        ``init_state`` (sigma(0)), ``init_pattern``, ``timing`` (seconds: ``codegen``,
        ``compile``, ``run``, ``collect``) and, for Brian2 backends, ``brian_seed``.
    states : ndarray of int8, shape (T, N), or None
        sigma(t) after each step, only when recorded.
    final_state : ndarray of int8, shape (N,)
        sigma(T).
    dt : float
        Seconds per step (default 1e-3).
    counts : ndarray of int64, shape (T,), or None
        Number of neurons firing in each step (the population activity), when the engine
        recorded it; otherwise derived from ``spikes``.
    """

    spikes: SpikeTrains
    overlaps: np.ndarray
    energy: np.ndarray
    params: dict[str, Any] = field(default_factory=dict)
    states: np.ndarray | None = None
    final_state: np.ndarray | None = None
    dt: float = 1e-3
    counts: np.ndarray | None = None

    def __post_init__(self) -> None:
        ov = np.asarray(self.overlaps)
        if ov.ndim != 2:
            raise ValueError(f"overlaps: expected a (T, K) array, got shape {ov.shape}")
        en = np.asarray(self.energy, dtype=np.float64).ravel()
        if en.size != ov.shape[0]:
            raise ValueError(
                f"energy: expected T={ov.shape[0]} values (one per step), got {en.size}"
            )
        if not (np.isfinite(self.dt) and self.dt > 0):
            raise ValueError(f"dt: expected a positive step length in seconds, got {self.dt}")
        if self.states is not None:
            st = np.asarray(self.states)
            if st.ndim != 2 or st.shape[0] != ov.shape[0]:
                raise ValueError(
                    f"states: expected a (T={ov.shape[0]}, N) array, got shape {st.shape}"
                )
        if self.counts is not None:
            c = np.asarray(self.counts).ravel()
            if c.size != ov.shape[0]:
                raise ValueError(f"counts: expected T={ov.shape[0]} values, got {c.size}")
            object.__setattr__(self, "counts", c)
        object.__setattr__(self, "overlaps", ov)
        object.__setattr__(self, "energy", en)
        if self.final_state is not None:
            object.__setattr__(self, "final_state", np.asarray(self.final_state, dtype=np.int8))

    # ---------------------------------------------------------------- shape
    @property
    def n_steps(self) -> int:
        """Number of recorded steps T."""
        return int(self.overlaps.shape[0])

    @property
    def n_patterns(self) -> int:
        """Number of stored patterns K."""
        return int(self.overlaps.shape[1])

    @property
    def times(self) -> np.ndarray:
        """End time of each step, ``t * dt`` for t = 1..T (seconds)."""
        return np.arange(1, self.n_steps + 1) * self.dt

    # ---------------------------------------------------------- observables
    @property
    def Q(self) -> np.ndarray:
        """``Q(t) = max_mu m_mu(t)``, shape (T,)."""
        return self.overlaps.max(axis=1)

    @property
    def Q_bar(self) -> float:
        """Time average of Q(t) over all recorded steps (nan for T=0)."""
        if self.n_steps == 0:
            return float("nan")
        return float(self.Q.mean())

    @property
    def activity(self) -> np.ndarray:
        """Population activity A(t): number of neurons firing in step t, shape (T,)."""
        if self.counts is not None:
            return self.counts
        steps = np.rint(self.spikes.times / self.dt).astype(np.int64) - 1
        return np.bincount(steps, minlength=self.n_steps)[: self.n_steps]

    def __repr__(self) -> str:
        F = self.params.get("F", "?")
        return (
            f"MemoryRun(F={F}, T={self.n_steps} steps, K={self.n_patterns}, "
            f"N={self.spikes.n_neurons}, Q_bar={self.Q_bar:.3f}, {len(self.spikes)} spikes)"
        )

    # ---------------------------------------------------------------- plots
    def plot(self, axes=None, max_patterns: int = 10):
        """Overlaps m_mu(t) (the ``max_patterns`` largest by time-average) above a raster.

        Parameters
        ----------
        axes : sequence of two matplotlib Axes, optional
            A new figure with two stacked panels when None.
        max_patterns : int
            How many overlap traces to draw.

        Returns
        -------
        axes : the two Axes.
        """
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
        ax_m, ax_r = axes[0], axes[1]
        t = self.times
        if self.n_steps:
            order = np.argsort(-np.abs(self.overlaps).mean(axis=0))[:max_patterns]
            for mu in order:
                ax_m.plot(t, self.overlaps[:, mu], lw=0.8, label=f"mu={mu}")
            ax_m.plot(t, self.Q, "k--", lw=0.8, label="Q")
            ax_m.legend(fontsize="x-small", ncol=2, loc="lower right")
        ax_m.set_ylabel("overlap m")
        ax_m.set_ylim(-1.05, 1.05)
        self.spikes.raster_plot(ax=ax_r, s=0.5)
        return axes


def observables_path(spikes_path: str | os.PathLike) -> Path:
    """Where ``neurodam run --out`` writes the observables: ``OUT_overlaps.npz`` next to OUT."""
    p = Path(spikes_path)
    return p.with_name(f"{p.stem}_overlaps.npz")


def save_observables(run: MemoryRun, path: str | os.PathLike, overwrite: bool = False) -> Path:
    """Write the overlaps, energies and activity of ``run`` to a compressed ``.npz``.

    Arrays: ``overlaps`` (T, K) float32 (``m_mu(t)``), ``energy`` (T,), ``activity`` (T,)
    int64, ``times`` (T,) (the end of each step, ``t * dt``); scalars ``dt``, ``params``
    (JSON of the run's scalar parameters) and ``format``. Written atomically; no pickles.
    """
    from neurodam.io._atomic import atomic_path
    from neurodam.io._meta import meta_to_json

    if not isinstance(run, MemoryRun):
        raise TypeError(f"run: expected a MemoryRun, got {type(run).__name__}")
    scalars = {k: v for k, v in run.params.items() if np.ndim(v) == 0 or k == "record"}
    with atomic_path(path, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(
            fh,
            overlaps=np.asarray(run.overlaps, dtype=np.float32),
            energy=run.energy,
            activity=np.asarray(run.activity, dtype=np.int64),
            times=run.times,
            dt=np.float64(run.dt),
            params=np.str_(meta_to_json(scalars)),
            format=np.str_(OBSERVABLES_FORMAT),
        )
    return Path(path)


def load_observables(path: str | os.PathLike) -> dict[str, Any]:
    """Read a file of :func:`save_observables`: a dict of its arrays, ``dt`` and ``params``.

    Raises ``ValueError`` naming the file when it is not such a file.
    """
    import zipfile

    from neurodam.io._meta import meta_from_json

    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            data = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise ValueError(f"path: {path} is not a memory observables file ({exc})") from None
    if str(data.get("format", "")) != OBSERVABLES_FORMAT:
        raise ValueError(f"path: {path} is not a memory observables file (format missing)")
    out = {k: data[k] for k in ("overlaps", "energy", "activity", "times")}
    out["dt"] = float(data["dt"])
    out["params"] = meta_from_json(str(data["params"]), str(path))
    return out
