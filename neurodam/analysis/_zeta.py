r"""Normalisers of the power law: the Hurwitz zeta function, vectorised, and the integral.

A discrete power law :math:`p(k) = k^{-\alpha} / \zeta(\alpha, k_{\min})` on
:math:`k \ge k_{\min}` is normalised by the Hurwitz zeta function
:math:`\zeta(s, q) = \sum_{k \ge 0} (k + q)^{-s}` (Clauset, Shalizi & Newman 2009,
eq. 2.4). The scan over candidate :math:`k_{\min}` needs it for millions of
:math:`(s, q)` pairs, so for :math:`q \ge 32` it is computed from the Euler-Maclaurin
expansion (Abramowitz & Stegun 1964, 23.1.30) instead of ``scipy.special.zeta``.

References
----------
Clauset A, Shalizi CR, Newman MEJ (2009) Power-law distributions in empirical data.
SIAM Review 51:661-703.
Abramowitz M, Stegun IA (1964) Handbook of Mathematical Functions. NBS, Washington.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

ALPHA_BOUNDS = (1.0 + 1e-6, 20.0)  # exponents searched (alpha > 1 keeps the zeta normaliser finite)
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def hurwitz_zeta(s, q) -> np.ndarray:
    r"""Hurwitz zeta :math:`\zeta(s, q) = \sum_{k \ge 0} (k+q)^{-s}`, vectorised and fast.

    For :math:`q \ge 32` and :math:`s \le 12` the Euler-Maclaurin expansion
    :math:`q^{-s}[q/(s-1) + 1/2 + s/(12q) - s^{(3)}/(720q^3) + s^{(5)}/(30240q^5)]`
    (rising factorials :math:`s^{(k)}`) has relative error below 1e-10; elsewhere
    ``scipy.special.zeta`` is used.
    """
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    out = np.empty(s.shape)
    big = (q >= 32.0) & (s <= 12.0)
    if big.any():
        sb, qb = s[big], q[big]
        iq = 1.0 / qb
        iq2 = iq * iq
        s3 = sb * (sb + 1) * (sb + 2)
        poly = (
            qb / (sb - 1)
            + 0.5
            + iq * (sb / 12.0 - iq2 * (s3 / 720.0 - iq2 * s3 * (sb + 3) * (sb + 4) / 30240.0))
        )
        out[big] = np.exp(-sb * np.log(qb)) * poly
    small = ~big
    if small.any():
        out[small] = special.zeta(s[small], q[small])
    return out


def zeta_matrix(al: np.ndarray, u: np.ndarray, logu: np.ndarray) -> np.ndarray:
    """``zeta(al[i], u[j])`` for a column of exponents and a sorted row of values.

    Same expansion as :func:`hurwitz_zeta`, but by broadcasting (no masks) over the
    columns with ``u >= 32``; scipy for the few small columns and for rows with alpha > 12.
    """
    out = np.empty((al.shape[0], u.size))
    k0 = int(np.searchsorted(u, 32.0))
    if k0:
        out[:, :k0] = special.zeta(al, u[None, :k0])
    if k0 < u.size:
        ub, iq = u[None, k0:], 1.0 / u[None, k0:]
        iq2 = iq * iq
        s3 = al * (al + 1) * (al + 2)
        a1, a3, a5 = al / 12.0, s3 / 720.0, s3 * (al + 3) * (al + 4) / 30240.0
        poly = ub / (al - 1.0)
        poly += 0.5 + iq * (a1 - iq2 * (a3 - iq2 * a5))
        poly *= np.exp(-al * logu[None, k0:])
        out[:, k0:] = poly
        steep = al[:, 0] > 12.0
        if steep.any():
            out[steep, k0:] = special.zeta(al[steep], ub)
    return out


def log_norm(alpha, xmin, xmax, discrete: bool, fast: bool = False):
    r""":math:`\ln Z(\alpha)` of :math:`x^{-\alpha}` on :math:`[x_{\min}, x_{\max}]`.

    Discrete: :math:`Z = \zeta(\alpha, x_{\min}) - \zeta(\alpha, x_{\max} + 1)`; continuous:
    :math:`Z = (x_{\min}^{1-\alpha} - x_{\max}^{1-\alpha})/(\alpha - 1)`, the second term
    absent without ``xmax``. ``fast`` uses :func:`hurwitz_zeta` instead of scipy's.
    """
    alpha = np.asarray(alpha, np.float64)
    if discrete:
        zeta = hurwitz_zeta if fast else special.zeta
        z = zeta(alpha, xmin)
        if xmax is not None:
            z = z - zeta(alpha, xmax + 1.0)
        return np.log(z)
    e = 1.0 - alpha
    lx = np.log(xmin)
    if xmax is None:
        return e * lx - np.log(alpha - 1.0)
    # (xmin^e - xmax^e)/(alpha-1) = xmin^e (1 - (xmax/xmin)^e)/(alpha-1)
    return e * lx + np.log(-np.expm1(e * np.log(xmax / xmin))) - np.log(alpha - 1.0)


def golden_min(f, n: int, lo: float, hi: float, n_iter: int = 64) -> np.ndarray:
    """Vectorised golden-section minimisation of ``n`` unimodal functions ``f(x) -> (n,)``."""
    a = np.full(n, lo)
    b = np.full(n, hi)
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(n_iter):
        left = fc < fd  # minimum in [a, d]
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        c_new = np.where(left, b - _GOLDEN * (b - a), d)
        d_new = np.where(left, c, a + _GOLDEN * (b - a))
        f_new = f(np.where(left, c_new, d_new))
        fc, fd = np.where(left, f_new, fd), np.where(left, fc, f_new)
        c, d = c_new, d_new
    return 0.5 * (a + b)
