"""Retrieval tools: final overlaps, basins of attraction, capacity curves.

Functions
---------
:func:`retrieval_overlap`     final overlap of a :class:`~neurodam.memory.MemoryRun` with a pattern
:func:`basin_of_attraction`   retrieval rate against the fraction of flipped cue bits
:func:`capacity_curve`        final overlap against the load K/N (starting from stored patterns)

The theory these are compared with (replica-symmetric overlap, fixed-point stability, the
exponential memory's correction radius) is in :mod:`neurodam.memory.theory`. All simulations
use the numpy reference engine (:func:`neurodam.memory.reference.iterate`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from neurodam._validate import check_int
from neurodam.memory import reference
from neurodam.memory.interactions import Interaction, parse_interaction
from neurodam.memory.results import MemoryRun
from neurodam.memory.theory import HOPFIELD_ALPHA_C, hopfield_rs_overlap
from neurodam.patterns import rademacher, real_patterns, validate_patterns

__all__ = [
    "retrieval_overlap",
    "basin_of_attraction",
    "BasinResult",
    "capacity_curve",
    "CapacityCurve",
]


def retrieval_overlap(
    run: MemoryRun, pattern: int | np.ndarray | None = None
) -> float | np.ndarray:
    """Overlap of the final state with a pattern, ``m = xi . sigma(T) / N``.

    Parameters
    ----------
    run : MemoryRun
    pattern : int, array or None
        A pattern index (a column of ``run.overlaps``), a +-1 pattern vector, a (K', N)
        matrix of patterns (e.g. the archetypes of a network that learnt from examples; any
        real values), or None: the pattern the run started from (``params["init_pattern"]``)
        when known, else the largest final overlap ``Q(T)``.

    Returns
    -------
    float, or ndarray of shape (K',) for a matrix
    """
    if not isinstance(run, MemoryRun):
        raise TypeError(f"run: expected a MemoryRun, got {type(run).__name__}")
    if run.n_steps == 0:
        raise ValueError("run: expected at least one recorded step, got T=0")
    if pattern is None:
        mu = run.params.get("init_pattern")
        return float(run.overlaps[-1, mu]) if mu is not None else float(run.Q[-1])
    if isinstance(pattern, int | np.integer) and not isinstance(pattern, bool):
        if not 0 <= pattern < run.n_patterns:
            raise ValueError(f"pattern: expected an index in [0, {run.n_patterns}), got {pattern}")
        return float(run.overlaps[-1, int(pattern)])
    if np.ndim(pattern) == 2:
        if run.final_state is None:
            raise ValueError("run: no final state recorded")
        xi = real_patterns(pattern, N=run.final_state.size, name="pattern")
        return xi @ run.final_state.astype(np.float64) / xi.shape[1]
    p = validate_patterns(pattern, allow_zero=True, name="pattern")[0]
    if run.final_state is None or p.size != run.final_state.size:
        raise ValueError(
            f"pattern: expected N={None if run.final_state is None else run.final_state.size} "
            f"entries, got {p.size}"
        )
    return float(p.astype(np.float64) @ run.final_state / p.size)


# ------------------------------------------------------------------ basins
@dataclass(frozen=True)
class BasinResult:
    """Retrieval from corrupted cues.

    Attributes
    ----------
    flip_fractions : (n_f,) array
        Fraction of cue bits flipped.
    overlaps : (n_f, n_trials) array
        Final overlap with the cued pattern.
    threshold : float
        A trial retrieves when its final overlap is >= threshold.
    F : str
    N, K : int
    """

    flip_fractions: np.ndarray
    overlaps: np.ndarray
    threshold: float
    F: str
    N: int
    K: int

    @property
    def success_rate(self) -> np.ndarray:
        """Fraction of trials retrieving at each flip fraction."""
        return (self.overlaps >= self.threshold).mean(axis=1)

    @property
    def mean_overlap(self) -> np.ndarray:
        """Mean final overlap at each flip fraction."""
        return self.overlaps.mean(axis=1)

    def radius(self) -> float:
        """Largest flip fraction whose success rate is >= 1/2 (nan if none)."""
        ok = np.flatnonzero(self.success_rate >= 0.5)
        return float(self.flip_fractions[ok].max()) if ok.size else float("nan")

    def plot(self, ax=None):
        """Success rate and mean overlap against the flip fraction; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(self.flip_fractions, self.success_rate, "o-", label="success rate")
        ax.plot(self.flip_fractions, self.mean_overlap, "s--", label="mean overlap")
        ax.set_xlabel("fraction of flipped cue bits")
        ax.set_ylabel("retrieval")
        ax.set_title(f"{self.F}, N={self.N}, K={self.K}")
        ax.legend(fontsize="small")
        return ax


def basin_of_attraction(
    F: str | Interaction,
    patterns: np.ndarray,
    flip_fractions,
    n_trials: int = 20,
    seed=None,
    steps: int = 50,
    schedule: str = "sync",
    threshold: float = 0.95,
) -> BasinResult:
    """Retrieval rate from cues with a given fraction of flipped bits (T=0 dynamics).

    For each flip fraction f and each of ``n_trials`` trials a pattern mu is drawn
    uniformly, ``round(f N)`` of its bits are flipped, and the deterministic dynamics
    (:func:`neurodam.memory.reference.iterate`) runs to a fixed point (at most ``steps``);
    the final overlap with xi^mu is recorded.
    """
    inter = parse_interaction(F)
    xi = validate_patterns(patterns, allow_zero=False)
    fr = np.atleast_1d(np.asarray(flip_fractions, dtype=np.float64))
    if fr.ndim != 1 or fr.size == 0 or np.any((fr < 0) | (fr > 1)):
        raise ValueError(f"flip_fractions: expected fractions in [0, 1], got {flip_fractions!r}")
    check_int(n_trials, "n_trials", min=1)
    rng = np.random.default_rng(seed)
    K, N = xi.shape
    out = np.empty((fr.size, n_trials))
    for k, f in enumerate(fr):
        mus = rng.integers(K, size=n_trials)
        n_flip = int(round(f * N))
        cues = xi[mus].copy()
        for b in range(n_trials):
            idx = rng.choice(N, size=n_flip, replace=False)
            cues[b, idx] *= -1
        final, _, _ = reference.iterate(xi, cues, inter, schedule, steps, seed=rng)
        out[k] = np.einsum("bn,bn->b", final.astype(np.float64), xi[mus]) / N
    return BasinResult(fr, out, float(threshold), inter.name, N, K)


# ---------------------------------------------------------------- capacity
@dataclass(frozen=True)
class CapacityCurve:
    """Final overlaps against the load alpha = K/N, starting from stored patterns.

    Attributes
    ----------
    loads : (n,) array
        Requested K/N.
    K : (n,) int array
        Number of patterns actually stored, ``max(1, round(load N))``.
    overlaps : list of arrays
        All final overlaps at each load (n_trials * starts values).
    threshold : float
        Retrieval when the final overlap is >= threshold.
    F : str
    N : int
    """

    loads: np.ndarray
    K: np.ndarray
    overlaps: list = field(repr=False)
    threshold: float
    F: str
    N: int

    @property
    def alpha(self) -> np.ndarray:
        """Realised loads K/N."""
        return self.K / self.N

    @property
    def mean_overlap(self) -> np.ndarray:
        """Mean final overlap at each load."""
        return np.array([o.mean() for o in self.overlaps])

    @property
    def sem_overlap(self) -> np.ndarray:
        """Standard error of the mean final overlap."""
        return np.array(
            [o.std(ddof=1) / math.sqrt(o.size) if o.size > 1 else 0.0 for o in self.overlaps]
        )

    @property
    def success_rate(self) -> np.ndarray:
        """Fraction of starts ending with overlap >= threshold."""
        return np.array([(o >= self.threshold).mean() for o in self.overlaps])

    def critical_load(self) -> float:
        """Load K/N where the success rate first falls below 1/2 (linear interpolation).

        nan when it never does (or is below 1/2 already at the first load).
        """
        r, a = self.success_rate, self.alpha
        for k in range(1, r.size):
            if r[k - 1] >= 0.5 > r[k]:
                return float(a[k - 1] + (r[k - 1] - 0.5) * (a[k] - a[k - 1]) / (r[k - 1] - r[k]))
        return float("nan")

    def overlap_crossing(self, level: float = 0.967) -> float:
        """Load K/N where the mean final overlap first falls below ``level`` (interpolated).

        The default is the replica-symmetric Hopfield overlap at alpha_c (m_c = 0.967,
        Amit, Gutfreund & Sompolinsky 1987): below alpha_c the retrieval state has
        m >= m_c, above it disappears, so this crossing estimates alpha_c with finite-size
        corrections of order N^(-1/2). nan when the mean never crosses ``level``.
        """
        m, a = self.mean_overlap, self.alpha
        for k in range(1, m.size):
            if m[k - 1] >= level > m[k]:
                return float(a[k - 1] + (m[k - 1] - level) * (a[k] - a[k - 1]) / (m[k - 1] - m[k]))
        return float("nan")

    def plot(self, ax=None):
        """Mean final overlap and success rate against K/N (with the replica-symmetric
        m(alpha) for the Hopfield model); returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.errorbar(
            self.alpha,
            self.mean_overlap,
            self.sem_overlap,
            fmt="o-",
            ms=3,
            label="mean final overlap",
        )
        ax.plot(self.alpha, self.success_rate, "s--", ms=3, label=f"P(m >= {self.threshold:g})")
        if self.F == "hopfield":
            a = np.linspace(max(1e-3, self.alpha.min()), self.alpha.max(), 200)
            ax.plot(a, hopfield_rs_overlap(a), "k:", label="replica theory (AGS)")
            ax.axvline(HOPFIELD_ALPHA_C, color="grey", lw=0.5)
        ax.set_xlabel("load K/N")
        ax.set_ylabel("overlap")
        ax.set_title(f"{self.F}, N={self.N}")
        ax.legend(fontsize="small")
        return ax


def capacity_curve(
    F: str | Interaction,
    N: int,
    loads,
    n_trials: int = 10,
    seed=None,
    steps: int = 50,
    schedule: str = "async",
    threshold: float = 0.75,
    n_starts: int = 10,
    progress: bool = False,
) -> CapacityCurve:
    """Retrieval against the load: store K = round(load N) Rademacher patterns, start the
    T=0 dynamics at (up to ``n_starts`` of) the stored patterns, record the final overlaps.

    For the Hopfield model the mean final overlap follows the replica-symmetric m(alpha)
    (:func:`hopfield_rs_overlap`) and collapses near alpha_c = 0.138 (Amit, Gutfreund &
    Sompolinsky 1985; finite-N simulations: 0.14-0.15). Default asynchronous sweeps, the
    dynamics of the equilibrium theory.
    """
    inter = parse_interaction(F)
    check_int(N, "N", min=1)
    check_int(n_trials, "n_trials", min=1)
    check_int(n_starts, "n_starts", min=1)
    al = np.atleast_1d(np.asarray(loads, dtype=np.float64))
    if al.ndim != 1 or al.size == 0 or np.any(al <= 0):
        raise ValueError(f"loads: expected positive loads K/N, got {loads!r}")
    rng = np.random.default_rng(seed)
    from tqdm.auto import tqdm

    Ks = np.maximum(1, np.rint(al * N)).astype(np.int64)
    overlaps = []
    for K in tqdm(Ks, disable=not progress, desc="capacity", unit="load"):
        vals = []
        for _ in range(n_trials):
            xi = rademacher(int(K), N, seed=rng)
            starts = xi[: min(int(K), n_starts)]
            final, _, _ = reference.iterate(xi, starts, inter, schedule, steps, seed=rng)
            vals.append(np.einsum("bn,bn->b", final.astype(np.float64), starts) / N)
        overlaps.append(np.concatenate(vals))
    return CapacityCurve(al, Ks, overlaps, float(threshold), inter.name, int(N))
