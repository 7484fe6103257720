"""The linear-attention view: a Hebbian outer-product key/value memory and its capacity.

Linear attention stores key/value pairs ``(k_mu, v_mu)`` in one matrix, the Hebbian
outer-product (hetero-associative Hopfield) rule, and reads it with a query::

    W = sum_mu v_mu k_mu^T,        recall(q) = W q

(Katharopoulos, Vyas, Pappas & Fleuret 2020; Schlag, Irie & Schmidhuber 2021, "Linear
transformers are secretly fast weight programmers"), while softmax attention is one update
of the modern Hopfield network with values, ``V softmax(beta K^T q)`` (Ramsauer et al.
2021; :mod:`neurodam.memory.modern`).

Capacity of the linear memory (exact, +-1 keys and values of dimension d). Reading the
stored key k_mu, component j of ``W k_mu`` is ``d v_mu,j + C`` with the crosstalk
``C = sum_{nu != mu} v_nu,j (k_nu . k_mu)``. For independent random +-1 entries each term
``v_nu,j (k_nu . k_mu)`` is distributed as a sum of d independent +-1 (v_nu,j is a sign
independent of the symmetric k_nu . k_mu), and the terms are independent, so C is a sum of
``n = (K - 1) d`` independent +-1: ``C = 2B - n``, ``B ~ Binomial(n, 1/2)``. The sign of a
component is wrong (or 0, counted as an error) with probability::

    bit_error(d, K) = P(d + 2B - n <= 0) = P(B <= (n - d)/2)   ~ Phi(-sqrt(d / (K - 1)))

so the number of pairs stored at a given bit error grows linearly with d:
``K_c(d) ~ 1 + d / z^2`` with ``Phi(-z) = error`` (the Hopfield signal-to-noise law). The
softmax memory separates the stored key from the others exponentially in beta and stores
exponentially many pairs (Ramsauer et al. 2021).

Functions
---------
outer_product_memory, linear_recall, softmax_recall     the two memories
bit_error, linear_capacity                              the exact theory of the linear one
attention_capacity                                      measured bit error over (d, K)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import binom, norm

from neurodam._validate import check_choice, check_int, check_number

__all__ = [
    "AttentionCapacity",
    "attention_capacity",
    "bit_error",
    "linear_capacity",
    "linear_recall",
    "outer_product_memory",
    "softmax_recall",
]


def _matrix(a: Any, name: str) -> np.ndarray:
    x = np.asarray(a)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a real (K, d) array, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"{name}: expected a (K, d) array, got shape {x.shape}")
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name}: expected finite entries")
    return x


def outer_product_memory(keys: Any, values: Any) -> np.ndarray:
    """``W = sum_mu v_mu k_mu^T`` (shape (d_v, d_k)) from (K, d_k) keys and (K, d_v) values."""
    k, v = _matrix(keys, "keys"), _matrix(values, "values")
    if k.shape[0] != v.shape[0]:
        raise ValueError(f"values: expected K={k.shape[0]} rows (one per key), got {v.shape[0]}")
    return v.T @ k


def linear_recall(W: Any, queries: Any) -> np.ndarray:
    """``W q`` for each query row: (B, d_v)."""
    W = np.asarray(W, dtype=np.float64)
    q = _matrix(queries, "queries")
    if q.shape[1] != W.shape[1]:
        raise ValueError(f"queries: expected d={W.shape[1]} entries, got {q.shape[1]}")
    return q @ W.T


def softmax_recall(keys: Any, values: Any, queries: Any, beta: float) -> np.ndarray:
    """``V softmax(beta K^T q)`` for each query row: (B, d_v) (softmax attention)."""
    from neurodam.memory.modern import softmax

    k, v, q = _matrix(keys, "keys"), _matrix(values, "values"), _matrix(queries, "queries")
    if q.shape[1] != k.shape[1]:
        raise ValueError(f"queries: expected d={k.shape[1]} entries, got {q.shape[1]}")
    return (v.T @ softmax(beta, k @ q.T)).T


def bit_error(d: int, K: int) -> float:
    """Exact probability that a recalled +-1 component of the linear memory is wrong or 0
    (module docstring): ``P(B <= (n - d)/2)``, ``B ~ Binomial((K - 1) d, 1/2)``."""
    d = check_int(d, "d", min=1)
    K = check_int(K, "K", min=1)
    n = (K - 1) * d
    if n == 0:
        return 0.0
    return float(binom.cdf(math.floor((n - d) / 2), n, 0.5))


def linear_capacity(d: int, error: float = 0.01) -> int:
    """Largest K with ``bit_error(d, K) <= error`` (exact; at least 1)."""
    d = check_int(d, "d", min=1)
    error = check_number(error, "error", min=0.0, max=0.5, min_open=True, max_open=True)
    z = norm.isf(error)
    K = max(1, int(1 + 2 * d / z**2))  # above the Gaussian estimate 1 + d / z^2
    while K > 1 and bit_error(d, K) > error:
        K -= 1
    while bit_error(d, K + 1) <= error:
        K += 1
    return K


@dataclass(frozen=True)
class AttentionCapacity:
    """Measured bit errors of a key/value memory over dimensions and numbers of pairs.

    Attributes
    ----------
    dims : ndarray (n_d,)
    Ks : ndarray (n_K,)
    errors : ndarray (n_d, n_K)
        Fraction of wrong (or zero) recalled components over all pairs and trials.
    kind : str
        ``"linear"`` or ``"softmax"``.
    beta : float or None
    trials : int
    """

    dims: np.ndarray
    Ks: np.ndarray
    errors: np.ndarray
    kind: str
    beta: float | None
    trials: int

    def theory(self) -> np.ndarray:
        """Exact bit errors of the linear memory on the same grid."""
        return np.array([[bit_error(int(d), int(K)) for K in self.Ks] for d in self.dims])

    def capacity(self, error: float = 0.01) -> np.ndarray:
        """Per d, the largest K of the grid whose measured error is <= ``error`` (0: none)."""
        out = np.zeros(self.dims.size, dtype=np.int64)
        for i in range(self.dims.size):
            ok = np.flatnonzero(self.errors[i] <= error)
            out[i] = self.Ks[ok].max() if ok.size else 0
        return out

    def plot(self, ax=None, error: float = 0.01):
        """Capacity against dimension (measured, and the exact linear theory)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        ax.plot(self.dims, self.capacity(error), "o-", ms=3, label=f"{self.kind} (measured)")
        if self.kind == "linear":
            ax.plot(self.dims, [linear_capacity(int(d), error) for d in self.dims], "k:",
                    label="linear (exact theory)")  # fmt: skip
        ax.set_xlabel("dimension d")
        ax.set_ylabel(f"pairs stored at bit error <= {error:g}")
        ax.legend(fontsize="small")
        return ax


def attention_capacity(
    dims: Any,
    Ks: Any,
    *,
    kind: str = "linear",
    beta: float | None = None,
    trials: int = 20,
    seed: Any = None,
) -> AttentionCapacity:
    """Bit error of recalling each stored value from its key, over dimensions and K.

    For each d (keys and values both of dimension d) and K: ``trials`` sets of K random +-1
    key/value pairs; every stored key is the query, and the error is the fraction of
    components of ``sign(recall)`` that differ from the value (0 counts as an error).
    ``kind="softmax"`` uses :func:`softmax_recall` with ``beta`` (default 1).
    """
    check_choice(kind, "kind", ("linear", "softmax"))
    trials = check_int(trials, "trials", min=1)
    ds = np.array([check_int(int(d), "dims", min=1) for d in np.atleast_1d(dims)])
    ks = np.array([check_int(int(k), "Ks", min=1) for k in np.atleast_1d(Ks)])
    beta = 1.0 if beta is None else check_number(beta, "beta", min=0.0, min_open=True)
    rng = np.random.default_rng(seed)
    err = np.empty((ds.size, ks.size))
    for i, d in enumerate(ds):
        for j, K in enumerate(ks):
            wrong = 0
            for _ in range(trials):
                k = np.where(rng.random((K, d)) < 0.5, 1.0, -1.0)
                v = np.where(rng.random((K, d)) < 0.5, 1.0, -1.0)
                if kind == "linear":
                    out = linear_recall(outer_product_memory(k, v), k)
                else:
                    out = softmax_recall(k, v, k, beta)
                wrong += int(np.count_nonzero(np.sign(out) != v))
            err[i, j] = wrong / (trials * K * d)
    return AttentionCapacity(ds, ks, err, kind, beta if kind == "softmax" else None, trials)
