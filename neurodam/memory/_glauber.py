"""Asynchronous heat-bath sweeps of B replicas of one polynomial memory (F = x^P).

The Monte Carlo behind :mod:`neurodam.memory.phase`: the single-neuron Glauber rule of
the reference engine (:mod:`neurodam.memory.reference`, ``schedule="async"``), which
samples ``exp(-E/T)`` with ``E = -(N/P) sum_mu m_mu^P`` (``m_mu = xi^mu . sigma / N``;
the energy of ``F = "hopfield"`` / ``"dense:P"``, any real pattern values), advanced for B
replicas of the same patterns at once (each its own temperature): one sweep visits the N
neurons in a random order shared by the replicas, and each visit is one (K, B) product.

For neuron i, with ``a'_mu = a_mu - xi_i^mu sigma_i`` (the overlaps without it)::

    hE_i = [E(sigma_i = -1) - E(sigma_i = +1)] / 2
         = sum_mu [(a'_mu + xi_i^mu)^P - (a'_mu - xi_i^mu)^P] / (2 P N^(P-1)),
    P(sigma_i = +1) = (1 + tanh(beta hE_i)) / 2      (P = 2: hE_i = xi_i . a' / N);

T = 0 is the deterministic rule ``sigma_i <- sgn hE_i`` (0 keeps sigma_i).

Random draws from ``rng``, per sweep: ``rng.permutation(N)``, then (when some T > 0)
``rng.random((N, B))``, the k-th visit using row k: for B = 1 the draws, hence the
trajectory, of :func:`neurodam.memory.reference.run` with ``schedule="async"`` and a given
initial state.
"""

from __future__ import annotations

import numpy as np

__all__ = ["heat_bath"]


def heat_bath(
    patterns: np.ndarray,
    P: int,
    temperatures: np.ndarray,
    states: np.ndarray,
    sweeps: int,
    rng: np.random.Generator,
    *,
    targets: np.ndarray | None = None,
    measure: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run ``sweeps`` asynchronous heat-bath sweeps of B replicas.

    Parameters
    ----------
    patterns : (K, N) float64
    P : int
        Degree of F = x^P (2: Hopfield).
    temperatures : (B,) array of T >= 0
    states : (N, B) array of +-1
        Initial states (not modified).
    sweeps : int
    rng : numpy.random.Generator
    targets : (L, N) array, optional
        Patterns whose overlaps are recorded (default: the stored patterns).
    measure : int
        Record the target overlaps after each of the last ``measure`` sweeps.

    Returns
    -------
    final : (N, B) int8
        States after the last sweep.
    overlaps : (measure, L, B) float64
        Target overlaps ``target . sigma / N`` after each of the last ``measure`` sweeps.
    a : (K, B) float64
        Final raw overlaps with the stored patterns.
    """
    xi = np.ascontiguousarray(patterns, dtype=np.float64)
    K, N = xi.shape
    T = np.asarray(temperatures, dtype=np.float64).ravel()
    B = T.size
    S = np.array(states, dtype=np.float64).reshape(N, B)
    cold = T == 0
    beta = np.where(cold, 0.0, 1.0 / np.where(cold, 1.0, T))
    hot = not cold.all()
    XT = np.ascontiguousarray(xi.T)  # row i: xi_i^mu over mu
    sq = np.einsum("ik,ik->i", XT, XT)  # |xi_i|^2
    tg = xi if targets is None else np.asarray(targets, dtype=np.float64)
    A = xi @ S  # (K, B)
    scale = 1.0 / (2.0 * P * float(N) ** (P - 1))
    out = np.empty((measure, tg.shape[0], B))
    first_measured = sweeps - measure
    for t in range(sweeps):
        order = rng.permutation(N)
        U = rng.random((N, B)) if hot else None
        for k in range(N):
            i = order[k]
            x = XT[i]
            s = S[i]
            if P == 2:
                h = (x @ A - sq[i] * s) / N
            else:
                ae = A - x[:, None] * s
                xc = x[:, None]
                h = ((ae + xc) ** P - (ae - xc) ** P).sum(axis=0) * scale
            if hot:
                p = 0.5 * (1.0 + np.tanh(beta * h))
                new = np.where(U[k] < p, 1.0, -1.0)
                if cold.any():
                    new = np.where(cold, np.where(h > 0, 1.0, np.where(h < 0, -1.0, s)), new)
            else:
                new = np.where(h > 0, 1.0, np.where(h < 0, -1.0, s))
            d = new - s
            if d.any():
                A += np.outer(x, d)
                S[i] = new
        if t >= first_measured:
            out[t - first_measured] = tg @ S / N
    return S.astype(np.int8), out, A
