r"""The choice of :math:`x_{\min}`: the KS distance of every candidate, exact, with pruning.

Clauset, Shalizi & Newman (2009, sec. 3.3) take as :math:`x_{\min}` the candidate (a
distinct data value) whose tail is closest, in Kolmogorov-Smirnov distance, to the power
law fitted to it. The distance follows the convention of the ``powerlaw`` package
(Alstott, Bullmore & Plenz 2014): over the distinct tail values :math:`u_j`,
:math:`D = \max_j |P_{fit}(X < u_j) - P_{emp}(X < u_j)|`.

Cost. The exhaustive scan costs the number of distinct values squared over two. Because
both distribution functions are nondecreasing, on a block :math:`[u_{j_1}, u_{j_2}]` of
distinct values the deviation :math:`e = P_{fit} - P_{emp}` obeys
:math:`|e| \le \max(P_{fit}(j_2) - P_{emp}(j_1),\ P_{emp}(j_2) - P_{fit}(j_1))`.
Evaluating :math:`e` at :math:`m` rank-spaced grid points of each candidate's tail thus
gives a lower bound (the largest grid value) and an upper bound (the largest block bound)
of its :math:`D` at cost :math:`O(m)`. A candidate whose lower bound exceeds the smallest
upper bound (or the smallest exact distance found so far) cannot be the minimiser and is
dropped; the others are bounded again on a grid 8 times finer, and the last ones are
computed exactly. The chosen :math:`x_{\min}` and its distance are therefore those of the
exhaustive scan, usually at a small fraction of its cost.

References
----------
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data.
SIAM Review 51:661-703.
Alstott J, Bullmore E, Plenz D (2014) powerlaw: a Python package for analysis of
heavy-tailed distributions. PLoS ONE 9:e85777.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from scipy import special

from neurodam.analysis._zeta import ALPHA_BOUNDS, golden_min, hurwitz_zeta, log_norm, zeta_matrix

log = logging.getLogger(__name__)

_BLOCK = 262_144  # elements per block of the vectorised KS computations (stays in cache)
_LEVELS = (32, 256, 2048)  # grid points per candidate at each pruning level
_FINAL = 16384  # blocks of the last, point-by-point stage
_SLACK = 1e-9  # rounding allowance of the bounds (the zeta expansion is good to 1e-10)


def tail_terms(alpha: float, x, xmin: float, xmax, discrete: bool):
    r"""``(g(x), g(xmin), g(xmax'))`` with :math:`P(X \ge x) \propto g(x) - g(x_{\max}')`.

    Discrete: :math:`g(x) = \zeta(\alpha, x)` and :math:`x_{\max}' = x_{\max} + 1`;
    continuous: :math:`g(x) = x^{1-\alpha}`, :math:`x_{\max}' = x_{\max}`; ``g(xmax')`` is 0
    without ``xmax``.
    """
    if discrete:
        gmax = 0.0 if xmax is None else special.zeta(alpha, xmax + 1.0)
        return special.zeta(alpha, x), special.zeta(alpha, xmin), gmax
    gmax = 0.0 if xmax is None else xmax ** (1.0 - alpha)
    return x ** (1.0 - alpha), xmin ** (1.0 - alpha), gmax


def ks_one(data: np.ndarray, alpha: float, xmin: float, xmax, discrete: bool) -> float:
    """KS distance of the tail ``data >= xmin`` to the fit (the convention of :func:`scan`)."""
    tail = data[data >= xmin]
    u, first = np.unique(tail, return_index=True)
    g, gi, gmax = tail_terms(alpha, u, xmin, xmax, discrete)
    model = (gi - g) / (gi - gmax)
    return float(np.max(np.abs(model - first / tail.size)))


class _Tails:
    """The sorted data as distinct values, first positions and tail sizes, shared by the scan."""

    def __init__(self, data: np.ndarray, discrete: bool, xmax):
        self.n = data.size
        self.u, first, counts = np.unique(data, return_index=True, return_counts=True)
        self.first = first
        self.firstf = first.astype(np.float64)
        self.n_tail = self.n - first
        self.logu = np.log(self.u)
        self.discrete = discrete
        self.xmax = xmax
        self.d = self.u.size
        self.of_rank = np.repeat(np.arange(self.d), counts)  # distinct index of each rank

    def model(self, al: np.ndarray, j: np.ndarray, ci: np.ndarray) -> np.ndarray:
        """Fitted :math:`P(X < u_j)` for rows of exponents ``al`` (column) from ``u[ci]``."""
        xmax = self.xmax
        if self.discrete:
            g = hurwitz_zeta(al, self.u[j])
            gi = hurwitz_zeta(al[:, 0], self.u[ci])[:, None]
            gmax = 0.0 if xmax is None else hurwitz_zeta(al, xmax + 1.0)
        else:
            g = self.logu[j]
            g *= 1.0 - al
            np.exp(g, out=g)
            gi = np.exp((1.0 - al[:, 0]) * self.logu[ci])[:, None]
            gmax = 0.0 if xmax is None else np.exp((1.0 - al) * math.log(xmax))
        g -= gi  # (gi - g) / (gi - gmax), in place
        g *= -1.0 / (gi - gmax)
        return g

    def ks_exact(self, ci: np.ndarray, alphas: np.ndarray) -> np.ndarray:
        """Exact KS distance of the candidates at distinct indices ``ci`` (ascending)."""
        u, logu, firstf, xmax = self.u, self.logu, self.firstf, self.xmax
        ks = np.empty(ci.size)
        start = 0
        while start < ci.size:
            j0 = ci[start]
            cols = self.d - j0
            rows = max(1, min(ci.size - start, _BLOCK // cols))
            cr = ci[start : start + rows]
            al = alphas[start : start + rows, None]
            if self.discrete:
                g = zeta_matrix(al, u[j0:], logu[j0:])
                gi = hurwitz_zeta(al[:, 0], u[cr])[:, None]
                gmax = 0.0 if xmax is None else hurwitz_zeta(al, xmax + 1.0)
            else:
                g = (1.0 - al) * logu[None, j0:]
                np.exp(g, out=g)
                gi = np.exp((1.0 - al[:, 0]) * logu[cr])[:, None]
                gmax = 0.0 if xmax is None else np.exp((1.0 - al) * math.log(xmax))
            # model - emp = (gi - g)/(gi - gmax) - (first_j - first_i)/n_i, in place on g
            inv_den = 1.0 / (gi - gmax)
            inv_n = 1.0 / self.n_tail[cr][:, None].astype(np.float64)
            g *= -inv_den
            g += gi * inv_den + firstf[cr][:, None] * inv_n
            g -= firstf[None, j0:] * inv_n
            np.abs(g, out=g)
            g *= np.arange(j0, self.d)[None, :] >= cr[:, None]  # each candidate's own tail
            ks[start : start + rows] = g.max(axis=1)
            start += rows
        return ks

    def deviation(self, al: float, c: int, cols: np.ndarray) -> np.ndarray:
        """``|P_fit - P_emp|`` of candidate ``c`` (exponent ``al``) at sorted ``cols``."""
        u, logu, xmax = self.u, self.logu, self.xmax
        if self.discrete:
            g = zeta_matrix(np.array([[al]]), u[cols], logu[cols])[0]
            gi = float(hurwitz_zeta(al, u[c]))
            gmax = 0.0 if xmax is None else float(hurwitz_zeta(al, xmax + 1.0))
        else:
            g = (1.0 - al) * logu[cols]
            np.exp(g, out=g)
            gi = math.exp((1.0 - al) * logu[c])
            gmax = 0.0 if xmax is None else math.exp((1.0 - al) * math.log(xmax))
        inv_den = 1.0 / (gi - gmax)
        inv_n = 1.0 / float(self.n_tail[c])
        g *= -inv_den
        g += gi * inv_den + self.firstf[c] * inv_n
        g -= self.firstf[cols] * inv_n
        return np.abs(g, out=g)

    def _grid_blocks(self, ci: np.ndarray, alphas: np.ndarray, m: int):
        """Blocks of candidates with their ``m + 1`` rank-spaced grid points.

        Yields ``(s, cr, al, j, model, emp)``: the block's first index in ``ci``, its
        candidates, exponents (column), grid points, and the model and empirical CDFs there.
        """
        k = np.arange(m + 1, dtype=np.float64)
        rows = max(1, _BLOCK // (m + 1))
        for s in range(0, ci.size, rows):
            cr = ci[s : s + rows]
            al = alphas[s : s + rows, None]
            nc = self.n_tail[cr].astype(np.float64)[:, None]
            fc = self.firstf[cr][:, None]
            ranks = (fc + np.floor(k[None, :] * nc / m)).astype(np.intp)
            ranks[:, -1] = self.n - 1
            j = self.of_rank[ranks]
            model = self.model(al, j, cr)
            emp = self.firstf[j]
            emp -= fc
            emp /= nc
            yield s, cr, al, j, model, emp

    def ks_refined(self, ci, alphas, m: int, best: float) -> np.ndarray:
        """KS distances of candidates ``ci`` (in the order given), exact or ``inf`` if ruled out.

        On a grid of ``m`` blocks the maximum deviation lies in a block whose upper bound
        reaches the grid's largest value, so only those blocks are evaluated point by point;
        a candidate whose grid value exceeds ``best`` (lowered as distances come in) is
        ruled out.
        """
        ks = np.full(ci.size, np.inf)
        for s, cr, al, j, model, emp in self._grid_blocks(ci, alphas, m):
            lower = np.abs(model - emp).max(axis=1)
            block = np.maximum(model[:, 1:] - emp[:, :-1], emp[:, 1:] - model[:, :-1])
            for r in range(cr.size):
                if not lower[r] <= best + _SLACK:
                    continue
                sel = np.flatnonzero(block[r] >= lower[r] - _SLACK)
                lo_j, hi_j = j[r, sel], j[r, sel + 1]
                mark = np.zeros(self.d - cr[r] + 1, np.int64)  # ranges [lo_j, hi_j] as a mask
                np.add.at(mark, lo_j - cr[r], 1)
                np.add.at(mark, hi_j - cr[r] + 1, -1)
                cols = cr[r] + np.flatnonzero(np.cumsum(mark[:-1]) > 0)
                d_r = float(self.deviation(float(al[r, 0]), int(cr[r]), cols).max())
                ks[s + r] = d_r
                best = min(best, d_r)
        return ks

    def ks_bounds(self, ci: np.ndarray, alphas: np.ndarray, m: int):
        """Lower and upper bounds of the KS distance from ``m + 1`` rank-spaced grid points."""
        lower = np.empty(ci.size)
        upper = np.empty(ci.size)
        for s, cr, _al, _j, model, emp in self._grid_blocks(ci, alphas, m):
            e = model - emp
            np.abs(e, out=e)
            lo = e.max(axis=1)
            np.subtract(model[:, 1:], emp[:, :-1], out=e[:, 1:])
            up = e[:, 1:].max(axis=1)
            np.subtract(emp[:, 1:], model[:, :-1], out=e[:, 1:])
            np.maximum(up, e[:, 1:].max(axis=1), out=up)
            lower[s : s + cr.size] = lo
            upper[s : s + cr.size] = np.maximum(lo, up)
        return lower, upper


def _alphas(tails: _Tails, cand: np.ndarray, data: np.ndarray, discrete: bool, xmax):
    """Maximum-likelihood exponent of every candidate's tail at once."""
    logx = np.log(data)
    tail_sum = np.cumsum(logx[::-1])[::-1]  # sum of log x over data[i:]
    xm = tails.u[cand]
    nt = tails.n_tail[cand].astype(np.float64)
    mean_log = tail_sum[tails.first[cand]] / nt
    if not discrete and xmax is None:
        return 1.0 + 1.0 / (mean_log - np.log(xm))
    return golden_min(
        lambda a: a * mean_log + log_norm(a, xm, xmax, discrete, fast=True),
        cand.size,
        *ALPHA_BOUNDS,
    )


def _pruned_ks(tails: _Tails, cand: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """KS distances, exact where a candidate may be the minimiser and ``inf`` elsewhere."""
    ks = np.full(cand.size, np.inf)
    alive = np.arange(cand.size)
    best = np.inf
    for m in _LEVELS:
        short = (tails.d - cand[alive]) <= 4 * m  # small tails: exact costs no more
        done = alive[short]
        if done.size:
            ks[done] = tails.ks_exact(cand[done], alphas[done])
            best = min(best, float(np.nanmin(ks[done], initial=np.inf)))
        alive = alive[~short]
        if not alive.size:
            break
        lower, upper = tails.ks_bounds(cand[alive], alphas[alive], m)
        # the few with the smallest lower bounds exactly: a tight threshold early
        probe = np.sort(alive[np.argsort(lower, kind="stable")[:8]])
        ks[probe] = tails.ks_exact(cand[probe], alphas[probe])
        best = min(
            best,
            float(np.nanmin(upper, initial=np.inf)),
            float(np.nanmin(ks[probe], initial=np.inf)),
        )
        keep = ~(lower > best + _SLACK) & ~np.isin(alive, probe)
        log.debug("xmin scan: grid %d keeps %d of %d candidates", m, int(keep.sum()), alive.size)
        alive = alive[keep]
        if not alive.size:
            break
    if alive.size:  # smallest lower bounds first: the threshold falls fastest
        alive = alive[np.argsort(lower[keep], kind="stable")]
        short = (tails.d - cand[alive]) <= 4 * _FINAL
        idx = np.sort(alive[short])
        ks[idx] = tails.ks_exact(cand[idx], alphas[idx])
        best = min(best, float(np.nanmin(ks[idx], initial=np.inf)))
        rest = alive[~short]
        ks[rest] = tails.ks_refined(cand[rest], alphas[rest], _FINAL, best)
    return ks


def scan(
    data: np.ndarray,
    discrete: bool,
    xmax: float | None,
    min_tail: int,
    max_candidates: int | None = None,
    exhaustive: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exponent and KS distance of every candidate xmin. Returns ``(xmins, alphas, ks)``.

    ``data`` sorted. Candidates are the distinct values leaving at least ``min_tail`` values
    and 2 distinct values above. ``max_candidates`` thins them to the values nearest to that
    many log-spaced points (an approximation: the KS minimum may be missed). Unless
    ``exhaustive``, ``ks`` is exact only where a candidate could be the minimiser and
    ``inf`` where its lower bound rules it out; ``argmin(ks)`` is that of the exhaustive scan.
    """
    tails = _Tails(data, discrete, xmax)
    cand = np.flatnonzero((tails.n_tail >= min_tail) & (np.arange(tails.d) < tails.d - 1))
    if not cand.size:
        raise ValueError(
            f"x: no candidate xmin leaves at least min_tail={min_tail} values and 2 distinct "
            f"values in the tail ({tails.n} values, {tails.d} distinct)"
        )
    if max_candidates is not None and cand.size > max_candidates:
        # thin to values nearest to log-spaced points (dense at small x)
        grid = np.geomspace(tails.u[cand[0]], tails.u[cand[-1]], max_candidates)
        pos = np.clip(np.searchsorted(tails.u[cand], grid), 0, cand.size - 1)
        cand = np.unique(cand[pos])
        log.info("xmin scan thinned to %d of the distinct values", cand.size)
    alphas = _alphas(tails, cand, data, discrete, xmax)
    if exhaustive:
        ks = tails.ks_exact(cand, alphas)
    else:
        ks = _pruned_ks(tails, cand, alphas)
    return tails.u[cand], alphas, ks
