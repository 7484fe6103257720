"""Mean-field and replica theory of Hebbian associative memories (no simulation).

Pure numpy/scipy root finding; the curves that simulations of :mod:`neurodam.memory` are
compared against. Temperatures are those of neurodam's Glauber dynamics: the energy of
``F = "hopfield"`` / ``"dense:P"`` is ``E = -(N/P) sum_mu m_mu^P`` (P = 2: the Hopfield
Hamiltonian with ``J_ij = (1/N) sum_mu xi_i^mu xi_j^mu``). A model whose energy is
``lambda E`` has every transition at ``lambda T``. Solvers take numbers or arrays
(broadcast) and return floats or arrays; out-of-domain arguments raise TypeError or
ValueError naming the argument, never NaN.

Functions
---------
Hopfield model (Amit, Gutfreund & Sompolinsky 1985, 1987)
    :func:`hopfield_rs`            replica-symmetric m, q, r at load alpha = K/N and T
    :func:`hopfield_tm`            the retrieval line T_M(alpha)
    :func:`hopfield_alpha_m`       the same line as a load, alpha_M(T)
    :func:`hopfield_rs_overlap`    T = 0 overlap m(alpha) (the erf equation)
    :data:`HOPFIELD_ALPHA_C`       0.1379
Dense P-body model at low load (Krotov & Hopfield 2016)
    :func:`dense_transition`       first-order T_c and spinodal of the retrieval state
    :func:`dense_overlap`          the retrieval-branch overlap m(T)
Learning from examples at low load (Agliari, Albanese, Alemanno, Alessandrelli, Barra et al.,
"Dense Hebbian neural networks: a replica symmetric picture of supervised / unsupervised
learning", Physica A 2023; Agliari, Alemanno, Barra & De Marzo 2022)
    :func:`dataset_entropy`        rho = (1 - r^2) / (M r^2)
    :func:`supervised_overlap`     archetype overlap m(r, M, T), finite M or large-M form
    :func:`unsupervised_overlap`   the same for the symmetric state of the unsupervised rule
One-step stability, signal to noise
    :func:`stability_probability`  Hopfield (McEliece, Posner, Rodemich & Venkatesh 1987)
    :func:`dense_stability`        dense P-body networks, exact crosstalk distribution
    :func:`dense_capacity`         K ~ N^(P-1) / (2 (2P-3)!! ln N)
    :func:`exp_one_step_radius`    exponential memory (Demircigil et al. 2017)

The Hopfield solvers live here; the dense and learning ones in ``_mean_field``, the
stability ones in ``_snr`` and the Gaussian quadrature in ``_gauss`` (private modules,
public through this one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq, minimize_scalar
from scipy.special import erf

from neurodam.memory._gauss import gauss_tanh_moments
from neurodam.memory._mean_field import (
    DenseTransition,
    dataset_entropy,
    dense_overlap,
    dense_transition,
    out_value,
    real_array,
    supervised_overlap,
    unsupervised_overlap,
)
from neurodam.memory._snr import (
    DenseStability,
    dense_capacity,
    dense_stability,
    exp_one_step_radius,
    stability_probability,
)

__all__ = [
    "HOPFIELD_ALPHA_C",
    "DenseStability",
    "DenseTransition",
    "HopfieldRS",
    "dataset_entropy",
    "dense_capacity",
    "dense_overlap",
    "dense_stability",
    "dense_transition",
    "exp_one_step_radius",
    "hopfield_alpha_m",
    "hopfield_rs",
    "hopfield_rs_overlap",
    "hopfield_tm",
    "stability_probability",
    "supervised_overlap",
    "unsupervised_overlap",
]

#: Replica-symmetric T=0 capacity of the Hopfield model (Amit, Gutfreund & Sompolinsky 1985).
HOPFIELD_ALPHA_C = 0.1379

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# ------------------------------------------------------------- Hopfield, T = 0
def _erf_h(y: float) -> float:
    """``h(y) = [erf(y) - (2/sqrt pi) y exp(-y^2)] / y``; at T = 0, h(y) = sqrt(2 alpha)."""
    return (math.erf(y) - _TWO_OVER_SQRT_PI * y * math.exp(-y * y)) / y


def _erf_fold() -> tuple[float, float]:
    """(y_c, h(y_c)): h rises from 0 at y = 0 to its maximum at y_c, then falls to 0."""
    res = minimize_scalar(
        lambda y: -_erf_h(y), bounds=(0.5, 3.0), method="bounded", options={"xatol": 1e-12}
    )
    return float(res.x), float(-res.fun)


def _erf_root(al: float) -> float | None:
    """Largest root y of ``y sqrt(2 alpha) = erf(y) - (2/sqrt pi) y exp(-y^2)`` (None: none).

    It lies on the falling side of h (y > y_c); none when sqrt(2 alpha) > max h.
    """
    y_c, h_c = _erf_fold()
    target = math.sqrt(2.0 * al)
    if target > h_c:
        return None
    y_hi = 10.0 + 2.0 / target  # h(y) < 1/y there
    return float(brentq(lambda y: _erf_h(y) - target, y_c, y_hi, xtol=1e-14))


def hopfield_rs_overlap(alpha):
    """Replica-symmetric T=0 retrieval overlap of the Hopfield model.

    Solves ``y sqrt(2 alpha) = erf(y) - (2/sqrt(pi)) y exp(-y^2)`` for its largest root and
    returns ``m = erf(y)`` (Amit, Gutfreund & Sompolinsky 1987); 0 where no retrieval
    solution exists (alpha > alpha_c = 0.13791, where m jumps from 0.967 to 0). The root
    is bracketed on the falling side of ``h(y) = [erf(y) - (2/sqrt pi) y e^{-y^2}] / y``,
    beyond its maximum, so it is found up to alpha_c itself.
    """
    a = real_array(alpha, "alpha")
    out = np.empty(a.shape)
    for k, al in np.ndenumerate(a):
        y = None if al == 0 else _erf_root(float(al))
        out[k] = 1.0 if al == 0 else (0.0 if y is None else erf(y))
    return out if np.ndim(alpha) else float(out)


# ------------------------------------------------------------- Hopfield, T > 0
def _m_of_s(s: np.ndarray, beta: float) -> np.ndarray:
    """Positive root of ``m = <tanh(beta (m + s z))>`` (0 where none).

    ``phi(m) = <tanh(beta(m + s z))> - m`` is concave on m > 0, so Newton's method started
    at m = 1 decreases monotonically to the largest root.
    """
    m = np.ones_like(s)
    for _ in range(80):
        t, _, c = gauss_tanh_moments(m, s, beta)
        step = (t - m) / (beta * c - 1.0)
        m = np.clip(m - step, 0.0, 1.0)
        if np.all(np.abs(step) <= 1e-13):
            break
    return m


def _s_max(beta: float) -> float:
    """Largest noise s with a retrieval root: ``beta <sech^2(beta s z)> = 1`` (beta > 1)."""

    def f(s):
        return beta * float(gauss_tanh_moments(0.0, s, beta)[2]) - 1.0

    hi = 1.0
    while f(hi) > 0:
        hi *= 2.0
    return float(brentq(f, 0.0, hi, xtol=1e-15, rtol=1e-13))


def _rs_terms(s, beta, m=None):
    """(alpha that makes s self-consistent, m, q, C = beta(1-q)) on the branch m(s)."""
    s = np.asarray(s, dtype=np.float64)
    m = _m_of_s(s, beta) if m is None else np.broadcast_to(m, s.shape)
    _, q, c = gauss_tanh_moments(m, s, beta)
    C = beta * c
    return s * s * (1.0 - C) ** 2 / q, m, q, C


def _alpha_m_t(T: float) -> tuple[float, float]:
    """(alpha_M(T), s at the fold); the load where the retrieval branch folds."""
    if T == 0:
        y_c, h_c = _erf_fold()
        return 0.5 * h_c * h_c, float("nan")
    if T >= 1:
        return 0.0, 0.0
    beta = 1.0 / T
    smax = _s_max(beta)
    res = minimize_scalar(
        lambda u: -float(_rs_terms(u * smax, beta)[0]),
        bounds=(1e-6, 1.0 - 1e-9),
        method="bounded",
        options={"xatol": 1e-9},
    )
    return float(-res.fun), float(res.x * smax)


def _spin_glass(al: float, beta: float, smax: float) -> tuple[float, float]:
    """(q, r) of the m = 0 solution: paramagnet (0, 0) or spin glass."""
    if beta <= 1.0 and al <= (1.0 / beta - 1.0) ** 2:  # above T_g = 1 + sqrt(alpha)
        return 0.0, 0.0

    def g(s):
        return float(_rs_terms(s, beta, m=0.0)[0]) - al

    lo = smax * (1.0 + 1e-12) if beta > 1.0 else 1e-9 * math.sqrt(al)
    if g(lo) >= 0:  # within O(s^2) of T_g: the spin-glass root has merged with q = 0
        return 0.0, 0.0
    hi = max(2.0 * math.sqrt(al), 2.0 * lo)
    while g(hi) < 0:
        hi *= 2.0
    s = brentq(g, lo, hi, xtol=1e-15, rtol=1e-13)
    q = float(gauss_tanh_moments(0.0, s, beta)[1])
    return q, s * s / al


def _rs_point(al: float, T: float) -> tuple[float, float, float, bool]:
    if T == 0:
        if al == 0:
            return 1.0, 1.0, 1.0, True
        y = _erf_root(al)
        if y is None:
            return 0.0, 1.0, (1.0 + math.sqrt(2.0 / (math.pi * al))) ** 2, False
        m = float(erf(y))
        C = _TWO_OVER_SQRT_PI * y * math.exp(-y * y) / m
        return m, 1.0, 1.0 / (1.0 - C) ** 2, True
    beta = 1.0 / T
    if al == 0:
        if beta <= 1.0:
            return 0.0, 0.0, 0.0, False
        m = brentq(lambda x: math.tanh(beta * x) - x, 1e-12, 1.0, xtol=1e-15)
        q = m * m
        return m, q, q / (1.0 - beta * (1.0 - q)) ** 2, True
    smax = _s_max(beta) if beta > 1.0 else 0.0
    if beta > 1.0:
        a_m, s_fold = _alpha_m_t(T)
        if al <= a_m:  # the branch rises from alpha(s) ~ s^2 -> 0 at s = 0 to a_m at the fold

            def log_gap(u):  # ln alpha(s) - ln al with s = e^u, computed without underflow
                _, m, q, C = _rs_terms(math.exp(u), beta)
                return 2.0 * u + 2.0 * math.log1p(-float(C)) - math.log(float(q)) - math.log(al)

            u = brentq(log_gap, math.log(1e-300 * smax), math.log(s_fold), xtol=1e-14)
            s = math.exp(u)
            _, m, q, _ = _rs_terms(s, beta)
            return float(m), float(q), s * s / al, True
    q, r = _spin_glass(al, beta, smax)
    return 0.0, q, r, False


@dataclass(frozen=True)
class HopfieldRS:
    """Replica-symmetric solution of the Hopfield model (Amit, Gutfreund & Sompolinsky 1987).

    Attributes
    ----------
    alpha, T : float or ndarray
        Load K/N and temperature.
    m : float or ndarray
        Overlap of the retrieval solution (the one with the largest m); 0 where none exists.
    q : float or ndarray
        Edwards-Anderson order parameter ``<tanh^2>`` of the same solution (paramagnet q = 0,
        spin glass q > 0 where m = 0; q = 1 at T = 0).
    r : float or ndarray
        Noise parameter ``q / (1 - beta (1 - q))^2``; the crosstalk field has variance
        ``alpha r``. T = 0: ``1 / (1 - C)^2`` with ``C = lim beta (1 - q)``.
    retrieval : bool or ndarray
        Whether a retrieval solution (m > 0) exists.
    """

    alpha: float | np.ndarray
    T: float | np.ndarray
    m: float | np.ndarray
    q: float | np.ndarray
    r: float | np.ndarray
    retrieval: bool | np.ndarray


def hopfield_rs(alpha, T=0.0) -> HopfieldRS:
    """Replica-symmetric retrieval solution of the Hopfield model at load alpha and T.

    Solves (Amit, Gutfreund & Sompolinsky 1985, 1987)::

        m = < tanh(beta (m + sqrt(alpha r) z)) >_z
        q = < tanh^2(beta (m + sqrt(alpha r) z)) >_z
        r = q / (1 - beta (1 - q))^2                      (z standard normal, beta = 1/T)

    The noise amplitude ``s = sqrt(alpha r)`` parameterises the solutions: for fixed s the
    first equation has a unique positive root m(s) (its right side is concave in m), which
    exists for ``s < s_max`` with ``beta <sech^2(beta s_max z)> = 1``; a solution is a
    root of ``alpha = s^2 (1 - beta (1 - q))^2 / q`` along that branch. The right side
    vanishes at both ends of (0, s_max) with one maximum, ``alpha_M(T)``: below it there
    are two roots, and the one with the smaller s (larger m) is the retrieval state
    returned. Averages use Gauss-Hermite quadrature, split at the kink of tanh at low T
    (:mod:`neurodam.memory._gauss`). At T = 0 the equations reduce to
    ``y sqrt(2 alpha) = erf(y) - (2/sqrt(pi)) y exp(-y^2)``, ``m = erf(y)``, solved
    directly; at alpha = 0 to the Curie-Weiss ``m = tanh(beta m)``. Where no retrieval
    solution exists m = 0 and q, r are those of the spin glass (``T < 1 + sqrt(alpha)``)
    or the paramagnet (q = r = 0). The retrieval solution exists up to alpha_M(T) but is
    the global free-energy minimum only at lower loads (alpha < 0.051 at T = 0).

    Parameters
    ----------
    alpha : float or array_like
        Load K/N >= 0.
    T : float or array_like
        Temperature >= 0 (broadcast against ``alpha``).

    Returns
    -------
    HopfieldRS
        Floats for scalar arguments, arrays of the broadcast shape otherwise.
    """
    a = real_array(alpha, "alpha")
    t = real_array(T, "T")
    a, t = (np.array(x) for x in np.broadcast_arrays(a, t))
    m, q, r = (np.empty(a.shape) for _ in range(3))
    ok = np.empty(a.shape, dtype=bool)
    for k in np.ndindex(a.shape):
        m[k], q[k], r[k], ok[k] = _rs_point(float(a[k]), float(t[k]))
    sc = a.ndim == 0
    return HopfieldRS(*(out_value(x, sc) for x in (a, t, m, q, r, ok)))


def hopfield_alpha_m(T):
    """The retrieval line as a load: the largest alpha with a retrieval solution at T.

    ``alpha_M(T) = max_s s^2 (1 - beta (1 - q(s)))^2 / q(s)`` along the branch m(s) (see
    :func:`hopfield_rs`); ``alpha_M(0) = max_y [erf(y) - (2/sqrt(pi)) y e^{-y^2}]^2 / (2 y^2)
    = 0.13791`` and ``alpha_M(T) = 0`` for T >= 1. The replica-symmetric line is slightly
    reentrant: alpha_M grows to 0.13819 at T = 0.023 before falling (the solutions there
    satisfy the equations; replica symmetry itself is only approximate this close to
    alpha_c). Near T = 1, ``alpha_M ~ ((1 - T) / 1.95)^2`` (Amit, Gutfreund & Sompolinsky
    1985).
    """
    t = real_array(T, "T")
    out = np.empty(t.shape)
    for k in np.ndindex(t.shape):
        out[k] = _alpha_m_t(float(t[k]))[0]
    return out_value(out, t.ndim == 0)


def hopfield_tm(alpha):
    """Retrieval line T_M(alpha): the highest T at which a solution with m > 0 exists.

    The root in T of ``alpha_M(T) = alpha`` (:func:`hopfield_alpha_m`) on its decreasing
    side, by Brent's method: ``T_M(0) = 1``, ``T_M ~ 1 - 1.95 sqrt(alpha)`` for small alpha
    (Amit, Gutfreund & Sompolinsky 1985), falling towards the T = 0 capacity 0.13791.
    Because the replica-symmetric line is reentrant, T_M(0.13791) = 0.041 rather than 0,
    loads in (0.13791, 0.13819) retrieve only in a window of T > 0, and 0 is returned where
    no retrieval solution exists at any T (alpha > 0.13819).
    """
    a = real_array(alpha, "alpha")
    out = np.empty(a.shape)
    for k in np.ndindex(a.shape):
        al = float(a[k])
        if al == 0:
            out[k] = 1.0
            continue

        def g(T, al=al):
            return _alpha_m_t(T)[0] - al

        lo = 0.0
        if g(0.0) < 0:  # reentrant region: start from the top of alpha_M(T)
            res = minimize_scalar(lambda T: -_alpha_m_t(T)[0], bounds=(1e-3, 0.2), method="bounded")
            if -res.fun < al:
                out[k] = 0.0
                continue
            lo = float(res.x)
        out[k] = brentq(g, lo, 1.0, xtol=1e-12)
    return out_value(out, a.ndim == 0)
