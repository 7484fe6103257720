"""Modern (continuous) Hopfield networks: softmax retrieval (Ramsauer et al. 2021).

Ramsauer, Schäfl, Lehner, Seidl, Widrich, Adler, Gruber, Holzleitner, Pavlović, Sandve,
Greiff, Kreil, Kopp, Klambauer, Brandstetter & Hochreiter, "Hopfield networks is all you
need", ICLR (2021). Stored patterns ``x_1..x_K`` in R^N are the rows of ``patterns``
(the paper's ``X`` is ``patterns.T``); the state xi lies in R^N::

    update   xi_new = X softmax(beta X^T xi)                 (one step; attention)
    energy   E(xi) = -lse(beta, X^T xi) + xi^T xi / 2 + ln(K) / beta + M^2 / 2,
             lse(beta, z) = (1/beta) ln sum_k exp(beta z_k),  M = max_k ||x_k||.

The update is the concave-convex procedure of E, so E never increases along it, and
``0 <= E <= 2 M^2`` on the convex hull of the patterns. Fixed points are of three kinds:
a global average (beta -> 0: ``softmax`` is uniform, one step gives the mean pattern),
metastable averages over a subset of similar patterns (moderate beta), and single patterns
(large beta, well separated patterns: retrieved in one step). One-step error (the argument
of Ramsauer et al., Theorem 5, for any state): with the separation
``Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j`` and the softmax weights p,
``||xi_new - x_i|| <= sum_{j != i} p_j ||x_j - x_i|| <= 2 M (1 - p_i)`` and
``1 - p_i <= (K - 1) exp(-beta (Delta_i - 2 M ||xi - x_i||))``, so::

    ||xi_new - x_i|| <= 2 (K - 1) M exp(-beta (Delta_i - 2 M ||xi - x_i||))  (retrieval_bound)

Near beta -> 0 every weight lies within a factor ``exp(beta (max z - min z))`` of 1/K
(z = X^T xi), so ``||xi_new - mean pattern|| <= (exp(beta (max z - min z)) - 1) M``.

For +-1 states ``xi^T xi = N`` is constant and the energy is the log-energy of the
exponential memory: the registered interaction ``F = "lse:beta"`` (:class:`LogSumExp`) is
the binary modern network on every engine of :func:`neurodam.memory.simulate` (the
dynamics of ``"exp:beta"``; energy ``-lse(beta, a) + N/2``, a = X^T sigma).

The same continuous update as a Brian2 model: :mod:`neurodam.memory.modern_brian`;
:func:`simulate_modern` runs either.

Functions
---------
lse, softmax                 numerically stable (shifted by the maximum)
energy, update, retrieve     the network (states (N,) or a batch (N, B))
separation, retrieval_bound  one-step retrieval guarantees
metastable_size              patterns that carry a given mass of the softmax
simulate_modern              the numpy reference or the Brian2 model on any device
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from neurodam._validate import check_int, check_number
from neurodam.memory.exponential import Exponential, ExponentialKernel
from neurodam.memory.interactions import register_interaction
from neurodam.patterns import real_patterns

__all__ = [
    "LogSumExp",
    "ModernRun",
    "energy",
    "lse",
    "metastable_size",
    "retrieval_bound",
    "retrieve",
    "separation",
    "simulate_modern",
    "softmax",
    "update",
]


def _beta(beta: Any) -> float:
    return check_number(beta, "beta", min=0.0, min_open=True, what="an inverse temperature")


def _pair(patterns: Any, state: Any) -> tuple[np.ndarray, np.ndarray]:
    X = real_patterns(patterns)
    s = np.asarray(state)
    if s.dtype.kind not in "biuf":
        raise TypeError(f"state: expected a real vector, got dtype {s.dtype}")
    s = s.astype(np.float64)
    if s.ndim not in (1, 2) or s.shape[0] != X.shape[1]:
        raise ValueError(
            f"state: expected shape (N={X.shape[1]},) or (N, B) (the patterns' N), got {s.shape}"
        )
    if not np.all(np.isfinite(s)):
        raise ValueError("state: expected finite entries")
    return X, s


def lse(beta: float, z: Any, axis: int = 0) -> np.ndarray | float:
    """``(1/beta) ln sum_k exp(beta z_k)`` along ``axis``, shifted by the maximum."""
    beta = _beta(beta)
    z = np.asarray(z, dtype=np.float64)
    c = z.max(axis=axis, keepdims=True)
    out = np.squeeze(c, axis=axis) + np.log(np.exp(beta * (z - c)).sum(axis=axis)) / beta
    return float(out) if np.ndim(out) == 0 else out


def softmax(beta: float, z: Any, axis: int = 0) -> np.ndarray:
    """``exp(beta z_k) / sum_j exp(beta z_j)`` along ``axis``, shifted by the maximum."""
    beta = _beta(beta)
    z = np.asarray(z, dtype=np.float64)
    w = np.exp(beta * (z - z.max(axis=axis, keepdims=True)))
    return w / w.sum(axis=axis, keepdims=True)


def energy(patterns: Any, state: Any, beta: float) -> float | np.ndarray:
    """``E = -lse(beta, X^T xi) + xi^T xi / 2 + ln(K)/beta + M^2/2``; a float, or (B,)."""
    beta = _beta(beta)
    X, s = _pair(patterns, state)
    K = X.shape[0]
    M2 = float((X * X).sum(axis=1).max())
    e = -lse(beta, X @ s) + 0.5 * (s * s).sum(axis=0) + np.log(K) / beta + 0.5 * M2
    return float(e) if np.ndim(e) == 0 else e


def update(patterns: Any, state: Any, beta: float) -> np.ndarray:
    """One step ``xi_new = X softmax(beta X^T xi)``: (N,) or (N, B)."""
    beta = _beta(beta)
    X, s = _pair(patterns, state)
    return X.T @ softmax(beta, X @ s)


def separation(patterns: Any, i: int | None = None) -> float | np.ndarray:
    """``Delta_i = x_i^T x_i - max_{j != i} x_i^T x_j`` (all i when ``i`` is None; inf for K=1)."""
    X = real_patterns(patterns)
    G = X @ X.T
    K = G.shape[0]
    if K == 1:
        d = np.array([np.inf])
    else:
        off = np.where(np.eye(K, dtype=bool), -np.inf, G)
        d = np.diag(G) - off.max(axis=1)
    if i is None:
        return d
    i = check_int(i, "i", min=0, max=K - 1)
    return float(d[i])


def retrieval_bound(patterns: Any, i: int, state: Any, beta: float) -> float:
    """Bound on the one-step error ``||xi_new - x_i||`` (module docstring; Ramsauer et al.
    2021, Theorem 5): ``2 (K - 1) M exp(-beta (Delta_i - 2 M ||xi - x_i||))``."""
    beta = _beta(beta)
    X, s = _pair(patterns, state)
    if s.ndim != 1:
        raise ValueError(f"state: expected one state (N,), got shape {s.shape}")
    K = X.shape[0]
    i = check_int(i, "i", min=0, max=K - 1)
    if K == 1:
        return 0.0
    M = float(np.sqrt((X * X).sum(axis=1).max()))
    dist = float(np.linalg.norm(s - X[i]))
    return float(2 * (K - 1) * M * np.exp(-beta * (separation(X, i) - 2 * M * dist)))


def metastable_size(weights: Any, mass: float = 0.9) -> int | np.ndarray:
    """Fewest patterns whose softmax weights sum to at least ``mass`` (Ramsauer et al.
    2021 characterise attention heads this way): 1 for a retrieved pattern, about the size
    of a cluster for a metastable average, ~mass K for the global average. ``weights``:
    (K,) or (steps, K) (one value per row)."""
    mass = check_number(mass, "mass", min=0.0, max=1.0, min_open=True)
    w = np.asarray(weights, dtype=np.float64)
    srt = -np.sort(-w, axis=-1)
    n = (np.cumsum(srt, axis=-1) < mass * srt.sum(axis=-1, keepdims=True) * (1 - 1e-12)).sum(
        axis=-1
    ) + 1
    return int(n) if np.ndim(n) == 0 else n


@dataclass(frozen=True)
class ModernRun:
    """A trajectory of the modern Hopfield network.

    Attributes
    ----------
    states : ndarray (steps + 1, N)
        xi(0) (the initial state), then xi after each update.
    energy : ndarray (steps + 1,)
    weights : ndarray (steps, K)
        The softmax weights of each update (computed from the state before it).
    beta : float
    params : dict
        backend, timing (Brian2 runs), N, K.
    """

    states: np.ndarray
    energy: np.ndarray
    weights: np.ndarray
    beta: float
    params: dict = field(default_factory=dict)

    @property
    def final(self) -> np.ndarray:
        return self.states[-1]

    @property
    def retrieved(self) -> int:
        """The pattern with the largest weight in the last update."""
        return int(np.argmax(self.weights[-1]))

    def metastable_size(self, mass: float = 0.9) -> int:
        """:func:`metastable_size` of the last update's weights."""
        return metastable_size(self.weights[-1], mass)


def retrieve(patterns: Any, state: Any, beta: float, steps: int = 1) -> ModernRun:
    """``steps`` updates from ``state`` (numpy reference): states, energies, weights."""
    beta = _beta(beta)
    X, s = _pair(patterns, state)
    if s.ndim != 1:
        raise ValueError(f"state: expected one state (N,), got shape {s.shape}")
    steps = check_int(steps, "steps", min=1)
    states = np.empty((steps + 1, s.size))
    weights = np.empty((steps, X.shape[0]))
    states[0] = s
    for t in range(steps):
        weights[t] = softmax(beta, X @ states[t])
        states[t + 1] = X.T @ weights[t]
    E = energy(X, states.T, beta)
    params = {"backend": "reference", "N": X.shape[1], "K": X.shape[0]}
    return ModernRun(states, np.asarray(E), weights, beta, params)


def simulate_modern(
    patterns: Any,
    state: Any,
    beta: float,
    steps: int = 1,
    *,
    backend: str = "reference",
    dt: float = 1e-3,
    **kwargs: Any,
) -> ModernRun:
    """The modern Hopfield network on the numpy reference or a Brian2 device.

    ``backend="reference"``: :func:`retrieve`; any Brian2 device (``"runtime"``,
    ``"numpy"``, ``"cpp_standalone"``, ``"cuda_standalone"``): the model of
    :mod:`neurodam.memory.modern_brian` through :func:`neurodam.engine.run_network`, one
    update per ``dt``. Deterministic: both give the same trajectory up to the rounding of
    the sums (summation order). ``kwargs`` go to :func:`neurodam.engine.run_network`.
    """
    from neurodam.memory.params import _check_backend

    backend = _check_backend(backend)
    if backend == "reference":
        return retrieve(patterns, state, beta, steps)
    from neurodam.memory.modern_brian import run_modern

    return run_modern(patterns, state, beta, steps, backend=backend, dt=dt, **kwargs)


# ------------------------------------------------------------------ binary states
class LogSumExpKernel(ExponentialKernel):
    """:class:`ExponentialKernel` with the energy of :class:`LogSumExp` (+ N/2)."""

    def prepare(self, a):
        co, e = super().prepare(a)
        return co, e + 0.5 * self.N

    def energy(self, a, coefficients=None) -> float:
        return super().energy(a, coefficients) + 0.5 * self.N


class LogSumExp(Exponential):
    """``F = "lse:beta"``: the modern Hopfield energy on +-1 states (module docstring).

    ``E = -lse(beta, a) + sigma^T sigma / 2 = -(1/beta) ln sum_mu exp(beta a_mu) + N/2``
    with ``a = X^T sigma`` (the constant ``ln(K)/beta + M^2/2`` left out); the dynamics
    (fields, ties) are those of ``"exp:beta"``.
    """

    def __init__(self, beta: float = 1.0) -> None:
        try:
            super().__init__(beta)
        except ValueError:
            raise ValueError(f"F: expected beta > 0 in 'lse:beta', got {beta!r}") from None
        self.name = f"lse:{self.lam:g}"

    def energy_from_overlaps(self, a, n_neurons):
        return super().energy_from_overlaps(a, n_neurons) + 0.5 * n_neurons

    def kernel(self, patterns, dtype="float64") -> LogSumExpKernel:
        return LogSumExpKernel(self, patterns, dtype)


def _lse_factory(arg: str | None) -> LogSumExp:
    if arg is None:
        return LogSumExp(1.0)
    try:
        beta = float(arg)
    except ValueError:
        raise ValueError(
            f"F: expected 'lse:beta' with a number beta > 0, got 'lse:{arg}'"
        ) from None
    return LogSumExp(beta)


register_interaction("lse", _lse_factory, replace=True)
