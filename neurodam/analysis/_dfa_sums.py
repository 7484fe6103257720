"""Window sums of the vectorised DFA (see :mod:`neurodam.analysis.scaling`).

For integer increments the residual sum of squares of each window follows from cumulative
sums of Y, Y^2 and t^k Y over the whole series, evaluated exactly in int64 arithmetic
(``_gather_cumsums``, ``_exact_window_moments``) while they fit (``_fits_int64``); otherwise
the windows are a reshaped view of the profile (``_direct_window_moments``).
"""

from __future__ import annotations

import math

import numpy as np

_EXACT_LIMIT = 2**63 - 2**54  # exact integer window sums must stay below int64's maximum


def _power_sums(s: int, kmax: int) -> np.ndarray:
    """sum_{j=0}^{s-1} (j/s)^k for k = 0..kmax (Faulhaber's formulas, exact integers first)."""
    n = s - 1
    exact = [
        s,
        n * s // 2,
        n * s * (2 * n + 1) // 6,
        (n * s // 2) ** 2,
        n * s * (2 * n + 1) * (3 * n * n + 3 * n - 1) // 30,
        n * n * s * s * (2 * n * n + 2 * n - 1) // 12,
        n * s * (2 * n + 1) * (3 * n**4 + 6 * n**3 - 3 * n + 1) // 42,
    ]
    return np.array([exact[k] / s**k for k in range(kmax + 1)])


def _rss_from_moments(B: np.ndarray, M: np.ndarray, s: int, order: int) -> np.ndarray:
    """Residual sum of squares of a degree-``order`` least-squares fit per window.

    ``M[k]`` holds sum_j j^k Z_j for each window; ``B`` holds sum_j Z_j^2.
    """
    ps = _power_sums(s, 2 * order)
    G = np.array([[ps[k + m] for m in range(order + 1)] for k in range(order + 1)])
    Ms = M / (float(s) ** np.arange(order + 1))[:, None]  # moments in u = j/s
    quad = np.einsum("kw,kl,lw->w", Ms, np.linalg.inv(G), Ms, optimize=True)
    rss = B - quad
    return np.maximum(rss, 0.0)  # round-off can give -1e-12 for an exactly linear window


def _exact_window_moments(Y: np.ndarray, s: int, nw: int, E: dict, order: int):
    """Exact int64 window sums for scale ``s`` from cumulative sums at its window edges."""
    P = [np.diff(E[k]) for k in range(order + 1)]  # sum_i i^k Y_i per window
    Q = np.diff(E["sq"])  # sum_i Y_i^2 per window
    st = np.arange(nw, dtype=np.int64) * s
    Y0 = Y[: nw * s : s]
    Sj = (
        [int(round(v * s**k)) for k, v in enumerate(_power_sums(s, order))]
        if order > 3
        else [
            s,
            (s - 1) * s // 2,
            (s - 1) * s * (2 * s - 1) // 6,
            ((s - 1) * s // 2) ** 2,
        ][: order + 1]
    )
    with np.errstate(over="ignore"):
        M = []
        for k in range(order + 1):
            # sum_j j^k (Y_{st+j} - Y0) = sum_i (i - st)^k Y_i - Y0 sum_j j^k (binomial expansion)
            acc = P[k].copy()
            for r in range(k):
                acc += math.comb(k, r) * ((-st) ** (k - r)) * P[r]
            acc -= Y0 * Sj[k]
            M.append(acc)
        B = Q - 2 * Y0 * P[0] + s * Y0 * Y0
    return B.astype(float), np.array([m.astype(float) for m in M])


def _fits_int64(s: int, m: int, r: int, order: int) -> bool:
    """Whether every exact window sum of scale ``s`` fits in int64.

    With |Z_j| <= min(j m, r) (m = max |x|, r = range of the profile): sum_j Z_j^2 <=
    min(m^2 sum_j j^2, s r^2) and |sum_j j^k Z_j| <= min(m sum_j j^(k+1), r sum_j j^k) for
    k <= order. For unit steps this admits every scale below about 3e6 samples, and any
    scale when the walk stays within ~1e6 of its start.
    """
    ps = _power_sums(s, order + 1)
    sums = [round(v * s**k) for k, v in enumerate(ps)]  # sum_j j^k, k = 0..order+1
    worst = max(min(m * m * sums[2], s * r * r), min(m * sums[order + 1], r * sums[order]))
    return worst < _EXACT_LIMIT


def _direct_window_moments(Y: np.ndarray, s: int, nw: int, order: int):
    W = Y[: nw * s].reshape(nw, s)
    Z = (W - W[:, :1]).astype(float, copy=False)
    j = np.arange(s, dtype=float)
    # remove the chord from the first to the last point of each window: a linear term leaves
    # the residuals unchanged, and without the drift B - m^T G^-1 m cancels far less
    Z -= (Z[:, -1:] / (s - 1)) * j
    M = np.array([Z @ j**k for k in range(order + 1)])
    B = np.einsum("ij,ij->i", Z, Z)
    return B, M


def _gather_cumsums(Y: np.ndarray, scales: list[int], order: int) -> dict:
    """Cumulative sums (leading 0) of Y^2 and i^k Y, k <= order, kept only at window edges.

    Returns ``{s: {"sq": ..., 0: ..., 1: ...}}`` with the values at ``0, s, 2s, ..., n_w s``.
    The sums are built one at a time in a single int64 work array (peak memory about three
    int64 copies of the series). Intermediate values may wrap modulo 2^64; the window sums
    derived from them are exact whenever they fit in int64 (checked by the caller).
    """
    n = Y.size
    out: dict = {s: {} for s in scales}
    work = np.empty(n + 1, dtype=np.int64)
    work[0] = 0
    body = work[1:]
    with np.errstate(over="ignore"):
        for key in ["sq", *range(order + 1)]:
            if key == "sq":
                np.multiply(Y, Y, out=body)
            elif key == 0:
                body[:] = Y
            else:
                body[:] = np.arange(n, dtype=np.int64)
                if key > 1:
                    body **= key
                body *= Y
            np.cumsum(body, out=body)
            for s in scales:
                out[s][key] = work[: (n // s) * s + 1 : s].copy()
    return out
