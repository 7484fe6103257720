"""Multitasking associative networks: hierarchical and parallel retrieval of diluted patterns.

Patterns with entries 0 with probability d (:func:`neurodam.patterns.diluted`) leave blank
the neurons a retrieved pattern does not use; the Hebbian network (``F = "hopfield"``) or
a dense one (``F = "dense:P"``) fills them with other patterns, so that several patterns
are retrieved at once (Agliari, Barra, Galluzzi, Guerra & Moauro, "Multitasking
associative networks", Phys. Rev. Lett. 109 (2012); Agliari, Barra, Galluzzi & Isopi,
"Multitasking network with fast noise" (2013); dense networks: Agliari, Alessandrelli,
Barra & Ricci-Tersenghi, "Parallel learning by multitasking neural networks" (2023)).

The hierarchical state (T = 0, K patterns, N -> infinity)
-----------------------------------------------------------
``sigma_i = xi_i^{k(i)}`` with k(i) the first pattern whose entry i is not blank (in the
order of the cascade): pattern 1 takes all its non-blank sites, pattern 2 the non-blank
sites among the blanks of pattern 1, and so on, so the overlaps are::

    m_k = (1 - d) d^(k-1)                                            (the cascade)

Stability (derived here). At vanishing load the field on neuron i is, up to a positive
factor, ``h_i = sum_k xi_i^k m_k^(P-1)`` (P = 2 for the Hebbian couplings; F(x) = x^P).
The neuron is unstable when ``sigma_i h_i < 0``. The worst neuron of level 1 carries
every pattern, with all the patterns k >= 2 opposite to pattern 1 (probability
``((1 - d)/2)^K 2 > 0``): it is stable iff ``m_1^(P-1) > sum_{k>=2} m_k^(P-1)``; the worst
neurons of the lower levels give weaker conditions (``m_j^(P-1) > sum_{k>j} m_k^(P-1)``).
So the cascade is a fixed point of the T = 0 dynamics iff::

    sum_{k=1}^{K-1} d^(k (P-1)) < 1                       (hierarchical_threshold)

Hebbian couplings: K = 2 is stable at every d < 1, K = 3 up to d = 0.618 (the golden
ratio), K = 4 up to 0.544, K -> infinity up to 1/2; dense couplings raise the threshold:
``d^(P-1)`` equals those values (P = 3, K = 3: d = 0.786). Beyond it a finite fraction of
the neurons (:func:`hierarchical_instability`, exact for N -> infinity) flips at once: the overlaps
move away from the geometric cascade towards comparable values, the parallel retrieval of
strong dilution (at d -> 1 every pattern keeps about its (1 - d) N non-blank sites).
Started from one pattern (blank sites random), the T = 0 dynamics build the cascade by
themselves for K = 3; for K >= 4 the blank sites may instead settle in a mixture of three
patterns (an attractor of the sub-network they form), a lower level of the cascade that
is not the geometric one.

Functions
---------
:func:`cascade`                  the retrieved cascade of a run (overlaps sorted by size)
:func:`hierarchical_overlaps`    m_k = (1 - d) d^(k-1)
:func:`hierarchical_state`       the hierarchical state of a pattern matrix
:func:`hierarchical_instability` exact fraction of neurons that flip out of it (N -> inf)
:func:`hierarchical_threshold`   the dilution above which it is unstable, per K and P
:func:`multitask_scan`           Monte Carlo over d: stability, cascades, measured threshold
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from neurodam._validate import check_choice, check_int, check_number
from neurodam.memory.interactions import parse_interaction
from neurodam.memory.polynomial import Polynomial
from neurodam.memory.results import MemoryRun

__all__ = [
    "Cascade",
    "MultitaskScan",
    "cascade",
    "hierarchical_instability",
    "hierarchical_overlaps",
    "hierarchical_state",
    "hierarchical_threshold",
    "multitask_scan",
]


def _dilution(d: Any) -> float:
    return check_number(d, "d", min=0.0, max=1.0, max_open=True, what="a dilution")


def _degree(F: Any) -> int:
    inter = parse_interaction(F)
    if not isinstance(inter, Polynomial):
        raise ValueError(f"F: expected 'hopfield' or 'dense:P', got {inter.name!r}")
    return inter.n


# ------------------------------------------------------------------ theory
def hierarchical_overlaps(d: float, K: int) -> np.ndarray:
    """The cascade ``m_k = (1 - d) d^(k-1)``, k = 1..K (Agliari et al. 2012)."""
    d = _dilution(d)
    K = check_int(K, "K", min=1)
    return (1.0 - d) * d ** np.arange(K, dtype=np.float64)


def hierarchical_threshold(K: int, P: int = 2) -> float:
    """Dilution above which the hierarchical state is unstable at T = 0 (module docstring).

    The root in (0, 1) of ``sum_{k=1}^{K-1} d^(k (P-1)) = 1``; 1.0 for K <= 2 (stable at
    every d < 1). P = 2: Hebbian couplings; P >= 3: ``F = "dense:P"``.
    """
    K = check_int(K, "K", min=1)
    P = check_int(P, "P", min=2)
    if K <= 2:
        return 1.0
    q = P - 1

    def g(d):
        return sum(d ** (k * q) for k in range(1, K)) - 1.0

    return float(brentq(g, 0.0, 1.0, xtol=1e-15))


def hierarchical_instability(d: float, K: int, P: int = 2) -> float:
    """Fraction of the neurons whose field opposes the hierarchical state (N -> infinity).

    Exact average over the 3^K entry configurations of a neuron (each entry 0 with
    probability d, +-1 with (1 - d)/2): the neuron holds the first non-blank entry s and
    flips when ``s sum_k x_k m_k^(P-1) < 0`` with ``m_k = (1 - d) d^(k-1)``; a zero field
    keeps the state. 0 below :func:`hierarchical_threshold`, positive above it (the
    fraction of neurons that change in the first step of the T = 0 dynamics).
    """
    d = _dilution(d)
    K = check_int(K, "K", min=1, max=12)
    P = check_int(P, "P", min=2)
    w = hierarchical_overlaps(d, K) ** (P - 1)
    p_entry = {0: d, 1: (1 - d) / 2, -1: (1 - d) / 2}
    total = 0.0
    for x in itertools.product((-1, 0, 1), repeat=K):
        nz = [v for v in x if v]
        if not nz:
            continue
        if nz[0] * float(np.dot(x, w)) < -1e-12 * w[0]:
            total += math.prod(p_entry[v] for v in x)
    return total


def hierarchical_state(patterns: np.ndarray, seed: Any = None) -> np.ndarray:
    """The hierarchical state: ``sigma_i`` = the first non-zero entry ``xi_i^k`` (k in row
    order); neurons blank in every pattern get ``rng.random() < 0.5 -> +1``. int8 (N,)."""
    from neurodam.patterns import validate_patterns

    xi = validate_patterns(patterns, allow_zero=True)
    K, N = xi.shape
    first = np.argmax(xi != 0, axis=0)
    s = xi[first, np.arange(N)].astype(np.int8)
    blank = s == 0
    if blank.any():
        rng = np.random.default_rng(seed)
        fill = np.where(rng.random(N) < 0.5, 1, -1).astype(np.int8)
        s[blank] = fill[blank]
    return s


# ------------------------------------------------------------------ cascades
@dataclass(frozen=True)
class Cascade:
    """The retrieved cascade of one state: overlaps sorted by size.

    Attributes
    ----------
    overlaps : ndarray (K,)
        ``|m_k|`` in decreasing order (the sign of a retrieved pattern is arbitrary: the
        energy of F = x^P with even P is symmetric, and odd P fields do not depend on it).
    order : ndarray of int (K,)
        The pattern of each entry.
    signs : ndarray (K,)
        Sign of each overlap.
    prediction : ndarray (K,) or None
        ``(1 - d) d^(k-1)`` when the dilution is given.
    """

    overlaps: np.ndarray
    order: np.ndarray
    signs: np.ndarray
    prediction: np.ndarray | None = None

    @property
    def deviation(self) -> float:
        """Largest ``| |m_k| - (1 - d) d^(k-1) |`` (nan without a prediction)."""
        if self.prediction is None:
            return float("nan")
        return float(np.abs(self.overlaps - self.prediction).max())

    @property
    def parallel_index(self) -> float:
        """``|m_K| / |m_1|``: d^(K-1) on the cascade, 1 for equal (parallel) overlaps."""
        return float(self.overlaps[-1] / self.overlaps[0]) if self.overlaps[0] > 0 else 0.0


def cascade(run: MemoryRun | np.ndarray, d: float | None = None) -> Cascade:
    """The cascade retrieved by a run: its final overlaps sorted by absolute value.

    Parameters
    ----------
    run : MemoryRun or array (K,)
        A run (its last row of overlaps, ``m_mu = xi^mu . sigma / N``) or K overlaps.
    d : float, optional
        The dilution, for the hierarchical prediction ``(1 - d) d^(k-1)``.
    """
    if isinstance(run, MemoryRun):
        m = np.asarray(run.overlaps[-1], dtype=np.float64)
    else:
        m = np.asarray(run, dtype=np.float64)
        if m.ndim != 1 or m.size < 1 or not np.all(np.isfinite(m)):
            raise ValueError(f"run: expected a MemoryRun or K finite overlaps, got shape {m.shape}")
    order = np.argsort(-np.abs(m), kind="stable")
    pred = None if d is None else hierarchical_overlaps(d, m.size)
    return Cascade(np.abs(m[order]), order, np.sign(m[order]), pred)


# ------------------------------------------------------------------ Monte Carlo
@dataclass(frozen=True)
class MultitaskScan:
    """T = 0 dynamics of a multitasking network over dilutions (:func:`multitask_scan`).

    Attributes
    ----------
    d : ndarray (n_d,)
    K, N, P : int
    start : str
        ``"hierarchical"`` or ``"pattern"``.
    flipped : ndarray (n_d, n_seeds)
        Fraction of neurons changed by the first synchronous step.
    overlaps : ndarray (n_d, n_seeds, K)
        Final cascades (sorted |m|).
    """

    d: np.ndarray
    K: int
    N: int
    P: int
    start: str
    flipped: np.ndarray
    overlaps: np.ndarray

    @property
    def prediction(self) -> np.ndarray:
        """(n_d, K) cascades ``(1 - d) d^(k-1)``."""
        return np.array([hierarchical_overlaps(d, self.K) for d in self.d])

    @property
    def instability(self) -> np.ndarray:
        """Exact first-step flip fraction from the hierarchical state (N -> infinity)."""
        return np.array([hierarchical_instability(d, self.K, self.P) for d in self.d])

    @property
    def stable_fraction(self) -> np.ndarray:
        """Fraction of seeds where the first step changed no neuron."""
        return (self.flipped == 0).mean(axis=1)

    @property
    def theory_threshold(self) -> float:
        return hierarchical_threshold(self.K, self.P)

    def threshold(self) -> float:
        """Measured threshold: the d where the stable fraction first falls below 1/2
        (linear interpolation); nan when it never does within the scan."""
        s, d = self.stable_fraction, self.d
        for k in range(1, d.size):
            if s[k - 1] >= 0.5 > s[k]:
                return float(d[k - 1] + (s[k - 1] - 0.5) * (d[k] - d[k - 1]) / (s[k - 1] - s[k]))
        return float("nan")

    def plot(self, axes=None):
        """First-step flip fraction against d (with the exact curve) and the cascades."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(9, 3.5))
        ax0, ax1 = axes
        dd = np.linspace(self.d.min(), self.d.max(), 200)
        ax0.plot(dd, [hierarchical_instability(x, self.K, self.P) for x in dd], "k-", lw=1,
                 label="theory (N -> inf)")  # fmt: skip
        ax0.errorbar(self.d, self.flipped.mean(axis=1), self.flipped.std(axis=1), fmt="o",
                     ms=3, label=f"N={self.N}")  # fmt: skip
        ax0.axvline(self.theory_threshold, color="grey", lw=0.5)
        ax0.set_xlabel("dilution d")
        ax0.set_ylabel("fraction flipped (first step)")
        ax0.legend(fontsize="small")
        mean = self.overlaps.mean(axis=1)
        for k in range(self.K):
            ax1.plot(self.d, mean[:, k], "o", ms=3, color=f"C{k}", label=f"m_{k + 1}")
            ax1.plot(dd, (1 - dd) * dd**k, "-", lw=0.8, color=f"C{k}")
        ax1.set_xlabel("dilution d")
        ax1.set_ylabel("sorted |m_k|")
        ax1.set_title(f"K={self.K}, P={self.P}, start={self.start}")
        ax1.legend(fontsize="x-small")
        return axes


def multitask_scan(
    K: int,
    N: int,
    dilutions: Any,
    *,
    F: str = "hopfield",
    seeds: int = 5,
    steps: int = 30,
    start: str = "hierarchical",
    backend: str = "reference",
    seed: int = 0,
) -> MultitaskScan:
    """Deterministic synchronous dynamics of multitasking networks over dilutions.

    For each d and each of ``seeds`` pattern sets (``diluted(K, N, d, seed)``), the network
    starts from the hierarchical state (``start="hierarchical"``: its stability, the
    first-step flip fraction against :func:`hierarchical_instability`) or from pattern 0
    with random blank sites (``"pattern"``: the cascade the dynamics builds by itself) and
    runs ``steps`` synchronous T = 0 steps through :func:`neurodam.memory.simulate`.

    Parameters
    ----------
    K, N : int
    dilutions : sequence of float in [0, 1)
    F : str
        ``"hopfield"`` or ``"dense:P"``.
    seeds : int
    steps : int
    start : {"hierarchical", "pattern"}
    backend : str
        Any backend of :func:`~neurodam.memory.simulate`.
    seed : int
        First pattern seed (the sets use ``seed, seed + 1, ...``).
    """
    from neurodam.memory.simulate import simulate
    from neurodam.patterns import diluted

    K = check_int(K, "K", min=1)
    N = check_int(N, "N", min=1)
    seeds = check_int(seeds, "seeds", min=1)
    check_choice(start, "start", ("hierarchical", "pattern"))
    P = _degree(F)
    ds = np.atleast_1d(np.asarray(dilutions, dtype=np.float64))
    if ds.ndim != 1 or ds.size == 0:
        raise ValueError(f"dilutions: expected a 1-D sequence of dilutions, got {dilutions!r}")
    for d in ds:
        _dilution(float(d))
    flipped = np.empty((ds.size, seeds))
    final = np.empty((ds.size, seeds, K))
    for a, d in enumerate(ds):
        for b in range(seeds):
            xi = diluted(K, N, float(d), seed=seed + b)
            if start == "hierarchical":
                init: Any = hierarchical_state(xi, seed=seed + b)
            else:
                init = 0
            run = simulate(xi, F, init=init, steps=steps, seed=seed + b, backend=backend,
                           record=("overlaps", "states"))  # fmt: skip
            s0 = run.params["init_state"]
            flipped[a, b] = np.count_nonzero(run.states[0] != s0) / N
            final[a, b] = cascade(run).overlaps
    return MultitaskScan(ds, K, N, P, start, flipped, final)
